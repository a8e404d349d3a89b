import { describe, expect, it } from 'vitest';
import { defineCacheRegistry, matches, RegistryError } from '../../src/index.js';

const cacheKeys = defineCacheRegistry({
  prefix: 'onquota:',
  keys: {
    dashboardKpis: { template: 'dashboard:kpis:{tenantId}:{hash}', ttl: 300, dependsOn: ['quotes', 'expenses', 'clients'] },
    quotesList: { template: 'quotes:list:{tenantId}:{hash}', ttl: 60, dependsOn: ['quotes'] },
    settings: { template: 'settings:global' },
    tagged: { template: 'quotes:{tenantId}:summary', hashTag: 'tenantId' },
  },
});

describe('defineCacheRegistry', () => {
  it('builds keys and escaped patterns from templates', () => {
    expect(cacheKeys.prefix).toBe('onquota:');
    expect(cacheKeys.key('quotesList', { tenantId: 't1', hash: 'abc' })).toBe('quotes:list:t1:abc');
    expect(cacheKeys.key('settings', {})).toBe('settings:global');
    expect(cacheKeys.pattern('quotesList', { tenantId: 't1' })).toBe('quotes:list:t1:*');
    expect(cacheKeys.pattern('quotesList')).toBe('quotes:list:*:*');
    expect(cacheKeys.key('tagged', { tenantId: 't1' })).toBe('quotes:{t1}:summary');
  });

  it('escapes values so a tenant id cannot widen a pattern', () => {
    const pattern = cacheKeys.pattern('quotesList', { tenantId: 'a*' });
    expect(pattern).toBe('quotes:list:a\\*:*');
    expect(matches(pattern, 'quotes:list:a*:h')).toBe(true);
    expect(matches(pattern, 'quotes:list:abc:h')).toBe(false);
  });

  it('rejects parameters at compile time and at run time', () => {
    // @ts-expect-error a missing parameter
    expect(() => cacheKeys.key('quotesList', { tenantId: 't1' })).toThrow('Missing parameter `hash` for cache key `quotesList`.');
    // @ts-expect-error an unknown parameter
    expect(() => cacheKeys.key('quotesList', { tenantId: 't1', hash: 'h', extra: 1 })).toThrow('Unknown parameter `extra`');
    // @ts-expect-error an unknown key family
    expect(() => cacheKeys.key('nope', {})).toThrow('Unknown cache key `nope`');
    expect(() => cacheKeys.key('quotesList', { tenantId: 'a:b', hash: 'h' })).toThrow('one non-empty segment');
  });

  it('reads placeholders from own properties of the parameters, never from Object.prototype', () => {
    const inherited = defineCacheRegistry({
      keys: {
        byConstructor: { template: 'a:{constructor}' },
        byToString: { template: 'b:{toString}' },
        byProto: { template: 'c:{__proto__}' },
      },
    });
    for (const [name, param] of [
      ['byConstructor', 'constructor'],
      ['byToString', 'toString'],
      ['byProto', '__proto__'],
    ] as const) {
      expect(() => inherited.key(name, {} as never)).toThrow(`Missing parameter \`${param}\` for cache key \`${name}\`.`);
      expect(inherited.pattern(name, {})).toMatch(/^[abc]:\*$/);
    }
    expect(inherited.key('byConstructor', { constructor: 'c1' })).toBe('a:c1');
    expect(inherited.key('byProto', { ['__proto__']: 'p1' })).toBe('c:p1');
  });

  it('answers which families depend on a resource', () => {
    expect(cacheKeys.dependentsOf('quotes').map((e) => e.name)).toEqual(['dashboardKpis', 'quotesList']);
    expect(cacheKeys.dependentsOf('clients').map((e) => e.name)).toEqual(['dashboardKpis']);
  });

  it('lists every problem of an invalid registry with its path', () => {
    const invalid = {
      prefx: 'x',
      keys: {
        a: { template: 'quotes:{tenantId', ttl: -1 },
        b: { template: 'quotes:list:{t}', dependsOn: 'quotes' },
        c: { template: 'quotes:list:{other}' },
        d: { template: 'x:*', colour: 'red' },
        e: { template: 'y:{a}', hashTag: 'b' },
      },
    };
    let error: unknown;
    try {
      defineCacheRegistry(invalid as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['prefx', 'Unknown registry field `prefx`: expected `prefix` or `keys`.'],
      ['keys.a.template', 'Malformed template `quotes:{tenantId` of `a`: A `{` without `}`: write parameters as `{name}`.'],
      ['keys.a.ttl', 'The ttl of `a` must be a positive number of seconds, not number -1.'],
      ['keys.b.dependsOn', '`dependsOn` of `b` must be a list of resource names (strings), not the string "quotes".'],
      ['keys.d.colour', 'Unknown field `colour` in key `d`: expected template, ttl, dependsOn, description or hashTag.'],
      [
        'keys.d.template',
        'Malformed template `x:*` of `d`: The template contains `*`, a glob character in Redis patterns: keys should not contain it.',
      ],
      ['keys.e.hashTag', '`hashTag` of `e` must name a parameter of its template (`a`).'],
    ]);
  });

  it('rejects two templates that differ only in parameter names', () => {
    expect(() => defineCacheRegistry({ keys: { a: { template: 'q:{x}' }, b: { template: 'q:{y}' } } })).toThrow(
      'keys.b.template: The template `q:{y}` duplicates the one of `a`: one key family per template.',
    );
  });
});
