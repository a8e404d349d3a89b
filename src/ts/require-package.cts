// CommonJS in both builds (a `.cts` file compiles to `.cjs`): `require` finds a package from where
// this package is installed, as a dependency or a peer resolves, and loads it when first asked for,
// without an ES module import (which Node runs through format detection, an export scan and the
// module loader's bookkeeping for every file).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** Where V8's compiled code of TypeScript is kept (`--cache`), and what this process compiled to keep there. */
let codeCacheDirectory: string | null = null;
let compiled: { readonly script: Script; readonly file: string; readonly stamp: string } | null = null;

/** The SHA-256 of what follows it in a code cache file: the file's stamp and V8's data. */
const SEAL_BYTES = 32;

/**
 * Keep V8's compiled code of `typescript` in `directory` (the CLI's `--cache` directory): a later
 * process loads the 9 MB file without compiling it again. Asked before the first `requirePackage`.
 */
export function keepCompiledCode(directory: string): void {
  codeCacheDirectory = directory;
}

/**
 * Writes the compiled code of what this process loaded through the code cache, when there was none
 * or V8 refused it (another Node version): after the work, so that the functions it compiled are in.
 * Returns the problem, if any, for a warning; never throws.
 */
export function saveCompiledCode(): string | null {
  const pending = compiled;
  compiled = null;
  if (!pending) return null;
  try {
    mkdirSync(dirname(pending.file), { recursive: true });
    const temporary = `${pending.file}.${String(process.pid)}.tmp`;
    const data = pending.script.createCachedData();
    writeFileSync(temporary, Buffer.concat([seal(pending.stamp, data), data]));
    renameSync(temporary, pending.file);
    return null;
  } catch (error) {
    return `the compiled TypeScript cannot be kept in ${pending.file}: ${(error as Error).message}`;
  }
}

/** `require(name)`: throws what `require` throws when the package is missing. */
export function requirePackage(name: 'typescript' | 'zod' | '@mrleebo/prisma-ast'): unknown {
  if (name === 'typescript' && codeCacheDirectory !== null) {
    const file = require.resolve(name);
    if (require.cache[file] === undefined) return loadWithCodeCache(file, codeCacheDirectory);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point of this file: require, when first needed
  return require(name);
}

function seal(stamp: string, data: Buffer): Buffer {
  return createHash('sha256').update(stamp).update(data).digest();
}

/**
 * V8's data in a code cache file, when the file is what this tool wrote for this stamp; otherwise
 * undefined (compiled again, and the file replaced). V8 checks the data against the source only
 * loosely, and compiled code is code: a file planted in the cache directory is never run.
 */
function unsealed(stamp: string, file: Buffer): Buffer | undefined {
  if (file.length <= SEAL_BYTES) return undefined;
  const data = file.subarray(SEAL_BYTES);
  return seal(stamp, data).equals(file.subarray(0, SEAL_BYTES)) ? data : undefined;
}

/**
 * A CommonJS file run as `require` runs it (the module wrapper, its own `require`, registered in
 * `require.cache` so that a later `require` of it gets the same module), compiled with the cached
 * code of the same file, size, mtime and Node version that this tool kept, when there is one.
 */
function loadWithCodeCache(file: string, directory: string): unknown {
  const { size, mtimeMs } = statSync(file);
  const stamp = createHash('sha1')
    .update(`${file}\u0000${String(size)}\u0000${String(mtimeMs)}\u0000${process.version}`)
    .digest('hex');
  const cacheFile = join(directory, `typescript-${stamp.slice(0, 16)}.v8`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = unsealed(stamp, readFileSync(cacheFile));
  } catch {
    // none yet: compiled now, kept after the work
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const loaded = new Module(file);
  loaded.filename = file;
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(loaded.exports, loaded.exports, createRequire(file), loaded, file, dirname(file));
  loaded.loaded = true;
  require.cache[file] = loaded;
  if (!cachedData || script.cachedDataRejected === true) compiled = { script, file: cacheFile, stamp };
  return loaded.exports;
}
