import { afterEach, describe, expect, it } from 'vitest';
import { createCache, defineCacheRegistry, getCache, MemoryStore, resetCache } from '../../packages/runtime/src/runtime/index.js';
import type { CacheStore } from '../../packages/runtime/src/runtime/index.js';

const registry = defineCacheRegistry({
  prefix: 'app:',
  keys: {
    quotesList: { template: 'quotes:list:{tenantId}:{hash}', ttl: 60 },
    tagged: { template: 'quotes:{tenantId}:summary', hashTag: 'tenantId', ttl: 60 },
  },
});

afterEach(() => {
  resetCache();
});

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      debug: (m: string) => lines.push(`debug ${m}`),
      info: (m: string) => lines.push(`info ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      error: (m: string) => lines.push(`error ${m}`),
    },
  };
}

describe('createCache', () => {
  it('prefixes keys, applies the registry ttl and logs greppable lines', async () => {
    let clock = 1_000;
    const store = new MemoryStore({ now: () => clock });
    const { lines, logger } = recordingLogger();
    const cache = createCache({ registry, store, logger, now: () => clock });
    expect(getCache()).toBe(cache);
    await cache.set('quotesList', { tenantId: 't1', hash: 'h' }, { n: 1 });
    expect(store.keys()).toEqual(['app:quotes:list:t1:h']);
    expect(await cache.get('quotesList', { tenantId: 't1', hash: 'h' })).toEqual({ n: 1 });
    clock += 61_000;
    expect(await cache.get('quotesList', { tenantId: 't1', hash: 'h' })).toBeUndefined();
    expect(lines).toEqual(['debug Cache hit: app:quotes:list:t1:h', 'debug Cache miss: app:quotes:list:t1:h']);
    await cache.set('quotesList', { tenantId: 't1', hash: 'h' }, 1);
    expect(await cache.deletePattern('quotes:*')).toBe(1);
    expect(lines.at(-1)).toBe('info Invalidated cache pattern: app:quotes:* (1 keys)');
  });

  it('shares one load between concurrent misses', async () => {
    const cache = createCache({ registry, store: new MemoryStore() });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return 'value';
    };
    const results = await Promise.all([1, 2, 3].map(() => cache.getOrSet('quotesList', { tenantId: 't', hash: 'h' }, load)));
    expect(results).toEqual(['value', 'value', 'value']);
    expect(loads).toBe(1);
  });

  it('wraps hash-tag parameters in braces, in keys and in filled patterns', async () => {
    const store = new MemoryStore();
    const cache = createCache({ registry, store });
    await cache.set('tagged', { tenantId: 't1' }, 1);
    expect(store.keys()).toEqual(['app:quotes:{t1}:summary']);
    expect(await cache.invalidate(['quotes:{tenantId}:summary'], { tenantId: 't1' })).toBe(1);
  });

  it('widens a placeholder without a value to every value, and says so', async () => {
    const store = new MemoryStore();
    const { lines, logger } = recordingLogger();
    const cache = createCache({ registry, store, logger });
    await cache.set('quotesList', { tenantId: 't1', hash: 'h' }, 1);
    expect(await cache.invalidate(['quotes:list:{tenantId}:*'])).toBe(1);
    expect(lines).toContain('warn No value for {tenantId} in cache pattern quotes:list:{tenantId}:*: invalidating every tenantId.');
  });

  it('reports a failed invalidation: logged, counted, passed to onError; strict rethrows', async () => {
    const broken: CacheStore = {
      get: () => Promise.resolve(null),
      set: async () => {},
      deletePattern: () => Promise.reject(new Error('connection lost')),
    };
    const errors: unknown[] = [];
    const { lines, logger } = recordingLogger();
    const cache = createCache({ registry, store: broken, logger, onError: (e) => errors.push(e) });
    expect(await cache.deletePattern('quotes:list:*')).toBe(0);
    expect(errors).toHaveLength(1);
    expect(lines).toEqual(['error Cache deletePattern failed: app:quotes:list:* (0 keys deleted before it stopped)']);
    expect(cache.metrics.snapshot()['quotesList']).toMatchObject({ invalidationErrors: 1 });
    const strict = createCache({ registry, store: broken, strict: true });
    await expect(strict.deletePattern('quotes:*')).rejects.toThrow('connection lost');
  });

  it('warns or throws on a raw key that no template describes', async () => {
    const { lines, logger } = recordingLogger();
    const cache = createCache({ registry, store: new MemoryStore(), logger, unregisteredKeys: 'warn' });
    await cache.setKey('quotes:lsit:t1:h', 1);
    expect(lines).toEqual(['warn The cache key quotes:lsit:t1:h matches no registered template: add it to the registry.']);
    const strict = createCache({ registry, store: new MemoryStore(), unregisteredKeys: 'throw' });
    await expect(strict.setKey('nope', 1)).rejects.toThrow('matches no registered template');
    await strict.setKey('quotes:list:t1:h', 1);
  });

  it('counts patterns that deleted nothing and alerts on a falling hit rate', async () => {
    const cache = createCache({ registry, store: new MemoryStore() });
    await cache.deletePattern('quotes:list:*');
    expect(cache.metrics.snapshot()['quotesList']).toMatchObject({ emptyInvalidations: 1 });
    const alerts: unknown[] = [];
    cache.metrics.onHitRateBelow(0.5, { window: 60_000, minSamples: 4 }, (alert) => alerts.push(alert));
    for (let i = 0; i < 6; i++) await cache.get('quotesList', { tenantId: 't', hash: String(i) });
    expect(alerts).toEqual([{ family: 'quotesList', hitRate: 0, samples: 4 }]);
  });

  it('widens a {constructor} placeholder nobody gives to every value, not to inherited function text', async () => {
    const inherited = defineCacheRegistry({ keys: { byConstructor: { template: 'a:{constructor}:{toString}' } } });
    const store = new MemoryStore();
    const { lines, logger } = recordingLogger();
    const cache = createCache({ registry: inherited, store, logger });
    await cache.set('byConstructor', { constructor: 'c1', toString: 't1' }, 1);
    await expect(cache.get('byConstructor', {} as never)).rejects.toThrow('Missing parameter `constructor`');
    expect(await cache.invalidate(['a:{constructor}:{toString}'], {})).toBe(1);
    expect(lines.filter((line) => line.startsWith('warn'))).toEqual([
      'warn No value for {constructor} in cache pattern a:{constructor}:{toString}: invalidating every constructor.',
      'warn No value for {toString} in cache pattern a:{constructor}:{toString}: invalidating every toString.',
    ]);
    expect(lines.join('\n')).not.toContain('function');
  });

  it('warms chosen keys and reports the ones that fail', async () => {
    const cache = createCache({ registry, store: new MemoryStore() });
    const result = await cache.warm([
      { name: 'quotesList', params: { tenantId: 't', hash: 'h' }, load: () => [1, 2] },
      {
        name: 'quotesList',
        params: { tenantId: 'u', hash: 'h' },
        load: () => {
          throw new Error('db down');
        },
      },
    ]);
    expect(result.warmed).toBe(1);
    expect(result.failed.map((f) => f.name)).toEqual(['quotesList']);
    expect(await cache.get('quotesList', { tenantId: 't', hash: 'h' })).toEqual([1, 2]);
  });
});
