import { describe, expect, it } from 'vitest';
import { covers, decideCovers, decidePatternCovers, patternCovers, uncoveredWitness } from '../../src/patterns/operations.js';

// Shapes whose subset automata grow exponentially: `*a` then n `?` remembers where each `a` was.
const shape = (n: number): string => `*a${'?'.repeat(n)}`;

describe('inclusion questions stay bounded', () => {
  it('answers the shapes of the issue at once, saying when they are too complex to decide', () => {
    for (const n of [12, 14, 16, 17, 18, 24, 40]) {
      const p = shape(n);
      // A pattern covers itself, decided without an automaton.
      expect(decidePatternCovers(p, p)).toBe('covered');
      expect(patternCovers(p, p)).toBe(true);
      // p + '?' covers p + 'b': decided exactly, or too complex, never a wrong "uncovered".
      expect(['covered', 'too-complex']).toContain(decidePatternCovers(`${p}?`, `${p}b`));
      expect(['uncovered', 'too-complex']).toContain(decidePatternCovers(p, `${p}b`));
      expect(patternCovers(p, `${p}b`)).toBe(false);
    }
    expect(decidePatternCovers(`${shape(40)}?`, `${shape(40)}b`)).toBe('too-complex');
    expect(decidePatternCovers(shape(2), shape(2))).toBe('covered');
    expect(decidePatternCovers(shape(2), `${shape(2)}b`)).toBe('uncovered');
  });

  it('bounds covers on a long pattern against a template, answering on the side that reports nothing', () => {
    const pattern = `*a${'?'.repeat(30)}`;
    const template = `x:{id}:${'y'.repeat(40)}`;
    const decision = decideCovers(pattern, template);
    expect(['uncovered', 'too-complex']).toContain(decision);
    expect(covers(pattern, template)).toBe(decision !== 'uncovered');
    if (decision === 'too-complex') expect(uncoveredWitness(pattern, template)).toBeNull();
    expect(decideCovers('quotes:*', 'quotes:list:{tenantId}')).toBe('covered');
    expect(decideCovers('quotes:a*', 'quotes:{id}')).toBe('uncovered');
    expect(uncoveredWitness('quotes:a*', 'quotes:{id}')).toBe('quotes:b');
  });
});
