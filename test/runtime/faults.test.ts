import { Cluster, Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CacheDeleteError,
  CacheTimeoutError,
  createCache,
  defineCacheRegistry,
  InvalidateCachePattern,
  RedisStore,
  resetCache,
} from '../../packages/runtime/src/runtime/index.js';
import type { Cache, CacheErrorContext, RedisStoreOptions } from '../../packages/runtime/src/runtime/index.js';
import { freePort, hasRedisServer, startRedisCluster, startRedisServer } from '../setup/redis-server.js';
import type { RedisCluster, RedisServer } from '../setup/redis-server.js';

const isAvailable = hasRedisServer();
if (!isAvailable) {
  if (process.env['CI'] === 'true') throw new Error('CI=true and redis-server is missing: the fault-injection tests cannot run.');
  console.warn('[runtime faults] skipped: redis-server is not installed (apt-get install -y redis-server)');
}

const registry = defineCacheRegistry({
  keys: {
    prefs: { template: 'prefs:{tenantId}:{userId}', ttl: 300 },
  },
});

/** Every report the cache makes about a failure: onError, the error log, the metrics. */
interface Reports {
  readonly errors: { error: unknown; context: CacheErrorContext }[];
  readonly logged: string[];
}

function faultCache(client: Redis | Cluster, storeOptions: RedisStoreOptions = {}): { cache: Cache; reports: Reports } {
  const reports: Reports = { errors: [], logged: [] };
  const cache = createCache({
    registry,
    store: new RedisStore(client, storeOptions),
    timeoutMs: 300,
    deleteTimeoutMs: 1500,
    onError: (error, context) => void reports.errors.push({ error, context }),
    logger: { error: (message) => void reports.logged.push(message) },
    global: false,
  });
  return { cache, reports };
}

async function seed(client: Redis | Cluster, count: number, tenant = 't1'): Promise<void> {
  for (let start = 0; start < count; start += 500) {
    const pipeline = client.pipeline();
    for (let i = start; i < Math.min(count, start + 500); i++) pipeline.set(`prefs:${tenant}:u${String(i)}`, '1');
    await pipeline.exec();
  }
}

/** Runs `hook` after the `nth` SCAN a connection sends (the fault lands mid-delete). */
function afterScan(node: { scan: Redis['scan'] }, nth: number, hook: () => Promise<void>): void {
  const scan = node.scan.bind(node);
  let calls = 0;
  (node as { scan: unknown }).scan = async (...args: Parameters<typeof scan>) => {
    const result = await scan(...args);
    if (++calls === nth) await hook();
    return result;
  };
}

describe.skipIf(!isAvailable)('the runtime under faults, on real redis-server', () => {
  let server: RedisServer;
  let guarded: RedisServer;
  let primary: RedisServer;
  let replica: RedisServer;
  let raw: Redis;
  const clients: (Redis | Cluster)[] = [];
  const connect = (port: number, options: RedisOptions = {}): Redis => {
    const client = new Redis({ host: '127.0.0.1', port, ...options });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    [server, guarded, primary] = await Promise.all([startRedisServer(), startRedisServer(['--requirepass', 'right']), startRedisServer()]);
    replica = await startRedisServer(['--replicaof', '127.0.0.1', String(primary.port)]);
    raw = connect(server.port);
  }, 60_000);

  afterAll(async () => {
    resetCache();
    for (const client of clients) client.disconnect();
    await Promise.all([server, guarded, primary, replica].map((s) => s.stop()));
  });

  it('a paused server: every wait is bounded, reported, and a read falls back to the loader', async () => {
    await raw.flushall();
    await seed(raw, 10);
    const { cache, reports } = faultCache(connect(server.port));
    // A decorated handler, as experimentalDecorators applies it.
    const handler: PropertyDescriptor = { value: () => Promise.resolve('saved') };
    InvalidateCachePattern('prefs:{tenantId}:*', { params: () => ({ tenantId: 't1' }) })({}, 'save', handler);
    const save = handler.value as () => Promise<string>;
    const global = createCache({
      registry,
      store: new RedisStore(connect(server.port)),
      deleteTimeoutMs: 500,
      onError: (error, context) => void reports.errors.push({ error, context }),
    });
    server.pause();
    try {
      expect(await cache.getOrSet('prefs', { tenantId: 't1', userId: 'u1' }, () => 'loaded')).toBe('loaded');
      expect(await cache.deletePattern('prefs:*')).toBe(0);
      expect(await save()).toBe('saved');
    } finally {
      server.resume();
    }
    expect(reports.errors.map((e) => [e.context.operation, e.error instanceof CacheTimeoutError])).toEqual([
      ['get', true],
      ['deletePattern', true],
      ['deletePattern', true],
    ]);
    expect(reports.logged).toEqual([
      'Cache get failed: prefs:t1:u1',
      'Cache deletePattern failed: prefs:* (0 keys deleted before it stopped)',
    ]);
    expect(cache.metrics.snapshot()['prefs']).toMatchObject({ invalidationErrors: 1, errors: 1 });
    expect(global.metrics.snapshot()['prefs']).toMatchObject({ invalidationErrors: 1 });
    // Once the server answers again, so does the cache.
    expect(await cache.deletePattern('prefs:*')).toBe(10);
  }, 20_000);

  it('a server killed mid-delete: the count says what was deleted, the error what was not', async () => {
    await raw.flushall();
    await seed(raw, 3000);
    const client = connect(server.port, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    let leftAtKill = -1;
    afterScan(client, 5, async () => {
      leftAtKill = await raw.dbsize();
      await server.kill();
    });
    const { cache, reports } = faultCache(client, { scanCount: 100, deleteBatch: 100 });
    const deleted = await cache.deletePattern('prefs:t1:*');
    expect(leftAtKill).toBeGreaterThan(0);
    expect(deleted).toBe(3000 - leftAtKill);
    expect(deleted).toBeGreaterThan(0);
    const [report] = reports.errors;
    expect(report?.error).toBeInstanceOf(CacheDeleteError);
    expect(report?.context.deleted).toBe(deleted);
    expect(String(report?.error)).toContain(`Deleted ${String(deleted)} keys matching prefs:t1:*, then stopped: keys may remain on server`);
    expect(cache.metrics.snapshot()['prefs']).toMatchObject({ keysDeleted: deleted, invalidationErrors: 1 });
    await server.restart();
  }, 20_000);

  it('a server restarted with its keys mid-SCAN: the scan starts over and deletes every key', async () => {
    await raw.flushall();
    await seed(raw, 3000);
    await raw.save();
    const client = connect(server.port);
    let leftAtRestart = -1;
    afterScan(client, 3, async () => {
      leftAtRestart = await raw.dbsize();
      await server.restart();
    });
    const { cache, reports } = faultCache(client, { scanCount: 100, deleteBatch: 100 });
    const deleted = await cache.deletePattern('prefs:t1:*');
    expect(reports.errors).toEqual([]);
    expect(await raw.keys('prefs:t1:*')).toEqual([]);
    // The keys deleted before the restart came back from the snapshot and were deleted again.
    expect(deleted).toBe(3000 + (3000 - leftAtRestart));
  }, 20_000);

  it('a wrong password: reads load, writes and deletes fail, all reported within the bound', async () => {
    const { cache, reports } = faultCache(connect(guarded.port, { password: 'wrong' }));
    expect(await cache.getOrSet('prefs', { tenantId: 't1', userId: 'u1' }, () => 'loaded')).toBe('loaded');
    await cache.set('prefs', { tenantId: 't1', userId: 'u1' }, 1);
    expect(await cache.deletePattern('prefs:*')).toBe(0);
    expect(reports.errors.map((e) => e.context.operation)).toEqual(['get', 'set', 'deletePattern']);
    expect(cache.metrics.snapshot()['prefs']).toMatchObject({ invalidationErrors: 1, sets: 0, errors: 2 });
  }, 20_000);

  it('a read-only replica: the fill and the delete fail loudly, the count is 0, the keys stay', async () => {
    const writer = connect(primary.port);
    await seed(writer, 20);
    const reader = connect(replica.port);
    for (let i = 0; i < 100 && (await reader.dbsize()) < 20; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const { cache, reports } = faultCache(reader);
    expect(await cache.getOrSet('prefs', { tenantId: 't2', userId: 'u1' }, () => 'loaded')).toBe('loaded');
    expect(await cache.getOrSet('prefs', { tenantId: 't1', userId: 'u1' }, () => 'loaded')).toBe(1);
    expect(await cache.deletePattern('prefs:t1:*')).toBe(0);
    expect(reports.errors.map((e) => [e.context.operation, String(e.error).includes('READONLY')])).toEqual([
      ['set', true],
      ['deletePattern', true],
    ]);
    expect(cache.metrics.snapshot()['prefs']).toMatchObject({ invalidationErrors: 1, sets: 0, errors: 1 });
    expect(await reader.dbsize()).toBe(20);
  }, 20_000);
});

/** Seeds 300 keys over the cluster; resolves to how many landed on the first two primaries. */
async function seedCluster(cluster: RedisCluster, seeder: Cluster): Promise<number> {
  for (let i = 0; i < 300; i++) await seeder.set(`prefs:t${String(i % 7)}:u${String(i)}`, '1');
  let total = 0;
  for (const port of cluster.ports.slice(0, 2)) {
    const node = new Redis({ host: '127.0.0.1', port });
    total += await node.dbsize();
    node.disconnect();
  }
  return total;
}

describe.skipIf(!isAvailable)('the runtime under faults, on a real three-primary Redis Cluster', () => {
  let cluster: RedisCluster;
  const clients: Cluster[] = [];
  const connect = (): Cluster => {
    const client = new Cluster(
      cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
      { clusterRetryStrategy: () => 200 },
    );
    client.on('error', () => {});
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 90_000);

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await cluster.stop();
  });

  it('a brand-new client waits for its slot map and deletes on every primary', async () => {
    const seeder = connect();
    for (let i = 0; i < 300; i++) await seeder.set(`prefs:t${String(i % 7)}:u${String(i)}`, '1');
    const { cache, reports } = faultCache(connect());
    expect(await cache.deletePattern('prefs:*')).toBe(300);
    expect(reports.errors).toEqual([]);
  }, 30_000);

  it('a cluster client that never gets a slot map: the delete fails within its bound, saying why', async () => {
    const nowhere = new Cluster([{ host: '127.0.0.1', port: await freePort() }], { clusterRetryStrategy: () => 100 });
    nowhere.on('error', () => {});
    clients.push(nowhere);
    await expect(new RedisStore(nowhere, { readyTimeoutMs: 200 }).deletePattern('prefs:*')).rejects.toThrow(
      new CacheDeleteError('Cannot delete prefs:*: the cluster client had no slot map after 200 ms', 0),
    );
  });

  it('a primary paused: the delete stops at its bound and counts what the others deleted', async () => {
    const onOthers = await seedCluster(cluster, connect());
    const client = connect();
    await client.get('warmup');
    const paused = cluster.servers[2];
    if (!paused) throw new Error('no third primary');
    paused.pause();
    try {
      const { cache, reports } = faultCache(client);
      const deleted = await cache.deletePattern('prefs:*');
      expect(deleted).toBe(onOthers);
      expect(reports.errors.map((e) => [e.error instanceof CacheTimeoutError, e.context.deleted])).toEqual([[true, deleted]]);
    } finally {
      paused.resume();
    }
    for (const port of cluster.ports) {
      const node = new Redis({ host: '127.0.0.1', port });
      await node.flushall();
      node.disconnect();
    }
  }, 30_000);

  it('a primary down: the delete covers the others, counts them, and names the missing one', async () => {
    const others = await seedCluster(cluster, connect());
    const victim = cluster.servers[2];
    if (!victim) throw new Error('no third primary');
    const client = connect();
    await client.get('warmup');
    await victim.kill();
    const { cache, reports } = faultCache(client);
    const deleted = await cache.deletePattern('prefs:*');
    expect(deleted).toBe(others);
    const [report] = reports.errors;
    expect(report?.error).toBeInstanceOf(CacheDeleteError);
    expect((report?.error as CacheDeleteError).incomplete).toEqual([`127.0.0.1:${String(victim.port)}`]);
    expect(cache.metrics.snapshot()['prefs']).toMatchObject({ keysDeleted: deleted, invalidationErrors: 1 });
  }, 30_000);
});
