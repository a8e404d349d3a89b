import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CacheKeyError,
  createCache,
  defineCacheRegistry,
  escapeGlob,
  MemoryStore,
  RedisStore,
  RegistryError,
} from '../../packages/runtime/src/runtime/index.js';
import type { CacheErrorContext } from '../../packages/runtime/src/runtime/index.js';
import { redisPortOrSkip } from '../support/redis.js';

const port = redisPortOrSkip('cache keys on RedisStore');

const registry = defineCacheRegistry({
  prefix: 'app:',
  keys: {
    prefs: { template: 'prefs:{tenantId}:{userId}', ttl: 300 },
  },
});

/** A lone high surrogate, and the character a UTF-8 encoder writes in its place. */
const LONE = 'acme\uD800';
const REPLACED = 'acme\uFFFD';

describe('registry text that is not well-formed UTF-16', () => {
  it('is refused in the prefix, a template and a parameter value', () => {
    expect(() => defineCacheRegistry({ prefix: 'app\uDC00:', keys: { a: { template: 'a:{x}' } } })).toThrow(RegistryError);
    expect(() => defineCacheRegistry({ keys: { a: { template: 'a\uD800:{x}' } } })).toThrow(/template of `a` is not well-formed UTF-16/);
    expect(() => registry.key('prefs', { tenantId: LONE, userId: 'u1' })).toThrow(
      'Parameter `tenantId` of cache key `prefs` is not well-formed UTF-16 (a lone surrogate at 4 in "acme\\ud800")',
    );
    expect(() => registry.pattern('prefs', { tenantId: LONE })).toThrow(TypeError);
    // A surrogate pair is one character, as any other.
    expect(registry.key('prefs', { tenantId: 'acme\uD83D\uDE00', userId: 'u1' })).toBe('prefs:acme\uD83D\uDE00:u1');
  });
});

describe('every key the cache writes can be invalidated', () => {
  it('refuses a key whose escaped pattern would be over maxKeyLength, saying why', async () => {
    const store = new MemoryStore();
    const cache = createCache({ registry, store, maxKeyLength: 30, global: false });
    // 23 characters as a key, 33 as the pattern that deletes it: `app:prefs:\*\*…:u1`.
    const stars = { tenantId: '**********', userId: 'u1' };
    await expect(cache.set('prefs', stars, 1)).rejects.toThrow(
      'it is 23 characters long, but the pattern that invalidates it (its glob characters escaped) is 33, over maxKeyLength (30), so it could never be invalidated',
    );
    await expect(cache.getOrSet('prefs', stars, () => 1)).rejects.toThrow(CacheKeyError);
    await expect(cache.setKey('prefs:**********:u1', 1)).rejects.toThrow(CacheKeyError);
    expect(store.size).toBe(0);
  });

  it('holds for any value: a write is refused, or its exact pattern deletes it', async () => {
    const value = fc.string({ unit: fc.constantFrom('*', '?', '[', ']', '\\', 'a', 't'), minLength: 1, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(value, value, fc.integer({ min: 12, max: 60 }), async (tenantId, userId, maxKeyLength) => {
        const store = new MemoryStore();
        const errors: unknown[] = [];
        const cache = createCache({ registry, store, maxKeyLength, onError: (e) => errors.push(e), global: false });
        try {
          await cache.set('prefs', { tenantId, userId }, 1);
        } catch (error) {
          expect(error).toBeInstanceOf(CacheKeyError);
          expect(store.size).toBe(0);
          return;
        }
        expect(store.size).toBe(1);
        expect(await cache.invalidate(['prefs:{tenantId}:{userId}'], { tenantId, userId })).toBe(1);
        await cache.set('prefs', { tenantId, userId }, 1);
        expect(await cache.deletePattern(escapeGlob(`prefs:${tenantId}:${userId}`))).toBe(1);
        expect(errors).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe.skipIf(port === null)('keys on a real redis-server', () => {
  let client: Redis;

  beforeAll(() => {
    client = new Redis({ host: '127.0.0.1', port: port ?? 0, db: 10 });
  });

  beforeEach(async () => {
    await client.flushdb();
  });

  afterAll(async () => {
    await client.flushdb();
    client.disconnect();
  });

  it('keeps a tenant with a lone surrogate away from the tenant with U+FFFD: no shared reads or deletes', async () => {
    const errors: { error: unknown; context: CacheErrorContext }[] = [];
    const cache = createCache({
      registry,
      store: new RedisStore(client),
      onError: (error, context) => void errors.push({ error, context }),
      global: false,
    });
    await cache.set('prefs', { tenantId: REPLACED, userId: 'u1' }, 'theirs');
    await expect(cache.get('prefs', { tenantId: LONE, userId: 'u1' })).rejects.toThrow(/not well-formed UTF-16/);
    await expect(cache.getOrSet('prefs', { tenantId: LONE, userId: 'u1' }, () => 'mine')).rejects.toThrow(/not well-formed UTF-16/);
    await expect(cache.setKey(`prefs:${LONE}:u1`, 'mine')).rejects.toThrow(CacheKeyError);
    expect(await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: LONE })).toBe(0);
    expect(await cache.deletePattern(`prefs:${LONE}:*`)).toBe(0);
    expect(errors.map((e) => [e.context.operation, e.error instanceof CacheKeyError])).toEqual([
      ['invalidate', true],
      ['deletePattern', true],
    ]);
    expect(String(errors[0]?.error)).toContain('{tenantId} = "acme\\ud800" is not well-formed UTF-16');
    expect(await cache.get('prefs', { tenantId: REPLACED, userId: 'u1' })).toBe('theirs');
    expect(await client.keys('app:*')).toEqual([`app:prefs:${REPLACED}:u1`]);
    expect(await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: REPLACED })).toBe(1);
  });

  it('stores and invalidates surrogate pairs as the characters they are', async () => {
    const cache = createCache({ registry, store: new RedisStore(client), global: false });
    const tenant = 'acme\uD83D\uDE00';
    await cache.set('prefs', { tenantId: tenant, userId: 'u1' }, 1);
    expect(await cache.get('prefs', { tenantId: tenant, userId: 'u1' })).toBe(1);
    expect(await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: tenant })).toBe(1);
  });
});
