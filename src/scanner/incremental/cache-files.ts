// The files of the persistent cache: where they are, the digest they are keyed by, how they are written.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

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

/** The variables that say where a user's caches go (XDG_CACHE_HOME, LOCALAPPDATA, HOME). */
export type CacheEnv = Readonly<Record<string, string | undefined>>;

/**
 * Where the cache lives: `--cache-location` (a file, or a directory when it ends with a separator or
 * is one), else `node_modules/.cache/cache-audit/` of the project (or of its workspace), else the
 * user's cache directory; never the project's own tree, where it would need an ignore rule. In a
 * directory the file is named after the root, so projects can share one.
 */
export function cacheFile(root: string, location: string | null, cwd: string, env: CacheEnv = process.env): string {
  const directory = cacheDirectory(root, location, cwd, env);
  return directory === null ? resolve(cwd, location ?? '') : join(directory, `scan-${hashOf(resolve(root)).slice(0, 8)}.json`);
}

/**
 * The directory the cache is kept in when it has one of its own: the default one, or a
 * `--cache-location` that names a directory; null when `--cache-location` names a file.
 */
export function cacheDirectory(root: string, location: string | null, cwd: string, env: CacheEnv = process.env): string | null {
  if (location !== null) {
    const path = resolve(cwd, location);
    return /[\\/]$/.test(location) || (existsSync(path) && statSync(path).isDirectory()) ? path : null;
  }
  const modules = nodeModulesOf(resolve(root));
  return modules === null ? join(userCacheDirectory(env), 'cache-audit') : join(modules, '.cache', 'cache-audit');
}

/**
 * The node_modules of the project: in its directory or, for an application of a workspace whose
 * packages are installed at its root, in a directory above it, up to the repository's root.
 */
function nodeModulesOf(root: string): string | null {
  for (let dir = root; ; dir = dirname(dir)) {
    const modules = join(dir, 'node_modules');
    if (existsSync(modules)) return modules;
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return null;
  }
}

/** The user's cache directory, as the platform places it. */
function userCacheDirectory(env: CacheEnv): string {
  const home = env['HOME'] ?? env['USERPROFILE'] ?? homedir();
  if (process.platform === 'win32') return env['LOCALAPPDATA'] ?? join(home, 'AppData', 'Local');
  if (process.platform === 'darwin') return join(home, 'Library', 'Caches');
  const xdg = env['XDG_CACHE_HOME'];
  return xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.cache');
}
