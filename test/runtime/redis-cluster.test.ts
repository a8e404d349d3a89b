import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCache, defineCacheRegistry, keySlot, patternSlot, RedisStore } from '../../packages/runtime/src/runtime/index.js';
import { hasRedisServer, startRedisCluster } from '../setup/redis-server.js';
import type { RedisCluster } from '../setup/redis-server.js';

const isAvailable = hasRedisServer();
if (!isAvailable) {
  if (process.env['CI'] === 'true') throw new Error('CI=true and redis-server is missing: the Redis Cluster tests cannot run.');
  console.warn('[Redis Cluster] skipped: redis-server is not installed (apt-get install -y redis-server)');
}

describe('cluster slots', () => {
  it('hash like Redis Cluster (CLUSTER KEYSLOT values)', () => {
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}'));
    expect(patternSlot('quotes:{t1}:*')).toBe(keySlot('t1'));
    expect(patternSlot('quotes:*:{t1}')).toBeNull();
    expect(patternSlot('quotes:{}:*')).toBeNull();
  });
});

describe.skipIf(!isAvailable)('RedisStore on a real three-primary Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = new Cluster(
      cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
      { keyPrefix: 'app:' },
    );
    await client.set('warmup', '1');
  }, 90_000);

  afterAll(async () => {
    client.disconnect();
    await cluster.stop();
  });

  it('agrees with CLUSTER KEYSLOT', async () => {
    const node = new Redis({ host: '127.0.0.1', port: cluster.ports[0] ?? 0 });
    for (const key of ['quotes:list:t:1', 'app:{t9}:x', 'dashboard:kpis:acme:h'])
      expect(await node.cluster('KEYSLOT', key)).toBe(keySlot(key));
    node.disconnect();
  });

  it('deletes across every primary without CROSSSLOT errors', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `quotes:list:t${String(i % 7)}:${String(i)}`);
    for (const key of keys) await client.set(key, '1');
    await client.set('dashboard:kpis:t:1', '1');
    const primaries = client.nodes('master');
    const holding = await Promise.all(primaries.map(async (node) => (await node.keys('app:quotes:*')).length));
    expect(holding.filter((n) => n > 0).length).toBe(3);
    const store = new RedisStore(client, { scanCount: 25, deleteBatch: 40 });
    expect(await store.deletePattern('quotes:*')).toBe(300);
    expect(await client.get('dashboard:kpis:t:1')).toBe('1');
  });

  it('fills under a lease on the primary that owns the key', async () => {
    const registry = defineCacheRegistry({ keys: { prefs: { template: 'prefs:{tenantId}:{userId}', ttl: 60 } } });
    const cache = createCache({ registry, store: new RedisStore(client), global: false });
    for (let i = 0; i < 20; i++) expect(await cache.getOrSet('prefs', { tenantId: 't', userId: String(i) }, () => i)).toBe(i);
    for (let i = 0; i < 20; i++) expect(await client.get(`prefs:t:${String(i)}`)).toBe(String(i));
    expect(cache.metrics.snapshot()['prefs']).toMatchObject({ sets: 20, errors: 0 });
    expect(await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: 't' })).toBe(20);
  });

  it('scans only the owning primary when the pattern fixes a hash tag', async () => {
    const registry = defineCacheRegistry({
      keys: { summary: { template: 'quotes:{tenantId}:summary:{hash}', hashTag: 'tenantId', ttl: 60 } },
    });
    const cache = createCache({ registry, store: new RedisStore(client), global: false });
    for (let i = 0; i < 50; i++) await cache.set('summary', { tenantId: 'acme', hash: String(i) }, i);
    await cache.set('summary', { tenantId: 'other', hash: '1' }, 1);
    const scans: string[] = [];
    for (const node of client.nodes('master')) {
      const scan = node.scan.bind(node);
      (node as unknown as { scan: typeof scan }).scan = ((...args: Parameters<typeof scan>) => {
        scans.push(String(node.options.port));
        return scan(...args);
      }) as typeof scan;
    }
    expect(await cache.invalidate(['quotes:{tenantId}:summary:*'], { tenantId: 'acme' })).toBe(50);
    expect(new Set(scans).size).toBe(1);
    expect(await cache.get('summary', { tenantId: 'other', hash: '1' })).toBe(1);
  });
});
