import { resolvePattern, tagCovers } from '../../analysis/checks/helpers.js';
import type { FileFacts, Invalidation, RouteHandler } from '../../analysis/facts.js';
import { covers, overlaps } from '../../patterns/operations.js';
import type { CacheRegistry } from '../../registry/define.js';
import type { Cell, HandlerStatus, MatrixInvalidation, MatrixRow, ScanResult } from '../result.js';
import { isClearedByCoTags, isOfEntry } from './inferred-registry.js';

/** The coverage matrix: for each mutation handler, how far it invalidates each key; and where keys are read. */
export function buildMatrix(
  handlers: readonly { handler: RouteHandler; file: string }[],
  facts: readonly FileFacts[],
  registry: CacheRegistry | null,
  rel: (file: string) => string,
  lineOf: (file: string, offset: number) => number,
): ScanResult['matrix'] {
  const keys = registry?.entries.map((e) => e.name) ?? [];
  const tagFamilies = facts.flatMap((f) => f.families.filter((family) => family.isTag === true));
  const rows: MatrixRow[] = [];
  for (const { handler, file } of handlers) {
    const patterns = handler.invalidations
      .flatMap((i) =>
        i.kind === 'pattern' || i.kind === 'key' ? i.patterns.map((p) => (registry ? resolvePattern(p, registry) : null)) : [],
      )
      .filter((p) => p !== null);
    const tags = handler.invalidations.flatMap((i) => (i.kind === 'tag' ? i.patterns.flatMap((p) => p.pattern ?? []) : []));
    const cells: Cell[] = (registry?.entries ?? []).map((entry) => {
      let best: Cell = 'none';
      // A tag clears the entries of a registry of tags whose template it names (updateTag(`quote-${id}`): `quote-{id}`).
      for (const pattern of [...patterns, ...tags.filter((tag) => tagCovers(tag, entry))]) {
        if (!overlaps(pattern, entry.parsed)) continue;
        if (!covers(pattern, entry.parsed)) {
          if (best === 'none') best = 'partial';
          continue;
        }
        const holes = pattern.tokens.some((t) => t.kind === 'hole' && t.name !== null && entry.params.includes(t.name));
        if (!holes) return 'full';
        best = 'tenant';
      }
      // A tag that every entry of this one carries too (`cacheTag('quotes', \`quote-${id}\`)`) clears them all.
      const literal = tags.filter((tag) => tag.tokens.every((t) => t.kind === 'byte'));
      if (literal.length > 0 && isClearedByCoTags(tagFamilies, entry, (tag) => literal.some((l) => l.source === tag))) return 'full';
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
      status: statusOf(handler),
      invalidations: handler.invalidations.flatMap((i) => matrixInvalidation(i, registry)),
    });
  }
  return {
    keys,
    rows: rows.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
    reads: readSites(facts, registry, rel, lineOf),
  };
}

/**
 * Where each registry key is read: by its name (`@Cacheable('quotesList')`, `cache.getOrSet('quotesList', …)`),
 * or by a key of its template (`cache.get(\`quote:${id}\`)`: the read of a family the code shows).
 */
function readSites(
  facts: readonly FileFacts[],
  registry: CacheRegistry | null,
  rel: (file: string) => string,
  lineOf: (file: string, offset: number) => number,
): Record<string, { file: string; line: number }[]> {
  const reads: Record<string, { file: string; line: number }[]> = {};
  const add = (name: string, file: string, offset: number): void => {
    const site = { file: rel(file), line: lineOf(file, offset) };
    const sites = (reads[name] ??= []);
    if (!sites.some((s) => s.file === site.file && s.line === site.line)) sites.push(site);
  };
  for (const f of facts) {
    for (const read of f.reads) if (read.name !== null) add(read.name, f.file, read.range.start);
    for (const family of registry ? f.families : []) {
      for (const entry of registry?.entries ?? []) if (isOfEntry(family, entry)) add(entry.name, family.file, family.range.start);
    }
  }
  return reads;
}

/** The verdict on one handler, as the JSON report's rows carry it. */
function statusOf(handler: RouteHandler): HandlerStatus {
  if (!handler.isMutation) return 'read';
  if (handler.exception) return 'exception';
  if (handler.invalidations.length > 0) return 'invalidates';
  return handler.opaqueCalls.length > 0 ? 'unknown' : 'none';
}

function matrixInvalidation(invalidation: Invalidation, registry: CacheRegistry | null): MatrixInvalidation[] {
  const base = {
    kind: invalidation.kind,
    through: invalidation.through,
    isDeferred: invalidation.isDeferred,
    isConditional: invalidation.isConditional,
  };
  if (invalidation.patterns.length === 0) return [{ ...base, pattern: `${invalidation.name}()`, family: null }];
  return invalidation.patterns.map((fact) => {
    const pattern = registry ? resolvePattern(fact, registry) : fact.pattern && fact.pattern.errors.length === 0 ? fact.pattern : null;
    const family =
      pattern && registry
        ? (registry.entries.find((e) => covers(pattern, e.parsed))?.name ??
          registry.entries.find((e) => overlaps(pattern, e.parsed))?.name ??
          null)
        : null;
    return { ...base, pattern: pattern?.source ?? fact.text, family };
  });
}
