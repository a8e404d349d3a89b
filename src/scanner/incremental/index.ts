import type { FileFacts } from '../../analysis/facts.js';
import type { TS } from '../../ts/syntax.js';
import type { ScanSetup } from '../pipeline/load.js';
import type { SourceReader } from '../pipeline/parse.js';
import type { ScanResult } from '../result.js';
import type { ScanOptions } from '../scan-options.js';
import { changeScope } from './change-scope.js';
import type { ChangeScope } from './change-scope.js';
import { withKeptTexts } from './kept-texts.js';
import { settingsKey } from './inputs.js';
import { withCachedVerdicts } from './relevance-cache.js';
import { cachedScan } from './result-cache.js';
import type { ScanRun } from './result-cache.js';
import type { ScanCache } from './store.js';
import { summaryStore } from './summary-store.js';
import { extractWithSummaries } from './summaries.js';

export type { ChangeScope, ScanRun };

/**
 * `scan()`'s run, with what runs keep for one another: with a persistent cache (`--cache`), the
 * last result while none of its inputs changed (else a run, saved for the next one); without, the
 * run alone. Either way the run is handed a `RunMemory`.
 */
export async function incrementalScan(options: ScanOptions, run: (memory: RunMemory) => ScanRun): Promise<ScanResult> {
  if (options.cache) return cachedScan(options, options.cache, (cache) => Promise.resolve(run(new RunMemory(options, cache))));
  return Promise.resolve(run(new RunMemory(options, null)).result);
}

/**
 * What one run asks of incremental/, in the order it asks: the `--staged` scope, the relevance
 * verdicts of unchanged files, the facts of the files whose summaries still hold, and the texts of
 * those files. Without a cache: the scope alone, and the run does the rest itself.
 */
export class RunMemory {
  constructor(
    private readonly options: ScanOptions,
    private readonly cache: ScanCache | null,
  ) {}

  /** Binds the cache to the run's configuration and registry: verdicts made under others are dropped. */
  begin(setup: ScanSetup): void {
    if (this.cache) this.cache.useKey(settingsKey(setup, this.cache));
  }

  /** The files a change reaches (`--staged`); null: the whole project. */
  changeScope(ts: TS, setup: ScanSetup): ChangeScope | null {
    return this.options.followChange && this.options.onlyFiles ? changeScope(ts, setup, this.options, this.cache) : null;
  }

  /** The reader, with the relevance verdicts of unchanged files taken from the cache. */
  reader(reader: SourceReader): SourceReader {
    return this.cache ? withCachedVerdicts(reader, this.cache, this.options) : reader;
  }

  /**
   * The facts of the project made with the summaries kept between runs (with the files whose facts
   * were kept, and the files their summaries read); null without a cache, and following a change,
   * whose key roles are those of its scope while the summaries are the full runs'.
   */
  extract(
    ts: TS,
    setup: ScanSetup,
    reader: SourceReader,
    scope: ChangeScope | null,
  ): { facts: FileFacts[]; kept: ReadonlyMap<string, readonly string[]> } | null {
    if (!this.cache || scope) return null;
    return extractWithSummaries(ts, setup, reader, summaryStore(this.cache, setup, this.options), this.options.onProgress);
  }

  /** The reader, with the texts of the files whose facts were kept (they are not parsed). */
  keptTexts(reader: SourceReader, kept: ReadonlySet<string>): SourceReader {
    return kept.size > 0 ? withKeptTexts(reader, kept, this.options) : reader;
  }
}
