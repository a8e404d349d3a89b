import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCache, defineCacheRegistry, RedisStore } from '../../packages/runtime/src/runtime/index.js';
import type { Cache, RedisStoreOptions } from '../../packages/runtime/src/runtime/index.js';
import { emitCacheWarning } from '../../packages/runtime/src/runtime/warnings.js';
import { hasRedisServer, startRedisServer } from '../setup/redis-server.js';
import type { RedisServer } from '../setup/redis-server.js';

const isAvailable = hasRedisServer();
if (!isAvailable) {
  if (process.env['CI'] === 'true') throw new Error('CI=true and redis-server is missing: the warning tests cannot run.');
  console.warn('[runtime warnings] skipped: redis-server is not installed (apt-get install -y redis-server)');
}

const registry = defineCacheRegistry({
  keys: {
    prefs: { template: 'prefs:{tenantId}:{userId}', ttl: 300 },
  },
});

/** The warnings `process.emitWarning` was given, as [code, message]. */
function recordWarnings(): [string, string][] {
  const warnings: [string, string][] = [];
  vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error, options?: unknown) => {
    const code = typeof options === 'object' && options !== null && 'code' in options ? String(options.code) : '';
    warnings.push([code, String(warning)]);
  });
  return warnings;
}

async function seed(client: Redis, count: number): Promise<void> {
  const pipeline = client.pipeline();
  for (let i = 0; i < count; i++) pipeline.set(`prefs:t1:u${String(i)}`, '1');
  await pipeline.exec();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a warning where there is no process', () => {
  it('goes to console.warn', () => {
    const lines: unknown[] = [];
    vi.spyOn(console, 'warn').mockImplementation((line: unknown) => void lines.push(line));
    vi.stubGlobal('process', undefined);
    try {
      emitCacheWarning('Cache deletePattern failed: prefs:*.', 'invalidation');
    } finally {
      vi.unstubAllGlobals();
    }
    expect(lines).toEqual(['CacheAuditWarning [CACHE_AUDIT_INVALIDATION_FAILED]: Cache deletePattern failed: prefs:*.']);
  });
});

describe.skipIf(!isAvailable)('failures with no logger and no onError, on a paused redis-server', () => {
  let server: RedisServer;
  let raw: Redis;
  const clients: Redis[] = [];
  const connect = (options: RedisOptions = {}): Redis => {
    const client = new Redis({ host: '127.0.0.1', port: server.port, ...options });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  let clock = 1_000_000;
  const quietCache = (options: { strict?: boolean; store?: RedisStoreOptions } = {}): Cache =>
    createCache({
      registry,
      store: new RedisStore(connect(), options.store),
      timeoutMs: 200,
      deleteTimeoutMs: 400,
      now: () => clock,
      strict: options.strict ?? false,
      global: false,
    });

  beforeAll(async () => {
    server = await startRedisServer();
    raw = connect();
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server.stop();
  });

  it('warns once a minute per kind: a failed invalidation, a failed fill, a partial delete', async () => {
    await raw.flushall();
    await seed(raw, 10);
    const warnings = recordWarnings();
    const cache = quietCache();
    server.pause();
    try {
      expect(await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: 't1' })).toBe(0);
      clock += 59_000;
      expect(await cache.deletePattern('prefs:*')).toBe(0);
    } finally {
      server.resume();
    }
    expect(warnings).toEqual([
      [
        'CACHE_AUDIT_INVALIDATION_FAILED',
        'Cache deletePattern failed: prefs:t1:* (0 keys deleted before it stopped). CacheTimeoutError: Cache deletePattern of prefs:t1:* did not finish within 400 ms. No logger.error or onError is given to createCache: pass one to see every failure (this warning comes at most once a minute per kind).',
      ],
    ]);

    // A fill whose store stops answering while it loads.
    expect(
      await cache.getOrSet('prefs', { tenantId: 't1', userId: 'new' }, () => {
        server.pause();
        return 'loaded';
      }),
    ).toBe('loaded');
    server.resume();
    expect(warnings.map(([code]) => code)).toEqual(['CACHE_AUDIT_INVALIDATION_FAILED', 'CACHE_AUDIT_FILL_FAILED']);

    // A delete that stops after some batches: a partial delete, its own kind.
    await raw.flushall();
    await seed(raw, 2000);
    const batched = quietCache({ store: { scanCount: 100, deleteBatch: 100 } });
    const client = clients.at(-1);
    if (!client) throw new Error('no client');
    const scan = client.scan.bind(client);
    let scans = 0;
    (client as { scan: unknown }).scan = async (...args: Parameters<typeof scan>) => {
      const result = await scan(...args);
      if (++scans === 3) server.pause();
      return result;
    };
    try {
      const deleted = await batched.deletePattern('prefs:t1:*');
      expect(deleted).toBeGreaterThan(0);
      expect(deleted).toBeLessThan(2000);
    } finally {
      server.resume();
    }
    expect(warnings.map(([code]) => code)).toEqual([
      'CACHE_AUDIT_INVALIDATION_FAILED',
      'CACHE_AUDIT_FILL_FAILED',
      'CACHE_AUDIT_PARTIAL_DELETE',
    ]);
    expect(warnings[2]?.[1]).toMatch(/^Cache deletePattern failed: prefs:t1:\* \(\d+ keys deleted before it stopped\)\. CacheTimeoutError/);

    // A minute after the first warning, the next failure of its kind warns again, counting the one in between.
    clock += 1_000;
    server.pause();
    try {
      expect(await cache.deletePattern('prefs:*')).toBe(0);
    } finally {
      server.resume();
    }
    expect(warnings).toHaveLength(4);
    expect(warnings[3]?.[0]).toBe('CACHE_AUDIT_INVALIDATION_FAILED');
    expect(warnings[3]?.[1]).toContain('1 more failures of this kind followed the previous warning.');
  }, 20_000);

  it('leaves the failure to onError, the error log, or the rejection of strict mode', async () => {
    const warnings = recordWarnings();
    const strict = quietCache({ strict: true });
    const heard: unknown[] = [];
    const withOnError = createCache({
      registry,
      store: new RedisStore(connect()),
      deleteTimeoutMs: 300,
      onError: (error) => void heard.push(error),
      global: false,
    });
    const withLogger = createCache({
      registry,
      store: new RedisStore(connect()),
      deleteTimeoutMs: 300,
      logger: { error: (message) => void heard.push(message) },
      global: false,
    });
    server.pause();
    try {
      await expect(strict.deletePattern('prefs:*')).rejects.toThrow('did not finish within 400 ms');
      expect(await withOnError.deletePattern('prefs:*')).toBe(0);
      expect(await withLogger.deletePattern('prefs:*')).toBe(0);
    } finally {
      server.resume();
    }
    expect(heard).toHaveLength(2);
    expect(warnings).toEqual([]);
  }, 20_000);
});
