import { signedByte, toBytes } from './bytes.js';

/** A set of bytes: `set[b] === 1` when byte `b` is a member. */
export type ByteSet = Uint8Array;

export type Token =
  | { readonly kind: 'byte'; readonly byte: number; readonly start: number; readonly end: number }
  | {
      readonly kind: 'set';
      /** `?` is the full set; a class is its members, negation already applied. */
      readonly set: ByteSet;
      readonly source: string;
      readonly start: number;
      readonly end: number;
    }
  | { readonly kind: 'star'; readonly start: number; readonly end: number }
  | {
      readonly kind: 'hole';
      /** The parameter this hole stands for, or null when nothing names it. */
      readonly name: string | null;
      readonly start: number;
      readonly end: number;
    };

export type PatternDiagnosticCode =
  | 'empty'
  | 'whitespace'
  | 'unclosed-brace'
  | 'placeholder-syntax'
  | 'dollar-brace'
  | 'unclosed-class'
  | 'trailing-backslash'
  | 'empty-class'
  | 'reversed-range'
  | 'inner-whitespace';

export interface PatternDiagnostic {
  readonly code: PatternDiagnosticCode;
  readonly message: string;
  /** Character offsets in the pattern source, end exclusive. */
  readonly start: number;
  readonly end: number;
}

/** A piece of a pattern written in code: glob text, or one runtime value (a hole). */
export type PatternPart = string | { readonly hole: string | null; readonly text?: string };

export interface ParsedPattern {
  /** The pattern as written, holes shown as `{name}` (or `{}` when unnamed). */
  readonly source: string;
  readonly tokens: readonly Token[];
  /** Errors: the pattern cannot mean what its author intended. */
  readonly errors: readonly PatternDiagnostic[];
  /** Warnings: Redis accepts it, but it is probably a mistake. */
  readonly warnings: readonly PatternDiagnostic[];
}

export class PatternSyntaxError extends Error {
  readonly diagnostics: readonly PatternDiagnostic[];
  readonly source: string;

  constructor(source: string, diagnostics: readonly PatternDiagnostic[]) {
    const first = diagnostics[0];
    super(
      first ? `Invalid cache pattern '${source}' at ${String(first.start + 1)}: ${first.message}` : `Invalid cache pattern '${source}'`,
    );
    this.name = 'PatternSyntaxError';
    this.diagnostics = diagnostics;
    this.source = source;
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const WHITESPACE = /\s/;

function byteSet(): ByteSet {
  return new Uint8Array(256);
}

function fullByteSet(): ByteSet {
  return new Uint8Array(256).fill(1);
}

export interface ParseOptions {
  /**
   * Read `{name}` as a placeholder (the default, for patterns written in code). Off for a concrete
   * Redis pattern, where braces are plain text (hash tags such as `{tenant42}`).
   */
  readonly placeholders?: boolean;
}

/**
 * Parses a cache pattern: Redis glob syntax (`*`, `?`, `[…]`, `[^…]`, `\x`) plus holes, the values
 * filled in at run time: `{name}` in the text, or the holes of the parts of a template literal.
 * Never throws; read `errors` and `warnings`.
 */
export function parsePattern(input: string | readonly PatternPart[], options: ParseOptions = {}): ParsedPattern {
  const hasPlaceholders = options.placeholders ?? true;
  // Code repeats a few patterns many times: parse each once.
  const key = `${hasPlaceholders ? '1' : '0'}${typeof input === 'string' ? input : input.map((p) => (typeof p === 'string' ? `\u0000${p}` : `\u0001${p.hole ?? ''}\u0001${p.text ?? ''}`)).join('')}`;
  const cached = parsed.get(key);
  if (cached) return cached;
  const result = parseUncached(input, hasPlaceholders);
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(key, result);
  return result;
}

const parsed = new Map<string, ParsedPattern>();
const MAX_PARSED = 10_000;

function parseUncached(input: string | readonly PatternPart[], hasPlaceholders: boolean): ParsedPattern {
  const parts: readonly PatternPart[] = typeof input === 'string' ? [input] : input;
  const tokens: Token[] = [];
  const errors: PatternDiagnostic[] = [];
  const warnings: PatternDiagnostic[] = [];
  let source = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      parseText(part, source.length, tokens, errors, warnings, hasPlaceholders);
      source += part;
    } else {
      const text = `{${part.hole ?? ''}}`;
      tokens.push({ kind: 'hole', name: part.hole, start: source.length, end: source.length + text.length });
      source += text;
    }
  }
  if (source.length === 0) {
    errors.push({ code: 'empty', message: 'The pattern is empty: it matches no key.', start: 0, end: 0 });
  } else if (source.trim() !== source) {
    const start = source.length - source.trimStart().length;
    const isLeading = start > 0;
    errors.push({
      code: 'whitespace',
      message: isLeading
        ? 'The pattern starts with whitespace, which Redis matches literally: remove it.'
        : 'The pattern ends with whitespace, which Redis matches literally: remove it.',
      start: isLeading ? 0 : source.trimEnd().length,
      end: isLeading ? start : source.length,
    });
  }
  return { source, tokens, errors, warnings };
}

/** Parses `input` and throws a `PatternSyntaxError` when it has errors. */
export function toPattern(input: string | readonly PatternPart[] | ParsedPattern): ParsedPattern {
  const parsed = isParsedPattern(input) ? input : parsePattern(input);
  if (parsed.errors.length > 0) throw new PatternSyntaxError(parsed.source, parsed.errors);
  return parsed;
}

function isParsedPattern(value: unknown): value is ParsedPattern {
  return typeof value === 'object' && value !== null && 'tokens' in value && 'source' in value;
}

function parseText(
  text: string,
  offset: number,
  tokens: Token[],
  errors: PatternDiagnostic[],
  warnings: PatternDiagnostic[],
  hasPlaceholders: boolean,
): void {
  const bytes = toBytes(text);
  const loc = byteLocator(text, bytes, offset);
  const n = bytes.length;
  const at = (i: number): number => (i < n ? (bytes[i] ?? 0) : 0);
  let i = 0;
  while (i < n) {
    const c = at(i);
    const start = i;
    if (c === 0x2a) {
      while (at(i + 1) === 0x2a && i + 1 < n) i++;
      const last = tokens[tokens.length - 1];
      if (last?.kind !== 'star') tokens.push({ kind: 'star', start: loc(start), end: loc(i + 1) });
    } else if (c === 0x3f) {
      tokens.push({ kind: 'set', set: fullByteSet(), source: '?', start: loc(i), end: loc(i + 1) });
    } else if (c === 0x5b) {
      i = parseClass(bytes, i, loc, tokens, warnings, text, offset);
    } else if (c === 0x5c) {
      if (n - i >= 2) {
        i++;
        tokens.push({ kind: 'byte', byte: at(i), start: loc(start), end: loc(i + 1) });
      } else {
        warnings.push({
          code: 'trailing-backslash',
          message: 'The pattern ends with a lone `\\`, which Redis matches as a literal backslash: escape it as `\\\\` or remove it.',
          start: loc(i),
          end: loc(i + 1),
        });
        tokens.push({ kind: 'byte', byte: c, start: loc(i), end: loc(i + 1) });
      }
    } else if (c === 0x7b && hasPlaceholders) {
      i = parsePlaceholder(bytes, i, loc, tokens, errors, text, offset);
    } else {
      if (c === 0x7d && hasPlaceholders) {
        errors.push({
          code: 'placeholder-syntax',
          message: 'A `}` without a matching `{`: write `{name}` for a placeholder or `\\}` for a literal brace.',
          start: loc(i),
          end: loc(i + 1),
        });
      } else if (c === 0x24 && at(i + 1) === 0x7b && hasPlaceholders) {
        const close = bytes.indexOf(0x7d, i);
        errors.push({
          code: 'dollar-brace',
          message: 'A `${…}` in a plain string is not interpolated: use a template literal (backquotes) or a `{name}` placeholder.',
          start: loc(i),
          end: loc(close === -1 ? n : close + 1),
        });
        i = close === -1 ? n : close + 1;
        continue;
      } else if (WHITESPACE.test(String.fromCharCode(c))) {
        warnings.push({
          code: 'inner-whitespace',
          message: 'The pattern contains whitespace, which Redis matches literally: is it intended?',
          start: loc(i),
          end: loc(i + 1),
        });
      }
      tokens.push({ kind: 'byte', byte: c, start: loc(i), end: loc(i + 1) });
    }
    i++;
  }
}

/** The character offset of a byte of `text`, to locate diagnostics in the source as the author sees it. */
function byteLocator(text: string, bytes: Uint8Array, offset: number): (byteIndex: number) => number {
  const charAt: number[] = [];
  if (bytes.length === text.length) {
    for (let k = 0; k <= text.length; k++) charAt.push(offset + k);
  } else {
    let charIndex = 0;
    for (const ch of text) {
      const length = toBytes(ch).length;
      for (let k = 0; k < length; k++) charAt.push(offset + charIndex);
      charIndex += ch.length;
    }
    charAt.push(offset + text.length);
  }
  return (byteIndex) => charAt[Math.min(byteIndex, charAt.length - 1)] ?? offset;
}

/** Reads a `[…]` class exactly as Redis's matcher does; returns the index of its last byte. */
function parseClass(
  bytes: Uint8Array,
  open: number,
  loc: (byteIndex: number) => number,
  tokens: Token[],
  warnings: PatternDiagnostic[],
  text: string,
  offset: number,
): number {
  const n = bytes.length;
  const at = (i: number): number => (i < n ? (bytes[i] ?? 0) : 0);
  let i = open + 1;
  const isNegated = at(i) === 0x5e && i < n;
  if (isNegated) i++;
  const members = byteSet();
  let isClosed = false;
  let hasMembers = false;
  for (;;) {
    const pc = at(i);
    if (pc === 0x5c && n - i >= 2) {
      i++;
      members[at(i)] = 1;
      hasMembers = true;
    } else if (pc === 0x5d && i < n) {
      isClosed = true;
      break;
    } else if (i >= n) {
      i--;
      break;
    } else if (n - i >= 3 && at(i + 1) === 0x2d) {
      let from = signedByte(pc);
      let to = signedByte(at(i + 2));
      if (from > to) {
        warnings.push({
          code: 'reversed-range',
          message: `The range \`${String.fromCharCode(pc)}-${String.fromCharCode(at(i + 2))}\` is reversed; Redis swaps its ends: write it in order.`,
          start: loc(i),
          end: loc(i + 3),
        });
        [from, to] = [to, from];
      }
      for (let b = 0; b < 256; b++) {
        const value = signedByte(b);
        if (value >= from && value <= to) members[b] = 1;
      }
      hasMembers = true;
      i += 2;
    } else {
      members[pc] = 1;
      hasMembers = true;
    }
    i++;
  }
  const end = Math.min(i + 1, n);
  if (!isClosed) {
    warnings.push({
      code: 'unclosed-class',
      message:
        'A `[` without `]`: Redis takes the rest of the pattern as one character class. Close it, or write `\\[` for a literal bracket.',
      start: loc(open),
      end: loc(n),
    });
  } else if (!hasMembers) {
    warnings.push({
      code: 'empty-class',
      message: isNegated
        ? 'The class `[^]` matches any one byte: write `?` instead.'
        : 'The class `[]` is empty and matches nothing, so the whole pattern matches no key.',
      start: loc(open),
      end: loc(end),
    });
  }
  const set = isNegated ? members.map((bit) => 1 - bit) : members;
  const source = text.slice(loc(open) - offset, loc(end) - offset);
  tokens.push({ kind: 'set', set, source, start: loc(open), end: loc(end) });
  return i;
}

/** Reads `{name}`; returns the index of the closing brace (or of the last byte read). */
function parsePlaceholder(
  bytes: Uint8Array,
  open: number,
  loc: (byteIndex: number) => number,
  tokens: Token[],
  errors: PatternDiagnostic[],
  text: string,
  offset: number,
): number {
  const close = bytes.indexOf(0x7d, open + 1);
  if (close === -1) {
    errors.push({
      code: 'unclosed-brace',
      message: 'A `{` without `}`: close the placeholder as `{name}`, or write `\\{` for a literal brace.',
      start: loc(open),
      end: loc(bytes.length),
    });
    return bytes.length;
  }
  const name = text.slice(loc(open + 1) - offset, loc(close) - offset);
  if (!IDENTIFIER.test(name)) {
    errors.push({
      code: 'placeholder-syntax',
      message: `Unknown placeholder syntax \`{${name}}\`: a placeholder is \`{name}\` with an identifier (such as \`{tenantId}\`); write \`\\{\` for a literal brace.`,
      start: loc(open),
      end: loc(close + 1),
    });
    return close;
  }
  tokens.push({ kind: 'hole', name, start: loc(open), end: loc(close + 1) });
  return close;
}
