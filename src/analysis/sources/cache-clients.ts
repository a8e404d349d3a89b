import type ts from 'typescript';
import { propertyNameText, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import { clientOf } from './clients.js';
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

/** `set(k, v, 'NX')`, `set(k, v, { nx: true })`, `set(k, v, { NX: true, EX: 10 })`. */
function isSetIfAbsent(ctx: FileContext, call: ts.CallExpression): boolean {
  const { ts } = ctx;
  return call.arguments.slice(2).some((arg) => {
    const expression = unwrap(ts, arg);
    if (ts.isStringLiteral(expression)) return expression.text.toUpperCase() === 'NX';
    if (ts.isObjectLiteralExpression(expression)) {
      return expression.properties.some((p) => p.name !== undefined && propertyNameText(ts, p.name)?.toUpperCase() === 'NX');
    }
    return false;
  });
}

/**
 * The expiry of a Redis fill: `set(k, v, 'EX', 300)`, `set(k, v, { EX: 300 })` (node-redis),
 * `set(k, v, { ex: 300 })` (Upstash), `PX` in milliseconds, `setex(k, 300, v)`, `psetex(k, ms, v)`.
 */
function redisTtl(ctx: FileContext, lower: string, call: ts.CallExpression): TtlArgument | undefined {
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
  if (lower === 'set' && isSetIfAbsent(ctx, call)) return [{ kind: 'redis-other', role: 'marker', keys: keys(call) }];
  if (REDIS_MARKERS.has(lower)) return [{ kind: 'redis-other', role: 'marker', keys: keys(call) }];
  if (REDIS_FILLS.has(lower)) {
    const value =
      lower === 'set' || lower === 'getset' ? call.arguments[1] : lower === 'setex' || lower === 'psetex' ? call.arguments[2] : undefined;
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
    return [{ kind: 'cache-fill', keys: name === 'mset' ? [] : keys(call), ttl }];
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
    if (kind === 'redis') return redisEffect(ctx, name, call) ?? cacheEffect(ctx, name, call, kind);
    if (kind === 'cache-like') {
      // A receiver known by its name only: the Redis commands that are not cache operations
      // still say what they are; the rest goes by receiverCalls.
      const lower = name.toLowerCase();
      if ((lower === 'set' && isSetIfAbsent(ctx, call)) || REDIS_MARKERS.has(lower))
        return [{ kind: 'redis-other', role: 'marker', keys: keys(call) }];
      if (REDIS_COUNTERS.has(lower)) return [{ kind: 'redis-other', role: 'counter', keys: keys(call) }];
      if (REDIS_DATA.has(lower)) return [{ kind: 'redis-other', role: 'data', keys: keys(call) }];
      const scanned = scannedPattern(ctx, name, call);
      if (scanned) return [{ kind: 'key-scan', keys: [{ expr: scanned, isKey: false }] }];
      if (REDIS_READS.has(lower)) return [{ kind: 'cache-read', keys: keys(call, lower === 'mget' ? 'all' : 1), loader: null }];
      return cacheEffect(ctx, name, call, kind);
    }
    return cacheEffect(ctx, name, call, kind);
  },
};
