// CommonJS in both builds (a `.cts` file compiles to `.cjs`), for `__dirname` and `require.resolve`:
// where this build of the analysis and of the pattern engine it uses lie on disk.
import { statSync } from 'node:fs';
import { fdir } from 'fdir';
import { dirname, relative } from 'node:path';

/** Compiled code and sources; declarations and maps do not change what a run computes. */
const CODE = /\.(c|m)?(js|ts)$/;
const NOT_CODE = /\.d\.(c|m)?ts$/;

/**
 * One line per code file below `dir` (its path, size and mtime): what the cache key takes from the
 * build, so that a local change to the analysis (a rebuild, a linked checkout) drops a cache that
 * the version number alone would keep. Stat calls only: about a millisecond for this package.
 */
export function stampOf(dir: string): string[] {
  const lines: string[] = [];
  const files = new fdir()
    .withFullPaths()
    .filter((path, isDirectory) => !isDirectory && CODE.test(path) && !NOT_CODE.test(path))
    .crawl(dir)
    .sync();
  for (const path of files) {
    try {
      const stat = statSync(path);
      lines.push(`${relative(dir, path)} ${String(stat.size)} ${String(stat.mtimeMs)}`);
    } catch {
      // gone while listed: left out
    }
  }
  return lines.sort();
}

let stamp: string | undefined;

/** The files of the running build (this package's `src`, the runtime's pattern engine), as text to hash. */
export function buildStamp(): string {
  if (stamp !== undefined) return stamp;
  const own = dirname(__dirname);
  let patterns: string | null = null;
  try {
    patterns = dirname(require.resolve('@cache-audit/runtime/patterns'));
  } catch {
    // not resolvable from here (bundled): this package's own files still say a rebuild
  }
  stamp = [...stampOf(own), ...(patterns === null ? [] : stampOf(patterns))].join('\n');
  return stamp;
}
