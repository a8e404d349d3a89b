import { overlaps } from '../patterns/operations.js';
import { parsePattern } from '../patterns/parse.js';
import { escapeGlob } from '../patterns/escape.js';
import type { CacheRegistry } from '../registry/define.js';
import { fillTemplate, loneSurrogateAt, ownParam, quoteValue, templateRegExp } from '../registry/model.js';
import type { ParamValue, RegistryEntry } from '../registry/model.js';
import { BoundedMap } from './bounded-map.js';
import { CacheKeyError } from './errors.js';
import type { CacheLogger } from './store.js';

type Params = Readonly<Record<string, ParamValue | undefined>>;

/** The family of a key or pattern that no registry template describes. */
export const UNREGISTERED = '(unregistered)';
const PLACEHOLDER = /\{([A-Za-z_$][\w$]*)\}/g;
/** Distinct patterns whose families are remembered. */
const MEMO_SIZE = 1000;

interface PatternFacts {
  readonly families: string[];
  /** Names used as a hash tag by a family that the pattern reaches. */
  readonly hashTags: ReadonlySet<string>;
}

/**
 * The keys and patterns of a cache, checked before the store sees them: a key from its family's
 * template, a pattern's `{param}` placeholders filled and escaped, the families a key or pattern
 * belongs to, and what is refused (too long, not well-formed UTF-16, a value that would widen a
 * delete, a key whose pattern could not be deleted).
 */
export class CacheKeys {
  private readonly prefix: string;
  private readonly matchers: readonly { entry: RegistryEntry; regExp: RegExp }[];
  // Keyed by the pattern as written (placeholders unfilled), so values never add entries; bounded
  // all the same, since `deletePattern` takes any pattern.
  private readonly facts = new BoundedMap<string, PatternFacts>(MEMO_SIZE);
  private readonly paramNames: ReadonlySet<string>;

  constructor(
    private readonly registry: CacheRegistry,
    private readonly maxKeyLength: number,
    private readonly logger: CacheLogger,
  ) {
    this.prefix = registry.prefix;
    this.matchers = registry.entries.map((entry) => ({ entry, regExp: templateRegExp(entry) }));
    this.paramNames = new Set(registry.entries.flatMap((entry) => entry.params));
  }

  familyOf(key: string): RegistryEntry | null {
    return this.matchers.find((m) => m.regExp.test(key))?.entry ?? null;
  }

  /** The families a pattern reaches; `hasPlaceholders` reads `{name}` as a parameter. */
  factsOf(pattern: string, hasPlaceholders: boolean): PatternFacts {
    const memoKey = `${hasPlaceholders ? '1' : '0'}${pattern}`;
    let found = this.facts.get(memoKey);
    if (!found) {
      const parsed = parsePattern(pattern, { placeholders: hasPlaceholders });
      const reached = parsed.errors.length > 0 ? [] : this.registry.entries.filter((entry) => overlaps(parsed, entry.parsed));
      const hashTags = new Set(reached.flatMap((entry) => (entry.hashTag && hasPlaceholders ? [entry.hashTag] : [])));
      found = { families: reached.length === 0 ? [UNREGISTERED] : reached.map((entry) => entry.name), hashTags };
      this.facts.set(memoKey, found);
    }
    return found;
  }

  /** Why the store must not be given `text` (a key or pattern, prefix included), or null. */
  refusal(text: string): CacheKeyError | null {
    const { maxKeyLength } = this;
    if (text.length > maxKeyLength) {
      return new CacheKeyError(
        `The cache key or pattern ${text.slice(0, 60)}… is ${String(text.length)} characters long, over maxKeyLength (${String(maxKeyLength)}): shorten the parameter values (hash long ones) or raise maxKeyLength.`,
      );
    }
    const at = loneSurrogateAt(text);
    return at === -1
      ? null
      : new CacheKeyError(
          `The cache key or pattern ${quoteValue(text)} is not well-formed UTF-16 (a lone surrogate at ${String(at)}): Redis would store it as U+FFFD, in the keys of another value.`,
        );
  }

  /**
   * Why `key` (prefix included) must not be written, or null. The pattern that deletes exactly it is
   * the key with its glob characters escaped, longer than the key: a key whose pattern would be
   * refused could be written but never invalidated.
   */
  writeRefusal(key: string): CacheKeyError | null {
    const { maxKeyLength } = this;
    const refused = this.refusal(key);
    if (refused) return refused;
    const escaped = escapeGlob(key).length;
    return escaped > maxKeyLength
      ? new CacheKeyError(
          `The cache key ${key.slice(0, 60)}… is not written: it is ${String(key.length)} characters long, but the pattern that invalidates it (its glob characters escaped) is ${String(escaped)}, over maxKeyLength (${String(maxKeyLength)}), so it could never be invalidated. Shorten the parameter values (hash long ones) or raise maxKeyLength.`,
        )
      : null;
  }

  /**
   * Fills `{param}` placeholders, escaped. A value that would span segments (`:`) or match any
   * segment (empty) is refused: no key holds it, and filled in it would widen the delete.
   */
  fill(pattern: string, params: Params): { pattern: string } | { error: CacheKeyError } {
    const { hashTags } = this.factsOf(pattern, true);
    const refused: string[] = [];
    const malformed: string[] = [];
    const filled = pattern.replace(PLACEHOLDER, (whole, name: string) => {
      if (!this.paramNames.has(name)) return whole;
      const value = ownParam(params, name);
      if (value === undefined) {
        // No value at all: deleting more is stale-safe; deleting less would leave stale data behind.
        this.logger.warn?.(`No value for {${name}} in cache pattern ${pattern}: invalidating every ${name}.`);
        return '*';
      }
      const text = String(value);
      if (text === '' || text.includes(':')) {
        refused.push(`{${name}} = ${quoteValue(text)}`);
        return whole;
      }
      if (loneSurrogateAt(text) !== -1) {
        malformed.push(`{${name}} = ${quoteValue(text)}`);
        return whole;
      }
      const escaped = escapeGlob(text);
      return hashTags.has(name) ? `{${escaped}}` : escaped;
    });
    if (refused.length > 0) {
      return {
        error: new CacheKeyError(
          `Cache pattern ${pattern} not invalidated: ${refused.join(', ')} would widen it (a value must be one non-empty segment without \`:\`, as in every key).`,
        ),
      };
    }
    if (malformed.length > 0) {
      return {
        error: new CacheKeyError(
          `Cache pattern ${pattern} not invalidated: ${malformed.join(', ')} is not well-formed UTF-16 (a lone surrogate), which Redis would read as U+FFFD, the keys of another value.`,
        ),
      };
    }
    const problem = this.refusal(escapeGlob(this.prefix) + filled);
    return problem ? { error: problem } : { pattern: filled };
  }

  /** The key of a family for these parameters, prefix included; throws when it must not be written. */
  keyOf(name: string, params: Params): string {
    const key = this.prefix + fillTemplate(this.registry.entry(name), params, false);
    const refused = this.writeRefusal(key);
    if (refused) throw refused;
    return key;
  }
}
