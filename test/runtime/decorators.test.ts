import { createRequire } from 'node:module';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import * as runtime from '../../packages/runtime/src/runtime/index.js';

/**
 * The decorators must work in both dialects. Each case is compiled by the real TypeScript compiler,
 * once with `experimentalDecorators` (NestJS) and once with TC39 standard decorators, then run.
 */
const SOURCE = `
const { InvalidateCachePattern, Cacheable, NoCacheInvalidation, Mutates } = runtime;
class QuotesController {
  constructor() { this.loads = 0; this.created = 0; }
  @Cacheable('quotesList')
  list(tenantId, page) { this.loads += 1; return { tenantId, page, loads: this.loads }; }

  @InvalidateCachePattern('quotes:list:{tenantId}:*')
  @InvalidateCachePattern('dashboard:*')
  async create(tenantId, input) { this.created += 1; return { id: 'q' + this.created, ...input }; }

  @InvalidateCachePattern('quotes:*', { when: 'always' })
  async failAlways() { throw new Error('boom'); }

  @InvalidateCachePattern('quotes:*')
  async failOnSuccessOnly() { throw new Error('boom'); }

  @NoCacheInvalidation('audit trail only')
  @Mutates('quotes')
  touch() { return 'touched'; }
}
exports.QuotesController = QuotesController;
`;

const require = createRequire(import.meta.url);

function compile(isLegacy: boolean): { QuotesController: new () => Record<string, (...args: unknown[]) => unknown> } {
  const output = ts.transpileModule(SOURCE, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      experimentalDecorators: isLegacy,
    },
  }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call -- runs the compiled decorators, as their module would
  new Function('runtime', 'exports', 'module', 'require', output)(runtime, module.exports, module, require);
  return module.exports as never;
}

const registry = runtime.defineCacheRegistry({
  keys: {
    quotesList: { template: 'quotes:list:{tenantId}:{hash}', ttl: 60, dependsOn: ['quotes'] },
    dashboardKpis: { template: 'dashboard:kpis:{tenantId}:{hash}', ttl: 300, dependsOn: ['quotes'] },
  },
});

afterEach(() => {
  runtime.resetCache();
});

describe.each([
  ['experimentalDecorators', true],
  ['TC39 standard decorators', false],
])('decorators with %s', (_name, isLegacy) => {
  const setup = () => {
    const store = new runtime.MemoryStore();
    const cache = runtime.createCache({
      registry,
      store,
      resolveParams: ({ args }) => ({ tenantId: args[0] as string }),
    });
    const { QuotesController } = compile(isLegacy);
    return { store, cache, controller: new QuotesController() };
  };

  it('reads through @Cacheable and invalidates after a successful mutation', async () => {
    const { store, cache, controller } = setup();
    expect(await controller['list']?.('acme', 1)).toEqual({ tenantId: 'acme', page: 1, loads: 1 });
    expect(await controller['list']?.('acme', 1)).toEqual({ tenantId: 'acme', page: 1, loads: 1 });
    expect(await controller['list']?.('other', 1)).toEqual({ tenantId: 'other', page: 1, loads: 2 });
    await store.set('dashboard:kpis:acme:h', '1');
    expect(store.size).toBe(3);
    expect(await controller['create']?.('acme', { amount: 5 })).toEqual({ id: 'q1', amount: 5 });
    // acme's list and the dashboard are gone; the other tenant's list stays.
    expect(store.keys().map((k) => k.split(':').slice(0, 3).join(':'))).toEqual(['quotes:list:other']);
    expect(await controller['list']?.('acme', 1)).toEqual({ tenantId: 'acme', page: 1, loads: 3 });
    const stats = cache.metrics.snapshot();
    expect(stats['quotesList']).toMatchObject({ hits: 1, misses: 3, sets: 3, invalidations: 1, keysDeleted: 1 });
    expect(stats['dashboardKpis']).toMatchObject({ invalidations: 1, keysDeleted: 1 });
  });

  it('invalidates nothing when the handler throws, unless when is always', async () => {
    const { store, controller } = setup();
    await store.set('quotes:list:acme:h', '1');
    await expect(controller['failOnSuccessOnly']?.()).rejects.toThrow('boom');
    expect(store.size).toBe(1);
    await expect(controller['failAlways']?.()).rejects.toThrow('boom');
    expect(store.size).toBe(0);
  });

  it('never lets a parameter value widen a pattern', async () => {
    const { store, controller } = setup();
    await store.set('quotes:list:a*:h', '1');
    await store.set('quotes:list:abc:h', '1');
    await controller['create']?.('a*', {});
    expect(store.keys()).toEqual(['quotes:list:abc:h']);
  });

  it('leaves marker decorators without effect', () => {
    const { controller } = setup();
    expect(controller['touch']?.()).toBe('touched');
  });
});

describe('marker decorators', () => {
  it('require a reason and resources', () => {
    expect(() => runtime.NoCacheInvalidation('  ')).toThrow('NoCacheInvalidation needs a reason');
    expect(() => runtime.Mutates()).toThrow('Mutates needs one or more resource names.');
  });
});
