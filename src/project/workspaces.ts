import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { TS } from '../ts/syntax.js';

/**
 * The packages of a monorepo, by name → directory: the root package.json's `workspaces` (an array,
 * or `{ packages }`) and pnpm-workspace.yaml's `packages:` list. Empty for a single package.
 */
export function workspacePackages(ts: TS, root: string): Map<string, string> {
  const patterns: string[] = [];
  const manifest = readJson(join(root, 'package.json'));
  const workspaces = manifest?.['workspaces'];
  const listed = Array.isArray(workspaces)
    ? workspaces
    : isRecord(workspaces) && Array.isArray(workspaces['packages'])
      ? workspaces['packages']
      : [];
  for (const pattern of listed) if (typeof pattern === 'string') patterns.push(pattern);
  let pnpm = '';
  try {
    pnpm = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  } catch {
    // not a pnpm workspace
  }
  patterns.push(...pnpmPackages(pnpm));
  const packages = new Map<string, string>();
  const include = patterns.filter((p) => !p.startsWith('!')).map((p) => `${p.replace(/\/+$/, '')}/package.json`);
  const exclude = ['**/node_modules/**', ...patterns.filter((p) => p.startsWith('!')).map((p) => `${p.slice(1).replace(/\/+$/, '')}/**`)];
  if (include.length === 0) return packages;
  for (const file of ts.sys.readDirectory(root, ['.json'], exclude, include).sort()) {
    if (!file.endsWith('/package.json')) continue;
    const name = readJson(file)?.['name'];
    if (typeof name === 'string' && !packages.has(name)) packages.set(name, dirname(resolve(file)));
  }
  addLinkedPackages(ts, root, packages);
  return packages;
}

/** The fields of a package.json that name the packages it depends on (a bundled workspace package is often a dev dependency). */
export const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

/** How many directories below the root a package that `workspace:` names is looked for (`internal/db`, `packages/@acme/db`). */
const LINKED_DEPTH = 3;

/**
 * Adds the packages that the listed ones (and the root) depend on with the `workspace:` protocol
 * but the listing misses (a workspace file the checkout lacks, a pattern not read here): the
 * package manager's word that they are packages of this monorepo. They are looked for by name
 * among the package.json files below the root, once, and only when one is missing.
 */
function addLinkedPackages(ts: TS, root: string, packages: Map<string, string>): void {
  const missing = (dir: string): string[] => {
    const manifest = readJson(join(dir, 'package.json'));
    return DEPENDENCY_FIELDS.flatMap((field) => {
      const dependencies = manifest?.[field];
      if (!isRecord(dependencies)) return [];
      return Object.entries(dependencies)
        .filter(([name, version]) => typeof version === 'string' && version.startsWith('workspace:') && !packages.has(name))
        .map(([name]) => name);
    });
  };
  const wanted = new Set([root, ...packages.values()].flatMap(missing));
  if (wanted.size === 0) return;
  const include = Array.from({ length: LINKED_DEPTH }, (_, i) => `${'*/'.repeat(i + 1)}package.json`);
  const found = new Map<string, string>();
  for (const file of ts.sys.readDirectory(root, ['.json'], ['**/node_modules/**'], include, LINKED_DEPTH).sort()) {
    const name = file.endsWith('/package.json') ? readJson(file)?.['name'] : undefined;
    if (typeof name === 'string' && !packages.has(name) && !found.has(name)) found.set(name, dirname(resolve(file)));
  }
  // Through one another too: a linked package's own `workspace:` dependencies.
  for (const queue = [...wanted]; queue.length > 0;) {
    const name = queue.shift() ?? '';
    const dir = found.get(name);
    if (dir === undefined || packages.has(name)) continue;
    packages.set(name, dir);
    queue.push(...missing(dir));
  }
}

/** How many directories up a workspace package's monorepo root is looked for. */
const WORKSPACE_DEPTH = 4;

/**
 * The monorepo root of which `dir` is a workspace package, or undefined: an application audited
 * from its own directory still follows calls into the shared packages beside it.
 */
export function enclosingWorkspace(ts: TS, dir: string): string | undefined {
  let parent = dirname(dir);
  for (let i = 0; i < WORKSPACE_DEPTH && parent !== dirname(parent); i++, parent = dirname(parent)) {
    if (!existsSync(join(parent, 'pnpm-workspace.yaml')) && readJson(join(parent, 'package.json'))?.['workspaces'] === undefined) continue;
    return [...workspacePackages(ts, parent).values()].includes(dir) ? parent : undefined;
  }
  return undefined;
}

/** The `packages:` list of a pnpm-workspace.yaml (block or flow style), without a YAML parser. */
function pnpmPackages(text: string): string[] {
  const result: string[] = [];
  const lines = text.split(/\r?\n/);
  const unquote = (value: string): string => value.trim().replace(/^['"]|['"]$/g, '');
  for (let i = 0; i < lines.length; i++) {
    const match = /^packages\s*:\s*(.*)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const inline = (match[1] ?? '').replace(/#.*$/, '').trim();
    if (inline.startsWith('['))
      return inline
        .replace(/^\[|\]$/g, '')
        .split(',')
        .map(unquote)
        .filter(Boolean);
    for (let j = i + 1; j < lines.length; j++) {
      const line = (lines[j] ?? '').replace(/\s+#.*$/, '');
      if (line.trim() === '' || line.trim().startsWith('#')) continue;
      const item = /^\s+-\s*(.+)$/.exec(line);
      if (!item) break;
      result.push(unquote(item[1] ?? ''));
    }
  }
  return result;
}

/** A JSON object file, or null when it is missing, unreadable or not an object. */
export function readJson(file: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
