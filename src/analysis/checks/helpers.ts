import { escapeGlob } from '../../patterns/escape.js';
import { covers, overlaps, patternsOverlap } from '../../patterns/operations.js';
import { parsePattern } from '../../patterns/parse.js';
import type { ParsedPattern, PatternPart } from '../../patterns/parse.js';
import type { CacheRegistry } from '../../registry/define.js';
import type { RegistryEntry } from '../../registry/model.js';
import type { CheckInput, Suggestion } from '../checks.js';
import type { Invalidation, PatternFact, RouteHandler } from '../facts.js';
import type { AnalysisOptions } from '../options.js';
import { isDecoratedHandler } from '../frameworks/index.js';

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

/**
 * A key family's shape: its key with the names of its holes left out. `user:{id}` and
 * `user:{userId}`, read in two places, are one family of keys.
 */
export function familyShape(key: string): string {
  return key.replace(/\{[^{}]*\}/g, '{}');
}

/** A family's key with a name for each hole that has none (`${domain.toLowerCase()}` is written `{}`): a pattern needs one. */
export function namedHoles(key: string): string {
  return key.replace(/\{\}/g, '{value}');
}

/** Every resource named by `dependsOn` in the registry. */
function registryResources(registry: CacheRegistry): string[] {
  return [...new Set(registry.entries.flatMap((e) => e.dependsOn))];
}

export function singular(word: string): string {
  const w = word.toLowerCase().replace(/[-_\s]/g, '');
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (/(ses|xes|zes|ches|shes)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/** Whether two names mean one resource, whatever their case, separators and number (`quote-lines`, `QuoteLine`). */
export function sameResource(a: string, b: string): boolean {
  return singular(a) === singular(b);
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
  // A router mounted elsewhere (`router.put('/:id', …)` in routes/expenses.ts): the file or its
  // folder names it, as a controller prefix would (not the folders above: the application's name).
  const fileWords = file
    .split(/[\\/]/)
    .slice(-2)
    .flatMap((part) => part.replace(/\.[^.]*$/, '').split(/[.\-_]/));
  for (let i = fileWords.length - 1; i >= 0; i--) {
    const match = bySingular.get(singular(fileWords[i] ?? ''));
    if (match) return [match];
  }
  return [];
}

/**
 * The pattern to suggest for a registry entry: its literal text up to the last `:` before the first
 * parameter, then `*`. A template with no `:` there keeps its words, each parameter a `*`
 * (`post-{id}` → `post-*`): never `*` alone, which would flush every key.
 */
export function familyPattern(entry: RegistryEntry): string {
  const first = entry.parsed.pieces[0];
  const literal = first?.kind === 'text' ? first.text : '';
  if (entry.parsed.pieces.length === 1 && first?.kind === 'text') return escapeGlob(literal);
  const cut = literal.lastIndexOf(':');
  if (cut >= 0) return `${escapeGlob(literal.slice(0, cut + 1))}*`;
  return entry.parsed.pieces.map((piece) => (piece.kind === 'text' ? escapeGlob(piece.text) : '*')).join('');
}

export function levenshtein(a: string, b: string): number {
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
export function closestPattern(source: string, registry: CacheRegistry): string | null {
  const candidates = new Set<string>();
  for (const entry of registry.entries) {
    const text = entry.parsed.pieces.map((p) => (p.kind === 'text' ? escapeGlob(p.text) : `{${p.name}}`)).join('');
    candidates.add(text);
    const segments = text.split(':');
    for (let i = 1; i < segments.length; i++) candidates.add(`${segments.slice(0, i).join(':')}:*`);
  }
  const { best, distance: bestDistance } = nearest(source, candidates);
  return best !== null && bestDistance > 0 && bestDistance <= Math.max(2, Math.floor(source.length * 0.3)) ? best : null;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentAt(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start, offset))?.[0] ?? '';
}

/** How a finding says to state an intended exception for a handler. */
export function exceptionText(handler: RouteHandler): string {
  return isDecoratedHandler(handler)
    ? "`@NoCacheInvalidation('reason')`"
    : 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)';
}

export function decoratorSuggestion(
  input: CheckInput,
  handler: RouteHandler,
  patterns: readonly string[],
  messageId: string,
  data: Record<string, string>,
): Suggestion[] {
  if (!isDecoratedHandler(handler) || !/\bInvalidateCachePattern\b/.test(input.text)) return [];
  const at = lineStart(input.text, handler.nameRange.start);
  const indent = indentAt(input.text, handler.nameRange.start);
  const args = patterns.map((p) => `'${p}'`).join(', ');
  return [{ messageId, data, fixes: [{ range: { start: at, end: at }, text: `${indent}@InvalidateCachePattern(${args})\n` }] }];
}

function isUnknownPattern(fact: PatternFact, registry: CacheRegistry | null): boolean {
  return (
    fact.unresolved !== null ||
    (fact.pattern === null && (!fact.registryRef || !registry?.entries.some((e) => e.name === fact.registryRef?.name)))
  );
}

/** Whether a handler's invalidations can all be read: otherwise coverage cannot be judged. */
export function isFullyKnown(handler: RouteHandler, registry: CacheRegistry): boolean {
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

export function handlerPatterns(
  handler: RouteHandler,
  registry: CacheRegistry | null,
): { fact: PatternFact; pattern: ParsedPattern; invalidation: Invalidation }[] {
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

export function isReadOnlyRoute(handler: RouteHandler, options: AnalysisOptions): boolean {
  const path = handler.path;
  return path !== null && options.readOnlyRoutes.some((glob) => glob.test(path.startsWith('/') ? path : `/${path}`));
}

/** The names a Next.js tag may give a registry family by: the key's name, and its template's first segment. */
function tagNames(registry: CacheRegistry): Set<string> {
  return new Set(registry.entries.flatMap(tagNamesOf));
}

/** The names a tag may give one registry entry by: its name, and its template's first segment. */
/**
 * Whether a Next.js tag clears every entry of a registry template that is a tag: the template
 * written as the tag is (`quote-{id}` for updateTag(`quote-${id}`), per binding of its holes).
 * A tag is literal text, so a tag with a glob character clears no template.
 */
export function tagCovers(tag: ParsedPattern, entry: RegistryEntry): boolean {
  return tag.errors.length === 0 && !/[*?[\]\\]/.test(tag.source.replace(/\{[^{}]*\}/g, '')) && covers(tag, entry.parsed);
}

export function tagNamesOf(entry: RegistryEntry): string[] {
  const first = entry.parsed.pieces[0];
  const segment = first?.kind === 'text' ? (first.text.split(':')[0] ?? '') : '';
  return segment === '' ? [entry.name] : [entry.name, segment];
}

/** The candidate nearest to `source` by edit distance, with the distance. */
export function nearest(source: string, candidates: Iterable<string>): { best: string | null; distance: number } {
  let best: string | null = null;
  let distance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = levenshtein(source, candidate);
    if (d < distance) {
      best = candidate;
      distance = d;
    }
  }
  return { best, distance };
}

/** The family name a tag is a near miss of (a typo, `postz` for `posts`), or null. */
export function closestTag(tag: string, registry: CacheRegistry): string | null {
  const names = tagNames(registry);
  if (names.has(tag)) return null;
  const { best, distance: bestDistance } = nearest(tag, names);
  return best !== null && bestDistance > 0 && bestDistance <= Math.min(2, Math.floor(tag.length / 3)) ? best : null;
}

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * The glob character written in the literal text of a key given to a delete that takes exact keys
 * (`redis.del('posts:*')`, `cacheManager.del(…)`, `keyv.delete(…)` on a client known by its
 * import or declared type), or null. Such a delete removes the one key of that name, a literal `*`
 * included, and so nothing it seems to match. A hole is one runtime value, never a glob; `?` and
 * `[` count only in a key that is no URL (`/posts?page=2` is a key).
 */
export function globInExactKey(site: Invalidation, fact: PatternFact): '*' | '?' | '[' | null {
  if (site.kind !== 'key' || site.client === undefined || fact.forwardedBy !== null) return null;
  const pattern = fact.pattern;
  if (!pattern || pattern.errors.length > 0) return null;
  return globOf(
    pattern.tokens.flatMap((t) => (t.kind === 'byte' ? [t.byte] : [])),
    /[/=&]/.test(keyText(pattern)),
  );
}

function globOf(bytes: readonly number[], isUrl: boolean): '*' | '?' | '[' | null {
  if (bytes.includes(STAR)) return '*';
  if (isUrl) return null;
  if (bytes.includes(QUESTION)) return '?';
  const open = bytes.indexOf(OPEN_BRACKET);
  return open !== -1 && bytes.lastIndexOf(CLOSE_BRACKET) > open ? '[' : null;
}

/** A key as it reads in a message: its literal text unescaped, its holes as `{name}`. */
export function keyText(pattern: ParsedPattern): string {
  return pattern.source.replace(/\\(.)/g, '$1');
}

/**
 * Whether an invalidation clears data the handler itself writes: a family it may clear holds a
 * model the handler's code writes (by the registry's `dependsOn`, or the models the family's loader
 * reads). Such a handler changes the data it is served for reading (a stale run cleaned up while a
 * conversation is read), and its invalidation belongs where it is.
 */
export function clearsOwnWrite(input: CheckInput, handler: RouteHandler, invalidation: Invalidation): boolean {
  const written = handler.writes.filter((w) => (w.fillsKeys ?? []).length === 0).map((w) => w.model);
  if (written.length === 0) return false;
  const patterns = invalidation.patterns.map((fact) => resolvePattern(fact, input.registry)).filter((p) => p !== null);
  const holds = (models: readonly string[]): boolean => models.some((model) => written.some((w) => sameResource(w, model)));
  if (input.registry) return input.registry.entries.some((e) => holds(e.dependsOn) && patterns.some((p) => overlaps(p, e.parsed)));
  return (input.families ?? input.facts.families).some((family) => {
    if (!holds(family.models)) return false;
    const key = parsePattern(namedHoles(family.key));
    return key.errors.length === 0 && patterns.some((p) => patternsOverlap(p, key));
  });
}

const HOLE = /^\{[^{}]*\}$/;
const WORD = /^[A-Za-z][\w-]*$/;

/**
 * Whether an invalidated key can be one of a family's keys: they overlap, and no segment the
 * family writes as a word is, in the invalidated key, only a runtime value. `user:{userId}:resume:{id}`
 * clears a user's resumes, not `user:public:resume:{id}`; `post:{id}` is not `post:latest`.
 */
export function mayClear(invalidated: ParsedPattern, family: ParsedPattern): boolean {
  if (!patternsOverlap(invalidated, family)) return false;
  const mine = invalidated.source.split(':');
  const theirs = family.source.split(':');
  if (mine.length !== theirs.length) return true;
  return !mine.some((segment, i) => HOLE.test(segment) && WORD.test(theirs[i] ?? ''));
}
