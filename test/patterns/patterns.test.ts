import { describe, expect, it } from 'vitest';
import {
  broadReason,
  covers,
  escapeGlob,
  isBroad,
  matches,
  overlaps,
  parsePattern,
  PatternSyntaxError,
  patternCovers,
  uncoveredWitness,
} from '../../src/patterns/index.js';

describe('parsePattern', () => {
  it('reads holes from placeholders and from template-literal parts', () => {
    const fromText = parsePattern('quotes:list:{tenantId}:*');
    expect(fromText.errors).toEqual([]);
    expect(fromText.tokens.filter((t) => t.kind === 'hole')).toEqual([{ kind: 'hole', name: 'tenantId', start: 12, end: 22 }]);
    const fromParts = parsePattern(['quotes:list:', { hole: 'tenantId' }, ':*']);
    expect(fromParts.source).toBe('quotes:list:{tenantId}:*');
    expect(fromParts.tokens.map((t) => t.kind)).toEqual(fromText.tokens.map((t) => t.kind));
  });

  it.each([
    ['', 'empty', 0, 0],
    ['   ', 'whitespace', 0, 3],
    [' quotes:*', 'whitespace', 0, 1],
    ['quotes:* ', 'whitespace', 8, 9],
    ['quotes:{tenantId', 'unclosed-brace', 7, 16],
    ['quotes:{tenant-id}:*', 'placeholder-syntax', 7, 18],
    ['quotes:{}:*', 'placeholder-syntax', 7, 9],
    ['quotes:}', 'placeholder-syntax', 7, 8],
    ['quotes:${tenantId}:*', 'dollar-brace', 7, 18],
  ])('rejects %j with %s at %i..%i', (source, code, start, end) => {
    const { errors } = parsePattern(source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code, start, end });
    expect(errors[0]?.message).toMatch(/\.$/);
  });

  it.each([
    ['quotes:[abc', 'unclosed-class', 7, 11],
    ['quotes:\\', 'trailing-backslash', 7, 8],
    ['quotes:[]', 'empty-class', 7, 9],
    ['quotes:[^]', 'empty-class', 7, 10],
    ['quotes:[z-a]', 'reversed-range', 8, 11],
    ['quotes:my list', 'inner-whitespace', 9, 10],
  ])('accepts %j as Redis does but warns %s at %i..%i', (source, code, start, end) => {
    const parsed = parsePattern(source);
    expect(parsed.errors).toEqual([]);
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toMatchObject({ code, start, end });
  });

  it('locates diagnostics in characters, not bytes, after multi-byte text', () => {
    const { errors } = parsePattern('cliënts:{x');
    expect(errors[0]).toMatchObject({ code: 'unclosed-brace', start: 8, end: 10 });
  });

  it('makes the operations throw a located PatternSyntaxError', () => {
    expect(() => overlaps('quotes:{tenant', 'quotes:{tenantId}')).toThrow(PatternSyntaxError);
    expect(() => overlaps('quotes:{tenant', 'quotes:{tenantId}')).toThrow(/at 8: A `\{` without `\}`/);
  });
});

describe('matches', () => {
  it.each([
    ['quotes:*', 'quotes:list:t1:abc', true],
    ['quotes:*', 'quotes2:list', false],
    ['quotes:list:?', 'quotes:list:é', false], // é is two bytes
    ['quotes:list:??', 'quotes:list:é', true],
    ['a[', 'a[', false], // an unclosed class with no members matches nothing
    ['a[b', 'ab', true],
    ['a[^', 'ax', true],
    ['a\\', 'a\\', true],
    ['[]', 'a', false],
    ['[^]', 'a', true],
    ['[z-a]', 'm', true],
    ['[a-]', ']', true], // `-` takes the `]` as the end of a range: a class from a to ]
    ['*', '', true],
  ])('%j vs %j is %s', (pattern, key, expected) => {
    expect(matches(pattern, key)).toBe(expected);
  });

  it('stays polynomial on adversarial patterns', () => {
    const pattern = '*a'.repeat(100);
    const key = 'a'.repeat(10_000 - 1) + 'b';
    expect(matches(pattern, key)).toBe(false);
    expect(matches(pattern, 'a'.repeat(10_000))).toBe(true);
  });
});

describe('overlaps and covers', () => {
  const kpis = 'dashboard:kpis:{tenantId}:{hash}';

  it('relates invalidation patterns to registry templates', () => {
    expect(overlaps('dashboard:*', kpis)).toBe(true);
    expect(overlaps('qoutes:*', 'quotes:list:{tenantId}:{hash}')).toBe(false);
    expect(covers('dashboard:*', kpis)).toBe(true);
    expect(covers('dashboard:kpis:*', kpis)).toBe(true);
    expect(covers('dashboard:kpis:{tenantId}:*', kpis)).toBe(true);
    expect(covers('dashboard:kpis:acme:*', kpis)).toBe(false);
    expect(overlaps('dashboard:kpis:acme:*', kpis)).toBe(true);
    expect(covers('dashboard:top_clients:*', kpis)).toBe(false);
  });

  it('names the shortest key a pattern misses', () => {
    expect(uncoveredWitness('dashboard:kpis:acme:*', kpis)).toBe('dashboard:kpis:a:a');
    expect(uncoveredWitness('dashboard:kpis:{tenantId}:?', kpis)).toBe('dashboard:kpis:{tenantId}:aa');
  });

  it('does not let a hole span segments', () => {
    expect(overlaps('quotes:{tenantId}', 'quotes:{tenantId}:{hash}')).toBe(false);
    expect(covers('quotes:{tenantId}:*', 'quotes:list:{tenantId}:{hash}')).toBe(false);
  });

  it('compares patterns with each other', () => {
    expect(patternCovers('quotes:*', 'quotes:list:*')).toBe(true);
    expect(patternCovers('quotes:list:*', 'quotes:*')).toBe(false);
    expect(patternCovers('quotes:{t}:*', 'quotes:{t}:list:*')).toBe(true);
    expect(patternCovers('{x}{x}', 'ab')).toBe(false);
  });
});

describe('isBroad', () => {
  it.each(['*', '**', '?*', '*:kpis', 'd*', 'quotes*', '[dq]uotes:*', '{tenantId}:*', '{tenantId}*'])('%j is broad', (p) => {
    expect(isBroad(p)).toBe(true);
  });

  it.each(['quotes:*', 'dashboard:kpis:*', 'quotes', '{tenantId}:quotes:*', 'quotes:list:{tenantId}:*', '{tenantId}'])(
    '%j is not broad',
    (p) => {
      expect(isBroad(p)).toBe(false);
    },
  );

  it('explains why, and honours allowed exceptions', () => {
    expect(broadReason('*')).toBe('it matches every key');
    expect(broadReason('quotes*')).toBe(
      'its namespace `quotes*` is not complete literal text followed by `:`, so it also matches other namespaces',
    );
    expect(isBroad('*', { allow: ['*'] })).toBe(false);
  });
});

describe('escapeGlob', () => {
  it('makes any value match only itself', () => {
    for (const value of ['a*', 'a?b', '[x]', 'back\\slash', 'plain', '*']) {
      const escaped = escapeGlob(value);
      expect(matches(escaped, value)).toBe(true);
      expect(matches(`t:${escaped}:*`, `t:${value}x:1`)).toBe(false);
    }
    expect(escapeGlob('a*[b]?\\')).toBe('a\\*\\[b\\]\\?\\\\');
  });
});
