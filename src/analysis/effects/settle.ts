import type { ParsedPattern } from '../../patterns/parse.js';
import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { unwrap, writtenName } from '../../ts/syntax.js';
import { keyRolesFor, keyRolesOfFile } from './key-roles.js';
import { isNamedKey, isStateKey, keyPattern, overlapsAny, readableKeys } from './keys.js';
import type { Effect, EffectKey } from './model.js';

type KeyScan = Effect & { kind: 'key-scan' };

/**
 * What the calls of one function mean together: a delete after `SCAN MATCH p` deletes `p`; a
 * delete of a key the function also sets if absent or counts is a lock release or a counter
 * reset, not an invalidation; a fill of a key the function read first is cache-aside.
 */
export function settle(ctx: FileContext, effects: readonly Effect[], root?: ts.Node): Effect[] {
  const scans = effects.filter((e): e is KeyScan => e.kind === 'key-scan');
  // The cache reads here with their keys, read (as patterns) only when a deletion or a fill asks:
  // most functions make neither. Read once: a function that reaches many helpers has many effects.
  let readList: CacheReadKeys[] | null = null;
  const cacheReads = (): CacheReadKeys[] =>
    (readList ??= effects.flatMap((e) =>
      e.kind === 'cache-read' ? [{ place: placeOf(e), at: e.at, patterns: readableKeys(e.keys) }] : [],
    ));
  let reads: ParsedPattern[] | null = null;
  const localReads = (): ParsedPattern[] => (reads ??= cacheReads().flatMap((read) => read.patterns));
  // A delete clears what the function read only if the read comes first (`get`, then `del` of a
  // corrupt entry), not a delete before a request whose route reads the key; and not a read made
  // by one call and a delete by another (an auth check that reads a key, then a helper that clears it).
  const readsBefore = (effect: Effect): ParsedPattern[] =>
    cacheReads().flatMap((read) => (read.place < placeOf(effect) && (read.at === undefined || read.at === effect.at) ? read.patterns : []));
  // The roles of keys across the project (every file that names a cache) only when a deletion or a fill is to be judged.
  let known: Roles | null = null;
  const roles = (): Roles => {
    if (!known) {
      const project = keyRolesFor(ctx);
      const localOthers = readableKeys(effects.flatMap((e) => (e.kind === 'redis-other' && e.role !== 'data' ? e.keys : [])));
      const localClaims = readableKeys(effects.flatMap((e) => (e.kind === 'redis-other' && e.role === 'lock' ? e.keys : [])));
      known = {
        others: [...localOthers, ...project.others],
        reads: [...localReads(), ...project.cached],
        claims: [...localClaims, ...project.claims],
      };
    }
    return known;
  };
  const result: Effect[] = [];
  const heals = root !== undefined && isReadNamed(ctx, root) && effects.some((e) => e.kind === 'cache-read');
  for (const effect of effects) {
    // A scan stays in the summary: its caller may delete the keys a helper returns (`del(await scanKeys(p))`).
    const meant = settled(effect, scans, localReads, readsBefore, roles) ?? effect;
    result.push(heals && isHealing(meant, effects) ? { ...meant, isSelfClearing: true } : meant);
  }
  const distinct = withoutRepeats(result);
  return distinct.length > MAX_PATHS_KEPT ? withoutSamePaths(distinct) : distinct;
}

/**
 * How many effects a function's summary keeps before those that differ only in the path taken to
 * them are merged (see `withoutSamePaths`). A summary holds every effect of every function its calls
 * reach, once per path: models that call each other through a shared cache (a column reads its
 * table, which lists its columns…) multiply them by every layer.
 */
const MAX_PATHS_KEPT = 3000;

/**
 * One of the cache effects that mean the same to the function's callers: the same call of the
 * cache, reached through the same call of this function, with the same keys. What is lost is the
 * path inside the functions called: the helpers it went through (`through`, which a finding names),
 * and the branches only some of those paths take (each merged effect keeps the branches all of them
 * share, so it is taken for one made on more paths).
 */
function withoutSamePaths(effects: readonly Effect[]): Effect[] {
  const kept = new Map<string, { effect: Effect; arms: Set<string> | null }>();
  const result: (string | Effect)[] = [];
  for (const effect of effects) {
    if (!('keys' in effect) || effect.kind === 'key-scan') {
      result.push(effect);
      continue;
    }
    const signature = samePathSignature(effect);
    const known = kept.get(signature);
    if (known) {
      const arms = new Set(effect.arms ?? []);
      if (known.arms) for (const arm of known.arms) if (!arms.has(arm)) known.arms.delete(arm);
      continue;
    }
    kept.set(signature, { effect, arms: new Set(effect.arms ?? []) });
    result.push(signature);
  }
  return result.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const { effect, arms } = kept.get(entry) as { effect: Effect; arms: Set<string> };
    const shared = (effect.arms ?? []).filter((arm) => arms.has(arm));
    return shared.length === (effect.arms ?? []).length ? effect : { ...effect, arms: shared };
  });
}

/** What a cache effect means to the function's callers, its path inside the functions called aside (see `withoutSamePaths`). */
function samePathSignature(effect: Effect & { keys: readonly EffectKey[] }): string {
  const { node, at, keys, through: _through, ctx: _ctx, arms: _arms, ...rest } = effect;
  const flags = Object.entries(rest).flatMap(([name, value]: [string, unknown]) =>
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? [`${name}=${String(value)}`] : [],
  );
  const patterns = keys.map((key) => keyPattern(key)?.source ?? `?${String('bound' in key ? key.bound.expr.pos : -1)}`);
  return [node.getSourceFile().fileName, String(node.pos), String(at?.pos ?? -1), ...flags, ...patterns].join('\u0000');
}

/** The names of functions that read (`get`, `getList`, `readAll`, `fetchMany`, `findById`, `list`). */
const READ_NAMES = /^(?:get|list|read|fetch|find|load)(?:[A-Z_]|$)/;

/** Whether the function summarised is a method or function named as a read (see `READ_NAMES`). */
function isReadNamed(ctx: FileContext, root: ts.Node): boolean {
  const { ts } = ctx;
  const name = ts.isMethodDeclaration(root) || ts.isFunctionDeclaration(root) ? writtenName(ts, root) : null;
  return name !== null && READ_NAMES.test(name);
}

/**
 * A delete, on a branch, of keys the code knows only at run time (`deepDel(p)` of each parent found
 * in the values read), after a read of the cache, in a function named as a read (`getList`): the
 * cache's read repairing what it found inconsistent, not a change of data.
 */
function isHealing(effect: Effect, effects: readonly Effect[]): effect is Effect & { kind: 'invalidate' } {
  if (effect.kind !== 'invalidate' || effect.isSelfClearing === true || !effect.isConditional) return false;
  const place = placeOf(effect);
  // A key with no pattern (`del(p)`) is a runtime value too.
  const isRuntime = (key: EffectKey): boolean => {
    const pattern = keyPattern(key);
    return pattern === null || isRuntimeOnly(pattern);
  };
  return effect.keys.length > 0 && effect.keys.every(isRuntime) && effects.some((e) => e.kind === 'cache-read' && placeOf(e) < place);
}

/** A cache read of the function summarised: where it is made, the call that reaches it, and its keys' patterns. */
interface CacheReadKeys {
  readonly place: number;
  readonly at: ts.Node | undefined;
  readonly patterns: readonly ParsedPattern[];
}

/** A key of runtime values only (`{key}`): the analysis knows nothing of it but that it is one key. */
function isRuntimeOnly(pattern: ParsedPattern): boolean {
  return pattern.tokens.every((token) => token.kind === 'hole');
}

/** Where an effect happens in the function summarised: the call itself, or the call that reaches it. */
function placeOf(effect: Effect): number {
  return (effect.at ?? effect.node).pos;
}

interface Roles {
  readonly others: ParsedPattern[];
  readonly reads: ParsedPattern[];
  readonly claims: ParsedPattern[];
}

/** What one effect means beside the others of its function, or null when it means what it says. */
function settled(
  effect: Effect,
  scans: readonly KeyScan[],
  localReads: () => readonly ParsedPattern[],
  readsBefore: (effect: Effect) => ParsedPattern[],
  roles: () => Roles,
): Effect | null {
  if (effect.kind === 'invalidate' && effect.invalidationKind === 'key') {
    const patterns = readableKeys(effect.keys);
    // `const keys = await redis.keys(p); await redis.del(...keys)`, or keys a scanning helper returned
    // deleted through another (`safeMultiDel(redis, await scanKeys(redis, p))`): the pattern scanned before.
    const scanned = patterns.every(isRuntimeOnly) ? scans.filter((s) => placeOf(s) < placeOf(effect)) : [];
    if (scanned.length > 0) return { ...effect, invalidationKind: 'pattern', keys: scanned.flatMap((s) => s.keys) };
    const { others, reads, claims } = patterns.length > 0 ? roles() : { others: [], reads: [], claims: [] };
    // A key also read back is a cache filled once (`setnx(key, rows)`), unless it is claimed with a value written in the code
    // (both keys named by their text: a key of runtime values only may be any key).
    const isClaimed = patterns.every(isNamedKey) && overlapsAny(patterns, claims.filter(isNamedKey));
    if (others.length > 0 && overlapsAny(patterns, others) && (!overlapsAny(patterns, reads) || isClaimed))
      return { ...effect, kind: 'redis-other', role: 'lock' };
  }
  // A delete of each key met walking the cache itself (expired entries pruned, the oldest evicted) keeps it, not its data.
  if (effect.kind === 'invalidate' && !effect.isSelfClearing && effect.at === undefined && isOwnEviction(effect.ctx, effect.node))
    return { ...effect, isSelfClearing: true };
  if (effect.kind === 'invalidate' && effect.isConditional && !effect.isSelfClearing && localReads().length > 0) {
    const patterns = readableKeys(effect.keys);
    if (patterns.length > 0 && overlapsAny(patterns, readsBefore(effect))) return { ...effect, isSelfClearing: true };
  }
  if (effect.kind === 'cache-fill' && !effect.isCacheAside) {
    const filled = readableKeys(effect.keys);
    if (localReads().length > 0 && overlapsAny(filled, localReads())) return { ...effect, isCacheAside: true, isWriteThrough: false };
    // A fresh token stored under a key the code reads (`set(epochKey, randomBytes(6))`): the entries keyed by the old one are retired.
    // The key is read back in the project, or in the file that rotates it (a package the project imports).
    const readBack = (): boolean => overlapsAny(filled, roles().reads) || overlapsAny(filled, keyRolesOfFile(effect.ctx).cached);
    if (effect.isFreshValue === true && filled.length > 0 && !filled.some(isStateKey) && readBack()) {
      const { isCacheAside: _aside, isWriteThrough: _through, ttl: _ttl, isFreshValue: _fresh, ...rest } = effect;
      return { ...rest, kind: 'invalidate', invalidationKind: 'key', keys: effect.keys, client: 'redis' };
    }
    if (!effect.isWriteThrough && filled.length > 0 && overlapsAny(filled, roles().reads)) return { ...effect, isWriteThrough: true };
  }
  return null;
}

/**
 * One effect for what can only repeat itself: the same opaque call, or the same model read or
 * written at the same place (a model read by many paths of one call). Keeps summaries small as
 * they are composed up the call graph.
 */
function withoutRepeats(effects: readonly Effect[]): Effect[] {
  const seen = new Set<string>();
  const result: Effect[] = [];
  for (const effect of effects) {
    const where = effect.at ?? effect.node;
    const key =
      effect.kind === 'opaque'
        ? `o\u0000${effect.description}`
        : effect.kind === 'model-read'
          ? `r\u0000${effect.model}\u0000${String(where.pos)}\u0000${where.getSourceFile().fileName}\u0000${String(effect.isDeferred)}`
          : null;
    if (key !== null) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    result.push(effect);
  }
  return result;
}

/**
 * `cache.delete(key)` where `key` is bound by a `for … of` over that same cache, its `keys()` or
 * `entries()` (`for (const [key, value] of cache) if (value.expiresAt <= now) cache.delete(key)`):
 * the cache pruning or evicting its own entries.
 */
function isOwnEviction(ctx: FileContext, node: ts.Node): boolean {
  const { ts } = ctx;
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
  const [key] = node.arguments;
  if (node.arguments.length !== 1 || !key || !ts.isIdentifier(unwrap(ts, key))) return false;
  const name = (unwrap(ts, key) as ts.Identifier).text;
  const receiver = ctx.text(unwrap(ts, node.expression.expression));
  for (let parent = node.parent as ts.Node | undefined; parent && !ts.isFunctionLike(parent); parent = parent.parent) {
    if (!ts.isForOfStatement(parent) || !ts.isVariableDeclarationList(parent.initializer)) continue;
    const [declaration] = parent.initializer.declarations;
    const binding = declaration?.name;
    const first = binding && ts.isArrayBindingPattern(binding) ? binding.elements[0] : binding;
    const bound = first && ts.isBindingElement(first) ? first.name : first;
    if (!bound || !ts.isIdentifier(bound) || bound.text !== name) continue;
    const walked = unwrap(ts, parent.expression);
    const over =
      ts.isCallExpression(walked) &&
      ts.isPropertyAccessExpression(walked.expression) &&
      /^(keys|entries)$/.test(walked.expression.name.text)
        ? walked.expression.expression
        : walked;
    return ctx.text(unwrap(ts, over)) === receiver;
  }
  return false;
}
