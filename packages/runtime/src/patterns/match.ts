import { signedByte, toBytes } from './bytes.js';

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const BACKSLASH = 0x5c;
const DASH = 0x2d;
/** Redis gives up (no match) past this recursion depth of `*`. */
const MAX_NESTING = 1000;

interface MatchState {
  skipLongerMatches: boolean;
}

/**
 * Whether `key` matches the glob `pattern` exactly as Redis `SCAN … MATCH` and `KEYS` decide it
 * (`stringmatchlen` in Redis's util.c, case-sensitive), on the UTF-8 bytes of both.
 *
 * Odd inputs behave as in Redis: an unclosed `[` takes the rest of the pattern as its set, a
 * trailing `\` matches a backslash, `[]` matches nothing and `[^]` any one byte, and ranges compare
 * bytes as signed `char`s.
 */
export function matches(pattern: string | Uint8Array, key: string | Uint8Array): boolean {
  const p = typeof pattern === 'string' ? patternBytes(pattern) : pattern;
  // SCAN and KEYS skip matching altogether for the pattern `*`.
  if (p.length === 1 && p[0] === STAR) return true;
  const s = typeof key === 'string' ? keyBytes(key) : key;
  return matchAt(p, 0, s, 0, { skipLongerMatches: false }, 0);
}

/** Recently used patterns, encoded: a handful of patterns meet many keys. */
const patternCache = new Map<string, Uint8Array>();
const PATTERN_CACHE_SIZE = 512;

function patternBytes(pattern: string): Uint8Array {
  let bytes = patternCache.get(pattern);
  if (!bytes) {
    bytes = toBytes(pattern);
    if (patternCache.size >= PATTERN_CACHE_SIZE) patternCache.clear();
    patternCache.set(pattern, bytes);
  }
  return bytes;
}

let scratch = new Uint8Array(256);

/** The key's bytes; an ASCII key is copied into a reused buffer instead of being encoded. */
function keyBytes(key: string): Uint8Array {
  const length = key.length;
  if (length > scratch.length) scratch = new Uint8Array(Math.max(length, scratch.length * 2));
  for (let i = 0; i < length; i++) {
    const code = key.charCodeAt(i);
    if (code >= 0x80) return toBytes(key);
    scratch[i] = code;
  }
  return scratch.subarray(0, length);
}

/** Byte at `i`, or 0 past the end: Redis reads the NUL terminator of its string there. */
function at(bytes: Uint8Array, i: number): number {
  return i < bytes.length ? (bytes[i] ?? 0) : 0;
}

function matchAt(p: Uint8Array, pi: number, s: Uint8Array, si: number, state: MatchState, nesting: number): boolean {
  if (nesting > MAX_NESTING) return false;
  const pEnd = p.length;
  const sEnd = s.length;
  while (pi < pEnd && si < sEnd) {
    const c = at(p, pi);
    if (c === STAR) {
      while (pi < pEnd && at(p, pi + 1) === STAR) pi++;
      if (pEnd - pi === 1) return true;
      while (si < sEnd) {
        if (matchAt(p, pi + 1, s, si, state, nesting + 1)) return true;
        if (state.skipLongerMatches) return false;
        si++;
      }
      // Nothing after this star matches anywhere in the rest of the key, so no earlier star can
      // help by matching more: Redis stops the whole search here.
      state.skipLongerMatches = true;
      return false;
    } else if (c === QUESTION) {
      si++;
    } else if (c === OPEN) {
      pi++;
      const isNegated = at(p, pi) === CARET;
      if (isNegated) pi++;
      const sc = at(s, si);
      let isMatch = false;
      for (;;) {
        const pc = at(p, pi);
        if (pc === BACKSLASH && pEnd - pi >= 2) {
          pi++;
          if (at(p, pi) === sc) isMatch = true;
        } else if (pc === CLOSE && pi < pEnd) {
          break;
        } else if (pi >= pEnd) {
          pi--;
          break;
        } else if (pEnd - pi >= 3 && at(p, pi + 1) === DASH) {
          let start = signedByte(pc);
          let end = signedByte(at(p, pi + 2));
          if (start > end) [start, end] = [end, start];
          const value = signedByte(sc);
          pi += 2;
          if (value >= start && value <= end) isMatch = true;
        } else if (pc === sc) {
          isMatch = true;
        }
        pi++;
      }
      if (isNegated) isMatch = !isMatch;
      if (!isMatch) return false;
      si++;
    } else {
      if (c === BACKSLASH && pEnd - pi >= 2) pi++;
      if (at(p, pi) !== at(s, si)) return false;
      si++;
    }
    pi++;
    if (si === sEnd) {
      while (pi < pEnd && at(p, pi) === STAR) pi++;
      break;
    }
  }
  return pi === pEnd && si === sEnd;
}
