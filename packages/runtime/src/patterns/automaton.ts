import { toBytes } from './bytes.js';
import type { ByteSet, ParsedPattern } from './parse.js';
import type { ParsedTemplate } from './template.js';

/**
 * Finite automata over the bytes of keys, to decide questions about whole languages of keys
 * (do a pattern and a template share a key, does a pattern match every key of a template)
 * exactly rather than by sampling.
 *
 * Bytes are grouped into classes that no set in the question tells apart, so an automaton steps
 * over a few dozen symbols, not 256. A value bound on both sides (a hole and a template parameter
 * of the same name) becomes one opaque symbol: only `*`, a hole and the same bound value match it,
 * as `?` or a class cannot match a value of arbitrary length.
 */

const COLON = 0x3a;

/** One step of a key language: a symbol set once, any symbols (`*`), or one segment (`+`). */
type Unit =
  | {
      readonly kind: 'one';
      /** A literal byte, or null for a set or a bound value. */
      readonly literal: number | null;
      readonly bytes: ByteSet | null;
      readonly bound: string | null;
    }
  | { readonly kind: 'star' }
  | { readonly kind: 'segment'; readonly withBound: boolean };

export interface KeyLanguage {
  readonly units: readonly Unit[];
}

interface Alphabet {
  /** Representative byte of each byte class. */
  readonly reps: readonly number[];
  readonly classOf: Int16Array;
  /** Bound names, one symbol each after the byte classes. */
  readonly bound: readonly string[];
  readonly size: number;
}

interface Nfa {
  /** transitions[state] = list of [label, target]; label[symbol] === 1 when it moves. */
  readonly transitions: readonly (readonly (readonly [Uint8Array, number])[])[];
  /** States reachable without reading (after `*`). */
  readonly epsilon: readonly (readonly number[])[];
  readonly accept: number;
}

/** The key language of a pattern; holes whose names are in `bound` stand for one shared value. */
export function patternLanguage(pattern: ParsedPattern, bound: ReadonlySet<string>): KeyLanguage {
  const units: Unit[] = [];
  for (const token of pattern.tokens) {
    if (token.kind === 'byte') units.push({ kind: 'one', literal: token.byte, bytes: null, bound: null });
    else if (token.kind === 'set') units.push({ kind: 'one', literal: null, bytes: token.set, bound: null });
    else if (token.kind === 'star') units.push({ kind: 'star' });
    else if (token.name !== null && bound.has(token.name)) units.push({ kind: 'one', literal: null, bytes: null, bound: token.name });
    // A hole may take the place of a bound value of the other side, so it matches bound symbols.
    else units.push({ kind: 'segment', withBound: true });
  }
  return { units };
}

/** The key language of a registry template; parameters named in `bound` are one shared value. */
export function templateLanguage(template: ParsedTemplate, bound: ReadonlySet<string>): KeyLanguage {
  const units: Unit[] = [];
  for (const piece of template.pieces) {
    if (piece.kind === 'text') {
      for (const byte of toBytes(piece.text)) units.push({ kind: 'one', literal: byte, bytes: null, bound: null });
    } else if (bound.has(piece.name)) {
      units.push({ kind: 'one', literal: null, bytes: null, bound: piece.name });
    } else {
      // Keys are made of real bytes: a free parameter never produces a bound value.
      units.push({ kind: 'segment', withBound: false });
    }
  }
  return { units };
}

/** Printable characters first, so that witnesses read well. */
const BYTE_ORDER: readonly number[] = (() => {
  const order = [...range(0x61, 0x7a), ...range(0x30, 0x39), ...range(0x20, 0x7e), ...range(0, 255)];
  return [...new Set(order)];
})();

/**
 * Groups bytes into classes that no unit tells apart: every literal byte (and `:`) is a class of
 * its own, and the other bytes are grouped by their membership in the sets of `[…]` classes.
 */
function alphabetOf(languages: readonly KeyLanguage[]): Alphabet {
  const literals = new Set<number>([COLON]);
  const sets: ByteSet[] = [];
  const bound = new Set<string>();
  for (const language of languages) {
    for (const unit of language.units) {
      if (unit.kind !== 'one') continue;
      if (unit.literal !== null) literals.add(unit.literal);
      if (unit.bytes) sets.push(unit.bytes);
      if (unit.bound !== null) bound.add(unit.bound);
    }
  }
  const classOf = new Int16Array(256);
  const signatures = new Map<string, number>();
  const reps: number[] = [];
  for (const byte of BYTE_ORDER) {
    let signature: string;
    if (literals.has(byte)) {
      signature = `=${String(byte)}`;
    } else {
      signature = '';
      for (const set of sets) signature += set[byte] === 1 ? '1' : '0';
    }
    let cls = signatures.get(signature);
    if (cls === undefined) {
      cls = reps.length;
      signatures.set(signature, cls);
      reps.push(byte);
    }
    classOf[byte] = cls;
  }
  const boundNames = [...bound].sort();
  return { reps, classOf, bound: boundNames, size: reps.length + boundNames.length };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}

function labelOf(unit: Unit, alphabet: Alphabet): Uint8Array {
  const label = new Uint8Array(alphabet.size);
  const colonClass = alphabet.classOf[COLON] ?? -1;
  if (unit.kind === 'one') {
    if (unit.bound !== null) label[alphabet.reps.length + alphabet.bound.indexOf(unit.bound)] = 1;
    if (unit.literal !== null) label[alphabet.classOf[unit.literal] ?? 0] = 1;
    if (unit.bytes) alphabet.reps.forEach((rep, cls) => (label[cls] = unit.bytes?.[rep] ?? 0));
  } else if (unit.kind === 'star') {
    label.fill(1);
  } else {
    for (let cls = 0; cls < alphabet.reps.length; cls++) label[cls] = cls === colonClass ? 0 : 1;
    if (unit.withBound) label.fill(1, alphabet.reps.length);
  }
  return label;
}

function build(language: KeyLanguage, alphabet: Alphabet): Nfa {
  const count = language.units.length;
  const transitions: [Uint8Array, number][][] = Array.from({ length: count + 1 }, () => []);
  const epsilon: number[][] = Array.from({ length: count + 1 }, () => []);
  language.units.forEach((unit, state) => {
    const label = labelOf(unit, alphabet);
    if (unit.kind === 'star') {
      transitions[state]?.push([label, state]);
      epsilon[state]?.push(state + 1);
    } else {
      transitions[state]?.push([label, state + 1]);
      if (unit.kind === 'segment') transitions[state + 1]?.push([label, state + 1]);
    }
  });
  return { transitions, epsilon, accept: count };
}

function closure(nfa: Nfa, states: Iterable<number>): number[] {
  const result = new Set<number>(states);
  const stack = [...result];
  while (stack.length > 0) {
    const state = stack.pop() ?? 0;
    for (const next of nfa.epsilon[state] ?? []) {
      if (!result.has(next)) {
        result.add(next);
        stack.push(next);
      }
    }
  }
  return [...result].sort((a, b) => a - b);
}

function step(nfa: Nfa, states: readonly number[], symbol: number): number[] {
  const next = new Set<number>();
  for (const state of states) {
    for (const [label, target] of nfa.transitions[state] ?? []) if (label[symbol] === 1) next.add(target);
  }
  return closure(nfa, next);
}

function render(alphabet: Alphabet, path: readonly number[]): string {
  const bytes: number[] = [];
  let text = '';
  const decoder = new TextDecoder();
  const flush = (): void => {
    text += decoder.decode(Uint8Array.from(bytes));
    bytes.length = 0;
  };
  for (const symbol of path) {
    if (symbol < alphabet.reps.length) {
      bytes.push(alphabet.reps[symbol] ?? 0);
    } else {
      flush();
      text += `{${alphabet.bound[symbol - alphabet.reps.length] ?? ''}}`;
    }
  }
  flush();
  return text;
}

interface Search<S> {
  start: S[];
  key: (state: S) => string;
  isGoal: (state: S) => boolean;
  next: (state: S, symbol: number) => S[];
  size: number;
  /** Stop after visiting this many states (the search is exponential in the worst case). */
  limit?: number;
}

/** The answer of a search that gave up: the question is too complex to decide within the bound. */
export const TOO_COMPLEX = Symbol('too complex to decide');

/**
 * How many states an inclusion question may visit. The subsets of a pattern's automaton can grow
 * exponentially (`*a???…?` remembers where each `a` was); real patterns visit a few dozen.
 */
const MAX_STATES = 10_000;

/** Breadth-first search for the shortest symbol path to a goal; null when there is none. */
function shortestPath<S>(search: Search<S>): number[] | null | typeof TOO_COMPLEX {
  const seen = new Set<string>();
  // Paths as parent links: copying each path would make every step linear in its length.
  const queue: { state: S; parent: number; symbol: number }[] = [];
  for (const state of search.start) {
    const key = search.key(state);
    if (!seen.has(key)) {
      seen.add(key);
      queue.push({ state, parent: -1, symbol: -1 });
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const item = queue[head];
    if (!item) break;
    if (search.isGoal(item.state)) {
      const path: number[] = [];
      for (let node = queue[head]; node && node.parent >= 0; node = queue[node.parent]) path.push(node.symbol);
      return path.reverse();
    }
    if (search.limit !== undefined && seen.size > search.limit) return TOO_COMPLEX;
    for (let symbol = 0; symbol < search.size; symbol++) {
      for (const next of search.next(item.state, symbol)) {
        const key = search.key(next);
        if (seen.has(key)) continue;
        seen.add(key);
        queue.push({ state: next, parent: head, symbol });
      }
    }
  }
  return null;
}

/** A key in both languages (shortest, rendered), or null when they share none. */
export function commonKey(a: KeyLanguage, b: KeyLanguage): string | null {
  const alphabet = alphabetOf([a, b]);
  const left = build(a, alphabet);
  const right = build(b, alphabet);
  const start: [number, number][] = [];
  for (const p of closure(left, [0])) for (const q of closure(right, [0])) start.push([p, q]);
  const path = shortestPath<[number, number]>({
    start,
    key: ([p, q]) => `${String(p)},${String(q)}`,
    isGoal: ([p, q]) => p === left.accept && q === right.accept,
    next: ([p, q], symbol) => {
      const ps = step(left, [p], symbol);
      if (ps.length === 0) return [];
      const qs = step(right, [q], symbol);
      const pairs: [number, number][] = [];
      for (const np of ps) for (const nq of qs) pairs.push([np, nq]);
      return pairs;
    },
    size: alphabet.size,
  });
  // A product of two automata has at most (n + 1)(m + 1) states: no bound needed.
  return path === null || path === TOO_COMPLEX ? null : render(alphabet, path);
}

/**
 * A key of `inner` that `outer` does not contain (shortest, rendered), null when `outer` ⊇ `inner`,
 * or TOO_COMPLEX when deciding it would visit more than MAX_STATES states.
 */
export function uncoveredKey(outer: KeyLanguage, inner: KeyLanguage, limit = MAX_STATES): string | null | typeof TOO_COMPLEX {
  const alphabet = alphabetOf([outer, inner]);
  const sup = build(outer, alphabet);
  const sub = build(inner, alphabet);
  const start = closure(sup, [0]);
  const path = shortestPath<{ sub: number; sup: number[] }>({
    start: closure(sub, [0]).map((state) => ({ sub: state, sup: start })),
    key: (state) => `${String(state.sub)}|${state.sup.join(',')}`,
    isGoal: (state) => state.sub === sub.accept && !state.sup.includes(sup.accept),
    next: (state, symbol) => {
      const subs = step(sub, [state.sub], symbol);
      if (subs.length === 0) return [];
      const sups = step(sup, state.sup, symbol);
      return subs.map((next) => ({ sub: next, sup: sups }));
    },
    size: alphabet.size,
    limit,
  });
  return path === null || path === TOO_COMPLEX ? path : render(alphabet, path);
}
