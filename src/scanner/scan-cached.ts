import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_FILES } from '../config/load-config.js';
import { SKIPPED_DIRECTORIES } from './files.js';
import type { ScanResult } from './result.js';
import { hashOf, runKeyOf, ScanCache } from './scan-cache.js';
import type { CacheOptions } from './scan-cache.js';
import type { ScanSetup } from './scan-load.js';
import type { SourceReader } from './scan-parse.js';
import type { Relevance } from './relevance.js';
import type { ScanOptions } from './scan.js';

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
  cacheOptions: CacheOptions | ScanCache,
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
  const sources = new Set([...setup.listed.files, ...read]);
  const { absent, present } = lookedUp(setup);
  const inputs = cache.inputHashes([...sources, ...settingFiles(setup), ...present], readBytes);
  for (const file of absent) inputs[file] = null;
  cache.saveRun(key, inputs, setup.root, sources, SKIPPED_DIRECTORIES, result);
  cache.save();
  return result;
}

/** The key of what per-file verdicts depend on: the configuration and the registry's content. */
export function settingsKey(setup: ScanSetup, cache: ScanCache): string {
  const registry = setup.registryFile ? (cache.entry(setup.registryFile)?.hash ?? 'unreadable') : null;
  return hashOf(JSON.stringify({ config: setup.config, registry }));
}

/** Files besides the sources whose content changes a result. */
function settingFiles(setup: ScanSetup): string[] {
  const { root } = setup;
  const files = [
    join(root, 'package.json'),
    ...[...setup.listed.workspaces.values()].map((dir) => join(dir, 'package.json')),
    ...setup.listed.tsconfigs.map((file) => resolve(root, file)),
  ];
  if (setup.configFile !== null) files.push(resolve(root, setup.configFile));
  if (setup.registryFile !== null) files.push(setup.registryFile);
  return files.filter((file) => existsSync(file));
}

/**
 * The files consulted on the way up to the configuration in use (all the way up when there is
 * none): those that would have been found first must stay absent, a package.json there must keep
 * its content (a `cacheAudit` field added to it would be found).
 */
function lookedUp(setup: ScanSetup): { absent: string[]; present: string[] } {
  const absent: string[] = [];
  const present: string[] = [];
  const found = setup.configFile === null ? null : resolve(setup.root, setup.configFile);
  for (let dir = setup.root; ; dir = dirname(dir)) {
    for (const name of [...CONFIG_FILES, 'package.json']) {
      const file = join(dir, name);
      if (file === found) return { absent, present };
      (existsSync(file) ? present : absent).push(file);
    }
    if (dirname(dir) === dir) return { absent, present };
  }
}

/**
 * The reader, with the relevance verdict of an unchanged file taken from the cache (its text is then
 * read only when it is parsed) and every new verdict remembered.
 */
export function withCachedVerdicts(reader: SourceReader, cache: ScanCache, options: ScanOptions): SourceReader {
  return {
    ...reader,
    relevance: (file) => {
      const entry = cache.entry(file, options.readFile?.(file));
      if (entry?.relevant !== undefined && entry.global !== undefined && entry.imports !== undefined)
        return { relevant: entry.relevant, global: entry.global, imports: [...entry.imports] };
      const verdict: Relevance | null = reader.relevance(file);
      if (verdict && entry) cache.remember(file, entry.hash, verdict, entry.size, entry.mtimeMs);
      return verdict;
    },
  };
}
