import type ts from 'typescript';
import { patternsOverlap } from '../../patterns/operations.js';
import type { ParsedPattern } from '../../patterns/parse.js';
import { escapeGlob } from '../../patterns/escape.js';
import { parsePattern } from '../../patterns/parse.js';
import type { FileContext } from '../context.js';
import type { PatternFact } from '../facts.js';
import { readPattern } from '../read-pattern.js';
import { memoTable } from '../session.js';
import type { EffectKey } from './model.js';

const FLUSH = parsePattern('*');
const KEY_PATTERNS = memoTable<EffectKey, ParsedPattern | null>('key patterns');
/** A pure function's memo of an immutable value: the same in every session. */
const prefixes = new WeakMap<ParsedPattern, string>();

/** The pattern an effect key stands for (holes where runtime values go), or null when unreadable. */
export function keyPattern(key: EffectKey): ParsedPattern | null {
  // A flush behind the literal text a library puts before every key it is given (a BentoCache namespace's `users:`).
  if ('flush' in key) return key.prefix ? parsePattern(escapeGlob(key.prefix) + FLUSH.source) : FLUSH;
  if ('literal' in key) return parsePattern(escapeGlob(key.literal));
  // A key is read several times while its function's effects settle: once is enough.
  return key.bound.ctx.session.memo(KEY_PATTERNS, key, () => {
    const fact = readPattern(key.bound.ctx, key.bound.expr, key.isKey, key.bound.env, key.prefix);
    return fact.pattern && fact.pattern.errors.length === 0 ? fact.pattern : null;
  });
}

/** The bytes every key of a pattern starts with (up to its first wildcard or hole). */
function literalPrefix(pattern: ParsedPattern): string {
  let prefix = prefixes.get(pattern);
  if (prefix === undefined) {
    const bytes: number[] = [];
    for (const token of pattern.tokens) {
      if (token.kind !== 'byte') break;
      bytes.push(token.byte);
    }
    prefix = String.fromCharCode(...bytes);
    prefixes.set(pattern, prefix);
  }
  return prefix;
}

/** Whether two patterns can match a common key: decided by their literal prefixes first, which settles most pairs. */
function mayOverlap(a: ParsedPattern, b: ParsedPattern): boolean {
  if (a.source === b.source) return true;
  const pa = literalPrefix(a);
  const pb = literalPrefix(b);
  const shorter = Math.min(pa.length, pb.length);
  if (pa.slice(0, shorter) !== pb.slice(0, shorter)) return false;
  return patternsOverlap(a, b);
}

/** The pattern fact of an effect key, for the checks. */
export function keyFact(key: EffectKey, node: ts.Node, ctx: FileContext): PatternFact {
  if (!('bound' in key)) {
    return {
      text: 'literal' in key ? key.literal : ctx.text(node),
      range: ctx.range(node),
      pattern: keyPattern(key),
      unresolved: null,
      interpolations: [],
      placeholders: [],
      registryRef: null,
      isLiteral: false,
      forwardedBy: null,
    };
  }
  return readPattern(key.bound.ctx, key.bound.expr, key.isKey, key.bound.env, key.prefix);
}

export function readableKeys(keys: readonly EffectKey[]): ParsedPattern[] {
  return keys.map(keyPattern).filter((p): p is ParsedPattern => p !== null);
}

export function overlapsAny(patterns: readonly ParsedPattern[], others: readonly ParsedPattern[]): boolean {
  return patterns.some((p) => others.some((o) => mayOverlap(p, o)));
}

/**
 * Words of a key's literal text that name state kept in Redis for its own sake, not a copy of data
 * read from the data layer: sessions, tokens, one-time codes, locks, rate limits, queues and jobs,
 * hand-offs between a webhook and a page.
 */
const STATE_WORDS = new Set([
  'session',
  'sessions',
  'token',
  'tokens',
  'otp',
  'nonce',
  'challenge',
  'csrf',
  'lock',
  'locks',
  'mutex',
  'ratelimit',
  'throttle',
  'queue',
  'job',
  'jobs',
  'verification',
  'magiclink',
  'oauth',
  'idempotency',
  'webhook',
]);

/** Whether a name's words say state of its own (`VerificationToken`, `dataroom_session`, `rate-limit`). */
export function isStateWord(name: string): boolean {
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/rate[^a-z]?limit/g, 'ratelimit')
    .replace(/magic[^a-z]?link/g, 'magiclink')
    .split(/[^a-z0-9]+/);
  return words.some((word) => STATE_WORDS.has(word));
}

/** Whether a key's literal words say it holds state of its own (`dataroom_session:{token}`, `rate-limit:{ip}`). */
export function isStateKey(pattern: ParsedPattern): boolean {
  return isStateWord(pattern.source.replace(/\{[^}]*\}/g, ':'));
}

/**
 * Whether a key names what it holds with a word of its own, or a namespace of one letter
 * (`l:${address}`): not runtime values only (`${scope}:${id}`, `${text}-${size}`).
 */
export function isNamedKey(pattern: ParsedPattern): boolean {
  const literal = literalPrefix(pattern);
  return /[a-z]{2}/i.test(literal + pattern.source.replace(/\{[^}]*\}/g, '')) || /^[a-z]:/i.test(literal);
}

/** Whether a key read through the cache names a family: not runtime values only, not state of its own, not a lock or marker. */
export function isFamilyKey(pattern: ParsedPattern, others: readonly ParsedPattern[]): boolean {
  // A key of runtime values only (`${text}-${size}`) is an in-process memo, not a family.
  return isNamedKey(pattern) && !isStateKey(pattern) && !overlapsAny([pattern], others);
}
