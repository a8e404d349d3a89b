import { commonKey, patternLanguage, templateLanguage, TOO_COMPLEX, uncoveredKey } from './automaton.js';
import { toPattern } from './parse.js';
import type { ParsedPattern, PatternPart } from './parse.js';
import { parseTemplate } from './template.js';
import type { ParsedTemplate } from './template.js';

export type PatternInput = string | readonly PatternPart[] | ParsedPattern;
export type TemplateInput = string | ParsedTemplate;

export class TemplateSyntaxError extends Error {
  constructor(
    readonly template: string,
    message: string,
  ) {
    super(`Invalid key template '${template}': ${message}`);
    this.name = 'TemplateSyntaxError';
  }
}

function toTemplate(input: TemplateInput): ParsedTemplate {
  const parsed = typeof input === 'string' ? parseTemplate(input) : input;
  const first = parsed.errors[0];
  if (first) throw new TemplateSyntaxError(parsed.source, first.message);
  return parsed;
}

/**
 * Answers are memoized by the sources of both sides: a code base repeats a few patterns in many
 * files, and each question is answered once per process.
 */
const answers = new Map<string, Map<string, Map<string, string | null>>>();
let answerCount = 0;
const MAX_ANSWERS = 20_000;

/** Keyed by kind, then each side: no key string is built per question (the sides' strings keep their hashes). */
function memo(kind: string, left: string, right: string, compute: () => string | null): string | null {
  const known = answers.get(kind)?.get(left)?.get(right);
  if (known !== undefined) return known;
  const answer = compute();
  if (answerCount >= MAX_ANSWERS) {
    answers.clear();
    answerCount = 0;
  }
  let byLeft = answers.get(kind);
  if (!byLeft) {
    byLeft = new Map();
    answers.set(kind, byLeft);
  }
  let byRight = byLeft.get(left);
  if (!byRight) {
    byRight = new Map();
    byLeft.set(left, byRight);
  }
  byRight.set(right, answer);
  answerCount++;
  return answer;
}

/** A memo key for a pattern: its source, plus where holes came from (parts render as `{name}`). */
const patternKeys = new WeakMap<ParsedPattern, string>();

function patternKey(pattern: ParsedPattern): string {
  let key = patternKeys.get(pattern);
  if (key === undefined) {
    key = computePatternKey(pattern);
    patternKeys.set(pattern, key);
  }
  return key;
}

function computePatternKey(pattern: ParsedPattern): string {
  return pattern.tokens
    .map((t) =>
      t.kind === 'hole'
        ? `\u0001${t.name ?? ''}\u0001`
        : t.kind === 'star'
          ? '\u0002'
          : t.kind === 'set'
            ? `\u0003${t.source}`
            : String.fromCharCode(t.byte + 0x100),
    )
    .join('');
}

function holeNames(pattern: ParsedPattern): Set<string> {
  const names = new Set<string>();
  for (const token of pattern.tokens) if (token.kind === 'hole' && token.name !== null) names.add(token.name);
  return names;
}

/**
 * Whether some key of `template` matches `pattern` (some value for every hole and parameter).
 * Holes are read as independent values here, so a shared name never narrows the answer: it errs
 * toward an overlap, which is the side that reports nothing.
 */
export function overlaps(pattern: PatternInput, template: TemplateInput): boolean {
  return overlapWitness(pattern, template) !== null;
}

/** The shortest key of `template` that `pattern` matches, or null when there is none. */
export function overlapWitness(pattern: PatternInput, template: TemplateInput): string | null {
  const none = new Set<string>();
  const parsedPattern = toPattern(pattern);
  const parsedTemplate = toTemplate(template);
  return memo('overlap', patternKey(parsedPattern), parsedTemplate.source, () =>
    commonKey(patternLanguage(parsedPattern, none), templateLanguage(parsedTemplate, none)),
  );
}

/**
 * Whether `pattern` matches every key of `template`. A hole and a template parameter of the same
 * name are one value: `quotes:list:{tenantId}:*` covers `quotes:list:{tenantId}:{hash}` for each
 * tenant, and `quotes:list:acme:*` does not. A name that only the pattern has, repeated within it,
 * is read as independent values, which errs toward "covered" (the side that reports nothing).
 */
export function covers(pattern: PatternInput, template: TemplateInput): boolean {
  return decideCovers(pattern, template) !== 'uncovered';
}

/** Memo value of a question that was too complex to decide. */
const UNDECIDED = '\u0000too complex';

/** The answer of an inclusion question, which may be too complex to decide (see MAX_STATES). */
export type Decision = 'covered' | 'uncovered' | 'too-complex';

function uncoveredMemo(pattern: ParsedPattern, template: ParsedTemplate): string | null {
  const names = holeNames(pattern);
  const bound = new Set(template.params.filter((name) => names.has(name)));
  return memo('covers', patternKey(pattern), template.source, () => {
    const key = uncoveredKey(patternLanguage(pattern, bound), templateLanguage(template, bound));
    return key === TOO_COMPLEX ? UNDECIDED : key;
  });
}

/**
 * Whether `pattern` matches every key of `template`, or 'too-complex' when the automata would grow
 * past MAX_STATES states (a checker reports that as a note; `covers` answers true then, the side
 * that reports nothing).
 */
export function decideCovers(pattern: PatternInput, template: TemplateInput): Decision {
  const key = uncoveredMemo(toPattern(pattern), toTemplate(template));
  return key === null ? 'covered' : key === UNDECIDED ? 'too-complex' : 'uncovered';
}

/** The shortest key of `template` that `pattern` misses (bound values shown as `{name}`), or null (also when too complex to decide). */
export function uncoveredWitness(pattern: PatternInput, template: TemplateInput): string | null {
  const key = uncoveredMemo(toPattern(pattern), toTemplate(template));
  return key === UNDECIDED ? null : key;
}

/**
 * Whether every key that `inner` matches is matched by `outer` (holes of one name are one value).
 * An `outer` that repeats a name the other side lacks is answered `false`: the automata would read
 * the repeats as independent values and could claim a coverage that does not hold.
 */
export function patternCovers(outer: PatternInput, inner: PatternInput): boolean {
  return decidePatternCovers(outer, inner) === 'covered';
}

/**
 * Whether every key that `inner` matches is matched by `outer`, or 'too-complex' past MAX_STATES
 * states (`patternCovers` answers false then: "redundant" is not claimed without proof).
 */
export function decidePatternCovers(outer: PatternInput, inner: PatternInput): Decision {
  const parsedOuter = toPattern(outer);
  const parsedInner = toPattern(inner);
  const innerNames = holeNames(parsedInner);
  const bound = new Set([...holeNames(parsedOuter)].filter((name) => innerNames.has(name)));
  const outerFree = parsedOuter.tokens.flatMap((t) => (t.kind === 'hole' && t.name !== null && !bound.has(t.name) ? [t.name] : []));
  if (new Set(outerFree).size !== outerFree.length) return 'uncovered';
  // A language includes itself: no automaton needed (and `*a???…?` against itself would be costly).
  if (patternKey(parsedOuter) === patternKey(parsedInner)) return 'covered';
  const answer = memo('patternCovers', patternKey(parsedOuter), patternKey(parsedInner), () => {
    const key = uncoveredKey(patternLanguage(parsedOuter, bound), innerPatternLanguage(parsedInner, bound));
    return key === TOO_COMPLEX ? UNDECIDED : key === null ? null : 'no';
  });
  return answer === null ? 'covered' : answer === UNDECIDED ? 'too-complex' : 'uncovered';
}

/** Whether two patterns can match a common key. */
export function patternsOverlap(a: PatternInput, b: PatternInput): boolean {
  const none = new Set<string>();
  const left = toPattern(a);
  const right = toPattern(b);
  return (
    memo('patternsOverlap', patternKey(left), patternKey(right), () =>
      commonKey(patternLanguage(left, none), innerPatternLanguage(right, none)),
    ) !== null
  );
}

/** A pattern on the key side of a question: its free holes produce real bytes only. */
function innerPatternLanguage(pattern: ParsedPattern, bound: ReadonlySet<string>): ReturnType<typeof patternLanguage> {
  const language = patternLanguage(pattern, bound);
  return {
    units: language.units.map((unit) => (unit.kind === 'segment' ? { kind: 'segment' as const, withBound: false } : unit)),
  };
}
