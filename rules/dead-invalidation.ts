import { levenshtein } from '../src/analysis/checks/helpers.js';
import { defineProjectRule } from '../src/analysis/rule.js';
import type { ParsedPattern } from '../src/patterns/parse.js';

export default defineProjectRule({
  id: 'dead-invalidation',
  meta: {
    description: 'A deleted key that nothing reads or writes, beside a key family the code does keep',
    level: 'warning',
    messages: {
      deadKey:
        '{{call}}() deletes `{{key}}`, but nothing in the project reads, fills or writes a key it can be; the code keeps `{{nearest}}`: the entry it means to clear is stored there. Delete that key.',
    },
  },
});

/** The most two literal segments may differ, in edits, for a written key to be the one a deletion means. */
const MAX_EDITS = 2;

/** A key's segments, each literal text or a hole (`{id}`, whatever its name). */
function segmentsOf(pattern: ParsedPattern): (string | null)[] {
  return pattern.source
    .split(':')
    .map((segment) => (/^\{[^{}]*\}$/.test(segment) ? null : segment.replace(/\{[^{}]*\}/g, '{}').replace(/\\(.)/g, '$1')));
}

/**
 * The key the code keeps that an exact key deleted nowhere else means (`users:{id}:profile` for
 * `user:{id}:profile`): as many segments, holes where it has holes, literal segments a typo apart in
 * all (at most two edits, and less than a third of its literal text). Null when none is that near,
 * or two are: then nothing says which one it means.
 */
export function nearestKey(deleted: ParsedPattern, kept: readonly ParsedPattern[]): ParsedPattern | null {
  const segments = segmentsOf(deleted);
  const literal = segments.reduce((n, s) => n + (s?.length ?? 0), 0);
  let best: { key: ParsedPattern; distance: number } | null = null;
  let isTied = false;
  for (const key of new Map(kept.map((k) => [k.source, k])).values()) {
    const other = segmentsOf(key);
    if (other.length !== segments.length) continue;
    let distance = 0;
    for (const [i, segment] of segments.entries()) {
      const theirs = other[i] ?? null;
      if ((segment === null) !== (theirs === null)) distance = Infinity;
      else if (segment !== null && theirs !== null) distance += levenshtein(segment, theirs);
    }
    if (distance === 0 || distance > MAX_EDITS || distance * 3 >= literal) continue;
    if (best === null || distance < best.distance) {
      best = { key, distance };
      isTied = false;
    } else if (distance === best.distance) isTied = true;
  }
  return best && !isTied ? best.key : null;
}
