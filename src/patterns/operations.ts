import { commonKey, patternLanguage, templateLanguage, uncoveredKey } from './automaton.js';
import { toPattern } from './parse.js';
import type { ParsedPattern, PatternPart } from './parse.js';
import { parseTemplate } from './template.js';
import type { ParsedTemplate } from './template.js';

export type PatternInput = string | readonly PatternPart[] | ParsedPattern;
export type TemplateInput = string | ParsedTemplate;

export class TemplateSyntaxError extends Error {
  constructor(readonly template: string, message: string) {
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
  return commonKey(patternLanguage(toPattern(pattern), none), templateLanguage(toTemplate(template), none));
}

/**
 * Whether `pattern` matches every key of `template`. A hole and a template parameter of the same
 * name are one value: `quotes:list:{tenantId}:*` covers `quotes:list:{tenantId}:{hash}` for each
 * tenant, and `quotes:list:acme:*` does not. A name that only the pattern has, repeated within it,
 * is read as independent values, which errs toward "covered" (the side that reports nothing).
 */
export function covers(pattern: PatternInput, template: TemplateInput): boolean {
  return uncoveredWitness(pattern, template) === null;
}

/** The shortest key of `template` that `pattern` misses (bound values shown as `{name}`), or null. */
export function uncoveredWitness(pattern: PatternInput, template: TemplateInput): string | null {
  const parsedPattern = toPattern(pattern);
  const parsedTemplate = toTemplate(template);
  const names = holeNames(parsedPattern);
  const bound = new Set(parsedTemplate.params.filter((name) => names.has(name)));
  return uncoveredKey(patternLanguage(parsedPattern, bound), templateLanguage(parsedTemplate, bound));
}

/**
 * Whether every key that `inner` matches is matched by `outer` (holes of one name are one value).
 * An `outer` that repeats a name the other side lacks is answered `false`: the automata would read
 * the repeats as independent values and could claim a coverage that does not hold.
 */
export function patternCovers(outer: PatternInput, inner: PatternInput): boolean {
  const parsedOuter = toPattern(outer);
  const parsedInner = toPattern(inner);
  const innerNames = holeNames(parsedInner);
  const bound = new Set([...holeNames(parsedOuter)].filter((name) => innerNames.has(name)));
  const outerFree = parsedOuter.tokens.flatMap((t) => (t.kind === 'hole' && t.name !== null && !bound.has(t.name) ? [t.name] : []));
  if (new Set(outerFree).size !== outerFree.length) return false;
  return uncoveredKey(patternLanguage(parsedOuter, bound), innerPatternLanguage(parsedInner, bound)) === null;
}

/** Whether two patterns can match a common key. */
export function patternsOverlap(a: PatternInput, b: PatternInput): boolean {
  const none = new Set<string>();
  return commonKey(patternLanguage(toPattern(a), none), innerPatternLanguage(toPattern(b), none)) !== null;
}

/** A pattern on the key side of a question: its free holes produce real bytes only. */
function innerPatternLanguage(pattern: ParsedPattern, bound: ReadonlySet<string>): ReturnType<typeof patternLanguage> {
  const language = patternLanguage(pattern, bound);
  return {
    units: language.units.map((unit) => (unit.kind === 'segment' ? { kind: 'segment', withBound: false } : unit)),
  };
}
