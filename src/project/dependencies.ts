import { dirname, join, resolve } from 'node:path';
import type ts from 'typescript';
import type { TS } from '../ts/syntax.js';
import { findTsconfigs, isWithin, listedSources, walkSources } from './files.js';
import type { ProjectFiles } from './files.js';
import { DEPENDENCY_FIELDS, isRecord, readJson } from './workspaces.js';

/**
 * The source files of the packages of the monorepo (below its source root) that a project reaches
 * by name: the workspace packages its package.json depends on, through theirs too, and the packages
 * its tsconfig `paths` point into. Their code runs in the application: its handlers keep the cache
 * families filled there fresh. Each package's files are those its tsconfigs list (every source file
 * of it without one), the project's own left out.
 */
export function dependencyFiles(ts: TS, listed: ProjectFiles): string[] {
  const { root, sourceRoot } = listed;
  const isOutsideRoot = (dir: string): boolean => dir !== root && !isWithin(dir, root) && !isWithin(root, dir);
  const packages = new Set(
    [...dependedPackages(root, listed.workspaces), ...pathsPackages(ts, listed.compilerOptions, sourceRoot)].filter(isOutsideRoot),
  );
  const own = new Set(listed.files);
  const files = new Set<string>();
  for (const dir of [...packages].sort()) {
    const tsconfigs = findTsconfigs(dir);
    const sources = tsconfigs.length > 0 ? listedSources(ts, tsconfigs, listed.tsconfigParses) : walkSources(dir, []);
    for (const file of sources) if (isWithin(dir, file) && !own.has(file)) files.add(file);
  }
  return [...files].sort();
}

/**
 * The directories of the workspace packages that the package in `dir` depends on by name, directly
 * or through one another (each package's own package.json): their code runs in the application.
 */
function dependedPackages(dir: string, workspaces: ReadonlyMap<string, string>): string[] {
  const found = new Set<string>();
  const queue = [dir];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    const manifest = readJson(join(current, 'package.json'));
    for (const field of DEPENDENCY_FIELDS) {
      const dependencies = manifest?.[field];
      if (!isRecord(dependencies)) continue;
      for (const name of Object.keys(dependencies)) {
        const at = workspaces.get(name);
        if (at === undefined || at === dir || found.has(at)) continue;
        found.add(at);
        queue.push(at);
      }
    }
  }
  return [...found].sort();
}

/**
 * The packages that tsconfig `paths` point into (`"@acme/db": ["../../packages/db/src"]`): for each
 * target, the nearest directory at or above it, below `sourceRoot`, that holds a package.json or a
 * tsconfig.json.
 */
function pathsPackages(ts: TS, options: ts.CompilerOptions, sourceRoot: string): string[] {
  const basePath = options['pathsBasePath'];
  const base = options.baseUrl ?? (typeof basePath === 'string' ? basePath : undefined);
  if (base === undefined) return [];
  const found: string[] = [];
  for (const target of Object.values(options.paths ?? {}).flat()) {
    for (let dir = resolve(base, target.replace(/\*.*$/, '')); isWithin(sourceRoot, dir); dir = dirname(dir)) {
      if (['package.json', 'tsconfig.json'].some((name) => ts.sys.fileExists(join(dir, name)))) {
        found.push(dir);
        break;
      }
    }
  }
  return found;
}
