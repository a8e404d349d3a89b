import { resolvePattern } from '../analysis/checks/helpers.js';
import type { FileFacts, RouteHandler } from '../analysis/facts.js';
import { covers, overlaps } from '../patterns/operations.js';
import type { CacheRegistry } from '../registry/define.js';
import type { Cell, MatrixRow, ScanResult } from './result.js';

/** The coverage matrix: for each mutation handler, how far it invalidates each key; and where keys are read. */
export function buildMatrix(
  handlers: readonly { handler: RouteHandler; file: string }[],
  facts: readonly FileFacts[],
  registry: CacheRegistry | null,
  rel: (file: string) => string,
  lineOf: (file: string, offset: number) => number,
): ScanResult['matrix'] {
  const keys = registry?.entries.map((e) => e.name) ?? [];
  const rows: MatrixRow[] = [];
  for (const { handler, file } of handlers) {
    if (!handler.isMutation) continue;
    const patterns = handler.invalidations.flatMap((i) => (i.kind === 'pattern' || i.kind === 'key' ? i.patterns.map((p) => (registry ? resolvePattern(p, registry) : null)) : [])).filter((p) => p !== null);
    const cells: Cell[] = (registry?.entries ?? []).map((entry) => {
      let best: Cell = 'none';
      for (const pattern of patterns) {
        if (!overlaps(pattern, entry.parsed)) continue;
        if (!covers(pattern, entry.parsed)) {
          if (best === 'none') best = 'partial';
          continue;
        }
        const holes = pattern.tokens.some((t) => t.kind === 'hole' && t.name !== null && entry.params.includes(t.name));
        if (!holes) return 'full';
        best = 'tenant';
      }
      return best;
    });
    rows.push({
      handler: handler.name,
      method: handler.method,
      path: handler.path,
      file: rel(file),
      line: lineOf(file, handler.nameRange.start),
      cells,
      exception: handler.exception?.reason ?? null,
    });
  }
  const reads: Record<string, { file: string; line: number }[]> = {};
  for (const f of facts) {
    for (const read of f.reads) {
      if (read.name === null) continue;
      (reads[read.name] ??= []).push({ file: rel(f.file), line: lineOf(f.file, read.range.start) });
    }
  }
  return { keys, rows: rows.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line), reads };
}
