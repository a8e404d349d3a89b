import { SKIPPED_DIRECTORIES } from '../../project/files.js';
import type { ScanSetup } from '../pipeline/load.js';
import type { ScanResult } from '../result.js';
import type { CacheOptions, OpenedCache, ScanOptions } from '../scan-options.js';
import { lookedUp, settingFiles } from './inputs.js';
import { runKeyOf, ScanCache } from './store.js';

/** What a computed run leaves for the cache: its result, its setup and every file it read. */
export interface ScanRun {
  readonly result: ScanResult;
  readonly setup: ScanSetup;
  readonly read: ReadonlySet<string>;
}

/**
 * `scan()` with the persistent cache: the last result when none of its inputs changed, else a run
 * (which reuses the per-file verdicts of unchanged files through `cache`), saved for the next one.
 */
export async function cachedScan(
  options: ScanOptions,
  cacheOptions: CacheOptions | OpenedCache,
  run: (cache: ScanCache) => Promise<ScanRun>,
): Promise<ScanResult> {
  const started = performance.now();
  const cache = cacheOptions instanceof ScanCache ? cacheOptions : ScanCache.open(cacheOptions);
  if (options.followChange) {
    // A run that follows a change (--staged) keeps what it learnt of the files, not its result: the
    // staged content is new at each commit, and keeping the result would cost a hash of every input.
    const { result } = await run(cache);
    cache.save();
    return result;
  }
  const key = runKeyOf(options);
  const readBytes = options.readFile;
  const hit = cache.result(key, readBytes);
  if (hit) return { ...hit, durationMs: performance.now() - started };
  const { result, setup, read } = await run(cache);
  const sources = new Set([...setup.listed.files, ...setup.dependencyFiles(), ...read]);
  const { absent, present } = lookedUp(setup);
  const inputs = cache.inputHashes([...sources, ...settingFiles(setup), ...present], readBytes);
  for (const file of absent) inputs[file] = null;
  cache.saveRun(key, inputs, setup.root, sources, SKIPPED_DIRECTORIES, result);
  cache.save();
  return result;
}
