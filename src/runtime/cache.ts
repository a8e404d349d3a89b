import { createHash } from 'node:crypto';
import { overlaps } from '../patterns/operations.js';
import { parsePattern } from '../patterns/parse.js';
import { escapeGlob } from '../patterns/escape.js';
import type { CacheRegistry, KeyParams } from '../registry/define.js';
import { fillTemplate, templateRegExp } from '../registry/model.js';
import type { KeyDefinition, ParamValue, RegistryEntry } from '../registry/model.js';
import { CacheMetrics } from './metrics.js';
import type { CacheLogger, CacheStore } from './store.js';

type Keys = Readonly<Record<string, KeyDefinition>>;

/** One call of a decorated handler, for filling `{param}` placeholders. */
export interface Invocation {
  readonly args: readonly unknown[];
  readonly instance: unknown;
  readonly methodName: string;
}

export type ParamResolver = (invocation: Invocation) => Readonly<Record<string, ParamValue | undefined>>;

export interface CacheErrorContext {
  readonly operation: 'get' | 'set' | 'deletePattern';
  readonly key?: string;
  readonly pattern?: string;
}

export interface CacheOptions<K extends Keys> {
  readonly registry: CacheRegistry<K>;
  readonly store: CacheStore;
  /** Where `Cache hit: …`, `Cache miss: …` and `Invalidated cache pattern: …` go; quiet by default. */
  readonly logger?: CacheLogger;
  /** Fills `{param}` placeholders of decorator patterns and `@Cacheable` keys from a handler call. */
  readonly resolveParams?: ParamResolver;
  /** Receives every failed cache operation (after it was logged and counted). */
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
  /** The cached value, or the loader's result, stored with the family's ttl. Concurrent misses share one load. */
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
    return createHash('sha1').update(JSON.stringify(args) ?? 'undefined').digest('hex').slice(0, 16);
  } catch {
    return null;
  }
}

export function createCache<K extends Keys>(options: CacheOptions<K>): Cache<K> {
  const { registry, store } = options;
  const logger = options.logger ?? {};
  const isStrict = options.strict ?? false;
  const now = options.now ?? Date.now;
  const metrics = new CacheMetrics(now);
  const unregistered = options.unregisteredKeys ?? (process.env['NODE_ENV'] === 'production' ? 'ignore' : 'warn');
  const prefix = registry.prefix;
  const matchers = registry.entries.map((entry) => ({ entry, regExp: templateRegExp(entry) }));
  const familiesOfPattern = new Map<string, string[]>();
  const hashTagged = new Map<string, Set<string>>();
  const inFlight = new Map<string, Promise<unknown>>();
  const paramNames = new Set(registry.entries.flatMap((entry) => entry.params));

  const fail = (error: unknown, context: CacheErrorContext): void => {
    const target = context.key ?? context.pattern ?? '';
    logger.error?.(`Cache ${context.operation} failed: ${target}`, error);
    options.onError?.(error, context);
    if (isStrict) throw error;
  };

  const familyOf = (key: string): RegistryEntry | null => matchers.find((m) => m.regExp.test(key))?.entry ?? null;

  const familiesOf = (pattern: string): string[] => {
    let families = familiesOfPattern.get(pattern);
    if (!families) {
      const parsed = parsePattern(pattern, { placeholders: false });
      families =
        parsed.errors.length > 0 ? [] : registry.entries.filter((entry) => overlaps(parsed, entry.parsed)).map((entry) => entry.name);
      if (families.length === 0) families = [UNREGISTERED];
      familiesOfPattern.set(pattern, families);
    }
    return families;
  };

  /** Names used as a hash tag by a family that a placeholder pattern reaches. */
  const hashTagsOf = (pattern: string): Set<string> => {
    let names = hashTagged.get(pattern);
    if (!names) {
      names = new Set();
      const parsed = parsePattern(pattern);
      if (parsed.errors.length === 0) {
        for (const entry of registry.entries) if (entry.hashTag && overlaps(parsed, entry.parsed)) names.add(entry.hashTag);
      }
      hashTagged.set(pattern, names);
    }
    return names;
  };

  const fill = (pattern: string, params: Readonly<Record<string, ParamValue | undefined>>): string => {
    const tags = pattern.includes('{') ? hashTagsOf(pattern) : new Set<string>();
    return pattern.replace(PLACEHOLDER, (whole, name: string) => {
      if (!paramNames.has(name)) return whole;
      const value = params[name];
      if (value === undefined || String(value) === '') {
        // Deleting more is stale-safe; deleting less would leave stale data behind.
        logger.warn?.(`No value for {${name}} in cache pattern ${pattern}: invalidating every ${name}.`);
        return '*';
      }
      const escaped = escapeGlob(String(value));
      return tags.has(name) ? `{${escaped}}` : escaped;
    });
  };

  const keyOf = (name: string, params: Readonly<Record<string, ParamValue | undefined>>): string =>
    prefix + fillTemplate(registry.entry(name), params, false);

  const cache: Cache<K> = {
    registry,
    store,
    metrics,
    strict: isStrict,

    async get<T>(name: keyof K & string, params: object): Promise<T | undefined> {
      const key = keyOf(name, params as Readonly<Record<string, ParamValue>>);
      let raw: string | null;
      try {
        raw = await store.get(key);
      } catch (error) {
        fail(error, { operation: 'get', key });
        return undefined;
      }
      metrics.recordLookup(name, raw !== null);
      logger.debug?.(`${raw === null ? 'Cache miss' : 'Cache hit'}: ${key}`);
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },

    async set(name: keyof K & string, params: object, value: unknown): Promise<void> {
      const key = keyOf(name, params as Readonly<Record<string, ParamValue>>);
      const serialized = JSON.stringify(value);
      if (serialized === undefined) return;
      try {
        await store.set(key, serialized, registry.entry(name).ttl);
        metrics.recordSet(name);
      } catch (error) {
        fail(error, { operation: 'set', key });
      }
    },

    async getOrSet<T>(name: keyof K & string, params: object, load: () => T | Promise<T>): Promise<T> {
      const key = keyOf(name, params as Readonly<Record<string, ParamValue>>);
      const cached = await cache.get<T>(name, params as never);
      if (cached !== undefined) return cached;
      const pending = inFlight.get(key);
      if (pending) return pending as Promise<T>;
      const loading = (async () => {
        const value = await load();
        await cache.set(name, params as never, value);
        return value;
      })();
      inFlight.set(key, loading);
      try {
        return await loading;
      } finally {
        inFlight.delete(key);
      }
    },

    async deletePattern(pattern: string): Promise<number> {
      const full = escapeGlob(prefix) + pattern;
      const families = familiesOf(pattern);
      const started = now();
      try {
        const deleted = await store.deletePattern(full);
        metrics.recordInvalidation(families, deleted, now() - started, false);
        logger.info?.(`Invalidated cache pattern: ${full} (${String(deleted)} keys)`);
        return deleted;
      } catch (error) {
        metrics.recordInvalidation(families, 0, now() - started, true);
        fail(error, { operation: 'deletePattern', pattern: full });
        return 0;
      }
    },

    async invalidate(patterns, params = {}): Promise<number> {
      const filled = [...new Set(patterns.map((pattern) => fill(pattern, params)))];
      let total = 0;
      for (const pattern of filled) total += await cache.deletePattern(pattern);
      return total;
    },

    async setKey(key: string, value: unknown, ttlSeconds?: number): Promise<void> {
      const family = familyOf(key);
      if (!family && unregistered !== 'ignore') {
        const message = `The cache key ${key} matches no registered template: add it to the registry.`;
        if (unregistered === 'throw') throw new Error(message);
        logger.warn?.(message);
      }
      const serialized = JSON.stringify(value);
      if (serialized === undefined) return;
      try {
        await store.set(prefix + key, serialized, ttlSeconds ?? family?.ttl);
        metrics.recordSet(family?.name ?? UNREGISTERED);
      } catch (error) {
        fail(error, { operation: 'set', key: prefix + key });
      }
    },

    async warm(entries) {
      let warmed = 0;
      const failed: { name: string; error: unknown }[] = [];
      for (const entry of entries) {
        try {
          await cache.set(entry.name as keyof K & string, entry.params as never, await entry.load());
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
  if (options.global ?? true) current = cache as unknown as Cache;
  return cache;
}
