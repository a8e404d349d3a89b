import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BoundedMap } from '../../packages/runtime/src/runtime/bounded-map.js';
import {
  CacheKeyError,
  CacheTimeoutError,
  CacheValueError,
  createCache,
  defineCacheRegistry,
  MemoryStore,
  RedisStore,
  resetCache,
} from '../../packages/runtime/src/runtime/index.js';
import type { Cache, CacheErrorContext, CacheStore } from '../../packages/runtime/src/runtime/index.js';
import { redisPortOrSkip } from '../support/redis.js';

const port = redisPortOrSkip('freshness on RedisStore');
const redisClients: Redis[] = [];
afterAll(() => {
  for (const client of redisClients) client.disconnect();
});

/** The stores the race is run on: in memory, and a real redis-server when there is one. */
async function stores(): Promise<[string, CacheStore][]> {
  const result: [string, CacheStore][] = [['MemoryStore', new MemoryStore()]];
  if (port !== null) {
    const client = new Redis({ host: '127.0.0.1', port, db: 9 });
    redisClients.push(client);
    await client.flushdb();
    result.push(['RedisStore', new RedisStore(client)]);
  }
  return result;
}

const registry = defineCacheRegistry({
  prefix: 'app:',
  keys: {
    prefs: { template: 'prefs:{tenantId}:{userId}', ttl: 300 },
    summary: { template: 'summary:{tenantId}', hashTag: 'tenantId', ttl: 300 },
  },
});

afterEach(() => {
  resetCache();
});

/** A promise and the function that settles it: a loader that waits on the test. */
function gate<T>(): { promise: Promise<T>; open: (value: T) => void } {
  let open: (value: T) => void = () => {};
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * The race, step by step: `reader` starts a getOrSet whose loader reads the database (v1) and
 * then waits; the mutation writes v2 and `invalidator` invalidates. Returns the first read and a
 * function that lets its loader finish.
 */
async function raceStarted(reader: Cache, invalidator: Cache, params: { tenantId: string; userId: string }) {
  const database = { value: 'v1' };
  const slow = gate<undefined>();
  const reading = gate<undefined>();
  const first = reader.getOrSet('prefs', params, async () => {
    const read = database.value;
    reading.open(undefined);
    await slow.promise;
    return read;
  });
  await reading.promise;
  // A read that starts before the invalidation shares the load in progress.
  const joined = reader.getOrSet('prefs', params, () => 'not called');
  database.value = 'v2';
  await invalidator.invalidate(['prefs:{tenantId}:*'], { tenantId: params.tenantId });
  return {
    database,
    first,
    joined,
    finish: () => {
      slow.open(undefined);
    },
  };
}

function errorsOf(): {
  errors: { error: unknown; context: CacheErrorContext }[];
  onError: (error: unknown, context: CacheErrorContext) => void;
} {
  const errors: { error: unknown; context: CacheErrorContext }[] = [];
  return { errors, onError: (error, context) => void errors.push({ error, context }) };
}

/** A store whose every call waits until released, like a paused server. */
function pausedStore(): CacheStore & { release: () => void } {
  const waiting: (() => void)[] = [];
  const hang = <T>(value: T): Promise<T> =>
    new Promise((resolve) =>
      waiting.push(() => {
        resolve(value);
      }),
    );
  return {
    get: () => hang(null),
    set: () => hang(undefined),
    deletePattern: () => hang(0),
    release: () => {
      for (const resume of waiting.splice(0)) resume();
    },
  };
}

describe('no fill lands after an invalidation', () => {
  const params = { tenantId: 't1', userId: 'u1' };

  it('drops a fill that started before an invalidation, and serves the next read fresh', async () => {
    for (const [label, store] of await stores()) {
      const cache = createCache({ registry, store, global: false });
      const race = await raceStarted(cache, cache, params);
      // A read after the invalidation does not share the old load.
      const after = cache.getOrSet('prefs', params, () => Promise.resolve(race.database.value));
      race.finish();
      expect([label, await race.first, await race.joined, await after]).toEqual([label, 'v1', 'v1', 'v2']);
      expect(await cache.get('prefs', params)).toBe('v2');
      expect(await cache.getOrSet('prefs', params, () => 'v3')).toBe('v2');
    }
  });

  it('does not share a load with a read that starts after another instance invalidated the key', async () => {
    for (const [label, store] of await stores()) {
      // Two processes' caches over one store.
      const here = createCache({ registry, store, global: false });
      const there = createCache({ registry, store, global: false });
      const race = await raceStarted(here, there, params);
      const after = here.getOrSet('prefs', params, () => Promise.resolve(race.database.value));
      race.finish();
      expect([label, await race.first, await race.joined, await after]).toEqual([label, 'v1', 'v1', 'v2']);
      expect([label, await there.get('prefs', params)]).toEqual([label, 'v2']);
    }
  });

  it('without leases the same sequence serves the stale value (the race the leases close)', async () => {
    const cache = createCache({ registry, store: new MemoryStore(), global: false, leases: false });
    const race = await raceStarted(cache, cache, params);
    race.finish();
    await race.first;
    expect(await cache.get('prefs', params)).toBe('v1');
  });

  it('leaves a concurrent fill of another key alone', async () => {
    const cache = createCache({ registry, store: new MemoryStore(), global: false });
    const slow = gate<undefined>();
    const other = cache.getOrSet('prefs', { tenantId: 't2', userId: 'u1' }, async () => {
      await slow.promise;
      return 'kept';
    });
    await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: 't1' });
    slow.open(undefined);
    await other;
    expect(await cache.get('prefs', { tenantId: 't2', userId: 'u1' })).toBe('kept');
  });
});

describe('bounded waits', () => {
  it('reports a get, set or delete past its bound, and a read falls back to the loader', async () => {
    const store = pausedStore();
    const { errors, onError } = errorsOf();
    const cache = createCache({ registry, store, onError, timeoutMs: 30, deleteTimeoutMs: 30, global: false });
    expect(await cache.getOrSet('prefs', { tenantId: 't', userId: 'u' }, () => 'loaded')).toBe('loaded');
    expect(await cache.get('prefs', { tenantId: 't', userId: 'u' })).toBeUndefined();
    await cache.set('prefs', { tenantId: 't', userId: 'u' }, 1);
    expect(await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: 't' })).toBe(0);
    expect(errors.map((e) => [e.context.operation, e.error instanceof CacheTimeoutError])).toEqual([
      ['get', true],
      ['get', true],
      ['set', true],
      ['deletePattern', true],
    ]);
    expect(cache.metrics.snapshot()['prefs']).toMatchObject({ invalidationErrors: 1, errors: 3 });
    store.release();
  });
});

describe('a cached value that is not JSON', () => {
  it('is a miss, reported, and overwritten by the fill', async () => {
    const store = new MemoryStore();
    const { errors, onError } = errorsOf();
    const cache = createCache({ registry, store, onError, global: false });
    await store.set('app:prefs:t:u', '{not json');
    expect(await cache.get('prefs', { tenantId: 't', userId: 'u' })).toBeUndefined();
    expect(await cache.getOrSet('prefs', { tenantId: 't', userId: 'u' }, () => ({ ok: true }))).toEqual({ ok: true });
    expect(await store.get('app:prefs:t:u')).toBe('{"ok":true}');
    expect(errors.map((e) => e.error instanceof CacheValueError && e.context.key)).toEqual(['app:prefs:t:u', 'app:prefs:t:u']);
    expect(cache.metrics.snapshot()['prefs']).toMatchObject({ misses: 2, sets: 1, errors: 2 });
  });
});

describe('parameter values never widen a delete', () => {
  async function seeded() {
    const store = new MemoryStore();
    const { errors, onError } = errorsOf();
    const cache = createCache({ registry, store, onError, global: false });
    for (const tenant of ['t1', 't2']) await cache.set('prefs', { tenantId: tenant, userId: 'u1' }, 1);
    return { store, cache, errors };
  }

  it('refuses an empty value and a value with a colon, and reports them', async () => {
    const { store, cache, errors } = await seeded();
    expect(await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: '' })).toBe(0);
    expect(await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: 't1:u1' })).toBe(0);
    expect(store.size).toBe(2);
    expect(errors.map((e) => [e.context.operation, e.context.pattern, e.error instanceof CacheKeyError])).toEqual([
      ['invalidate', 'prefs:{tenantId}:*', true],
      ['invalidate', 'prefs:{tenantId}:*', true],
    ]);
    expect(String(errors[1]?.error)).toContain('{tenantId} = "t1:u1" would widen it');
    expect(cache.metrics.snapshot()['prefs']).toMatchObject({ invalidationErrors: 2, keysDeleted: 0 });
    const strict = createCache({ registry, store, strict: true, global: false });
    await expect(strict.invalidate(['prefs:{tenantId}:*'], { tenantId: '' })).rejects.toThrow(CacheKeyError);
  });

  it('bounds keys and patterns by length with a clear error', async () => {
    const { cache, errors } = await seeded();
    const long = 'x'.repeat(2000);
    await expect(cache.getOrSet('prefs', { tenantId: long, userId: 'u' }, () => 1)).rejects.toThrow(
      /2012 characters long, over maxKeyLength \(1024\)/,
    );
    expect(await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: long })).toBe(0);
    expect(errors.at(-1)?.error).toBeInstanceOf(CacheKeyError);
    const roomy = createCache({ registry, store: new MemoryStore(), maxKeyLength: 10_000, global: false });
    await roomy.set('prefs', { tenantId: long, userId: 'u' }, 1);
    expect(await roomy.invalidate(['prefs:{tenantId}:*'], { tenantId: long })).toBe(1);
  });
});

describe('BoundedMap', () => {
  it('keeps at most its limit, forgetting the least recently used', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1);
    map.set('c', 3);
    expect(map.size).toBe(2);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(1);
  });
});
