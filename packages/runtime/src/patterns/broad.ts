import { toPattern } from './parse.js';
import type { ParsedPattern, Token } from './parse.js';
import type { PatternInput } from './operations.js';

export interface BroadOptions {
  /** Patterns (as written) that are broad on purpose. */
  readonly allow?: readonly string[];
}

const COLON = 0x3a;

/**
 * Why `pattern` is too broad to be an invalidation, or null when it is not.
 *
 * A pattern is broad when it has a wildcard and its namespace, the first segment that is not a
 * lone hole, is not complete literal text: `*`, `?*`, `*:kpis`, `d*`, and `quotes*`, which also
 * matches `quotes2:…`. Leading hole segments (`{tenantId}:quotes:*`) are skipped, for key layouts
 * that put the tenant first. A pattern without a wildcard names one key shape and is never broad.
 */
export function broadReason(input: PatternInput, options: BroadOptions = {}): string | null {
  const pattern = toPattern(input);
  if (options.allow?.includes(pattern.source)) return null;
  if (!pattern.tokens.some(isWildcard)) return null;
  if (pattern.tokens.every((token) => token.kind === 'star')) return 'it matches every key';
  const segments = splitSegments(pattern);
  let index = 0;
  while (index < segments.length - 1 && isLoneHole(segments[index] ?? [])) index++;
  const namespace = segments[index] ?? [];
  const isLast = index === segments.length - 1;
  const first = namespace[0];
  if (!first || isWildcard(first)) {
    return index === 0
      ? 'it starts with a wildcard, so it spans every namespace'
      : 'its namespace segment starts with a wildcard, so it spans every namespace';
  }
  if (namespace.every((token) => token.kind === 'byte') && !isLast) return null;
  const written = pattern.source.slice(first.start, namespace[namespace.length - 1]?.end ?? first.end);
  return `its namespace \`${written}\` is not complete literal text followed by \`:\`, so it also matches other namespaces`;
}

/** Whether `pattern` is too broad to be an invalidation (see `broadReason`). */
export function isBroad(input: PatternInput, options: BroadOptions = {}): boolean {
  return broadReason(input, options) !== null;
}

function isWildcard(token: Token): boolean {
  return token.kind === 'star' || token.kind === 'set';
}

function isLoneHole(segment: readonly Token[]): boolean {
  return segment.length === 1 && segment[0]?.kind === 'hole';
}

function splitSegments(pattern: ParsedPattern): Token[][] {
  const segments: Token[][] = [[]];
  for (const token of pattern.tokens) {
    if (token.kind === 'byte' && token.byte === COLON) segments.push([]);
    else segments[segments.length - 1]?.push(token);
  }
  return segments;
}
