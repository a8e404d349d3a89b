import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createCache,
  defineCacheRegistry,
  invalidateCachePattern,
  InvalidateCachePattern,
  matches,
  MemoryStore,
  resetCache,
} from '../../packages/runtime/src/runtime/index.js';

/**
 * No parameter value, whatever its text and up to the key-length bound, widens a delete: through
 * `registry.pattern`, the decorators and the middleware, a value either reaches exactly the keys
 * that carry it, or is refused.
 */
const registry = defineCacheRegistry({
  prefix: 'app:',
  keys: {
    prefs: { template: 'prefs:{tenantId}:{userId}', ttl: 300 },
    summary: { template: 'summary:{tenantId}:all', hashTag: 'tenantId', ttl: 300 },
  },
});

const OTHERS = ['t1', 't2', 'a', 't1x', '*', 'x\\'];

/** Values that stress a glob: its syntax, separators, emptiness, any code unit, and length. */
const value = fc.oneof(
  fc.constantFrom('', ':', 't1:u1', 't1:', ':t1', '*', 't*', '?', '[t]1', '\\', 't1\\', '{t1}', 't1}', '{', 't1', 'a'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('*', '?', '[', ']', '\\', ':', '{', '}', '^', '-', 'a', 't', '1'), maxLength: 60 }),
  fc.integer({ min: 900, max: 1000 }).map((n) => 't'.repeat(n)),
);

/** One segment, in well-formed UTF-16 (a lone surrogate would share the keys of U+FFFD in Redis). */
const isSegment = (text: string): boolean => text !== '' && !text.includes(':') && !/\p{Cs}/u.test(text);

afterEach(() => {
  resetCache();
});

/** A store holding one preference and one summary for each tenant (the value's own too, when it can be one). */
async function seeded(tenant: string) {
  const store = new MemoryStore();
  // The refusals are counted by the tests that need them; here they would only be warnings.
  const cache = createCache({ registry, store, maxKeyLength: 4096, onError: () => {} });
  const tenants = isSegment(tenant) ? [...new Set([...OTHERS, tenant])] : OTHERS;
  for (const t of tenants) {
    await cache.set('prefs', { tenantId: t, userId: 'u1' }, 1);
    await cache.set('summary', { tenantId: t }, 1);
  }
  return { store, cache, tenants };
}

/** The tenants whose keys a delete left in the store. */
function survivors(store: MemoryStore): Set<string> {
  return new Set(store.keys().map((key) => (key.startsWith('app:prefs:') ? key.slice(10, key.lastIndexOf(':')) : key.slice(13, -5))));
}

function expectOnlyOwnKeysGone(tenant: string, tenants: readonly string[], store: MemoryStore): void {
  const left = survivors(store);
  for (const t of tenants) expect(left.has(t)).toBe(t !== tenant);
  // Both families of the tenant are gone or both stay: no half delete.
  expect(store.size).toBe((tenants.length - (isSegment(tenant) ? 1 : 0)) * 2);
}

describe('no parameter value widens a delete', () => {
  it('registry.pattern: a value matches only its own keys, or is refused', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(...OTHERS), (v, other) => {
        let pattern: string;
        try {
          pattern = registry.pattern('prefs', { tenantId: v });
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          expect(isSegment(v)).toBe(false);
          return;
        }
        expect(matches(pattern, registry.key('prefs', { tenantId: v, userId: 'u1' }))).toBe(true);
        if (other !== v) expect(matches(pattern, registry.key('prefs', { tenantId: other, userId: 'u1' }))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('the decorators: a handler deletes its tenant keys only, or reports the value', async () => {
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const { store, tenants } = await seeded(v);
        const handler: PropertyDescriptor = { value: () => Promise.resolve('saved') };
        InvalidateCachePattern('prefs:{tenantId}:*', 'summary:{tenantId}:*', { params: () => ({ tenantId: v }) })({}, 'save', handler);
        expect(await (handler.value as () => Promise<string>)()).toBe('saved');
        expectOnlyOwnKeysGone(v, tenants, store);
      }),
      { numRuns: 200 },
    );
  });

  it('the middleware: a request deletes its tenant keys only, or reports the value', async () => {
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const { store, cache, tenants } = await seeded(v);
        const errors: unknown[] = [];
        const reporting = createCache({ registry, store, maxKeyLength: 4096, onError: (e) => errors.push(e), global: false });
        const middleware = invalidateCachePattern('prefs:{tenantId}:*', 'summary:{tenantId}:*', {
          cache: reporting,
          params: (context: { tenant: string }) => ({ tenantId: context.tenant }),
        });
        // Koa's (context, next): the handler answers 200.
        const context = { tenant: v, status: 0 };
        await middleware(context, () => {
          context.status = 200;
          return Promise.resolve();
        });
        expectOnlyOwnKeysGone(v, tenants, store);
        expect(errors.length).toBe(isSegment(v) ? 0 : 2);
        await cache.close();
      }),
      { numRuns: 200 },
    );
  });
});
