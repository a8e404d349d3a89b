// The files of the persistent cache: where they are, the digest they are keyed by, how they are written.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The digest the cache keys files, runs and roots by. */
export function hashOf(content: string | Uint8Array): string {
  return createHash('sha1').update(content).digest('hex');
}

/** Where the summaries of `root` are kept beside the cache `file`. */
export function summariesFile(file: string, root: string): string {
  return `${resolve(file).replace(/\.json$/, '')}.summaries-${hashOf(resolve(root)).slice(0, 8)}.json`;
}

/** Writes `text` to a temporary file renamed over `target`; false (with a warning) when it cannot. */
export function writeAtomically(target: string, text: string, onWarning: ((message: string) => void) | undefined): boolean {
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(temporary, text);
    renameSync(temporary, target);
    return true;
  } catch (error) {
    rmSync(temporary, { force: true });
    onWarning?.(`cannot write the cache ${target}: ${(error as Error).message}; the next run starts cold.`);
    return false;
  }
}

/**
 * Where the cache lives: `--cache-location` (a file, or a directory when it ends with a separator or
 * is one), else `node_modules/.cache/cache-audit/` when the project has a node_modules, else
 * `.cache-audit/`. In a directory the file is named after the root, so projects can share one.
 */
export function cacheFile(root: string, location: string | null, cwd: string): string {
  const directory = cacheDirectory(root, location, cwd);
  return directory === null ? resolve(cwd, location ?? '') : join(directory, `scan-${hashOf(resolve(root)).slice(0, 8)}.json`);
}

/**
 * The directory the cache is kept in when it has one of its own: the default one, or a
 * `--cache-location` that names a directory; null when `--cache-location` names a file.
 */
export function cacheDirectory(root: string, location: string | null, cwd: string): string | null {
  if (location !== null) {
    const path = resolve(cwd, location);
    return /[\\/]$/.test(location) || (existsSync(path) && statSync(path).isDirectory()) ? path : null;
  }
  const modules = join(root, 'node_modules');
  return existsSync(modules) ? join(modules, '.cache', 'cache-audit') : join(root, '.cache-audit');
}
