import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_FILES } from '../config/load-config.js';
import { SKIPPED_DIRECTORIES } from '../project/files.js';
import type { ScanResult } from './result.js';
import { hashOf } from './cache-files.js';
import { decodeValue, encodeValue, ScanCache } from './scan-cache.js';
import { runKeyOf } from './scan-options.js';
import type { FileSummary, SummaryStore } from './scan-summaries.js';
import type { CacheOptions } from './scan-cache.js';
import type { ScanSetup } from './scan-load.js';
import type { SourceReader, SourceText } from './scan-parse.js';
import type { Relevance } from './relevance.js';
import type { ScanOptions } from './scan-options.js';
import { lineAt } from './suppressions.js';

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

/**
 * What the summaries of a run depend on besides each file's reads: the configuration and the
 * registry, where module resolution starts and what it can find (the file list, the tsconfigs, the
 * package manifests). A file added or removed, a tsconfig or manifest edited: a new scope.
 */
function summaryScopeOf(setup: ScanSetup, cache: ScanCache, options: ScanOptions): string {
  const manifests = settingFiles(setup).map((file) => [file, cache.entry(file, options.readFile?.(file))?.hash ?? null]);
  return hashOf(
    JSON.stringify({
      settings: settingsKey(setup, cache),
      sourceRoot: setup.listed.sourceRoot,
      workspaceRoot: options.workspaceRoot ?? null,
      files: hashOf(setup.listed.files.join('\n')),
      manifests,
    }),
  );
}

/** The summaries of the cache, for `extractWithSummaries`. */
export function summaryStore(cache: ScanCache, setup: ScanSetup, options: ScanOptions): SummaryStore {
  const scope = summaryScopeOf(setup, cache, options);
  const entries = cache.summaries(setup.root, scope);
  // Many summaries read the same files (a barrel, a shared service): each is looked at once a run.
  const hashes = new Map<string, string | null>();
  const hashNow = (file: string): string | null => {
    let hash = hashes.get(file);
    if (hash === undefined) {
      hash = cache.entry(file, options.readFile?.(file))?.hash ?? null;
      hashes.set(file, hash);
    }
    return hash;
  };
  return {
    lookup: (file) => {
      const entry = entries[file];
      if (!entry || entry.hash !== hashNow(file)) return null;
      const isCurrent = Object.entries(entry.reads).every(([read, hash]) => hashNow(read) === hash);
      return { summary: decodeValue(entry.summary) as FileSummary, isCurrent };
    },
    keep: (file, summary) => {
      const hash = hashNow(file);
      const reads: Record<string, string> = {};
      for (const read of summary.reads) {
        const readHash = hashNow(read);
        // A file read that cannot be hashed now: nothing to compare with later.
        if (readHash === null) return;
        reads[read] = readHash;
      }
      if (hash !== null) cache.keepSummary(setup.root, scope, file, { hash, reads, summary: encodeValue(summary) });
    },
    hashOf: hashNow,
    hashOfValue: (value) => hashOf(encodeValue(value)),
  };
}

/**
 * The reader, with the text and the positions of the files whose facts were kept (they are not
 * parsed): what the checks and the project-wide findings ask of a file besides its facts.
 */
export function withKeptTexts(reader: SourceReader, kept: ReadonlySet<string>, options: ScanOptions): SourceReader {
  const texts = new Map<string, SourceText | null>();
  const decoder = new TextDecoder('utf-8');
  const keptText = (file: string): SourceText | null => {
    if (!kept.has(file)) return null;
    let known = texts.get(file);
    if (known === undefined) {
      try {
        known = textPositions(decoder.decode(options.readFile?.(file) ?? readFileSync(file)));
      } catch {
        known = null;
      }
      texts.set(file, known);
    }
    return known;
  };
  return {
    ...reader,
    sourceOf: (file) => reader.sourceOf(file) ?? keptText(file) ?? undefined,
    textOf: (file) => reader.textOf(file) ?? keptText(file)?.text,
    linesOf: (file) => (reader.sourceOf(file) ? reader.linesOf(file) : (keptText(file)?.text.split('\n') ?? [])),
  };
}

/** A text with TypeScript's line map (lines end at \r\n, \n, \r, U+2028 and U+2029), without a parse. */
export function textPositions(text: string): SourceText {
  const starts = [0];
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === 0x0d && text.charCodeAt(at + 1) === 0x0a) at++;
    if (code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029) starts.push(at + 1);
  }
  return {
    text,
    getLineAndCharacterOfPosition: (position) => {
      const line = lineAt(starts, position);
      return { line, character: position - (starts[line] ?? 0) };
    },
  };
}
