import { randomUUID } from 'node:crypto';
import { CacheValueError, within } from './errors.js';
import type { CacheMetrics } from './metrics.js';
import type { CacheLogger, CacheStore } from './store.js';

/** What a lease holds in place of a value: JSON never starts with a NUL. */
const LEASE = '\u0000cache-audit-lease:';

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

/** What the values of a cache are read and written with. */
export interface ValueContext {
  readonly store: CacheStore;
  readonly metrics: CacheMetrics;
  readonly logger: CacheLogger;
  /** Longest wait for one get or set, in milliseconds. */
  readonly timeoutMs: number;
  /** Fill leases asked for (the store must have `setIfAbsent` and `replaceIf` too). */
  readonly isLeasing: boolean;
  /** How long a fill lease holds, in milliseconds. */
  readonly leaseMs: number;
  /** The ttl of a family's keys, in seconds. */
  ttlOf(family: string): number | undefined;
  /** A failed read or write of a family's key: counted, then reported. */
  failFor(family: string, error: unknown, context: { operation: 'get' | 'set'; key: string }): void;
}

/** `JSON.stringify` as it behaves: undefined for undefined, a function or a symbol, which its declared type omits. */
export const toJson = (value: unknown): string | undefined => JSON.stringify(value);

/**
 * The values of a cache's keys in its store, and the fill lease protocol: a `getOrSet` miss takes a
 * lease on the key (a token stored in place of the value) before it loads, and stores the value only
 * if the token is still there. An invalidation deletes the lease with the key, so a fill that started
 * before it never lands after it. Concurrent misses of one key share one load, until an invalidation.
 */
export class CacheValues {
  private readonly inFlight = new Map<string, Fill>();
  private readonly setIfAbsent: CacheStore['setIfAbsent'];
  private readonly replaceIf: CacheStore['replaceIf'];
  private readonly hasLeases: boolean;

  constructor(private readonly context: ValueContext) {
    const { store } = context;
    this.setIfAbsent = store.setIfAbsent?.bind(store);
    this.replaceIf = store.replaceIf?.bind(store);
    this.hasLeases = context.isLeasing && this.setIfAbsent !== undefined && this.replaceIf !== undefined;
  }

  /** The value of `key` (a family's), or a miss: a lease in its place is a miss too. */
  async read<T>(name: string, key: string): Promise<Lookup<T>> {
    const { store, metrics, logger, timeoutMs } = this.context;
    let raw: string | null;
    try {
      raw = await within(store.get(key), timeoutMs, 'get', key);
    } catch (error) {
      this.context.failFor(name, error, { operation: 'get', key });
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
        this.context.failFor(name, new CacheValueError(key, { cause: error }), { operation: 'get', key });
        return { isHit: false, state: 'corrupt' };
      }
    }
    metrics.recordLookup(name, false);
    logger.debug?.(`Cache miss: ${key}`);
    return raw === null ? { isHit: false, state: 'absent' } : { isHit: false, state: 'leased', token: raw };
  }

  async write(family: string, key: string, serialized: string, ttl: number | undefined): Promise<void> {
    try {
      await within(this.context.store.set(key, serialized, ttl), this.context.timeoutMs, 'set', key);
      this.context.metrics.recordSet(family);
    } catch (error) {
      this.context.failFor(family, error, { operation: 'set', key });
    }
  }

  /** The value of `key`, or the loader's result, stored unless an invalidation touched the key while it loaded. */
  async getOrSet<T>(name: string, key: string, loader: () => T | Promise<T>): Promise<T> {
    const found = await this.read<T>(name, key);
    if (found.isHit) return found.value;
    const pending = this.inFlight.get(key);
    // A load is shared while its loader has not started, or when this read found its lease still
    // in place: an invalidation since (in any process) deleted the lease, so the load may be stale.
    if (pending && (!this.hasLeases || pending.token === undefined || (found.state === 'leased' && found.token === pending.token))) {
      return pending.promise as Promise<T>;
    }
    const fill: Fill = { promise: Promise.resolve(), token: undefined };
    const loading = this.load(name, key, found, loader, fill);
    fill.promise = loading;
    this.inFlight.set(key, fill);
    try {
      return await loading;
    } finally {
      if (this.inFlight.get(key) === fill) this.inFlight.delete(key);
    }
  }

  /** Takes the fill lease of `key`: the token to fill with, or null when the fill must not land. */
  private async claim(name: string, key: string, state: 'absent' | 'corrupt'): Promise<string | null> {
    const { store, timeoutMs, leaseMs } = this.context;
    if (!this.setIfAbsent) return null;
    const token = `${LEASE}${randomUUID()}`;
    try {
      // A corrupt value is replaced by the lease outright; a lease only ever causes misses.
      if (state === 'corrupt') await within(store.set(key, token, leaseMs / 1000), timeoutMs, 'set', key);
      else if (!(await within(this.setIfAbsent(key, token, leaseMs), timeoutMs, 'set', key))) return null;
      return token;
    } catch (error) {
      this.context.failFor(name, error, { operation: 'set', key });
      return null;
    }
  }

  /** Loads a missing value and stores it, under a lease when the store has them. */
  private async load<T>(name: string, key: string, state: Miss, loader: () => T | Promise<T>, fill: Fill): Promise<T> {
    const { replaceIf } = this;
    if (state.state === 'unreachable' || state.state === 'leased' || !this.hasLeases || !replaceIf) {
      fill.token = null;
      const value = await loader();
      const serialized = toJson(value);
      // An unreachable store is not asked again; a lease of another fill is left to it.
      if (serialized !== undefined && state.state !== 'unreachable' && state.state !== 'leased') {
        await this.write(name, key, serialized, this.context.ttlOf(name));
      }
      return value;
    }
    const token = await this.claim(name, key, state.state);
    fill.token = token;
    const value = await loader();
    const serialized = toJson(value);
    if (token === null || serialized === undefined) return value;
    try {
      const isStored = await within(replaceIf(key, token, serialized, this.context.ttlOf(name)), this.context.timeoutMs, 'set', key);
      if (isStored) this.context.metrics.recordSet(name);
      else this.context.logger.debug?.(`Cache fill dropped: ${key} was invalidated while it loaded`);
    } catch (error) {
      this.context.failFor(name, error, { operation: 'set', key });
    }
    return value;
  }
}
