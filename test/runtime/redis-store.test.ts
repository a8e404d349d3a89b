import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCache, defineCacheRegistry, RedisStore, resetCache } from '../../packages/runtime/src/runtime/index.js';
import { startRedisServer } from '../setup/redis-server.js';
import { redisPortOrSkip } from '../support/redis.js';

const port = redisPortOrSkip('RedisStore');

const registry = defineCacheRegistry({
  prefix: 'app:',
  keys: { quotesList: { template: 'quotes:list:{tenantId}:{hash}', ttl: 60 } },
});

describe.skipIf(port === null)('RedisStore on a real redis-server', () => {
  let raw: Redis;
  const clients: Redis[] = [];
  const client = (options: Record<string, unknown> = {}): Redis => {
    const c = new Redis({ host: '127.0.0.1', port: port ?? 0, db: 3, ...options });
    clients.push(c);
    return c;
  };

  beforeAll(() => {
    raw = client();
  });
  beforeEach(async () => {
    await raw.flushdb();
    resetCache();
  });
  afterAll(async () => {
    await raw.flushdb();
    for (const c of clients) c.disconnect();
  });

  it('deletes by pattern with SCAN and UNLINK, never across tenants', async () => {
    const store = new RedisStore(client(), { scanCount: 10, deleteBatch: 7 });
    const pipeline = raw.pipeline();
    for (let i = 0; i < 120; i++) pipeline.set(`quotes:list:acme:${String(i)}`, '1');
    for (let i = 0; i < 30; i++) pipeline.set(`quotes:list:acme2:${String(i)}`, '1');
    pipeline.set('quotes:list:a*:1', '1');
    await pipeline.exec();
    expect(await store.deletePattern('quotes:list:acme:*')).toBe(120);
    expect(await raw.dbsize()).toBe(31);
    // An escaped tenant id matches itself only.
    expect(await store.deletePattern('quotes:list:a\\*:*')).toBe(1);
    expect(await raw.dbsize()).toBe(30);
  });

  it('handles the client keyPrefix: prefixes the pattern, strips the keys it gets back', async () => {
    await raw.set('svc:quotes:list:t:1', '1');
    await raw.set('svc:quotes:list:t:2', '1');
    await raw.set('quotes:list:t:3', '1'); // another application's key, without the prefix
    const store = new RedisStore(client({ keyPrefix: 'svc:' }));
    expect(await store.deletePattern('quotes:list:*')).toBe(2);
    expect(await raw.keys('*')).toEqual(['quotes:list:t:3']);
  });

  it('fills under the client keyPrefix too: the lease and the value land on the prefixed key', async () => {
    const cache = createCache({ registry, store: new RedisStore(client({ keyPrefix: 'svc:' })), global: false });
    expect(await cache.getOrSet('quotesList', { tenantId: 't', hash: 'h' }, () => ({ n: 1 }))).toEqual({ n: 1 });
    expect(await raw.get('svc:app:quotes:list:t:h')).toBe('{"n":1}');
    expect(await raw.ttl('svc:app:quotes:list:t:h')).toBeGreaterThan(55);
    expect(await cache.getOrSet('quotesList', { tenantId: 't', hash: 'h' }, () => ({ n: 2 }))).toEqual({ n: 1 });
    expect(cache.metrics.snapshot()['quotesList']).toMatchObject({ hits: 1, misses: 1, sets: 1, errors: 0 });
  });

  it('sets values with the registry ttl through createCache', async () => {
    const cache = createCache({ registry, store: new RedisStore(client()) });
    await cache.set('quotesList', { tenantId: 't', hash: 'h' }, { n: 1 });
    expect(await raw.ttl('app:quotes:list:t:h')).toBeGreaterThan(55);
    expect(await cache.get('quotesList', { tenantId: 't', hash: 'h' })).toEqual({ n: 1 });
    expect(await cache.deletePattern('quotes:*')).toBe(1);
  });

  it('deletes what existed before a scan while keys are added during it', async () => {
    const pipeline = raw.pipeline();
    for (let i = 0; i < 2000; i++) pipeline.set(`quotes:list:t:${String(i)}`, '1');
    await pipeline.exec();
    const writer = client();
    const stopWriting = new AbortController();
    let added = 0;
    const adding = (async () => {
      while (!stopWriting.signal.aborted) {
        await writer.set(`quotes:list:t:new${String(added)}`, '1');
        added++;
      }
    })();
    const deleted = await new RedisStore(client(), { scanCount: 50 }).deletePattern('quotes:list:t:*');
    stopWriting.abort();
    await adding;
    expect(deleted).toBeGreaterThanOrEqual(2000);
    const left = await raw.keys('quotes:list:t:*');
    // Only keys written during the scan may remain.
    expect(left.every((key) => key.startsWith('quotes:list:t:new'))).toBe(true);
    expect(added).toBeGreaterThan(0);
  });

  it('surfaces a server that goes away mid-delete, without an unhandled rejection', async () => {
    const server = await startRedisServer();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const victim = new Redis({
        host: '127.0.0.1',
        port: server.port,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
      clients.push(victim);
      const pipeline = victim.pipeline();
      for (let i = 0; i < 3000; i++) pipeline.set(`quotes:list:t:${String(i)}`, '1');
      await pipeline.exec();
      const scan = victim.scan.bind(victim);
      let calls = 0;
      // The real server stops after the first SCAN batch.
      (victim as unknown as { scan: typeof scan }).scan = (async (...args: Parameters<typeof scan>) => {
        const result = await scan(...args);
        if (++calls === 1) await server.stop();
        return result;
      }) as typeof scan;
      const errors: unknown[] = [];
      const cache = createCache({
        registry: defineCacheRegistry({ keys: { q: { template: 'quotes:list:{tenantId}:{hash}' } } }),
        store: new RedisStore(victim, { scanCount: 100 }),
        onError: (e) => errors.push(e),
        global: false,
      });
      expect(await cache.deletePattern('quotes:list:*')).toBe(0);
      expect(errors).toHaveLength(1);
      expect(cache.metrics.snapshot()['q']).toMatchObject({ invalidationErrors: 1 });
      const strict = createCache({ registry, store: new RedisStore(victim), strict: true, global: false });
      await expect(strict.deletePattern('quotes:*')).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await server.stop();
    }
  });
});
