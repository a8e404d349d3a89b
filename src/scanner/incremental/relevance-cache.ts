import type { SourceReader } from '../pipeline/parse.js';
import type { Relevance } from '../pipeline/relevance.js';
import type { ScanOptions } from '../scan-options.js';
import type { ScanCache } from './store.js';

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
