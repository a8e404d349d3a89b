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
  return packages;
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
