import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCache, defineCacheRegistry, MemoryStore, registerPrometheus } from '../../packages/runtime/src/runtime/index.js';

describe('Prometheus exposition through prom-client', () => {
  it('counts lookups, sets and invalidations per key family', async () => {
    const registry = new prom.Registry();
    const cache = createCache({
      registry: defineCacheRegistry({ keys: { quotesList: { template: 'quotes:list:{tenantId}:{hash}', ttl: 60 } } }),
      store: new MemoryStore(),
      global: false,
    });
    registerPrometheus(cache, prom, { registers: [registry] });
    await cache.get('quotesList', { tenantId: 't', hash: 'h' });
    await cache.set('quotesList', { tenantId: 't', hash: 'h' }, 1);
    await cache.get('quotesList', { tenantId: 't', hash: 'h' });
    await cache.deletePattern('quotes:list:*');
    await cache.store.set('quotes:list:t:h', '{not json');
    await cache.get('quotesList', { tenantId: 't', hash: 'h' });
    const text = await registry.metrics();
    expect(text).toContain('cache_audit_lookups_total{family="quotesList",result="miss"} 2');
    expect(text).toContain('cache_audit_lookups_total{family="quotesList",result="hit"} 1');
    expect(text).toContain('cache_audit_sets_total{family="quotesList"} 1');
    expect(text).toContain('cache_audit_keys_deleted_total{family="quotesList"} 1');
    expect(text).toContain('cache_audit_errors_total{family="quotesList"} 1');
    expect(text).toContain('cache_audit_hit_rate{family="quotesList"} 0.3333333333333333');
  });
});
