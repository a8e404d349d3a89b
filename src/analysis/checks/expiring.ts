import { patternsOverlap } from '../../patterns/operations.js';
import type { ParsedPattern } from '../../patterns/parse.js';
import type { CheckInput } from '../checks.js';
import type { Invalidation } from '../facts.js';

/** The bound of `expiryByDesignSeconds` when the team names none: a minute. */
const DEFAULT_EXPIRY_BY_DESIGN = 60;

/** What `isLeftToExpire` reads of a family of keys (see `KeyFamily` in `stale-families.ts`). */
export interface ExpiringFamily {
  readonly pattern: ParsedPattern;
  readonly ttl: number | null;
  readonly isTag: boolean;
  readonly isLocal: boolean;
  readonly clearedBy: string | null;
  readonly isClearedByMutations: boolean;
  readonly isResponse: boolean;
  /** Fills by mutations with what they have just written: an overwrite is an invalidation. */
  readonly projected: readonly unknown[];
  /** The tags its reads give its entries: a delete by tag, which this check does not read, may clear it. */
  readonly tags: readonly unknown[];
}

/** Words of a key that say nothing of which entry it is. */
const GENERIC = new Set(['cache', 'cached', 'key', 'keys', 'redis', 'id', 'ids', 'k', 'value', 'item', 'entry', 'name', 'prefix', 'this']);

/** The words of a text, split at case changes, digits and punctuation, lower-cased: `FETCH_LICENSE_KEY` → fetch, license, key. */
function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length > 0);
}

/**
 * Whether an invalidation the audit cannot read may be of a family: its text names nothing but
 * generic words (`redis.del(key)`: any key), or shares a word with the family's literal segments
 * (`del(cacheKeys.ENV_STATE)` and `env:{id}:state`). A key given by the wrapper's callers is read
 * where they pass it, not here.
 */
function mayBeOf(text: string, family: ParsedPattern): boolean {
  const words = wordsOf(text).filter((w) => !GENERIC.has(w));
  if (words.length === 0) return true;
  const literal = new Set(wordsOf(family.source.replace(/\{[^{}]*\}/g, ' ')).filter((w) => !GENERIC.has(w)));
  return words.some((w) => literal.has(w));
}

/** The patterns of the project's key invalidations: read ones, and the texts of those that cannot be read. */
interface Cleared {
  readonly patterns: readonly ParsedPattern[];
  readonly unread: readonly string[];
}

const clearedOf = new WeakMap<readonly Invalidation[], Cleared>();

function cleared(invalidations: readonly Invalidation[]): Cleared {
  let found = clearedOf.get(invalidations);
  if (found) return found;
  const patterns: ParsedPattern[] = [];
  const unread: string[] = [];
  for (const invalidation of invalidations) {
    if (invalidation.kind !== 'key' && invalidation.kind !== 'pattern') continue;
    for (const fact of invalidation.patterns) {
      if (fact.pattern && fact.pattern.errors.length === 0) patterns.push(fact.pattern);
      // A key deleted from a collection of the process is not a shared cache's (whose families have an expiry to leave to).
      else if (!fact.pattern && fact.forwardedBy === null && fact.registryRef === null && invalidation.isInProcess !== true)
        unread.push(fact.text);
    }
  }
  found = { patterns, unread };
  clearedOf.set(invalidations, found);
  return found;
}

/**
 * Whether the team leaves a family to expire by design: it clears keys of the cache elsewhere, yet
 * no code of the project deletes or overwrites this family's keys, and every fill gives its entries
 * at most `expiryByDesignSeconds` (a minute unless configured). A mutation that changes its data is
 * then not reported: the entries are as fresh as the team chose. Unknown without the project's
 * invalidations (`CheckInput.invalidations`); never for a Next.js tag, an entry given tags, a GET's
 * response, an entry kept in one process or one cleared by a call of its own.
 */
export function isLeftToExpire(input: CheckInput, family: ExpiringFamily): boolean {
  const bound = input.ruleOptions?.['require-dependent-invalidation']?.expiryByDesignSeconds ?? DEFAULT_EXPIRY_BY_DESIGN;
  if (input.invalidations === undefined || family.ttl === null || family.ttl <= 0 || family.ttl > bound) return false;
  if (family.isTag || family.isLocal || family.isResponse || family.clearedBy !== null || family.isClearedByMutations) return false;
  if (family.projected.length > 0 || family.tags.length > 0) return false;
  const { patterns, unread } = cleared(input.invalidations);
  // A project that clears no key at all has no policy to read: every family is judged.
  if (patterns.length === 0) return false;
  if (patterns.some((pattern) => patternsOverlap(pattern, family.pattern))) return false;
  return !unread.some((text) => mayBeOf(text, family.pattern));
}
