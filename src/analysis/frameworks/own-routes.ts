import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { contextFor, exportsOf } from './code-handler.js';
import type { HandlerSite } from './code-handler.js';
import { isAppRouteFile, nextRoutePath } from './nextjs.js';
import { isPagesApiFile, pagesApiPath, pagesApiSites } from './pages-api.js';

/**
 * The URL path a file serves by its place in the tree, or null: a Next.js App Router `route.ts`
 * under `app/` (route groups and parallel slots left out) or a Pages Router API route.
 */
export function fileRoutePath(file: string): string | null {
  if (isPagesApiFile(file)) return pagesApiPath(file);
  if (isAppRouteFile(file)) return nextRoutePath(file);
  return null;
}

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

/** The files of a project that serve URL paths by their place in the tree, looked up by a requested path. */
export interface RouteTable {
  /** The files that serve `path` (holes as `*`), the best match only; none when no route serves it. */
  filesOf(path: string): readonly string[];
  /** Every route path of the table, with its file as `rel` gives it (what a summary that consulted the table depends on). */
  readonly routes: readonly (readonly [string, string])[];
}

/**
 * The route table of a project's files, from their paths alone (no file is read); `rel` gives a
 * file's path from the project's root, so that the directories above it name no route.
 */
export function routeTable(files: readonly string[], rel: (file: string) => string = (file) => file): RouteTable {
  const served = files.flatMap((file) => {
    const relative = rel(file);
    const path = fileRoutePath(relative);
    return path === null ? [] : [{ file, relative, path }];
  });
  const routes = served.map(({ path, relative }) => [path, relative] as const);
  const parsed = served.map(({ file, path }) => ({ file, segments: routeSegments(path) }));
  return {
    routes,
    filesOf(path) {
      const requested = path.split('/').filter((s) => s !== '');
      let best: number[] | null = null;
      let found: string[] = [];
      for (const route of parsed) {
        const rank = matchRank(route.segments, requested);
        if (rank === null) continue;
        const order = best === null ? -1 : compareRanks(rank, best);
        if (order < 0) {
          best = rank;
          found = [route.file];
        } else if (order === 0) {
          found.push(route.file);
        }
      }
      return found;
    },
  };
}

/** The code a route serves for one method, with where it is (`GET /api/revalidate`). */
export interface RouteCode {
  readonly ctx: FileContext;
  readonly fn: ts.FunctionLikeDeclaration;
  readonly bodies: readonly ts.Node[];
  readonly label: string;
}

/**
 * What a route file runs for a request of `method`: a Next.js route's export of that name, or the
 * Pages Router handler's branch for the method (the code no branch names, when none does). A
 * handler the analysis cannot see serves nothing here.
 */
export function routeCode(ctx: FileContext, method: string): RouteCode[] {
  const path = fileRoutePath(ctx.file);
  if (path === null) return [];
  const label = `${method} ${path}`;
  if (!isPagesApiFile(ctx.file)) {
    return exportsOf(ctx).flatMap((exported) =>
      exported.name === method && exported.fn ? [{ ctx: contextFor(ctx, exported.fn), fn: exported.fn, bodies: [exported.fn], label }] : [],
    );
  }
  const sites = pagesApiSites(ctx);
  const exact = sites.filter((site) => site.method === method);
  const chosen = exact.length > 0 ? exact : sites.filter((site) => site.method === 'ALL');
  return chosen.flatMap((site: HandlerSite) => {
    if (!site.fn || !site.body) return [];
    const bodies = Array.isArray(site.body) ? (site.body as readonly ts.Node[]) : [site.body as ts.Node];
    return [{ ctx: contextFor(ctx, site.fn), fn: site.fn, bodies, label }];
  });
}
