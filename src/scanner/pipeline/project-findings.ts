import { existsSync, readFileSync } from 'node:fs';
import deadFamily from '../../../rules/dead-family.js';
import deadInvalidation, { nearestKey } from '../../../rules/dead-invalidation.js';
import staleKey from '../../../rules/stale-key.js';
import unresolved from '../../../rules/unresolved.js';
import unusedKey from '../../../rules/unused-key.js';
import wrongKey from '../../../rules/wrong-key.js';
import {
  globInExactKey,
  handlerPatterns,
  namedHoles,
  resolvePattern,
  singular,
  tagCovers,
  tagNamesOf,
} from '../../analysis/checks/helpers.js';
import { truncate } from '../../ts/syntax.js';
import type { FileFacts, Invalidation, PatternFact, RouteHandler } from '../../analysis/facts.js';
import type { AnalysisOptions } from '../../analysis/options.js';
import { decidePatternCovers, overlaps, patternsOverlap } from '../../patterns/operations.js';
import { parsePattern } from '../../patterns/parse.js';
import type { ParsedPattern } from '../../patterns/parse.js';
import type { CacheRegistry } from '../../registry/define.js';
import type { FindingSink } from './check.js';
import type { ScanSetup } from './load.js';
import { isClearedByCoTags, isOfEntry } from './inferred-registry.js';
import type { SourceReader } from './parse.js';
import { parseSuppressions } from './suppressions.js';

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
        // A registry of tags (the one init writes for 'use cache' families): updateTag(`quote-${id}`) clears `quote-{id}`.
        for (const entry of registry.entries) if (fact.pattern && tagCovers(fact.pattern, entry)) invalidated.add(entry.name);
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

/** The words of a name or an expression, lower case and singular (`QUOTES_LIST`, `quotesList` → quote, list). */
function wordsOf(text: string): string[] {
  return text
    .split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter((w) => w.length >= 3)
    .map(singular);
}

/**
 * The registry keys that invalidations the audit cannot read could touch: the keys whose name or
 * namespace a word of the expression names (`quoteKey(id)` → the quote keys), or every key when
 * an expression names none (`this.keyFor(x)` could be any of them).
 */
function touchedByUnreadable(registry: CacheRegistry, unreadable: readonly PatternFact[]): Set<string> | 'all' {
  const touched = new Set<string>();
  const entryWords = registry.entries.map((entry) => {
    const first = entry.parsed.pieces[0];
    const namespace = first?.kind === 'text' ? (first.text.split(':')[0] ?? '') : '';
    return { name: entry.name, words: new Set([...wordsOf(entry.name), ...wordsOf(namespace)]) };
  });
  for (const fact of unreadable) {
    const words = wordsOf(fact.text);
    const named = entryWords.filter((entry) => words.some((word) => entry.words.has(word)));
    if (named.length === 0) return 'all';
    for (const entry of named) touched.add(entry.name);
  }
  return touched;
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
  const unreadable = allInvalidations.flatMap((i) =>
    i.kind === 'pattern' || i.kind === 'key'
      ? i.patterns.filter((p) => p.pattern === null && p.registryRef === null && !isWrapper(analysisOptions, p.forwardedBy))
      : [],
  );
  const mayBeInvalidated = touchedByUnreadable(registry, unreadable);
  const readNames = new Set(facts.flatMap((f) => f.reads.map((r) => r.name)).filter((n): n is string => n !== null));
  // A key the code reads through its own client or wrapper is read too, as its inferred families show.
  const families = facts.flatMap((f) => f.families);
  for (const entry of registry.entries) if (families.some((family) => isOfEntry(family, entry))) readNames.add(entry.name);
  // An entry whose every giver also carries a tag that is cleared is cleared with it.
  const isCleared = (tag: string): boolean =>
    registry.entries.some((other) => invalidated.has(other.name) && isOfEntry({ key: namedHoles(tag) }, other));
  for (const entry of registry.entries)
    if (!invalidated.has(entry.name) && isClearedByCoTags(families, entry, isCleared)) invalidated.add(entry.name);
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
      sink.push({ ...base, ruleId: 'unused-key', severity: 'warning', message: unusedKey.message('unused', data) }, lineText);
    } else if (mayBeInvalidated !== 'all' && !mayBeInvalidated.has(entry.name)) {
      const message =
        entry.ttl === undefined ? staleKey.message('noTtl', data) : staleKey.message('ttl', { ...data, ttl: String(entry.ttl) });
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
    // A blind spot a reviewer has checked is silenced as any finding is: `eslint-disable-next-line cache-audit/unresolved -- why`.
    const suppressions = parseSuppressions(reader.textOf(fileFacts.file) ?? '');
    // At the call or handler it names, with its columns, so that reporters can frame it.
    const note = (range: { readonly start: number; readonly end: number }, message: string): void => {
      const sourceFile = reader.sourceOf(fileFacts.file);
      const start = sourceFile?.getLineAndCharacterOfPosition(range.start) ?? {
        line: lineOf(fileFacts.file, range.start) - 1,
        character: 0,
      };
      if (suppressions.isSuppressed('unresolved', start.line + 1)) return;
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
      if (invalidation.kind === 'path') continue;
      for (const fact of invalidation.patterns) {
        // A wrapper forwarding its parameter is no blind spot: its callers say the pattern.
        if (fact.unresolved === null || fact.forwardedBy !== null || seen.has(fact.range.start)) continue;
        seen.add(fact.range.start);
        note(
          fact.range,
          unresolved.message('pattern', { pattern: truncate(fact.text, 60), call: invalidation.name, reason: fact.unresolved }),
        );
      }
    }
    for (const handler of fileFacts.handlers) {
      for (const undecided of undecidedRedundancy(handler, setup.registry)) {
        note(undecided.fact.range, unresolved.message('tooComplex', { pattern: undecided.pattern, by: undecided.by }));
      }
      if (!handler.isMutation || handler.opaqueCalls.length === 0 || handler.invalidations.length > 0) continue;
      note(
        handler.nameRange,
        unresolved.message('opaqueCalls', { handler: handler.name, calls: handler.opaqueCalls.slice(0, 3).join(', ') }),
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

const RUNTIME_VALUE = parsePattern([{ hole: 'value' }]);

/** The words of a key's literal text (`auth:{authKey}` → auth). */
function literalWords(pattern: ParsedPattern): string[] {
  return wordsOf(pattern.source.replace(/\{[^}]*\}/g, ' '));
}

/**
 * The deletions of a file that step 5b judges against the keys the code writes: readable, not
 * forwarded, not `*`, by a call known by its name; with a registry, only those without literal
 * text (a family the registry does not list is pattern-in-registry's finding).
 */
export function judgedDeletions(
  setup: Pick<ScanSetup, 'analysisOptions' | 'registry'>,
  fileFacts: FileFacts,
): { invalidation: Invalidation; fact: PatternFact; pattern: ParsedPattern; hasText: boolean }[] {
  const judged: { invalidation: Invalidation; fact: PatternFact; pattern: ParsedPattern; hasText: boolean }[] = [];
  for (const invalidation of fileFacts.otherInvalidations) {
    if (invalidation.kind === 'path') continue;
    // A call known by a name pattern only (`invalidate*`, which also names React Query's
    // client-side `invalidateQueries`) may clear another cache than the server's.
    const name = invalidation.name;
    if (!setup.analysisOptions.callNames.has(name) && setup.analysisOptions.callGlobs.some((g) => g.test(name))) continue;
    for (const fact of invalidation.patterns) {
      // A runtime value as a whole (a raw token) is one value: one segment, no literal text.
      const pattern = fact.isRuntimeValue === true ? RUNTIME_VALUE : fact.pattern && fact.pattern.errors.length === 0 ? fact.pattern : null;
      if (!pattern || fact.forwardedBy !== null || pattern.source === '*') continue;
      // A glob given to an exact-key delete is no-glob-in-key-delete's finding.
      if (globInExactKey(invalidation, fact) !== null) continue;
      const hasText = pattern.tokens.some((t) => t.kind === 'byte' && t.byte !== 0x3a);
      if (hasText && setup.registry) continue;
      judged.push({ invalidation, fact, pattern, hasText });
    }
  }
  return judged;
}

/**
 * Step 5b: deletions that match no key the code ever writes. A key of runtime values only
 * (`redis.del(token)`) is a wrong key; a family with literal text that nothing reads, fills or
 * keeps is a dead family. A key the audit cannot read may be any key whose words it shares, or any
 * key at all when it shares none: then nothing is said.
 */
export function deletionFindings(
  setup: ScanSetup,
  reader: SourceReader,
  facts: readonly FileFacts[],
  isReportedFile: (file: string) => boolean,
  sink: FindingSink,
): void {
  const stored = facts.flatMap((f) => f.storedKeys ?? []);
  // The families the code reads are its keys too, those no client call names included (the GET
  // responses a CacheInterceptor keeps under their path).
  const familyKeys = facts
    .flatMap((f) => f.families)
    .map((family) => parsePattern(namedHoles(family.key)))
    .filter((pattern) => pattern.errors.length === 0);
  const written = [...stored.flatMap((k) => (k.pattern === null ? [] : [k.pattern])), ...familyKeys];
  const unreadable = stored.filter((k) => k.pattern === null).map((k) => wordsOf(k.text));
  const templates = setup.registry?.entries.map((e) => e.parsed) ?? [];
  const allWords = new Set([
    ...written.flatMap(literalWords),
    ...templates.flatMap((t) => wordsOf(t.pieces.map((p) => (p.kind === 'text' ? p.text : ' ')).join(''))),
  ]);
  // An unreadable key that names no word of any known key could be any key.
  if (unreadable.some((words) => !words.some((w) => allWords.has(w)))) return;
  for (const fileFacts of facts) {
    if (!isReportedFile(fileFacts.file)) continue;
    const sourceFile = reader.sourceOf(fileFacts.file);
    if (!sourceFile) continue;
    const lines = reader.linesOf(fileFacts.file);
    for (const { invalidation, fact, pattern, hasText } of judgedDeletions(setup, fileFacts)) {
      if (written.some((w) => patternsOverlap(pattern, w)) || templates.some((t) => overlaps(pattern, t))) continue;
      const words = literalWords(pattern);
      if (unreadable.some((u) => u.some((w) => words.includes(w)))) continue;
      const start = sourceFile.getLineAndCharacterOfPosition(fact.range.start);
      const end = sourceFile.getLineAndCharacterOfPosition(fact.range.end);
      const at = {
        file: setup.rel(fileFacts.file),
        line: start.line + 1,
        column: start.character + 1,
        endLine: end.line + 1,
        endColumn: end.character + 1,
        via: [] as string[],
      };
      const data = { call: invalidation.name, pattern: fact.isRuntimeValue === true ? fact.text : pattern.source };
      // An exact key a typo away from a key the code keeps: the entry is there.
      const nearest = hasText && invalidation.kind === 'key' ? nearestKey(pattern, written) : null;
      if (nearest) {
        sink.push(
          {
            ...at,
            ruleId: 'dead-invalidation',
            severity: 'warning',
            message: deadInvalidation.message('deadKey', {
              call: invalidation.name,
              key: pattern.source,
              nearest: nearest.source.replaceAll('{}', '{…}'),
            }),
          },
          lines[start.line] ?? '',
        );
      } else if (hasText) {
        sink.push(
          { ...at, ruleId: 'dead-family', severity: 'warning', message: deadFamily.message('deadFamily', data) },
          lines[start.line] ?? '',
        );
      } else {
        const examples = [...new Set(written.filter((w) => literalWords(w).length > 0).map((w) => w.source.replaceAll('{}', '{…}')))].slice(
          0,
          3,
        );
        const list = examples.length > 0 ? ` (it writes ${examples.map((e) => `\`${e}\``).join(', ')})` : '';
        sink.push(
          { ...at, ruleId: 'wrong-key', severity: 'error', message: wrongKey.message('wrongKey', { ...data, written: list }) },
          lines[start.line] ?? '',
        );
      }
    }
  }
}
