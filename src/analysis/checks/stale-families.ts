import { basename } from 'node:path';
import { covers, overlaps } from '../../patterns/operations.js';
import { parsePattern } from '../../patterns/parse.js';
import type { ParsedPattern } from '../../patterns/parse.js';
import type { CacheRegistry, RegistryEntry } from '../../registry/define.js';
import type { CheckInput, Suggestion } from '../checks.js';
import { isLeftToExpire } from './expiring.js';
import { judgeability } from './judgeability.js';
import type { Judgeability } from './judgeability.js';
import { exclusiveWith } from '../effects/paths.js';
import { oneLine } from '../messages.js';
import type { CacheFamily, Invalidation, ModelRead, ModelWrite, RouteHandler, SiteRange } from '../facts.js';
import { canChange, isOnlyMaybeFound } from '../sources/operations.js';
import { heldLoads, isMildPair, isUnprovedOnMemoized, ordered, staleWrites, strongestPair } from './stale-writes.js';
import type { StaleWrite } from './stale-writes.js';
import {
  handlerResources,
  familyPattern,
  decoratorSuggestion,
  exceptionText,
  handlerPatterns,
  resolvePattern,
  sameResource,
  familyShape,
  mayClear,
  namedHoles,
} from './helpers.js';

/** Whether a family of this ttl (seconds) is short-lived by the team's configured bound: a ttl alone never lowers a finding. */
function isShortLived(input: CheckInput, ttl: number | null | undefined): boolean {
  const bound = input.ruleOptions?.['require-dependent-invalidation']?.shortTtlSeconds;
  return bound !== undefined && ttl !== null && ttl !== undefined && ttl <= bound;
}

/** One family a handler leaves stale: its name, the line that says why and what clears it, and whether that is proved. */
export interface Stale {
  readonly name: string;
  readonly detail: string;
  readonly pattern: string;
  /** Not proved (a write on a helper's branch, a resource guessed from the route) or short-lived by choice: a warning. */
  readonly isMild: boolean;
}

/** The registry resources a handler changes, each with what proves it (null: guessed from the route or the names). */
function changedResources(input: CheckInput, handler: RouteHandler, registry: CacheRegistry): Map<string, string | null> {
  const result = new Map<string, string | null>();
  const declared =
    handler.declaredResources !== null || input.options.routeResources.some((r) => handler.path !== null && r.path.test(handler.path));
  if (declared) {
    for (const resource of handlerResources(handler, registry, input.options, input.facts.file)) result.set(resource, 'declared');
    return result;
  }
  const resources = [...new Set(registry.entries.flatMap((e) => e.dependsOn))];
  for (const write of ordered(handler.writes)) {
    for (const resource of resources.filter((r) => sameResource(r, write.model) && !result.has(r))) {
      result.set(resource, write.isOnHelperBranch ? null : writeProof(input, write));
    }
  }
  if (result.size > 0) return result;
  // No write of a registry resource is visible. With no write visible at all (an in-memory
  // service, a client this pass does not know), the route or the handler's name says what it
  // changes, as the team's registry names it; where the writes seen are of other data, that name
  // is only a guess.
  const guess = handler.writes.length === 0 ? 'named' : null;
  for (const resource of handlerResources(handler, registry, input.options, input.facts.file)) result.set(resource, guess);
  return result;
}

/**
 * How the code loads a registry entry's data of one resource: the loads of the families it reads
 * under the entry's keys. Empty where the code shows none (the registry alone then says what the entry holds).
 */
function entryLoads(input: CheckInput, entry: RegistryEntry, resource: string): ModelRead[] {
  return (input.families ?? input.facts.families)
    .filter((family) => !family.isTag && !family.isProjection)
    .filter((family) => {
      const pattern = parsePattern(namedHoles(family.key));
      return pattern.errors.length === 0 && overlaps(pattern, entry.parsed);
    })
    .flatMap((family) => family.loads)
    .filter((read) => sameResource(resource, read.model));
}

/**
 * Whether the handler's writes of a resource, seen in the code, cannot change what the code loads
 * into the entry: a create beside an entry per row (`quote:{id}`) adds a row no entry holds yet. The
 * registry says what the entry depends on; the code, where it shows the loader, says which writes reach it.
 */
function leavesEntryAlone(input: CheckInput, handler: RouteHandler, entry: RegistryEntry, resource: string): boolean {
  const writes = handler.writes.filter((write) => sameResource(resource, write.model));
  const loads = entryLoads(input, entry, resource);
  return writes.length > 0 && loads.length > 0 && !writes.some((write) => loads.some((read) => canChange(write, read)));
}

/** Whether the code gives an entry's keys as Next.js cache tags (the registry `cache-audit init` writes for `'use cache'`). */
function isTagEntry(input: CheckInput, entry: RegistryEntry): boolean {
  return (input.families ?? input.facts.families).some((family) => {
    if (family.isTag !== true) return false;
    const pattern = parsePattern(namedHoles(family.key));
    return pattern.errors.length === 0 && overlaps(pattern, entry.parsed);
  });
}

/** With a registry: its `dependsOn` is the authority; a handler must cover every family of the resources it changes. */
function registryStale(input: CheckInput, registry: CacheRegistry, handler: RouteHandler): Stale[] {
  const patterns = handlerPatterns(handler, registry);
  const stale = new Map<string, Stale>();
  for (const [resource, proof] of changedResources(input, handler, registry)) {
    for (const entry of registry.dependentsOf(resource)) {
      if (stale.has(entry.name) || patterns.some(({ pattern }) => covers(pattern, entry.parsed))) continue;
      // A resource the team declares or the route names is judged by the registry alone.
      if (proof !== 'declared' && proof !== 'named' && leavesEntryAlone(input, handler, entry, resource)) continue;
      const pattern = familyPattern(entry);
      const because = proof === null || proof === 'declared' || proof === 'named' ? '' : `; ${proof}`;
      const clear = isTagEntry(input, entry) ? tagClearingText(handler, oneLine(entry.template)) : `invalidate \`${oneLine(pattern)}\``;
      stale.set(entry.name, {
        name: entry.name,
        pattern,
        detail: `\`${oneLine(entry.name)}\` (${oneLine(entry.template)}) depends on ${oneLine(resource)}${because}: ${clear}.`,
        isMild: proof === null || isShortLived(input, entry.ttl),
      });
    }
  }
  return [...stale.values()];
}

/** The families of one key, read in several places: their loads, reads and fills together. */
interface KeyFamily {
  readonly key: string;
  readonly pattern: ParsedPattern;
  loads: ModelRead[];
  readonly reads: CacheFamily[];
  /** Where a mutation fills it with what it has just written (a projection of those models). */
  readonly projected: CacheFamily[];
  /** Its models are known only from the mutations that fill it, not from a loader. */
  isProjection: boolean;
  /** A Next.js cache tag, cleared by `updateTag` or `revalidateTag`, not by a key's delete. */
  isTag: boolean;
  /** The tags its reads give its entries (see `CacheFamily.tags`): a delete by one of them clears it. */
  readonly tags: ParsedPattern[];
  /** The call that clears it, where it is not a delete of its key. */
  readonly clearedBy: string | null;
  readonly isLocal: boolean; // see `CacheFamily.isLocal`
  /** Every read of it is a memoizer's cached function (see `CacheFamily.isMemoized`). */
  isMemoized: boolean;
  /** A GraphQL response that every GraphQL mutation clears (see `CacheFamily.isClearedByMutations`). */
  readonly isClearedByMutations: boolean;
  readonly isResponse: boolean; // see `CacheFamily.isResponse`
  /** Null when some fill gives no expiry that can be read. */
  ttl: number | null;
}

function byKey(families: readonly CacheFamily[]): KeyFamily[] {
  const result = new Map<string, KeyFamily>();
  for (const family of families) {
    const shape = familyShape(family.key);
    let entry = result.get(shape);
    if (!entry) {
      const key = namedHoles(family.key);
      const pattern = parsePattern(key);
      if (pattern.errors.length > 0) continue;
      entry = {
        key,
        pattern,
        loads: [],
        reads: [],
        projected: [],
        isProjection: false,
        isTag: family.isTag === true,
        tags: [],
        clearedBy: family.clearedBy ?? null,
        isClearedByMutations: family.isClearedByMutations === true,
        isResponse: family.isResponse === true,
        isLocal: family.isLocal === true,
        isMemoized: family.isMemoized === true,
        ttl: family.ttl,
      };
      result.set(shape, entry);
    }
    if (family.isTag && entry.reads.length > 0) {
      // A tag given by several functions' entries clears the family only through the tags they all give.
      const given = new Set(family.tags ?? []);
      entry.tags.splice(0, entry.tags.length, ...entry.tags.filter((t) => given.has(t.source)));
    } else {
      for (const tag of family.tags ?? []) {
        const pattern = parsePattern(tag);
        if (pattern.errors.length === 0 && !entry.tags.some((t) => t.source === tag)) entry.tags.push(pattern);
      }
    }
    if (family.isProjection) {
      entry.projected.push(family);
      continue;
    }
    entry.loads.push(...family.loads);
    entry.reads.push(family);
    entry.isMemoized &&= family.isMemoized === true;
    entry.ttl = entry.ttl === null || family.ttl === null ? null : Math.max(entry.ttl, family.ttl);
  }
  for (const entry of result.values()) entry.loads = heldLoads(entry.loads);
  // A family read with no loader holds what the mutations that fill it have written.
  for (const entry of result.values()) {
    if (entry.loads.length > 0 || entry.reads.length === 0 || entry.projected.length === 0) continue;
    entry.loads = entry.projected.flatMap((p) => p.loads);
    entry.isProjection = true;
  }
  return [...result.values()];
}

/** Why a memoizer's entry only may be stale by a write (see `isUnprovedOnMemoized`). */
function memoizedText({ write, read }: StaleWrite): string {
  if (write.change === 'delete') return 'its loader makes its value from fields of the row, not a copy of the row';
  return read.fields === null
    ? 'its loader hands on the row, and the code does not show its callers using the fields written'
    : 'the fields it writes cannot be read';
}

/** Whether every fill of a family stores a value only where its read found one (see `CacheFill.isOnlyFound`). */
function keepsNoMiss(family: KeyFamily): boolean {
  const fills = family.reads.flatMap((read) => read.fills);
  return fills.length > 0 && fills.every((fill) => fill.isOnlyFound === true);
}

const reachText = (f: KeyFamily): string => (f.isLocal ? 'clears it only by calling back into its owner' : 'may clear it');
/** The first calls of a handler the audit cannot follow, as a message names them. */
function unfollowed(handler: RouteHandler): string {
  const [first = '', second, ...rest] = handler.opaqueCalls.map((call) => `\`${oneLine(call)}\``);
  return [first, ...(second ? [second] : []), ...(rest.length > 0 ? [`${String(rest.length)} more`] : [])].join(', ');
}

/** What clears a family, in the terms of the handler's framework (or of the library that caches it). */
function clearingText(handler: RouteHandler, key: string, family: KeyFamily): string {
  if (family.clearedBy !== null) return `call \`${oneLine(family.clearedBy)}\``;
  if (!family.isTag) return `delete \`${key}\``;
  return tagClearingText(handler, key);
}

/** The call that clears a Next.js tag: updateTag works in Server Actions only; a route handler revalidates the tag. */
function tagClearingText(handler: RouteHandler, tag: string): string {
  return handler.framework === 'server-action' ? `call \`updateTag('${tag}')\`` : `call \`revalidateTag('${tag}', 'max')\``;
}

/** What a message says of a write: model, change and where it is made. */
function writeProof(input: CheckInput, write: ModelWrite): string {
  const where = write.site ? ` at ${locateSite(input, write.site)}` : '';
  if (write.cascade) return `it deletes ${oneLine(write.cascade.join(' → '))} by cascade (\`ON DELETE CASCADE\`)${where}`;
  if (write.relation !== undefined)
    return `it writes the \`${oneLine(write.relation)}\` relation of ${oneLine(write.model)} (its join rows)${where}`;
  return `it writes ${oneLine(write.model)} (${write.change})${where}`;
}

function lookupText(read: ModelRead): string {
  if (read.row) return `its row where ${oneLine(read.row.field)} is '${oneLine(read.row.value)}'`;
  if (read.lookup === 'first') return 'the first row a filter finds';
  return read.lookup === 'point' ? 'looked up by key' : 'a list, count or aggregate';
}

/**
 * The writes of a handler that may stale a family. What a copy filled by a mutation holds of the
 * row is not known (`logo`, not the whole brand): only the row's delete surely stales it. A write
 * made while filling this very family (on a miss of the function that reads it) does not stale it.
 * A delete of a key that cannot be read may clear any family kept under a key on its own paths, and
 * another invalidation that cannot be read any family: a write on another branch than each is judged still.
 */
function judgedWrites(family: KeyFamily, handler: RouteHandler, judged: Judgeability): ModelWrite[] {
  const isBeside = (write: ModelWrite, invalidations: readonly Invalidation[]): boolean => {
    const isApart = exclusiveWith(write.arms ?? []);
    return invalidations.every((i) => isApart(i.arms ?? []));
  };
  return handler.writes.filter(
    (w) =>
      (!family.isProjection || w.change === 'delete') &&
      !(w.fillsKeys ?? []).some((key) => familyShape(key) === familyShape(family.key)) &&
      isBeside(w, judged.unjudged) &&
      (family.isLocal || isBeside(w, judged.unreadable)),
  );
}

/**
 * Without a registry: the families are those the code reads through the cache, each depending on
 * the models its loader reads. A mutation that writes such a model, in a way that can change what
 * the loader returns, and invalidates no key of the family, leaves it stale.
 */
function inferredStale(input: CheckInput, families: readonly KeyFamily[], handler: RouteHandler, judged: Judgeability): Stale[] {
  if (handler.writes.length === 0) return [];
  const isPartlyJudged = judged.isPartly;
  const patterns = handlerPatterns(handler, null);
  const tags = handler.invalidations
    .filter((i) => i.kind === 'tag')
    .flatMap((invalidation) => invalidation.patterns.map((p) => ({ pattern: resolvePattern(p, null), invalidation })))
    .filter((p): p is { pattern: ParsedPattern; invalidation: Invalidation } => p.pattern !== null);
  const stale: Stale[] = [];
  const isGraphqlMutation = handler.framework === 'graphql' || handler.framework === 'graphql-resolvers';
  for (const family of families) {
    // A response cache invalidates what a GraphQL mutation returns.
    if (family.isClearedByMutations && isGraphqlMutation) continue;
    // Entries the team leaves to expire in a minute are as fresh as it chose.
    if (isLeftToExpire(input, family)) continue;
    const writes = judgedWrites(family, handler, judged);
    // A delete by one of the tags the family's reads give its entries clears it too.
    const clearing = [
      ...(family.isTag ? tags : [...patterns, ...tags]).filter(({ pattern }) => mayClear(pattern, family.pattern)),
      ...tags.filter(({ pattern }) => family.tags.some((given) => mayClear(pattern, given))),
    ].map((p) => p.invalidation);
    // A read on a branch of a helper the loader calls (a generic filter's case) may never be made for
    // this family: a write it alone connects is looked for last.
    const sure = family.loads.filter((read) => read.isOnHelperBranch !== true);
    // A create stales the first row a filter finds only in an entry that kept the miss, which fills made only where the read found a row never do.
    const isKept = (pair: StaleWrite): boolean => !(isOnlyMaybeFound(pair.write, pair.read) && keepsNoMiss(family));
    const pairs = [...staleWrites(writes, sure, clearing), ...staleWrites(writes, family.loads, clearing)];
    const terms = {
      ttl: family.ttl,
      isMemoized: family.isMemoized,
      isMild: isShortLived(input, family.ttl) || family.isProjection || isPartlyJudged,
    };
    // The finding names a pair that proves the family stale where one does, before one that only may.
    const found = pairs[0] && isKept(pairs[0]) ? strongestPair(pairs.filter(isKept), terms) : null;
    // Past code not followed: only a family cleared on another branch, or kept in memory, is reported.
    if (!found || (isPartlyJudged && !found.clearedElsewhere && !family.isLocal)) continue;
    // The read that loads what is written names the family: not a caller's, which reaches it through a function that caches.
    const loading = family.reads.filter((r) => r.loads.some((l) => l.model === found.write.model));
    const read = loading[0] ?? family.reads[0];
    const fill = [...loading, ...family.reads, ...family.projected].flatMap((r) => r.fills)[0];
    const where = [read ? `read at ${locateSite(input, read)}` : null, fill ? `filled at ${locateSite(input, fill)}` : null]
      .filter(Boolean)
      .join(', ');
    const ttl = family.ttl === null ? '' : `, ttl ${String(family.ttl)} s`;
    const key = oneLine(family.key);
    const holds = family.isProjection
      ? `is filled with ${oneLine(found.write.model)} by a mutation that has just written it (${where}${ttl})`
      : `holds ${oneLine(found.write.model)} (${lookupText(found.read)}; ${where}${ttl})`;
    const elsewhere = found.clearedElsewhere
      ? `, on a path that does not clear it (cleared at ${oneLine(locate(input, found.clearedElsewhere.file ?? input.facts.file, found.clearedElsewhere.range.start))} on another)`
      : '';
    const isMemoizedGuess = family.isMemoized && isUnprovedOnMemoized(found);
    const memoized = isMemoizedGuess ? `; ${memoizedText(found)}` : '';
    const unseen = isPartlyJudged ? `; it calls code the audit cannot follow (${unfollowed(handler)}), which ${reachText(family)}` : '';
    stale.push({
      name: key,
      pattern: key,
      detail: `\`${key}\` ${holds}; ${writeProof(input, found.write)}${elsewhere}${memoized}${unseen}: ${clearingText(handler, key, family)}.`,
      isMild: isMildPair(found, terms),
    });
  }
  return stale;
}

/**
 * The families each judged handler of the file leaves stale (none listed: none), with the
 * suggestion that adds their patterns where the handler is decorated.
 */
export function staleFamilies(input: CheckInput): Map<RouteHandler, StaleOfHandler> {
  // Two rules read the same judgement (the proved findings and the others): made once per file.
  const options = input.ruleOptions?.['require-dependent-invalidation'];
  const bound = `${String(options?.shortTtlSeconds)}:${String(options?.expiryByDesignSeconds)}`;
  const known = judged.get(input.facts);
  if (
    known !== undefined &&
    known.bound === bound &&
    known.registry === input.registry &&
    known.families === input.families &&
    known.invalidations === input.invalidations
  )
    return known.result;
  const result = judgeFile(input);
  judged.set(input.facts, { bound, registry: input.registry, families: input.families, invalidations: input.invalidations, result });
  return result;
}

/** What one handler leaves stale, with the suggestion that adds the patterns where it is decorated. */
export interface StaleOfHandler {
  readonly stale: Stale[];
  readonly suggestions: Suggestion[];
}

const judged = new WeakMap<
  object,
  {
    bound: string;
    registry: CacheRegistry | null;
    families: CheckInput['families'];
    invalidations: CheckInput['invalidations'];
    result: Map<RouteHandler, StaleOfHandler>;
  }
>();

function judgeFile(input: CheckInput): Map<RouteHandler, StaleOfHandler> {
  const result = new Map<RouteHandler, StaleOfHandler>();
  const { registry } = input;
  const families = registry ? [] : byKey(input.families ?? input.facts.families).filter((f) => f.loads.length > 0);
  if (!registry && families.length === 0) return result;
  for (const handler of input.facts.handlers) {
    const judged = judgeability(input, handler);
    if (!judged) continue;
    const stale = registry ? registryStale(input, registry, handler) : inferredStale(input, families, handler, judged);
    if (stale.length === 0) continue;
    const patterns = stale.map((s) => s.pattern);
    const suggestions = registry ? decoratorSuggestion(input, handler, patterns, 'addPattern', { pattern: patterns.join("', '") }) : [];
    result.set(handler, { stale, suggestions });
  }
  return result;
}

function locateSite(input: CheckInput, site: SiteRange): string {
  return oneLine(locate(input, site.file, site.range.start));
}

/** A place as a message names it: file and line. */
function locate(input: CheckInput, file: string, offset: number): string {
  if (input.locate) return input.locate(file, offset);
  if (file !== input.facts.file) return basename(file);
  const line = input.text.slice(0, offset).split('\n').length;
  return `${basename(file)}:${String(line)}`;
}

/** How many stale families the first line of a finding names; the details list every one. */
const NAMED_IN_HEADLINE = 2;

/** The data of a handler's one finding: the stale families in its first line, each with its proof below. */
export function staleMessageData(handler: RouteHandler, stale: readonly Stale[]): Record<string, string> {
  const names = stale.map((s) => `\`${s.name}\``);
  const shown = names.slice(0, NAMED_IN_HEADLINE).join(', ');
  const more = names.length > NAMED_IN_HEADLINE ? ` and ${String(names.length - NAMED_IN_HEADLINE)} more` : '';
  return {
    handler: oneLine(handler.name),
    families: `${shown}${more}`,
    count: stale.length === 1 ? 'a cached family' : `${String(stale.length)} cached families`,
    details: stale.map((s) => `\n- ${s.detail}`).join(''),
    them: stale.length === 1 ? 'it' : 'them',
    they: stale.length === 1 ? 'it' : 'they',
    exception: exceptionText(handler),
  };
}

/** Whether the code proves a handler's finding: one family it leaves stale is proved and not short-lived by choice. */
export function isProved(stale: readonly Stale[]): boolean {
  return stale.some((s) => !s.isMild);
}
