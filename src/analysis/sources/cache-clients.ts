import type ts from 'typescript';
import { enclosingClass, propertyNameText, unwrap } from '../../ts/syntax.js';
import { classPropertyInitializer, constantOf } from '../context.js';
import { memoTable } from '../session.js';
import type { TS } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import { clientOf, isScopedMemo } from './clients.js';
import { isSetIfAbsent, setIfAbsentRole } from './set-if-absent.js';
import type { CallEffect, ClientKind, KeyArgument, Library, Source, SourceCall, TtlArgument } from './source.js';

/** Redis commands by what they do to a key (ioredis, node-redis, @upstash/redis spell them alike). */
const REDIS_READS = new Set(['get', 'mget', 'hget', 'hgetall', 'hmget', 'getex', 'json.get']);
const REDIS_FILLS = new Set(['set', 'setex', 'psetex', 'mset', 'hset', 'hmset', 'getset']);
const REDIS_DELETES = new Set(['del', 'unlink']);
const REDIS_COUNTERS = new Set(['incr', 'incrby', 'incrbyfloat', 'decr', 'decrby', 'hincrby', 'hincrbyfloat']);
const REDIS_MARKERS = new Set(['setnx', 'msetnx', 'hsetnx']);
const REDIS_DATA = new Set([
  'lpush',
  'rpush',
  'lpop',
  'rpop',
  'lrange',
  'lrem',
  'ltrim',
  'sadd',
  'srem',
  'smembers',
  'sismember',
  'zadd',
  'zrem',
  'zrange',
  'zrangebyscore',
  'zincrby',
  'zscore',
  'xadd',
  'xread',
  'publish',
  'pfadd',
  'geoadd',
  'blpop',
  'brpop',
  'hdel',
  'expire',
  'pexpire',
]);

/** Methods of cache-manager, Keyv and this project's runtime (`cache.get`, `cache.wrap(k, loader)`). */
const CACHE_READS = new Set(['get', 'mget']);
const CACHE_LOADING_READS = new Set([
  'wrap',
  'getOrSet',
  'remember',
  'fetch',
  'getDataOrSet',
  'withCache',
  'withCacheNullable',
  'getOrLoad',
  'cached',
  'rememberForever',
]);
/** Every method name that reads a key from a cache client (lower and camel case as written). */
export const CACHE_READ_METHODS: ReadonlySet<string> = new Set([...REDIS_READS, ...CACHE_READS, ...CACHE_LOADING_READS]);
const CACHE_FILLS = new Set(['set', 'mset', 'setKey']);
const CACHE_DELETES = new Set(['del', 'delete', 'mdel', 'unlink']);
const CACHE_FLUSHES = new Set(['reset', 'clear', 'flushall', 'flushdb']);

function keys(call: ts.CallExpression, count: number | 'all' = 1): KeyArgument[] {
  const args = count === 'all' ? call.arguments : call.arguments.slice(0, count);
  return args.map((expr) => ({ expr, isKey: true }));
}

/**
 * The expiry of a Redis fill: `set(k, v, 'EX', 300)`, `set(k, v, { EX: 300 })` (node-redis),
 * `set(k, v, { ex: 300 })` (Upstash), `PX` in milliseconds, `setex(k, 300, v)`, `psetex(k, ms, v)`.
 */
export function redisTtl(ctx: FileContext, lower: string, call: ts.CallExpression): TtlArgument | undefined {
  const { ts } = ctx;
  const args = call.arguments;
  if (lower === 'setex' || lower === 'psetex') {
    const expr = args[1];
    return expr ? { expr, unit: lower === 'setex' ? 'seconds' : 'milliseconds' } : undefined;
  }
  if (lower !== 'set') return undefined;
  for (let i = 2; i < args.length; i++) {
    const arg = unwrap(ts, args[i] as ts.Expression);
    if (ts.isStringLiteral(arg)) {
      const unit = expiryUnit(arg.text);
      const expr = args[i + 1];
      if (unit && expr) return { expr, unit };
    }
    if (ts.isObjectLiteralExpression(arg)) return ttlProperty(ctx, arg, expiryUnit);
  }
  return undefined;
}

function expiryUnit(option: string): TtlArgument['unit'] | null {
  const upper = option.toUpperCase();
  return upper === 'EX' ? 'seconds' : upper === 'PX' ? 'milliseconds' : null;
}

/** The property of an options object that names the expiry, with its unit. */
function ttlProperty(
  ctx: FileContext,
  object: ts.ObjectLiteralExpression,
  unitOf: (name: string) => TtlArgument['unit'] | null,
): TtlArgument | undefined {
  const { ts } = ctx;
  for (const property of object.properties) {
    if (!ts.isPropertyAssignment(property)) continue;
    const name = propertyNameText(ts, property.name);
    const unit = name === null ? null : unitOf(name);
    if (unit) return { expr: property.initializer, unit };
  }
  return undefined;
}

/**
 * The expiry of a cache client's fill, the argument after the value (after the loader for `wrap`):
 * cache-manager 5+ and Keyv take milliseconds, cache-manager 4 `{ ttl }` seconds, this project's
 * runtime (`setKey(key, value, ttlSeconds)`) seconds. A receiver known by its name only says no unit.
 */
function cacheTtl(ctx: FileContext, kind: ClientKind, arg: ts.Expression | undefined): TtlArgument | undefined {
  const { ts } = ctx;
  if (!arg) return undefined;
  const expression = unwrap(ts, arg);
  if (ts.isObjectLiteralExpression(expression))
    return ttlProperty(ctx, expression, (name) => (name === 'ttl' ? 'seconds' : expiryUnit(name)));
  if (ts.isFunctionLike(expression)) return undefined;
  if (kind === 'cache-manager' || kind === 'keyv') return { expr: arg, unit: 'milliseconds' };
  if (kind === 'runtime') return { expr: arg, unit: 'seconds' };
  const unit = writtenUnit(ts, expression);
  return unit ? { expr: arg, unit } : undefined;
}

/**
 * The unit an expiry says as written, for a cache known by its name only: a name that ends in it
 * (`STALE_MS`, `ttlSeconds`), or a product with 1000 (`5 * 60 * 1000`). Null: not said.
 */
function writtenUnit(ts: TS, expression: ts.Expression): TtlArgument['unit'] | null {
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const isThousand = (e: ts.Expression): boolean => ts.isNumericLiteral(e) && Number(e.text.replace(/_/g, '')) === 1000;
    if (isThousand(unwrap(ts, expression.left)) || isThousand(unwrap(ts, expression.right))) return 'milliseconds';
  }
  const name = ts.isIdentifier(expression) ? expression.text : ts.isPropertyAccessExpression(expression) ? expression.name.text : null;
  if (name === null) return null;
  if (/(_MS|_MILLIS|_MILLISECONDS|Ms|Millis|Milliseconds)$/.test(name)) return 'milliseconds';
  if (/(_S|_SEC|_SECS|_SECONDS|Sec|Secs|Seconds)$/.test(name)) return 'seconds';
  return null;
}

/** `scan(cursor, 'MATCH', p)`, `scan(cursor, { match: p })`, `scanStream({ match: p })`, `keys(p)`. */
function scannedPattern(ctx: FileContext, name: string, call: ts.CallExpression): ts.Expression | null {
  const { ts } = ctx;
  if (name === 'keys') return call.arguments[0] ?? null;
  if (name !== 'scan' && name !== 'scanStream' && name !== 'scanIterator' && name !== 'sscan') return null;
  const args = call.arguments;
  for (let i = 0; i < args.length; i++) {
    const arg = unwrap(ts, args[i] as ts.Expression);
    if (ts.isStringLiteral(arg) && arg.text.toUpperCase() === 'MATCH') return args[i + 1] ?? null;
    if (ts.isObjectLiteralExpression(arg)) {
      for (const property of arg.properties) {
        if (ts.isPropertyAssignment(property) && propertyNameText(ts, property.name)?.toUpperCase() === 'MATCH')
          return property.initializer;
      }
    }
  }
  return null;
}

function redisEffect(ctx: FileContext, name: string, call: ts.CallExpression): CallEffect[] | null {
  const lower = name.toLowerCase();
  if (REDIS_READS.has(lower)) return [{ kind: 'cache-read', keys: keys(call, lower === 'mget' ? 'all' : 1), loader: null }];
  if (lower === 'set' && isSetIfAbsent(ctx, call)) return [{ kind: 'redis-other', role: setIfAbsentRole(ctx, call), keys: keys(call) }];
  if (REDIS_MARKERS.has(lower)) return [{ kind: 'redis-other', role: 'marker', keys: keys(call) }];
  if (REDIS_FILLS.has(lower)) {
    const value = storedValue(lower, call);
    return [{ kind: 'cache-fill', keys: lower === 'mset' ? [] : keys(call), ttl: redisTtl(ctx, lower, call), ...(value ? { value } : {}) }];
  }
  if (REDIS_DELETES.has(lower)) return [{ kind: 'invalidate', invalidationKind: 'key', keys: keys(call, 'all'), client: 'redis' }];
  if (REDIS_COUNTERS.has(lower)) return [{ kind: 'redis-other', role: 'counter', keys: keys(call) }];
  if (REDIS_DATA.has(lower)) return [{ kind: 'redis-other', role: 'data', keys: keys(call) }];
  if (lower === 'flushall' || lower === 'flushdb') return [{ kind: 'invalidate', invalidationKind: 'pattern', keys: [{ flush: true }] }];
  const scanned = scannedPattern(ctx, name, call);
  if (scanned) return [{ kind: 'key-scan', keys: [{ expr: scanned, isKey: false }] }];
  return null;
}

/** The value a fill of one key stores (`set(key, value)`, `setex(key, ttl, value)`). */
function storedValue(lower: string, call: ts.CallExpression): ts.Expression | undefined {
  if (lower === 'set' || lower === 'getset') return call.arguments[1];
  return lower === 'setex' || lower === 'psetex' ? call.arguments[2] : undefined;
}

function cacheEffect(ctx: FileContext, name: string, call: ts.CallExpression, kind: ClientKind): CallEffect[] | null {
  const { ts } = ctx;
  const isByName = kind === 'cache-like';
  if (CACHE_LOADING_READS.has(name) && call.arguments.length >= 2) {
    // `wrap(key, loader)`, and `withCache(loader, key, ttl)` with the loader first.
    const isFunction = (a: ts.Expression): boolean => ts.isFunctionLike(unwrap(ts, a));
    const key = call.arguments.find((a) => !isFunction(a));
    const loader = call.arguments.find(isFunction) ?? call.arguments.slice(1).find((a) => ts.isIdentifier(unwrap(ts, a))) ?? null;
    const rest = call.arguments.filter((a) => a !== key && a !== loader);
    // A loading read on a cache known by its name only (a wrapper, a facade) says no unit: its ttl is not known.
    const ttl = cacheTtl(ctx, kind, rest[0]);
    return [{ kind: 'cache-read', keys: key ? [{ expr: key, isKey: true }] : [], loader, ttl }];
  }
  if (CACHE_READS.has(name)) {
    // `cache.get(id, async () => load(id))`: a get given the loader of a miss (vendure's `Cache`).
    const loader = name === 'get' ? (call.arguments.slice(1).find((a) => ts.isFunctionLike(unwrap(ts, a))) ?? null) : null;
    return [{ kind: 'cache-read', keys: keys(call, name === 'mget' ? 'all' : 1), loader }];
  }
  // On a receiver known only by its name, the configured receiverCalls say what invalidates.
  const invalidates = isByName ? ctx.options.receiverCalls.has(name) : true;
  if (!invalidates) return null;
  if (CACHE_FILLS.has(name)) {
    const ttl = redisTtl(ctx, name.toLowerCase(), call) ?? cacheTtl(ctx, kind, call.arguments[2]);
    const value = storedValue(name.toLowerCase(), call);
    return [{ kind: 'cache-fill', keys: name === 'mset' ? [] : keys(call), ttl, ...(value ? { value } : {}) }];
  }
  if (CACHE_FLUSHES.has(name)) return [{ kind: 'invalidate', invalidationKind: 'pattern', keys: [{ flush: true }] }];
  if (CACHE_DELETES.has(name) || isByName) {
    const client = kind === 'redis' || kind === 'cache-manager' || kind === 'keyv' ? kind : null;
    return [{ kind: 'invalidate', invalidationKind: 'key', keys: keys(call, 'all'), ...(client ? { client } : {}) }];
  }
  return null;
}

/** The cache clients, by the modules they are imported from; the runtime is this project's own (`cache-audit/runtime`). */
const LIBRARIES: readonly Library[] = [
  {
    modules:
      /^(ioredis|redis|@redis\/client|@upstash\/redis|@vercel\/kv|@nestjs-modules\/ioredis|@liaoliaots\/nestjs-redis|nestjs-redis|@songkeys\/nestjs-redis)(\/|$)/,
    client: 'redis',
  },
  { modules: /^(cache-manager|@nestjs\/cache-manager)(\/|$)/, client: 'cache-manager' },
  { modules: /^(keyv|@keyv\/)/, client: 'keyv' },
  { modules: /^(@cache-audit\/runtime|cache-audit)(\/|$)/, client: 'runtime' },
];

/** ioredis, node-redis, @upstash/redis, cache-manager, Keyv, and receivers named like a cache. */
export const cacheClients: Source = {
  id: 'cache-clients',
  libraries: LIBRARIES,
  cacheText: /redis|cache|keyv|\bkv\b/i,
  classify({ ctx, call, name, receiver }: SourceCall) {
    if (!receiver) return null;
    const kind = clientOf(ctx, receiver);
    if (kind === null || kind === 'project') return null;
    // A memo of one call or one request holds nothing the next one can find stale.
    if (kind === 'cache-like' && isScopedMemo(ctx, receiver)) return [];
    return clientEffects(ctx, call, name, kind);
  },
};

/** The methods through which a keyed cache is read, filled or cleared. */
const KEYED_METHODS = new Set([...CACHE_READ_METHODS, ...CACHE_FILLS, ...CACHE_DELETES]);

/**
 * Caches made with a key builder (`createCache({ getKey })`, see `keyedCacheOf`), whatever their
 * declared class: asked before the project's functions are followed, since the cache's own class
 * (`get(id) { … this.config.getKey(id) … }`) says less than the call that made it.
 */
export const keyedCaches: Source = {
  id: 'keyed-caches',
  precedesHelpers: true,
  classify({ ctx, call, name, receiver }: SourceCall) {
    if (!receiver || !KEYED_METHODS.has(name)) return null;
    const keyed = keyedCacheOf(ctx, receiver);
    if (!keyed) return null;
    const kind = clientOf(ctx, receiver);
    const effects = clientEffects(ctx, call, name, kind === null || kind === 'project' ? 'cache-like' : kind);
    return effects?.map((effect) => throughBuilder(effect, keyed)) ?? null;
  },
};

/** An effect on a keyed cache: its keys are what the builder makes of the arguments, its expiry the cache's. */
function throughBuilder(effect: CallEffect, keyed: KeyedCache): CallEffect {
  if (!('keys' in effect)) return effect;
  const keys = effect.keys.map((key) => ('flush' in key ? key : { ...key, builder: { fn: keyed.getKey, ctx: keyed.ctx } }));
  if ((effect.kind === 'cache-read' || effect.kind === 'cache-fill') && !effect.ttl && keyed.ttl)
    return { ...effect, keys, ttl: keyed.ttl };
  return { ...effect, keys };
}

function clientEffects(ctx: FileContext, call: ts.CallExpression, name: string, kind: ClientKind): CallEffect[] | null {
  if (kind === 'redis') return redisEffect(ctx, name, call) ?? cacheEffect(ctx, name, call, kind);
  if (kind === 'cache-like') {
    // A receiver known by its name only: the Redis commands that are not cache operations
    // still say what they are; the rest goes by receiverCalls.
    const lower = name.toLowerCase();
    if (lower === 'set' && isSetIfAbsent(ctx, call)) return [{ kind: 'redis-other', role: setIfAbsentRole(ctx, call), keys: keys(call) }];
    if (REDIS_MARKERS.has(lower)) return [{ kind: 'redis-other', role: 'marker', keys: keys(call) }];
    if (REDIS_COUNTERS.has(lower)) return [{ kind: 'redis-other', role: 'counter', keys: keys(call) }];
    if (REDIS_DATA.has(lower)) return [{ kind: 'redis-other', role: 'data', keys: keys(call) }];
    const scanned = scannedPattern(ctx, name, call);
    if (scanned) return [{ kind: 'key-scan', keys: [{ expr: scanned, isKey: false }] }];
    // `get(id, () => load(id))` is a cache's get given the loader of a miss, not Redis's GET.
    const hasLoader = call.arguments.slice(1).some((a) => ctx.ts.isFunctionLike(unwrap(ctx.ts, a)));
    if (REDIS_READS.has(lower) && !hasLoader) return [{ kind: 'cache-read', keys: keys(call, lower === 'mget' ? 'all' : 1), loader: null }];
    return cacheEffect(ctx, name, call, kind);
  }
  return cacheEffect(ctx, name, call, kind);
}

/** Per class or file: the values assigned to each name (`this.cache = …`, `cache = …`). */
const ASSIGNMENTS = memoTable<ts.Node, ReadonlyMap<string, readonly ts.Expression[]>>('assignments by name');

/** The options of a cache-making call that build the key from what the cache's methods are given. */
const KEY_BUILDERS = new Set(['getKey', 'keyBuilder', 'keyGenerator', 'buildKey', 'makeKey', 'toKey']);

/**
 * A cache made with a key builder (`createCache({ getKey: (id) => \`facet:${id}\`, options: { ttl } })`):
 * its `get(id)`, `set(id, v)` and `delete(id)` take what the builder turns into the key, and the
 * expiry is the one the options give.
 */
interface KeyedCache {
  readonly getKey: ts.FunctionLikeDeclaration;
  /** The file the cache is made in (its builder's), when another than the call's. */
  readonly ctx: FileContext;
  readonly ttl?: TtlArgument;
}

/**
 * The keyed cache a receiver holds: the call that made it (a `const`, a class property initialised
 * with it, or the one value assigned to it, as in an `init()` method) given an options object with a
 * key-builder function. Null for anything else.
 */
function keyedCacheOf(ctx: FileContext, receiver: ts.Expression): KeyedCache | null {
  const { ts } = ctx;
  const made = madeBy(ctx, unwrap(ts, receiver));
  if (!made || !ts.isCallExpression(made.call)) return null;
  const at = made.ctx;
  for (const argument of made.call.arguments) {
    const options = unwrap(ts, argument);
    if (!ts.isObjectLiteralExpression(options)) continue;
    const getKey = builderIn(at, options);
    if (getKey) {
      const ttl = ttlIn(at, options);
      return ttl ? { getKey, ctx: at, ttl } : { getKey, ctx: at };
    }
  }
  return null;
}

/**
 * The value a receiver was made from, with the file it is written in: a `const` (imported too), a
 * class property's initializer, or its one assignment.
 */
export function madeBy(ctx: FileContext, object: ts.Expression): { call: ts.Expression; ctx: FileContext } | null {
  const { ts } = ctx;
  if (ts.isIdentifier(object)) {
    const constant = constantOf(ctx, object);
    if (constant) return { call: unwrap(ts, constant.init), ctx: constant.ctx };
    const assigned = onlyAssigned(ctx, ctx.sourceFile, object.text);
    return assigned ? { call: unwrap(ts, assigned), ctx } : null;
  }
  if (!ts.isPropertyAccessExpression(object) || unwrap(ts, object.expression).kind !== ts.SyntaxKind.ThisKeyword) return null;
  const init = classPropertyInitializer(ctx, object) ?? onlyAssignedInClass(ctx, object);
  return init ? { call: unwrap(ts, init), ctx } : null;
}

function onlyAssignedInClass(ctx: FileContext, object: ts.PropertyAccessExpression): ts.Expression | null {
  const owner = enclosingClass(ctx.ts, object);
  return owner ? onlyAssigned(ctx, owner, object.name.text) : null;
}

/** The right side of the one assignment under `root` to `name` (`this.name` for a class); null when none or several. */
function onlyAssigned(ctx: FileContext, root: ts.Node, name: string): ts.Expression | null {
  const { ts } = ctx;
  const byName = ctx.session.memo(ASSIGNMENTS, root, () => {
    const found = new Map<string, ts.Expression[]>();
    const isClass = ts.isClassLike(root);
    const visit = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const left = unwrap(ts, node.left);
        const target = isClass
          ? ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword
            ? left.name.text
            : null
          : ts.isIdentifier(left)
            ? left.text
            : null;
        if (target !== null) found.set(target, [...(found.get(target) ?? []), node.right]);
      }
      ts.forEachChild(node, visit);
    };
    visit(root);
    return found;
  });
  const values = byName.get(name) ?? [];
  return values.length === 1 ? (values[0] ?? null) : null;
}

function builderIn(ctx: FileContext, options: ts.ObjectLiteralExpression): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  for (const property of options.properties) {
    const name = property.name ? propertyNameText(ts, property.name) : null;
    if (name === null || !KEY_BUILDERS.has(name)) continue;
    if (ts.isMethodDeclaration(property) && property.body) return property;
    if (ts.isPropertyAssignment(property)) {
      const value = unwrap(ts, property.initializer);
      if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return value;
    }
  }
  return null;
}

/**
 * The expiry of the options (`ttl`, or `ttl` of a nested `options`), in milliseconds where the code
 * says so (`ms('1w')`, `60 * 1000`, a name ending in `Ms`) and in seconds where it says `Seconds`;
 * absent where it does not say the unit.
 */
export function ttlIn(ctx: FileContext, options: ts.ObjectLiteralExpression, depth = 0): TtlArgument | undefined {
  const { ts } = ctx;
  for (const property of options.properties) {
    if (!ts.isPropertyAssignment(property)) continue;
    const name = propertyNameText(ts, property.name);
    const value = unwrap(ts, property.initializer);
    if (name === 'options' && ts.isObjectLiteralExpression(value) && depth === 0) return ttlIn(ctx, value, depth + 1);
    if (name === 'ttl' || name === 'ttlMs' || name === 'ttlSeconds') {
      const unit = name === 'ttlSeconds' ? 'seconds' : name === 'ttlMs' || isMilliseconds(ctx, value) ? 'milliseconds' : null;
      return unit ? { expr: property.initializer, unit } : undefined;
    }
  }
  return undefined;
}

/** `ms('1w')` (the `ms` package), or a product with 1000. */
function isMilliseconds(ctx: FileContext, value: ts.Expression): boolean {
  const { ts } = ctx;
  if (ts.isCallExpression(value) && ts.isIdentifier(value.expression)) return ctx.importOf(value.expression.text)?.module === 'ms';
  if (!ts.isBinaryExpression(value) || value.operatorToken.kind !== ts.SyntaxKind.AsteriskToken) return false;
  const isThousand = (e: ts.Expression): boolean => {
    const operand = unwrap(ts, e);
    return ts.isNumericLiteral(operand) && Number(operand.text.replace(/_/g, '')) === 1000;
  };
  return isThousand(value.left) || isThousand(value.right) || isMilliseconds(ctx, unwrap(ts, value.left));
}
