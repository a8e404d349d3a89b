import type { ScanSetup } from '../pipeline/load.js';
import type { ScanOptions } from '../scan-options.js';
import { hashOf } from './cache-files.js';
import { settingFiles, settingsKey } from './inputs.js';
import { decodeValue, encodeValue } from './store.js';
import type { ScanCache } from './store.js';
import type { FileSummary, SummaryStore } from './summaries.js';

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
