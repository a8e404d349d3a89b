import type { FileRoutes } from './framework.js';

/** How a route segment matches: its literal text, one dynamic segment (`[id]`), or the rest (`[...slug]`, `[[...slug]]`). */
type Segment = { readonly literal: string } | { readonly dynamic: true } | { readonly rest: 'some' | 'any' };

function routeSegments(path: string): Segment[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s): Segment => {
      if (/^\[\[\.\.\..+\]\]$/.test(s)) return { rest: 'any' };
      if (/^\[\.\.\..+\]$/.test(s)) return { rest: 'some' };
      if (/^\[.+\]$/.test(s)) return { dynamic: true };
      return { literal: s };
    });
}

/**
 * How well a route matches a requested path whose holes (`*`, runtime values) stand for unknown
 * text: null when it does not, else one rank per segment (0 literal, 1 dynamic, 2 rest), lower
 * first, as Next.js prefers a static segment to a dynamic one. A hole matches only a dynamic
 * segment: which literal it would be is not known.
 */
function matchRank(route: readonly Segment[], requested: readonly string[]): number[] | null {
  const ranks: number[] = [];
  for (const [index, segment] of route.entries()) {
    if ('rest' in segment) {
      const left = requested.length - index;
      if (left === 0 && segment.rest === 'some') return null;
      return [...ranks, 2];
    }
    const wanted = requested[index];
    if (wanted === undefined) return null;
    if ('literal' in segment) {
      if (wanted !== segment.literal) return null;
      ranks.push(0);
    } else {
      ranks.push(1);
    }
  }
  return requested.length === route.length ? ranks : null;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? -1) - (b[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A file that serves a URL path by its place in the tree: the path, and the framework's routes that read it. */
export interface RouteFile {
  readonly file: string;
  readonly path: string;
  readonly routes: FileRoutes;
}

/** The files of a project that serve URL paths by their place in the tree, looked up by a requested path. */
export interface RouteTable {
  /** The files that serve `path` (holes as `*`), the best match only; none when no route serves it. */
  filesOf(path: string): readonly RouteFile[];
  /** Every route path of the table, with its file as `rel` gives it (what a summary that consulted the table depends on). */
  readonly routes: readonly (readonly [string, string])[];
}

/** The path a file serves, from the first of the frameworks' file routes that reads one, or null. */
export function servedPath(fileRoutes: readonly FileRoutes[], file: string): { path: string; routes: FileRoutes } | null {
  for (const routes of fileRoutes) {
    const path = routes.path(file);
    if (path !== null) return { path, routes };
  }
  return null;
}

/**
 * The route table of a project's files, from their paths alone (no file is read), as the
 * frameworks that route by file (`FILE_ROUTES` in frameworks/index.ts) read them; `rel` gives a
 * file's path from the project's root, so that the directories above it name no route.
 */
export function routeTable(
  fileRoutes: readonly FileRoutes[],
  files: readonly string[],
  rel: (file: string) => string = (file) => file,
): RouteTable {
  const parsed = files.flatMap((file) => {
    const served = servedPath(fileRoutes, rel(file));
    return served === null ? [] : [{ file, rel: rel(file), ...served, segments: routeSegments(served.path) }];
  });
  return {
    routes: parsed.map((route) => [route.path, route.rel] as const),
    filesOf(path) {
      const requested = path.split('/').filter((s) => s !== '');
      let best: number[] | null = null;
      let found: RouteFile[] = [];
      for (const route of parsed) {
        const rank = matchRank(route.segments, requested);
        if (rank === null) continue;
        const order = best === null ? -1 : compareRanks(rank, best);
        if (order < 0) {
          best = rank;
          found = [route];
        } else if (order === 0) {
          found.push(route);
        }
      }
      return found;
    },
  };
}
