import { broadReason } from '../patterns/broad.js';
import { escapeGlob } from '../patterns/escape.js';
import { covers, overlaps, patternCovers } from '../patterns/operations.js';
import { parsePattern } from '../patterns/parse.js';
import type { ParsedPattern, PatternPart } from '../patterns/parse.js';
import type { CacheRegistry } from '../registry/define.js';
import type { RegistryEntry } from '../registry/model.js';
import type { RuleId } from './catalogue.js';
import type { FileFacts, Invalidation, PatternFact, Range, RouteHandler } from './facts.js';
import type { AnalysisOptions } from './options.js';

export interface Fix {
  readonly range: Range;
  readonly text: string;
}

export interface Suggestion {
  readonly messageId: string;
  readonly data: Readonly<Record<string, string>>;
  readonly fixes: readonly Fix[];
}

export interface Finding {
  readonly ruleId: RuleId;
  readonly messageId: string;
  readonly data: Readonly<Record<string, string>>;
  readonly range: Range;
  readonly suggestions: readonly Suggestion[];
}

export interface RuleOptions {
  readonly 'no-broad-pattern'?: { readonly allow?: readonly string[] };
}

export interface CheckInput {
  readonly facts: FileFacts;
  /** The source text, for fixes. */
  readonly text: string;
  readonly registry: CacheRegistry | null;
  readonly options: AnalysisOptions;
  readonly ruleOptions?: RuleOptions;
}

const QUERY_METHODS = new Set(['GET', 'HEAD', 'QUERY']);

/** The pattern a fact stands for, with registry references resolved; null when unknown. */
export function resolvePattern(fact: PatternFact, registry: CacheRegistry | null): ParsedPattern | null {
  if (fact.pattern) return fact.pattern.errors.length === 0 ? fact.pattern : null;
  if (!fact.registryRef || !registry) return null;
  const entry = registry.entries.find((e) => e.name === fact.registryRef?.name);
  if (!entry) return null;
  const given = new Set(fact.registryRef.params);
  const parts: PatternPart[] = entry.parsed.pieces.map((piece) => {
    if (piece.kind === 'text') return escapeGlob(piece.text);
    return given.has(piece.name) ? { hole: piece.name } : '*';
  });
  const parsed = parsePattern(parts);
  return parsed.errors.length === 0 ? parsed : null;
}

/** Every resource named by `dependsOn` in the registry. */
function registryResources(registry: CacheRegistry): string[] {
  return [...new Set(registry.entries.flatMap((e) => e.dependsOn))];
}

function singular(word: string): string {
  const w = word.toLowerCase().replace(/[-_\s]/g, '');
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (/(ses|xes|zes|ches|shes)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/** The registry resources a mutation handler writes, and how that was decided. */
export function handlerResources(handler: RouteHandler, registry: CacheRegistry, options: AnalysisOptions, file = ''): string[] {
  if (handler.declaredResources) return [...handler.declaredResources];
  const path = handler.path;
  if (path !== null) {
    const configured = options.routeResources.filter((r) => r.path.test(path)).flatMap((r) => r.resources);
    if (configured.length > 0) return configured;
  }
  const resources = registryResources(registry);
  const bySingular = new Map(resources.map((r) => [singular(r), r]));
  const words =
    path !== null
      ? path.split('/').filter((s) => s !== '' && !/^[:[{*]/.test(s))
      : (handler.name.split('.').pop() ?? '').split(/(?=[A-Z])|[-_\s]/).filter(Boolean);
  for (let i = words.length - 1; i >= 0; i--) {
    const match = bySingular.get(singular(words[i] ?? ''));
    if (match) return [match];
  }
  // A router mounted elsewhere (`router.put('/:id', …)` in routes/expenses.ts): the file names it,
  // as a controller prefix would.
  const fileWords = file
    .split(/[\\/]/)
    .slice(-3)
    .flatMap((part) => part.replace(/\.[^.]*$/, '').split(/[.\-_]/));
  for (let i = fileWords.length - 1; i >= 0; i--) {
    const match = bySingular.get(singular(fileWords[i] ?? ''));
    if (match) return [match];
  }
  return [];
}

/** The pattern to suggest for a registry entry: its literal text up to the first parameter, then `*`. */
export function familyPattern(entry: RegistryEntry): string {
  const first = entry.parsed.pieces[0];
  const literal = first?.kind === 'text' ? first.text : '';
  const cut = literal.lastIndexOf(':');
  return entry.parsed.pieces.length === 1 && first?.kind === 'text' ? escapeGlob(literal) : `${escapeGlob(literal.slice(0, cut + 1))}*`;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

/** The registry-derived pattern closest to `source`, if it is close enough to be a typo. */
function closestPattern(source: string, registry: CacheRegistry): string | null {
  const candidates = new Set<string>();
  for (const entry of registry.entries) {
    const text = entry.parsed.pieces.map((p) => (p.kind === 'text' ? escapeGlob(p.text) : `{${p.name}}`)).join('');
    candidates.add(text);
    const segments = text.split(':');
    for (let i = 1; i < segments.length; i++) candidates.add(`${segments.slice(0, i).join(':')}:*`);
  }
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = levenshtein(source, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== null && bestDistance > 0 && bestDistance <= Math.max(2, Math.floor(source.length * 0.3)) ? best : null;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentAt(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start, offset))?.[0] ?? '';
}

function isDecorated(handler: RouteHandler): boolean {
  return handler.framework === 'nestjs' || handler.framework === 'graphql' || handler.framework === 'routing-controllers';
}

function decoratorSuggestion(input: CheckInput, handler: RouteHandler, patterns: readonly string[], messageId: string, data: Record<string, string>): Suggestion[] {
  if (!isDecorated(handler) || !/\bInvalidateCachePattern\b/.test(input.text)) return [];
  const at = lineStart(input.text, handler.nameRange.start);
  const indent = indentAt(input.text, handler.nameRange.start);
  const args = patterns.map((p) => `'${p}'`).join(', ');
  return [{ messageId, data, fixes: [{ range: { start: at, end: at }, text: `${indent}@InvalidateCachePattern(${args})\n` }] }];
}

function isUnknownPattern(fact: PatternFact, registry: CacheRegistry | null): boolean {
  return fact.unresolved !== null || (fact.pattern === null && (!fact.registryRef || !registry?.entries.some((e) => e.name === fact.registryRef?.name)));
}

/** Whether a handler's invalidations can all be read: otherwise coverage cannot be judged. */
function isFullyKnown(handler: RouteHandler, registry: CacheRegistry): boolean {
  const hasDeclared = handler.invalidations.some((i) => i.via !== 'call');
  if (handler.opaqueCalls.length > 0 && !hasDeclared) return false;
  // Next.js tags and paths are another cache: they neither cover a key nor hide one, but a
  // handler that only revalidates tags says nothing about the registry's keys.
  const keyed = handler.invalidations.filter((i) => i.kind === 'pattern' || i.kind === 'key');
  if (keyed.length === 0) return false;
  for (const invalidation of keyed) {
    if (invalidation.patterns.length === 0) return false;
    if (invalidation.patterns.some((fact) => isUnknownPattern(fact, registry) || resolvePattern(fact, registry) === null)) return false;
  }
  return true;
}

function handlerPatterns(handler: RouteHandler, registry: CacheRegistry | null): { fact: PatternFact; pattern: ParsedPattern; invalidation: Invalidation }[] {
  const result: { fact: PatternFact; pattern: ParsedPattern; invalidation: Invalidation }[] = [];
  for (const invalidation of handler.invalidations) {
    if (invalidation.kind !== 'pattern' && invalidation.kind !== 'key') continue;
    for (const fact of invalidation.patterns) {
      const pattern = resolvePattern(fact, registry);
      if (pattern) result.push({ fact, pattern, invalidation });
    }
  }
  return result;
}

function isReadOnlyRoute(handler: RouteHandler, options: AnalysisOptions): boolean {
  const path = handler.path;
  return path !== null && options.readOnlyRoutes.some((glob) => glob.test(path.startsWith('/') ? path : `/${path}`));
}

/** Runs one rule's check over the facts of a file. Pure: no I/O. */
export function runCheck(ruleId: RuleId, input: CheckInput): Finding[] {
  const findings: Finding[] = [];
  const { facts, registry, options } = input;
  const report = (messageId: string, range: Range, data: Record<string, string>, suggestions: Suggestion[] = []): void => {
    findings.push({ ruleId, messageId, data, range, suggestions });
  };
  const sites = facts.otherInvalidations;

  switch (ruleId) {
    case 'require-invalidation': {
      for (const handler of facts.handlers) {
        if (handler.exception && handler.exception.reason.trim() === '') {
          report('emptyReason', handler.exception.range, { handler: handler.name });
        }
        if (!handler.isMutation || handler.exception || isReadOnlyRoute(handler, options)) continue;
        if (handler.invalidations.length > 0 || handler.opaqueCalls.length > 0) continue;
        const resources = registry ? handlerResources(handler, registry, options, facts.file) : [];
        // With a registry, a mutation of nothing any key depends on (a login, a webhook, an upload)
        // has nothing to invalidate: only the handlers of cached resources are judged.
        if (registry && !resources.some((resource) => registry.dependentsOf(resource).length > 0)) continue;
        const suggestions: Suggestion[] = [];
        const resource = resources[0];
        if (registry && resource) {
          const patterns = [...new Set(registry.dependentsOf(resource).map(familyPattern))];
          if (patterns.length > 0) {
            suggestions.push(
              ...decoratorSuggestion(input, handler, patterns, 'addInvalidation', {
                patterns: patterns.map((p) => `'${p}'`).join(', '),
                resource,
              }),
            );
          }
        }
        const exception = isDecorated(handler)
          ? "@NoCacheInvalidation('reason')"
          : 'a disable comment with the reason (or readOnlyRoutes in the configuration)';
        report('missing', handler.nameRange, { handler: handler.name, exception }, suggestions);
      }
      break;
    }

    case 'require-dependent-invalidation': {
      if (!registry) break;
      for (const handler of facts.handlers) {
        if (!handler.isMutation || handler.exception || isReadOnlyRoute(handler, options)) continue;
        if (handler.invalidations.length === 0 || !isFullyKnown(handler, registry)) continue;
        const patterns = handlerPatterns(handler, registry);
        const reported = new Set<string>();
        for (const resource of handlerResources(handler, registry, options, facts.file)) {
          for (const entry of registry.dependentsOf(resource)) {
            if (reported.has(entry.name)) continue;
            if (patterns.some(({ pattern }) => covers(pattern, entry.parsed))) continue;
            reported.add(entry.name);
            const pattern = familyPattern(entry);
            report(
              'missing',
              handler.nameRange,
              { handler: handler.name, resource, key: entry.name, template: entry.template, pattern },
              decoratorSuggestion(input, handler, [pattern], 'addPattern', { pattern }),
            );
          }
        }
      }
      break;
    }

    case 'no-broad-pattern': {
      const allow = input.ruleOptions?.['no-broad-pattern']?.allow ?? [];
      for (const site of sites) {
        if (site.kind !== 'pattern') continue;
        for (const fact of site.patterns) {
          if (!fact.pattern || fact.pattern.errors.length > 0) continue;
          const reason = broadReason(fact.pattern, { allow });
          if (reason !== null) report('broad', fact.range, { pattern: fact.pattern.source, reason });
        }
      }
      break;
    }

    case 'pattern-in-registry': {
      if (!registry) break;
      for (const site of sites) {
        if (site.kind !== 'pattern' && site.kind !== 'key') continue;
        for (const fact of site.patterns) {
          if (fact.registryRef) {
            if (!registry.entries.some((e) => e.name === fact.registryRef?.name)) {
              report('unknownName', fact.range, { call: fact.text, names: registry.entries.map((e) => e.name).join(', ') });
            }
            continue;
          }
          const pattern = fact.pattern;
          if (!pattern || pattern.errors.length > 0) continue;
          if (registry.entries.some((entry) => overlaps(pattern, entry.parsed))) continue;
          const closest = closestPattern(pattern.source, registry);
          const suggestions: Suggestion[] =
            closest !== null && fact.isLiteral
              ? [{ messageId: 'useClosest', data: { suggestion: closest }, fixes: [{ range: { start: fact.range.start + 1, end: fact.range.end - 1 }, text: closest }] }]
              : [];
          report('unknown', fact.range, { pattern: pattern.source, closest: closest === null ? '' : ` Did you mean \`${closest}\`?` }, suggestions);
        }
      }
      break;
    }

    case 'valid-pattern': {
      const params = registry ? new Set(registry.entries.flatMap((e) => e.params)) : null;
      for (const site of sites) {
        if (site.kind !== 'pattern') continue;
        for (const fact of site.patterns) {
          const pattern = fact.pattern;
          if (!pattern) continue;
          for (const error of pattern.errors) report('error', fact.range, { pattern: pattern.source, message: error.message });
          for (const warning of pattern.warnings) report('warning', fact.range, { pattern: pattern.source, message: warning.message });
          if (!params || pattern.errors.length > 0) continue;
          for (const name of fact.placeholders) {
            if (params.has(name)) continue;
            report('unknownPlaceholder', fact.range, {
              placeholder: `{${name}}`,
              pattern: pattern.source,
              params: [...params].map((p) => `{${p}}`).join(', ') || 'none',
            });
          }
        }
      }
      break;
    }

    case 'no-invalidation-in-query': {
      for (const handler of facts.handlers) {
        if (!QUERY_METHODS.has(handler.method)) continue;
        for (const invalidation of handler.invalidations) {
          const what =
            invalidation.patterns.length > 0
              ? invalidation.patterns.map((p) => `\`${p.pattern?.source ?? p.text}\``).join(', ')
              : `with ${invalidation.name}()`;
          const isHere = invalidation.file === null;
          report('query', isHere ? invalidation.range : handler.nameRange, {
            handler: handler.name,
            method: handler.method,
            what: isHere ? what : `${what} (through ${invalidation.through.join(' → ')})`,
          });
        }
      }
      break;
    }

    case 'no-redundant-invalidation': {
      for (const handler of facts.handlers) {
        const entries = handlerPatterns(handler, registry).filter(({ invalidation }) => invalidation.kind === 'pattern' && invalidation.file === null);
        entries.forEach(({ fact, pattern }, index) => {
          const earlier = entries.slice(0, index).find((other) => other.pattern.source === pattern.source);
          if (earlier) {
            report('duplicate', fact.range, { handler: handler.name, pattern: pattern.source });
            return;
          }
          const by = entries.find(
            (other) => other.pattern.source !== pattern.source && !other.invalidation.isConditional && patternCovers(other.pattern, pattern),
          );
          if (by) report('covered', fact.range, { pattern: pattern.source, by: by.pattern.source });
        });
      }
      break;
    }

    case 'no-unescaped-pattern-interpolation': {
      const hasEscapeImport = /\bescapeGlob\b/.test(input.text);
      for (const site of sites) {
        if (site.kind !== 'pattern') continue;
        for (const fact of site.patterns) {
          for (const interpolation of fact.interpolations) {
            if (interpolation.isEscaped) continue;
            const fixes: Fix[] = [{ range: interpolation.range, text: `escapeGlob(${interpolation.text})` }];
            if (!hasEscapeImport) fixes.push({ range: { start: 0, end: 0 }, text: "import { escapeGlob } from 'cache-audit/runtime';\n" });
            report('unescaped', interpolation.range, { expression: interpolation.text, pattern: fact.pattern?.source ?? fact.text }, [
              { messageId: 'escape', data: {}, fixes },
            ]);
          }
        }
      }
      break;
    }

    case 'require-tenant-scope': {
      if (!registry) break;
      const tenantEntries = registry.entries.filter((e) => e.params.some((p) => options.tenantNames.has(p)));
      for (const handler of facts.handlers) {
        if (!handler.isMutation || !handler.hasTenantInScope) continue;
        for (const { fact, pattern, invalidation } of handlerPatterns(handler, registry)) {
          if (invalidation.file !== null) continue;
          const holes = new Set(pattern.tokens.flatMap((t) => (t.kind === 'hole' && t.name !== null ? [t.name] : [])));
          for (const entry of tenantEntries) {
            const tenant = entry.params.find((p) => options.tenantNames.has(p)) ?? '';
            if (holes.has(tenant) || !covers(pattern, entry.parsed)) continue;
            const scoped = `${familyPattern(entry).slice(0, -1)}`;
            const rest = entry.parsed.pieces.map((p) => (p.kind === 'text' ? escapeGlob(p.text) : p.name === tenant ? `{${tenant}}` : '*')).join('');
            report('allTenants', fact.range, {
              handler: handler.name,
              pattern: pattern.source,
              key: entry.name,
              scoped: rest.startsWith(scoped) ? rest.replace(/(\*)(:\*)*$/, '*') : rest,
            });
            break;
          }
        }
      }
      break;
    }
  }
  return findings.sort((a, b) => a.range.start - b.range.start || a.messageId.localeCompare(b.messageId));
}
