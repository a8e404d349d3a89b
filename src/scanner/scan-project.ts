import { existsSync, readFileSync } from 'node:fs';
import { projectMessage } from '../analysis/catalogue.js';
import { handlerPatterns, resolvePattern, tagNamesOf } from '../analysis/checks/helpers.js';
import { truncate } from '../ts/syntax.js';
import type { FileFacts, Invalidation, PatternFact, RouteHandler } from '../analysis/facts.js';
import type { AnalysisOptions } from '../analysis/options.js';
import { decidePatternCovers, overlaps } from '../patterns/operations.js';
import type { CacheRegistry } from '../registry/define.js';
import type { FindingSink } from './scan-check.js';
import type { ScanSetup } from './scan-load.js';
import { isOfEntry } from './inferred-registry.js';
import type { SourceReader } from './scan-parse.js';

/** Whether a call is a configured invalidation wrapper: one forwarding its parameter, whose callers say the pattern. */
function isWrapper(options: AnalysisOptions, name: string | null): boolean {
  return name !== null && (options.callNames.has(name) || options.callGlobs.some((g) => g.test(name)));
}

/** The registry keys some invalidation may delete. */
function invalidatedKeys(registry: CacheRegistry, invalidations: readonly Invalidation[]): Set<string> {
  const invalidated = new Set<string>();
  for (const invalidation of invalidations) {
    if (invalidation.kind === 'tag') {
      // revalidateTag('quotesList') or revalidateTag('quotes') invalidates the family it names.
      for (const fact of invalidation.patterns) {
        const tag = fact.pattern?.source.replace(/\\(.)/g, '$1') ?? null;
        for (const entry of registry.entries) if (tag !== null && tagNamesOf(entry).includes(tag)) invalidated.add(entry.name);
      }
      continue;
    }
    for (const fact of invalidation.patterns) {
      const pattern = resolvePattern(fact, registry);
      if (!pattern) continue;
      for (const entry of registry.entries)
        if (!invalidated.has(entry.name) && overlaps(pattern, entry.parsed)) invalidated.add(entry.name);
    }
  }
  return invalidated;
}

/** Step 5: stale and unused keys, reported at the registry's definitions. */
export function keyFindings(
  setup: ScanSetup,
  facts: readonly FileFacts[],
  isReportedFile: (file: string) => boolean,
  sink: FindingSink,
): void {
  const { registry, registryFile, loadedRegistry, analysisOptions } = setup;
  if (!registry || !registryFile || !loadedRegistry) return;
  const registryText = existsSync(registryFile) ? readFileSync(registryFile, 'utf8').split('\n') : [];
  const allInvalidations: Invalidation[] = [
    ...facts.flatMap((f) => f.handlers.flatMap((handler) => handler.invalidations)),
    ...facts.flatMap((f) => f.otherInvalidations),
  ];
  const invalidated = invalidatedKeys(registry, allInvalidations);
  const hasUnreadable = allInvalidations.some(
    (i) =>
      (i.kind === 'pattern' || i.kind === 'key') &&
      i.patterns.some((p) => p.pattern === null && p.registryRef === null && !isWrapper(analysisOptions, p.forwardedBy)),
  );
  const readNames = new Set(facts.flatMap((f) => f.reads.map((r) => r.name)).filter((n): n is string => n !== null));
  // A key the code reads through its own client or wrapper is read too, as its inferred families show.
  const families = facts.flatMap((f) => f.families);
  for (const entry of registry.entries) if (families.some((family) => isOfEntry(family, entry))) readNames.add(entry.name);
  for (const entry of registry.entries) {
    const at = loadedRegistry.locations.get(entry.name) ?? { line: 1, column: 1 };
    const base = {
      file: setup.rel(registryFile),
      line: at.line,
      column: at.column,
      endLine: at.line,
      endColumn: at.column,
      via: [] as string[],
    };
    const lineText = registryText[at.line - 1] ?? '';
    if (!isReportedFile(registryFile) || invalidated.has(entry.name)) continue;
    const data = { key: entry.name, template: entry.template };
    if (!readNames.has(entry.name)) {
      sink.push({ ...base, ruleId: 'unused-key', severity: 'warning', message: projectMessage('unused-key', 'unused', data) }, lineText);
    } else if (!hasUnreadable) {
      const message =
        entry.ttl === undefined
          ? projectMessage('stale-key', 'noTtl', data)
          : projectMessage('stale-key', 'ttl', { ...data, ttl: String(entry.ttl) });
      sink.push({ ...base, ruleId: 'stale-key', severity: entry.ttl === undefined ? 'error' : 'warning', message }, lineText);
    }
  }
}

/** Step 6: blind spots, what could not be read, so that users know where the audit is silent. */
export function blindSpots(
  setup: ScanSetup,
  reader: SourceReader,
  facts: readonly FileFacts[],
  isReportedFile: (file: string) => boolean,
  lineOf: (file: string, offset: number) => number,
  sink: FindingSink,
): void {
  for (const fileFacts of facts) {
    if (!isReportedFile(fileFacts.file)) continue;
    const seen = new Set<number>();
    // At the call or handler it names, with its columns, so that reporters can frame it.
    const note = (range: { readonly start: number; readonly end: number }, message: string): void => {
      const sourceFile = reader.sourceOf(fileFacts.file);
      const start = sourceFile?.getLineAndCharacterOfPosition(range.start) ?? {
        line: lineOf(fileFacts.file, range.start) - 1,
        character: 0,
      };
      const end = sourceFile?.getLineAndCharacterOfPosition(range.end) ?? start;
      const at = { line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
      sink.push(
        { ruleId: 'unresolved', severity: 'note', message, file: setup.rel(fileFacts.file), ...at, via: [] },
        reader.linesOf(fileFacts.file)[start.line] ?? '',
      );
    };
    for (const invalidation of [
      ...fileFacts.otherInvalidations,
      ...fileFacts.handlers.flatMap((h) => h.invalidations.filter((i) => i.file === null)),
    ]) {
      if (invalidation.kind !== 'pattern' && invalidation.kind !== 'key') continue;
      for (const fact of invalidation.patterns) {
        // A wrapper forwarding its parameter is no blind spot: its callers say the pattern.
        if (fact.unresolved === null || fact.forwardedBy !== null || seen.has(fact.range.start)) continue;
        seen.add(fact.range.start);
        note(
          fact.range,
          projectMessage('unresolved', 'pattern', { pattern: truncate(fact.text, 60), call: invalidation.name, reason: fact.unresolved }),
        );
      }
    }
    for (const handler of fileFacts.handlers) {
      for (const undecided of undecidedRedundancy(handler, setup.registry)) {
        note(undecided.fact.range, projectMessage('unresolved', 'tooComplex', { pattern: undecided.pattern, by: undecided.by }));
      }
      if (!handler.isMutation || handler.opaqueCalls.length === 0 || handler.invalidations.length > 0) continue;
      note(
        handler.nameRange,
        projectMessage('unresolved', 'opaqueCalls', { handler: handler.name, calls: handler.opaqueCalls.slice(0, 3).join(', ') }),
      );
    }
  }
}

/**
 * The patterns of a handler for which whether another of its patterns makes them redundant is too
 * complex to decide (no-redundant-invalidation then says nothing): said, so that the silence is known.
 */
function undecidedRedundancy(handler: RouteHandler, registry: CacheRegistry | null): { fact: PatternFact; pattern: string; by: string }[] {
  const entries = handlerPatterns(handler, registry).filter(
    ({ invalidation }) => invalidation.kind === 'pattern' && invalidation.file === null,
  );
  const result: { fact: PatternFact; pattern: string; by: string }[] = [];
  for (const { fact, pattern } of entries) {
    const by = entries.find(
      (other) => other.pattern.source !== pattern.source && decidePatternCovers(other.pattern, pattern) === 'too-complex',
    );
    if (by) result.push({ fact, pattern: pattern.source, by: by.pattern.source });
  }
  return result;
}
