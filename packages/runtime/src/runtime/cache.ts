import { createHash } from 'node:crypto';
import { escapeGlob } from '../patterns/escape.js';
import type { CacheRegistry, KeyParams } from '../registry/define.js';
import type { KeyDefinition, ParamValue, RegistryEntry } from '../registry/model.js';
import { CacheKeys, UNREGISTERED } from './cache-keys.js';
import { CacheDeleteError, within } from './errors.js';
import { CacheValues, toJson } from './lease.js';
import { CacheMetrics } from './metrics.js';
import type { CacheLogger, CacheStore } from './store.js';
import { createFailureWarner } from './warnings.js';
import type { FailureKind } from './warnings.js';

type Keys = Readonly<Record<string, KeyDefinition>>;

/** One call of a decorated handler, for filling `{param}` placeholders. */
export interface Invocation {
  readonly args: readonly unknown[];
  readonly instance: unknown;
  readonly methodName: string;
}

export type ParamResolver = (invocation: Invocation) => Readonly<Record<string, ParamValue | undefined>>;

export interface CacheErrorContext {
  /** `invalidate`: a parameter value was refused before any delete (it would have widened it). */
  readonly operation: 'get' | 'set' | 'deletePattern' | 'invalidate';
  readonly key?: string;
  readonly pattern?: string;
  /** For a failed delete: the keys it deleted before it failed (also counted in `keysDeleted`). */
  readonly deleted?: number;
}

export interface CacheOptions<K extends Keys> {
  readonly registry: CacheRegistry<K>;
  readonly store: CacheStore;
  /** Where `Cache hit: …`, `Cache miss: …` and `Invalidated cache pattern: …` go; quiet by default. */
  readonly logger?: CacheLogger;
  /** Fills `{param}` placeholders of decorator patterns and `@Cacheable` keys from a handler call. */
  readonly resolveParams?: ParamResolver;
  /**
   * Receives every failed cache operation (after it was logged and counted). With neither `onError`
   * nor `logger.error` (and not `strict`), failures are not silent: a failed invalidation, a partial
   * delete, a failed fill and a failed read each raise a `process.emitWarning` (`console.warn` where
   * there is no `process`), at most once a minute per kind.
   */
  readonly onError?: (error: unknown, context: CacheErrorContext) => void;
  /** Rethrow failed operations instead of reporting them and carrying on. */
  readonly strict?: boolean;
  /**
   * What `setKey` does with a key that no registry template describes: `warn` (the default outside
   * production), `throw`, or `ignore` (the default when NODE_ENV is `production`).
   */
  readonly unregisteredKeys?: 'warn' | 'throw' | 'ignore';
  /** Make this the process-wide cache that `getCache()` and the decorators use (default true). */
  readonly global?: boolean;
  /** The clock, in milliseconds. */
  readonly now?: () => number;
  /** Longest wait for one get or set, in milliseconds (default 1000); past it the error is reported and a read loads. */
  readonly timeoutMs?: number;
  /** Longest wait for one pattern delete, in milliseconds (default 10000). */
  readonly deleteTimeoutMs?: number;
  /** Longest key or pattern, in characters, prefix included (default 1024): longer ones are refused. */
  readonly maxKeyLength?: number;
  /**
   * Fill leases (default true): a `getOrSet` fill that started before an invalidation never lands
   * after it. Needs a store with `setIfAbsent` and `replaceIf` (both shipped stores have them).
   */
  readonly leases?: boolean;
  /** How long a fill lease holds, in milliseconds (default 10000): a slower load is served but not cached. */
  readonly leaseMs?: number;
}

export interface WarmEntry {
  readonly name: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly load: () => unknown;
}

export interface Cache<K extends Keys = Keys> {
  readonly registry: CacheRegistry<K>;
  readonly store: CacheStore;
  readonly metrics: CacheMetrics;
  readonly strict: boolean;
  get<T = unknown, N extends keyof K & string = keyof K & string>(name: N, params: KeyParams<K[N]['template']>): Promise<T | undefined>;
  set<N extends keyof K & string>(name: N, params: KeyParams<K[N]['template']>, value: unknown): Promise<void>;
  /**
   * The cached value, or the loader's result, stored with the family's ttl unless an invalidation
   * touched the key while it loaded. Concurrent misses share one load, until an invalidation.
   */
  getOrSet<T, N extends keyof K & string = keyof K & string>(
    name: N,
    params: KeyParams<K[N]['template']>,
    load: () => T | Promise<T>,
  ): Promise<T>;
  /** Deletes the keys matching a Redis glob (without the registry prefix); resolves to how many. */
  deletePattern(pattern: string): Promise<number>;
  /** Fills `{param}` placeholders (values escaped) and deletes each pattern once. */
  invalidate(patterns: readonly string[], params?: Readonly<Record<string, ParamValue | undefined>>): Promise<number>;
  /** Writes a raw key (without prefix); checks it against the registry first. */
  setKey(key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  /** Fills chosen keys at start-up; resolves to how many were written and which failed. */
  warm(entries: readonly WarmEntry[]): Promise<{ warmed: number; failed: { name: string; error: unknown }[] }>;
  /** The parameters of a handler call, from the cache's resolver. */
  resolveParams(invocation: Invocation): Readonly<Record<string, ParamValue | undefined>>;
  /** The family whose template describes `key` (without prefix), or null. */
  familyOf(key: string): RegistryEntry | null;
  close(): Promise<void>;
}

let current: Cache | null = null;

/** The process-wide cache, set by `createCache`. */
export function getCache(): Cache {
  if (!current) {
    throw new Error('No cache has been created: call createCache({ registry, store }) when the application starts.');
  }
  return current;
}

/** Forgets the process-wide cache (between tests, or at shutdown). */
export function resetCache(): void {
  current = null;
}

/** A short, stable digest of handler arguments, for a `{hash}` parameter nobody supplies. */
export function hashArguments(args: readonly unknown[]): string | null {
  try {
    return createHash('sha1').update(JSON.stringify(args)).digest('hex').slice(0, 16);
  } catch {
    return null;
  }
}

type Params = Readonly<Record<string, ParamValue | undefined>>;

function failureKind(context: CacheErrorContext): FailureKind {
  if (context.operation === 'get') return 'read';
  if (context.operation === 'set') return 'fill';
  return (context.deleted ?? 0) > 0 ? 'partial-delete' : 'invalidation';
}

/**
 * The cache of a registry over a store. Its parts are modules of their own: the keys and patterns
 * it accepts (cache-keys.ts), the values and the fill lease protocol (lease.ts); here they are put
 * together with failure reporting, pattern deletes and the process-wide cache.
 */
export function createCache<K extends Keys>(options: CacheOptions<K>): Cache<K> {
  const { registry, store } = options;
  const logger = options.logger ?? {};
  const isStrict = options.strict ?? false;
  const now = options.now ?? Date.now;
  const maxKeyLength = options.maxKeyLength ?? 1024;
  const metrics = new CacheMetrics(now);
  const unregistered =
    options.unregisteredKeys ??
    ((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['NODE_ENV'] === 'production'
      ? 'ignore'
      : 'warn');
  const prefix = registry.prefix;
  const keys = new CacheKeys(registry, maxKeyLength, logger);
  const fail = failureReporter(options, now);
  const values = new CacheValues({
    store,
    metrics,
    logger,
    timeoutMs: options.timeoutMs ?? 1000,
    isLeasing: options.leases ?? true,
    leaseMs: options.leaseMs ?? 10_000,
    ttlOf: (family) => registry.entry(family).ttl,
    failFor: (family, error, context) => {
      metrics.recordError(family);
      fail(error, context);
    },
  });
  const deletion = { store, metrics, logger, now, deleteTimeoutMs: options.deleteTimeoutMs ?? 10_000, keys, fail };
  const remove = (pattern: string, families: readonly string[]): Promise<number> => deleteMatching(deletion, prefix, pattern, families);
  const parts: Parts = { keys, values, metrics, logger, fail, remove, prefix, unregistered };

  const cache: Cache<K> = {
    registry,
    store,
    metrics,
    strict: isStrict,

    async get<T>(name: keyof K & string, params: object): Promise<T | undefined> {
      const found = await values.read<T>(name, keys.keyOf(name, params as Params));
      return found.isHit ? found.value : undefined;
    },

    async set(name: keyof K & string, params: object, value: unknown): Promise<void> {
      const key = keys.keyOf(name, params as Params);
      const serialized = toJson(value);
      if (serialized !== undefined) await values.write(name, key, serialized, registry.entry(name).ttl);
    },

    async getOrSet<T>(name: keyof K & string, params: object, loader: () => T | Promise<T>): Promise<T> {
      return values.getOrSet(name, keys.keyOf(name, params as Params), loader);
    },

    deletePattern: (pattern: string): Promise<number> =>
      remove(pattern, pattern.length > maxKeyLength ? [UNREGISTERED] : keys.factsOf(pattern, false).families),

    invalidate: (patterns, params = {}) => invalidatePatterns(parts, patterns, params),
    setKey: (key, value, ttlSeconds) => writeKey(parts, key, value, ttlSeconds),
    warm: (entries) => warmUp(cache, logger, entries),
    resolveParams: (invocation) => options.resolveParams?.(invocation) ?? {},
    familyOf: (key) => keys.familyOf(key),

    async close(): Promise<void> {
      if (current === (cache as unknown as Cache)) current = null;
      await store.close?.();
    },
  };
  if (options.global ?? true) current = cache;
  return cache;
}

/** What the operations of a cache share. */
interface Parts {
  readonly keys: CacheKeys;
  readonly values: CacheValues;
  readonly metrics: CacheMetrics;
  readonly logger: CacheLogger;
  readonly fail: (error: unknown, context: CacheErrorContext) => void;
  /** Deletes a filled pattern (without prefix), counted for these families. */
  readonly remove: (pattern: string, families: readonly string[]) => Promise<number>;
  readonly prefix: string;
  readonly unregistered: 'warn' | 'throw' | 'ignore';
}

/** Fills each pattern's placeholders and deletes each filled pattern once; a refused one is reported, the others go on. */
async function invalidatePatterns(parts: Parts, patterns: readonly string[], params: Params): Promise<number> {
  const { keys, metrics, fail } = parts;
  let total = 0;
  const done = new Set<string>();
  for (const pattern of patterns) {
    const filled = keys.fill(pattern, params);
    if ('error' in filled) {
      metrics.recordInvalidation(keys.factsOf(pattern, true).families, 0, 0, true);
      fail(filled.error, { operation: 'invalidate', pattern });
      continue;
    }
    if (done.has(filled.pattern)) continue;
    done.add(filled.pattern);
    total += await parts.remove(filled.pattern, keys.factsOf(pattern, true).families);
  }
  return total;
}

/** Writes a raw key (without prefix), checked against the registry first. */
async function writeKey(parts: Parts, key: string, value: unknown, ttlSeconds: number | undefined): Promise<void> {
  const { keys, prefix, unregistered } = parts;
  const refused = keys.writeRefusal(prefix + key);
  if (refused) throw refused;
  const family = keys.familyOf(key);
  if (!family && unregistered !== 'ignore') {
    const message = `The cache key ${key} matches no registered template: add it to the registry.`;
    if (unregistered === 'throw') throw new Error(message);
    parts.logger.warn?.(message);
  }
  const serialized = toJson(value);
  if (serialized !== undefined) await parts.values.write(family?.name ?? UNREGISTERED, prefix + key, serialized, ttlSeconds ?? family?.ttl);
}

/**
 * Reports a failed operation: to the error log, to `onError`, by a rethrow when strict; a failure
 * nobody hears of (no error log, no onError, no rejection) is still never silent.
 */
function failureReporter(
  options: Pick<CacheOptions<Keys>, 'logger' | 'onError' | 'strict'>,
  now: () => number,
): (error: unknown, context: CacheErrorContext) => void {
  const logger = options.logger ?? {};
  const isStrict = options.strict ?? false;
  const warn = logger.error || options.onError || isStrict ? null : createFailureWarner(now);
  return (error, context) => {
    const target = context.key ?? context.pattern ?? '';
    const deleted = context.deleted === undefined ? '' : ` (${String(context.deleted)} keys deleted before it stopped)`;
    logger.error?.(`Cache ${context.operation} failed: ${target}${deleted}`, error);
    options.onError?.(error, context);
    if (isStrict) throw error;
    if (warn) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      warn(failureKind(context), `Cache ${context.operation} failed: ${target}${deleted}. ${reason}`);
    }
  };
}

/** What a pattern delete needs of its cache. */
interface Deletion {
  readonly store: CacheStore;
  readonly metrics: CacheMetrics;
  readonly logger: CacheLogger;
  readonly now: () => number;
  readonly deleteTimeoutMs: number;
  readonly keys: CacheKeys;
  readonly fail: (error: unknown, context: CacheErrorContext) => void;
}

/** Deletes `pattern` (without prefix); failures are reported with the count deleted before them. */
async function deleteMatching(deletion: Deletion, prefix: string, pattern: string, families: readonly string[]): Promise<number> {
  const { store, metrics, logger, now, fail } = deletion;
  const full = escapeGlob(prefix) + pattern;
  const refused = deletion.keys.refusal(full);
  if (refused) {
    metrics.recordInvalidation(families, 0, 0, true);
    fail(refused, { operation: 'deletePattern', pattern: full, deleted: 0 });
    return 0;
  }
  const started = now();
  const controller = new AbortController();
  let progress = 0;
  try {
    const deleted = await within(
      store.deletePattern(full, { signal: controller.signal, onDeleted: (count) => (progress += count) }),
      deletion.deleteTimeoutMs,
      'deletePattern',
      full,
      () => {
        controller.abort();
      },
    );
    metrics.recordInvalidation(families, deleted, now() - started, false);
    logger.info?.(`Invalidated cache pattern: ${full} (${String(deleted)} keys)`);
    return deleted;
  } catch (error) {
    const deleted = error instanceof CacheDeleteError ? Math.max(error.deleted, progress) : progress;
    metrics.recordInvalidation(families, deleted, now() - started, true);
    fail(error, { operation: 'deletePattern', pattern: full, deleted });
    return deleted;
  }
}

/** Fills chosen keys, one after the other; a failed entry is logged and listed, the others go on. */
async function warmUp(
  cache: Cache,
  logger: CacheLogger,
  entries: readonly WarmEntry[],
): Promise<{ warmed: number; failed: { name: string; error: unknown }[] }> {
  let warmed = 0;
  const failed: { name: string; error: unknown }[] = [];
  for (const entry of entries) {
    try {
      await cache.set(entry.name, entry.params, await entry.load());
      warmed++;
    } catch (error) {
      logger.warn?.(`Cache warm-up of ${entry.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      failed.push({ name: entry.name, error });
    }
  }
  return { warmed, failed };
}
