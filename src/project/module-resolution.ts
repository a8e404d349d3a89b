import { readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import type ts from 'typescript';
import { isProjectSource, looksLikeProjectModule } from '../analysis/project-modules.js';
import { packageOf } from '../ts/imports.js';
import type { TS } from '../ts/syntax.js';
import type { ProjectFiles } from './files.js';

/** What module resolution needs of the project: its root, each file's options, its workspace packages. */
export type ResolvedProject = Pick<ProjectFiles, 'root' | 'optionsOf' | 'workspaces'>;

/** A specifier that resolves to nothing at all. */
export const UNRESOLVED = Symbol('unresolved');
const SOURCE_FILE = /\.(tsx?|mts|cts|jsx?|mjs|cjs)$/;
const DECLARATION = /\.d\.[cm]?ts$/;
/** `./x`, `../a/b.js`: relative, with no backslash, ending in a name (not `/`, `.` or `..`). */
const PLAIN_RELATIVE = /^\.\.?\/(?:[^\\]*\/)?(?!\.\.?$)[^/\\]+$/;

/**
 * Which file of the project an import specifier names: TypeScript's module resolution with the
 * options of the tsconfig that lists the importing file, then the workspace packages, answered once
 * per (directory, specifier). Only the project's own source files count; a package is null.
 */
export class ModuleResolution {
  private readonly resolved = new Map<string, string | null | typeof UNRESOLVED>();
  private readonly resolutionCaches = new Map<ts.CompilerOptions, ts.ModuleResolutionCache>();
  /**
   * What TypeScript resolved a relative specifier to, by options and the path it names: `../lib/x`
   * of one directory and `./x` of another are one question (the importing directory plays no other part).
   */
  private readonly relativeResolutions = new Map<ts.CompilerOptions, Map<string, string | null>>();
  /** What TypeScript resolved a specifier that `paths` maps to, by options, when `paths` found it (see `mappedFileName`). */
  private readonly mappedResolutions = new Map<ts.CompilerOptions, Map<string, string>>();
  /** The source a workspace package's specifier names, whatever the importing directory. */
  private readonly workspaceModules = new Map<string, string | null>();
  private readonly realRoot: string;

  constructor(
    private readonly ts: TS,
    private readonly project: ResolvedProject,
    private readonly host: ts.ModuleResolutionHost,
  ) {
    this.realRoot = this.realpath(project.root);
  }

  isProjectModule(specifier: string, fromFile: string): boolean | undefined {
    const path = this.projectModulePath(specifier, fromFile);
    // Nothing by that name (a file not written yet, a package not installed): the spelling decides.
    return path === UNRESOLVED ? undefined : path !== null;
  }

  /** The project file an import specifier of `fromFile` names, or null (a package, nothing). */
  modulePath(specifier: string, fromFile: string): string | null {
    const path = this.projectModulePath(specifier, fromFile);
    return path === UNRESOLVED ? null : path;
  }

  /**
   * The source file of the project a specifier stands for, or null for a package (only the
   * project's own modules hold its invalidations): module resolution with the options of the
   * tsconfig that lists the importing file (paths, baseUrl), then the workspace packages.
   */
  projectModulePath(specifier: string, fromFile: string): string | null | typeof UNRESOLVED {
    // Resolution depends on the directory, not the file: one answer per (directory, specifier).
    const directory = fromFile.slice(0, fromFile.lastIndexOf('/'));
    const key = `${directory}\u0000${specifier}`;
    let path = this.resolved.get(key);
    if (path === undefined && !this.mayBeTheProjects(specifier, this.project.optionsOf(fromFile))) path = null;
    if (path === undefined) {
      const options = this.project.optionsOf(fromFile);
      let cache = this.resolutionCaches.get(options);
      if (!cache) {
        cache = this.ts.createModuleResolutionCache(this.project.root, (name) => name, options);
        this.resolutionCaches.set(options, cache);
      }
      // TypeScript gives the real path of what it finds in node_modules (a linked workspace package).
      const real = this.resolvedFileName(specifier, fromFile, directory, options, cache);
      path =
        real !== null && isProjectSource(real) && this.isInsideRoot(real)
          ? real
          : (this.workspaceSource(specifier) ?? (real === null ? UNRESOLVED : null));
      this.resolved.set(key, path);
    }
    return path;
  }

  /** The file TypeScript resolves a specifier of `fromFile` to, or null; a relative one asked once per path it names. */
  private resolvedFileName(
    specifier: string,
    fromFile: string,
    directory: string,
    options: ts.CompilerOptions,
    cache: ts.ModuleResolutionCache,
  ): string | null {
    const resolve = (): string | null =>
      this.ts.resolveModuleName(specifier, fromFile, options, this.host, cache).resolvedModule?.resolvedFileName ?? null;
    // Only the plain relative spellings (`./x`, `../a/b.js`): a trailing `/`, `.` or `..` is resolved as a directory.
    if (!directory.startsWith('/')) return resolve();
    if (!PLAIN_RELATIVE.test(specifier)) return this.mappedFileName(specifier, options, resolve);
    let byPath = this.relativeResolutions.get(options);
    if (!byPath) {
      byPath = new Map();
      this.relativeResolutions.set(options, byPath);
    }
    const path = posix.normalize(`${directory}/${specifier}`);
    let resolved = byPath.get(path);
    if (resolved === undefined) {
      resolved = resolve();
      byPath.set(path, resolved);
    }
    return resolved;
  }

  /**
   * A specifier that `paths` maps (`@/lib/db`): TypeScript tries its candidates first, whatever the
   * importing directory, and only then looks in the directory's `node_modules` or at its package's
   * own name. When it found one of the candidates' TypeScript files, every directory finds that one:
   * asked once per options then.
   */
  private mappedFileName(specifier: string, options: ts.CompilerOptions, resolve: () => string | null): string | null {
    const candidates = mappedCandidates(specifier, options);
    if (candidates.length === 0) return resolve();
    let byName = this.mappedResolutions.get(options);
    if (!byName) {
      byName = new Map();
      this.mappedResolutions.set(options, byName);
    }
    const known = byName.get(specifier);
    if (known !== undefined) return known;
    const resolved = resolve();
    if (resolved !== null && candidates.some((candidate) => isCandidateFile(resolved, candidate))) byName.set(specifier, resolved);
    return resolved;
  }

  /**
   * Whether a specifier can resolve into the project at all: spelled like the project's (relative,
   * absolute, `#…`, `@/…`; when it resolves to nothing, the spelling decides), under `baseUrl`,
   * matched by a `paths` pattern or a workspace package. Other bare specifiers (`express`,
   * `@nestjs/common`) are packages, known without resolving them.
   */
  private mayBeTheProjects(specifier: string, options: ts.CompilerOptions): boolean {
    if (looksLikeProjectModule(specifier) || options.baseUrl !== undefined) return true;
    if (this.project.workspaces.has(packageOf(specifier))) return true;
    return Object.keys(options.paths ?? {}).some((pattern) => {
      const star = pattern.indexOf('*');
      return star < 0 ? pattern === specifier : specifier.startsWith(pattern.slice(0, star)) && specifier.endsWith(pattern.slice(star + 1));
    });
  }

  private isInsideRoot(path: string): boolean {
    return [this.project.root, this.realRoot].some((root) => {
      const inside = relative(root, path);
      return inside !== '' && !inside.startsWith('..') && !inside.startsWith(sep);
    });
  }

  private realpath(path: string): string {
    try {
      return this.host.realpath?.(path) ?? path;
    } catch {
      return path;
    }
  }

  private workspaceSource(specifier: string): string | null {
    let source = this.workspaceModules.get(specifier);
    if (source === undefined) {
      source = this.workspaceModule(specifier);
      this.workspaceModules.set(specifier, source);
    }
    return source;
  }

  /**
   * `@org/lib` or `@org/lib/sub` of a workspace package, to its source even when node_modules is
   * absent (a fresh checkout): its package.json `exports`, `types` or `main`, mapped back from a
   * build directory (dist/, build/, lib/, out/) to src/ when the built file does not exist, else
   * src/index or index.
   */
  private workspaceModule(specifier: string): string | null {
    const name = packageOf(specifier);
    const dir = this.project.workspaces.get(name);
    if (dir === undefined) return null;
    const sub = specifier.slice(name.length + 1);
    let manifest: Record<string, unknown> = {};
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      // no readable manifest: the conventional entry points only
    }
    const entries =
      sub === ''
        ? [exportTarget(manifest['exports'], '.'), manifest['types'], manifest['typings'], manifest['module'], manifest['main']]
        : [exportTarget(manifest['exports'], `./${sub}`)];
    const stems = [
      ...entries.filter((e): e is string => typeof e === 'string'),
      ...(sub === '' ? ['src/index', 'index'] : [`src/${sub}`, sub]),
    ];
    for (const entry of stems) {
      const found = this.sourceFor(dir, entry);
      if (found) return found;
    }
    return null;
  }

  /** The source file an entry point of a package stands for: itself, or its source in src/. */
  private sourceFor(dir: string, entry: string): string | null {
    const path = join(dir, entry);
    if (SOURCE_FILE.test(path) && !DECLARATION.test(path) && this.host.fileExists(path)) return path;
    const stem = relative(dir, path).replace(DECLARATION, '').replace(SOURCE_FILE, '');
    const fromBuild = stem.replace(/^(dist|build|lib|out)\/((esm|cjs|es|types|src)\/)*/, '');
    for (const candidate of new Set([stem, `src/${fromBuild}`, fromBuild])) {
      for (const extension of ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js']) {
        const file = join(dir, candidate + extension);
        if (this.host.fileExists(file)) return file;
      }
    }
    return null;
  }
}

/**
 * The paths `paths` maps a specifier to, as TypeScript picks the pattern (an exact one, else the
 * longest prefix before `*`), from `baseUrl` or the tsconfig's directory; none when no pattern
 * matches or the base is not known.
 */
function mappedCandidates(specifier: string, options: ts.CompilerOptions): string[] {
  const paths = options.paths;
  const base = options.baseUrl ?? options['pathsBasePath'];
  // `paths` maps no relative or absolute specifier.
  if (/^(\.\.?(\/|$)|\/)/.test(specifier)) return [];
  if (!paths || typeof base !== 'string' || !base.startsWith('/')) return [];
  let best: { pattern: string; star: string } | null = null;
  for (const pattern of Object.keys(paths)) {
    const at = pattern.indexOf('*');
    if (at < 0) {
      if (pattern === specifier) {
        best = { pattern, star: '' };
        break;
      }
      continue;
    }
    const prefix = pattern.slice(0, at);
    const suffix = pattern.slice(at + 1);
    const fits = specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix);
    if (fits && (best === null || prefix.length > best.pattern.indexOf('*')))
      best = { pattern, star: specifier.slice(prefix.length, specifier.length - suffix.length) };
  }
  if (best === null) return [];
  const { star } = best;
  return (paths[best.pattern] ?? []).map((target) => posix.resolve(base, target.replace('*', star)));
}

/** Whether TypeScript's first look at a candidate of `paths` finds `file`: the candidate with a TypeScript extension, or its index. */
function isCandidateFile(file: string, candidate: string): boolean {
  return ['.ts', '.tsx', '.d.ts'].some((extension) => file === candidate + extension || file === `${candidate}/index${extension}`);
}

/** The file a package's `exports` maps a subpath to (conditions types, import, require, default). */
function exportTarget(exports: unknown, subpath: string): string | null {
  const pick = (value: unknown): string | null => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map(pick).find((v) => v !== null) ?? null;
    if (typeof value !== 'object' || value === null) return null;
    const conditions = value as Record<string, unknown>;
    for (const condition of ['types', 'source', 'import', 'require', 'node', 'default']) {
      const found = pick(conditions[condition]);
      if (found !== null) return found;
    }
    return null;
  };
  if (typeof exports === 'string' || Array.isArray(exports)) return subpath === '.' ? pick(exports) : null;
  if (typeof exports !== 'object' || exports === null) return null;
  const map = exports as Record<string, unknown>;
  if (!Object.keys(map).some((k) => k.startsWith('.'))) return subpath === '.' ? pick(map) : null;
  if (subpath in map) return pick(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star < 0 || !subpath.startsWith(key.slice(0, star)) || !subpath.endsWith(key.slice(star + 1))) continue;
    const target = pick(value);
    return target?.replace('*', subpath.slice(star, subpath.length - (key.length - star - 1))) ?? null;
  }
  return null;
}
