import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { covers, matches, overlapWitness, parseTemplate, patternCovers, uncoveredWitness } from '../../src/patterns/index.js';

/**
 * overlaps/covers decide questions about infinite key languages with automata. Here they are
 * checked against brute force: every key up to a length over a small alphabet, with `matches`
 * (itself checked against Redis) as the judge of membership. `z` never appears in a pattern or a
 * template, so it stands for every byte that neither mentions.
 */

const ALPHABET = ['a', 'b', ':', 'z'];
const MAX_KEY = 6;
const HOLE_NAMES = ['tenantId', 'x'];

const patternPiece = fc.constantFrom('a', 'b', ':', '*', '?', '[ab]', '[^a]', '[a-b]', '{tenantId}', '{x}');
const templatePiece = fc.constantFrom('a', 'b', ':', '{tenantId}', '{hash}');

const patternArb = fc.array(patternPiece, { minLength: 1, maxLength: 4 }).map((pieces) => pieces.join(''));
const templateArb = fc
  .array(templatePiece, { minLength: 1, maxLength: 3 })
  .filter((pieces) => new Set(pieces.filter((p) => p.startsWith('{'))).size === pieces.filter((p) => p.startsWith('{')).length)
  .map((pieces) => pieces.join(''));

function allKeys(maxLength: number): string[] {
  const keys: string[] = [];
  let layer = [''];
  for (let length = 1; length <= maxLength; length++) {
    layer = layer.flatMap((prefix) => ALPHABET.map((ch) => prefix + ch));
    keys.push(...layer);
  }
  return keys;
}

const KEYS = allKeys(MAX_KEY);

function templateRegExp(template: string): RegExp {
  const { pieces } = parseTemplate(template);
  const body = pieces.map((p) => (p.kind === 'param' ? '[^:]+' : p.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}

function substrings(key: string): string[] {
  const result = new Set<string>();
  for (let i = 0; i < key.length; i++) {
    for (let j = i + 1; j <= key.length; j++) {
      const value = key.slice(i, j);
      if (!value.includes(':')) result.add(value);
    }
  }
  return [...result];
}

/** Whether some value for each hole (any non-empty segment) makes `pattern` match `key`. */
function patternHasKey(pattern: string, key: string): boolean {
  const holes = [...new Set(pattern.match(/\{\w+\}/g) ?? [])];
  const values = substrings(key);
  const tryFill = (index: number, text: string): boolean => {
    const hole = holes[index];
    if (hole === undefined) return matches(text, key);
    return values.some((value) => tryFill(index + 1, text.split(hole).join(value)));
  };
  return tryFill(0, pattern);
}

/** Holes with distinct positions are independent values in overlaps: rename repeats apart. */
function independentHoles(pattern: string): string {
  let count = 0;
  return pattern.replace(/\{\w+\}/g, () => `{h${String(count++)}}`);
}

describe('pattern languages against brute force', () => {
  it('overlapWitness finds a shared key exactly when one exists (keys up to 6 bytes)', () => {
    fc.assert(
      fc.property(patternArb, templateArb, (pattern, template) => {
        const inTemplate = templateRegExp(template);
        const loose = independentHoles(pattern);
        const shared = KEYS.filter((key) => inTemplate.test(key) && patternHasKey(loose, key));
        const witness = overlapWitness(pattern, template);
        if (witness !== null) {
          expect(inTemplate.test(witness)).toBe(true);
          expect(patternHasKey(loose, witness)).toBe(true);
        }
        const shortWitness = witness !== null && witness.length <= MAX_KEY;
        expect(shortWitness).toBe(shared.length > 0);
      }),
      { numRuns: 400, seed: 1125 },
    );
  });

  it('uncoveredWitness finds a missed key exactly when one exists, for patterns without shared names', () => {
    const freePatternArb = patternArb.filter((p) => !/\{(tenantId|hash)\}/.test(p));
    fc.assert(
      fc.property(freePatternArb, templateArb, (pattern, template) => {
        // A name repeated within one pattern is read as independent values (documented).
        const loose = independentHoles(pattern);
        const inTemplate = templateRegExp(template);
        const missed = KEYS.filter((key) => inTemplate.test(key) && !patternHasKey(loose, key));
        const witness = uncoveredWitness(pattern, template);
        if (witness !== null) {
          expect(inTemplate.test(witness)).toBe(true);
          expect(patternHasKey(loose, witness)).toBe(false);
        }
        expect(witness !== null && witness.length <= MAX_KEY).toBe(missed.length > 0);
      }),
      { numRuns: 400, seed: 2026 },
    );
  });

  it('covers with a shared name equals covers for every value of that name', () => {
    const values = allKeys(3).filter((v) => !v.includes(':'));
    const boundPatternArb = patternArb.filter((p) => p.includes('{tenantId}'));
    const boundTemplateArb = templateArb.filter((t) => t.includes('{tenantId}'));
    fc.assert(
      fc.property(boundPatternArb, boundTemplateArb, (pattern, template) => {
        const forEveryValue = values.every((value) =>
          covers(pattern.split('{tenantId}').join(value), template.split('{tenantId}').join(value)),
        );
        expect(covers(pattern, template)).toBe(forEveryValue);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('patternCovers agrees with brute force on keys up to 6 bytes', () => {
    const freeArb = patternArb.filter((p) => !p.includes('{'));
    fc.assert(
      fc.property(freeArb, freeArb, (outer, inner) => {
        const missed = KEYS.some((key) => matches(inner, key) && !matches(outer, key));
        // A missed key may be longer than 6 bytes; only the claim "covers" must hold on every short key.
        if (patternCovers(outer, inner)) expect(missed).toBe(false);
        if (missed) expect(patternCovers(outer, inner)).toBe(false);
      }),
      { numRuns: 400, seed: 9 },
    );
  });

  it('treats HOLE_NAMES as placeholders', () => {
    for (const name of HOLE_NAMES) expect(overlapWitness(`q:{${name}}`, 'q:{hash}')).toBe('q:a');
  });
});
