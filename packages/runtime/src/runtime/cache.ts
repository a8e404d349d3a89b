import { createHash, randomUUID } from 'node:crypto';
import { overlaps } from '../patterns/operations.js';
import { parsePattern } from '../patterns/parse.js';
import { escapeGlob } from '../patterns/escape.js';
import type { CacheRegistry, KeyParams } from '../registry/define.js';
import { fillTemplate, loneSurrogateAt, ownParam, quoteValue, templateRegExp } from '../registry/model.js';
import type { KeyDefinition, ParamValue, RegistryEntry } from '../registry/model.js';
import { BoundedMap } from './bounded-map.js';
import { CacheDeleteError, CacheKeyError, CacheValueError, within } from './errors.js';
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

const UNREGISTERED = '(unregistered)';
const PLACEHOLDER = /\{([A-Za-z_$][\w$]*)\}/g;
/** What a lease holds in place of a value: JSON never starts with a NUL. */
const LEASE = '\u0000cache-audit-lease:';
/** Distinct patterns whose families are remembered. */
const MEMO_SIZE = 1000;
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

/** `JSON.stringify` as it behaves: undefined for undefined, a function or a symbol, which its declared type omits. */
const toJson = (value: unknown): string | undefined => JSON.stringify(value);

type Params = Readonly<Record<string, ParamValue | undefined>>;

/** What a read found: a value, or a miss, and why when the key held something else. */
type Lookup<T> =
  | { readonly isHit: true; readonly value: T }
  | { readonly isHit: false; readonly state: 'absent' | 'corrupt' | 'unreachable' }
  | { readonly isHit: false; readonly state: 'leased'; readonly token: string };

type Miss = Lookup<unknown> & { isHit: false };

/** A load in progress, shared by concurrent misses of its key. */
interface Fill {
  promise: Promise<unknown>;
  /** Its lease: undefined while being taken (the loader has not started), null when it has none. */
  token: string | null | undefined;
}

interface PatternFacts {
  readonly families: string[];
  /** Names used as a hash tag by a family that the pattern reaches. */
  readonly hashTags: ReadonlySet<string>;
}

function failureKind(context: CacheErrorContext): FailureKind {
  if (context.operation === 'get') return 'read';
  if (context.operation === 'set') return 'fill';
  return (context.deleted ?? 0) > 0 ? 'partial-delete' : 'invalidation';
}

export function createCache<K extends Keys>(options: CacheOptions<K>): Cache<K> {
  const { registry, store } = options;
  const logger = options.logger ?? {};
  const isStrict = options.strict ?? false;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 1000;
  const deleteTimeoutMs = options.deleteTimeoutMs ?? 10_000;
  const maxKeyLength = options.maxKeyLength ?? 1024;
  const leaseMs = options.leaseMs ?? 10_000;
  const setIfAbsent = store.setIfAbsent?.bind(store);
  const replaceIf = store.replaceIf?.bind(store);
  const hasLeases = (options.leases ?? true) && setIfAbsent !== undefined && replaceIf !== undefined;
  const metrics = new CacheMetrics(now);
  const unregistered =
    options.unregisteredKeys ??
    ((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['NODE_ENV'] === 'production'
      ? 'ignore'
      : 'warn');
  const prefix = registry.prefix;
  const matchers = registry.entries.map((entry) => ({ entry, regExp: templateRegExp(entry) }));
  // Keyed by the pattern as written (placeholders unfilled), so values never add entries; bounded
  // all the same, since `deletePattern` takes any pattern.
  const facts = new BoundedMap<string, PatternFacts>(MEMO_SIZE);
  const inFlight = new Map<string, Fill>();
  const paramNames = new Set(registry.entries.flatMap((entry) => entry.params));

  // A failure nobody hears of (no error log, no onError, no rejection) is still never silent.
  const warn = logger.error || options.onError || isStrict ? null : createFailureWarner(now);

  const fail = (error: unknown, context: CacheErrorContext): void => {
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

  /** A failed read or write of a family's key: counted, then reported. */
  const failFor = (family: string, error: unknown, context: CacheErrorContext): void => {
    metrics.recordError(family);
    fail(error, context);
  };

  const familyOf = (key: string): RegistryEntry | null => matchers.find((m) => m.regExp.test(key))?.entry ?? null;

  /** The families a pattern reaches; `hasPlaceholders` reads `{name}` as a parameter. */
  const factsOf = (pattern: string, hasPlaceholders: boolean): PatternFacts => {
    const memoKey = `${hasPlaceholders ? '1' : '0'}${pattern}`;
    let found = facts.get(memoKey);
    if (!found) {
      const parsed = parsePattern(pattern, { placeholders: hasPlaceholders });
      const reached = parsed.errors.length > 0 ? [] : registry.entries.filter((entry) => overlaps(parsed, entry.parsed));
      const hashTags = new Set(reached.flatMap((entry) => (entry.hashTag && hasPlaceholders ? [entry.hashTag] : [])));
      found = { families: reached.length === 0 ? [UNREGISTERED] : reached.map((entry) => entry.name), hashTags };
      facts.set(memoKey, found);
    }
    return found;
  };

  /** Why the store must not be given `text` (a key or pattern, prefix included), or null. */
  const refusal = (text: string): CacheKeyError | null => {
    if (text.length > maxKeyLength) {
      return new CacheKeyError(
        `The cache key or pattern ${text.slice(0, 60)}… is ${String(text.length)} characters long, over maxKeyLength (${String(maxKeyLength)}): shorten the parameter values (hash long ones) or raise maxKeyLength.`,
      );
    }
    const at = loneSurrogateAt(text);
    return at === -1
      ? null
      : new CacheKeyError(
          `The cache key or pattern ${quoteValue(text)} is not well-formed UTF-16 (a lone surrogate at ${String(at)}): Redis would store it as U+FFFD, in the keys of another value.`,
        );
  };

  /**
   * Why `key` (prefix included) must not be written, or null. The pattern that deletes exactly it is
   * the key with its glob characters escaped, longer than the key: a key whose pattern would be
   * refused could be written but never invalidated.
   */
  const writeRefusal = (key: string): CacheKeyError | null => {
    const refused = refusal(key);
    if (refused) return refused;
    const escaped = escapeGlob(key).length;
    return escaped > maxKeyLength
      ? new CacheKeyError(
          `The cache key ${key.slice(0, 60)}… is not written: it is ${String(key.length)} characters long, but the pattern that invalidates it (its glob characters escaped) is ${String(escaped)}, over maxKeyLength (${String(maxKeyLength)}), so it could never be invalidated. Shorten the parameter values (hash long ones) or raise maxKeyLength.`,
        )
      : null;
  };

  /**
   * Fills `{param}` placeholders, escaped. A value that would span segments (`:`) or match any
   * segment (empty) is refused: no key holds it, and filled in it would widen the delete.
   */
  const fill = (pattern: string, params: Params): { pattern: string } | { error: CacheKeyError } => {
    const { hashTags } = factsOf(pattern, true);
    const refused: string[] = [];
    const malformed: string[] = [];
    const filled = pattern.replace(PLACEHOLDER, (whole, name: string) => {
      if (!paramNames.has(name)) return whole;
      const value = ownParam(params, name);
      if (value === undefined) {
        // No value at all: deleting more is stale-safe; deleting less would leave stale data behind.
        logger.warn?.(`No value for {${name}} in cache pattern ${pattern}: invalidating every ${name}.`);
        return '*';
      }
      const text = String(value);
      if (text === '' || text.includes(':')) {
        refused.push(`{${name}} = ${quoteValue(text)}`);
        return whole;
      }
      if (loneSurrogateAt(text) !== -1) {
        malformed.push(`{${name}} = ${quoteValue(text)}`);
        return whole;
      }
      const escaped = escapeGlob(text);
      return hashTags.has(name) ? `{${escaped}}` : escaped;
    });
    if (refused.length > 0) {
      return {
        error: new CacheKeyError(
          `Cache pattern ${pattern} not invalidated: ${refused.join(', ')} would widen it (a value must be one non-empty segment without \`:\`, as in every key).`,
        ),
      };
    }
    if (malformed.length > 0) {
      return {
        error: new CacheKeyError(
          `Cache pattern ${pattern} not invalidated: ${malformed.join(', ')} is not well-formed UTF-16 (a lone surrogate), which Redis would read as U+FFFD, the keys of another value.`,
        ),
      };
    }
    const problem = refusal(escapeGlob(prefix) + filled);
    return problem ? { error: problem } : { pattern: filled };
  };

  const keyOf = (name: string, params: Params): string => {
    const key = prefix + fillTemplate(registry.entry(name), params, false);
    const refused = writeRefusal(key);
    if (refused) throw refused;
    return key;
  };

  const read = async <T>(name: string, key: string): Promise<Lookup<T>> => {
    let raw: string | null;
    try {
      raw = await within(store.get(key), timeoutMs, 'get', key);
    } catch (error) {
      failFor(name, error, { operation: 'get', key });
      return { isHit: false, state: 'unreachable' };
    }
    if (raw !== null && !raw.startsWith(LEASE)) {
      try {
        const value = JSON.parse(raw) as T;
        metrics.recordLookup(name, true);
        logger.debug?.(`Cache hit: ${key}`);
        return { isHit: true, value };
      } catch (error) {
        metrics.recordLookup(name, false);
        failFor(name, new CacheValueError(key, { cause: error }), { operation: 'get', key });
        return { isHit: false, state: 'corrupt' };
      }
    }
    metrics.recordLookup(name, false);
    logger.debug?.(`Cache miss: ${key}`);
    return raw === null ? { isHit: false, state: 'absent' } : { isHit: false, state: 'leased', token: raw };
  };

  const write = async (family: string, key: string, serialized: string, ttl: number | undefined): Promise<void> => {
    try {
      await within(store.set(key, serialized, ttl), timeoutMs, 'set', key);
      metrics.recordSet(family);
    } catch (error) {
      failFor(family, error, { operation: 'set', key });
    }
  };

  /** Takes the fill lease of `key`: the token to fill with, or null when the fill must not land. */
  const claim = async (name: string, key: string, state: 'absent' | 'corrupt'): Promise<string | null> => {
    if (!setIfAbsent) return null;
    const token = `${LEASE}${randomUUID()}`;
    try {
      // A corrupt value is replaced by the lease outright; a lease only ever causes misses.
      if (state === 'corrupt') await within(store.set(key, token, leaseMs / 1000), timeoutMs, 'set', key);
      else if (!(await within(setIfAbsent(key, token, leaseMs), timeoutMs, 'set', key))) return null;
      return token;
    } catch (error) {
      failFor(name, error, { operation: 'set', key });
      return null;
    }
  };

  /** Loads a missing value and stores it, under a lease when the store has them. */
  const load = async <T>(name: string, key: string, state: Miss, loader: () => T | Promise<T>, fill: Fill): Promise<T> => {
    if (state.state === 'unreachable' || state.state === 'leased' || !hasLeases) {
      fill.token = null;
      const value = await loader();
      const serialized = toJson(value);
      // An unreachable store is not asked again; a lease of another fill is left to it.
      if (serialized !== undefined && state.state !== 'unreachable' && state.state !== 'leased') {
        await write(name, key, serialized, registry.entry(name).ttl);
      }
      return value;
    }
    const token = await claim(name, key, state.state);
    fill.token = token;
    const value = await loader();
    const serialized = toJson(value);
    if (token === null || serialized === undefined) return value;
    try {
      const isStored = await within(replaceIf(key, token, serialized, registry.entry(name).ttl), timeoutMs, 'set', key);
      if (isStored) metrics.recordSet(name);
      else logger.debug?.(`Cache fill dropped: ${key} was invalidated while it loaded`);
    } catch (error) {
      failFor(name, error, { operation: 'set', key });
    }
    return value;
  };

  /** Deletes `pattern` (without prefix); failures are reported with the count deleted before them. */
  const remove = async (pattern: string, families: readonly string[]): Promise<number> => {
    const full = escapeGlob(prefix) + pattern;
    const refused = refusal(full);
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
        deleteTimeoutMs,
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
  };

  const cache: Cache<K> = {
    registry,
    store,
    metrics,
    strict: isStrict,

    async get<T>(name: keyof K & string, params: object): Promise<T | undefined> {
      const found = await read<T>(name, keyOf(name, params as Params));
      return found.isHit ? found.value : undefined;
    },

    async set(name: keyof K & string, params: object, value: unknown): Promise<void> {
      const key = keyOf(name, params as Params);
      const serialized = toJson(value);
      if (serialized !== undefined) await write(name, key, serialized, registry.entry(name).ttl);
    },

    async getOrSet<T>(name: keyof K & string, params: object, loader: () => T | Promise<T>): Promise<T> {
      const key = keyOf(name, params as Params);
      const found = await read<T>(name, key);
      if (found.isHit) return found.value;
      const pending = inFlight.get(key);
      // A load is shared while its loader has not started, or when this read found its lease still
      // in place: an invalidation since (in any process) deleted the lease, so the load may be stale.
      if (pending && (!hasLeases || pending.token === undefined || (found.state === 'leased' && found.token === pending.token))) {
        return pending.promise as Promise<T>;
      }
      const fill: Fill = { promise: Promise.resolve(), token: undefined };
      const loading = load(name, key, found, loader, fill);
      fill.promise = loading;
      inFlight.set(key, fill);
      try {
        return await loading;
      } finally {
        if (inFlight.get(key) === fill) inFlight.delete(key);
      }
    },

    deletePattern: (pattern: string): Promise<number> =>
      remove(pattern, pattern.length > maxKeyLength ? [UNREGISTERED] : factsOf(pattern, false).families),

    async invalidate(patterns, params = {}): Promise<number> {
      let total = 0;
      const done = new Set<string>();
      for (const pattern of patterns) {
        const filled = fill(pattern, params);
        if ('error' in filled) {
          metrics.recordInvalidation(factsOf(pattern, true).families, 0, 0, true);
          fail(filled.error, { operation: 'invalidate', pattern });
          continue;
        }
        if (done.has(filled.pattern)) continue;
        done.add(filled.pattern);
        total += await remove(filled.pattern, factsOf(pattern, true).families);
      }
      return total;
    },

    async setKey(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
      const refused = writeRefusal(prefix + key);
      if (refused) throw refused;
      const family = familyOf(key);
      if (!family && unregistered !== 'ignore') {
        const message = `The cache key ${key} matches no registered template: add it to the registry.`;
        if (unregistered === 'throw') throw new Error(message);
        logger.warn?.(message);
      }
      const serialized = toJson(value);
      if (serialized !== undefined) await write(family?.name ?? UNREGISTERED, prefix + key, serialized, ttlSeconds ?? family?.ttl);
    },

    async warm(entries) {
      let warmed = 0;
      const failed: { name: string; error: unknown }[] = [];
      for (const entry of entries) {
        try {
          await cache.set(entry.name, entry.params as never, await entry.load());
          warmed++;
        } catch (error) {
          logger.warn?.(`Cache warm-up of ${entry.name} failed: ${error instanceof Error ? error.message : String(error)}`);
          failed.push({ name: entry.name, error });
        }
      }
      return { warmed, failed };
    },

    resolveParams: (invocation) => options.resolveParams?.(invocation) ?? {},
    familyOf,

    async close(): Promise<void> {
      if (current === (cache as unknown as Cache)) current = null;
      await store.close?.();
    },
  };
  if (options.global ?? true) current = cache;
  return cache;
}
