import { escapeGlob } from '../patterns/escape.js';
import { parseTemplate } from '../patterns/template.js';
import type { ParsedTemplate } from '../patterns/template.js';

/** One cache key family of the registry, as written by its author. */
export interface KeyDefinition {
  /** The key without the store prefix: literal text and `{param}` placeholders, one segment each. */
  readonly template: string;
  /** Seconds a cached value lives; the stores apply it. */
  readonly ttl?: number;
  /** The resources (`quotes`, `clients`, …) whose changes make this key stale. */
  readonly dependsOn?: readonly string[];
  readonly description?: string;
  /** A parameter whose value the key wraps in `{…}` so that Redis Cluster keeps a family in one slot. */
  readonly hashTag?: string;
}

export interface RegistryDefinition {
  /** Added by the store in front of every key; patterns never carry it. */
  readonly prefix?: string;
  readonly keys: Readonly<Record<string, KeyDefinition>>;
}

/** A validated key family, ready for matching. */
export interface RegistryEntry {
  readonly name: string;
  readonly template: string;
  readonly parsed: ParsedTemplate;
  readonly params: readonly string[];
  readonly ttl: number | undefined;
  readonly dependsOn: readonly string[];
  readonly description: string | undefined;
  readonly hashTag: string | undefined;
}

/** A problem found in a registry definition; `path` leads to the offending value. */
export interface RegistryIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const ROOT_FIELDS = new Set(['prefix', 'keys', '$schema']);
const KEY_FIELDS = new Set(['template', 'ttl', 'dependsOn', 'description', 'hashTag']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object') return 'an object';
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects returned above: what is left is a primitive or a function
  return `${typeof value} ${String(value)}`;
}

function notWellFormed(what: string, text: string): string {
  return `${what} is not well-formed UTF-16 (a lone surrogate at ${String(loneSurrogateAt(text))} in ${quoteValue(text)}): Redis would store it as U+FFFD.`;
}

/** Checks a registry definition; returns every problem, in order, and the entries that are sound. */
export function validateRegistry(value: unknown): { entries: RegistryEntry[]; prefix: string; issues: RegistryIssue[] } {
  const issues: RegistryIssue[] = [];
  const entries: RegistryEntry[] = [];
  if (!isRecord(value)) {
    issues.push({ path: [], message: `The registry must be an object with \`keys\`, not ${describe(value)}.` });
    return { entries, prefix: '', issues };
  }
  for (const field of Object.keys(value)) {
    if (!ROOT_FIELDS.has(field)) {
      issues.push({ path: [field], message: `Unknown registry field \`${field}\`: expected \`prefix\` or \`keys\`.` });
    }
  }
  let prefix = '';
  if (value['prefix'] !== undefined) {
    if (typeof value['prefix'] === 'string') {
      prefix = value['prefix'];
      if (loneSurrogateAt(prefix) !== -1) issues.push({ path: ['prefix'], message: notWellFormed('`prefix`', prefix) });
    } else issues.push({ path: ['prefix'], message: `\`prefix\` must be a string, not ${describe(value['prefix'])}.` });
  }
  const keys = value['keys'];
  if (!isRecord(keys)) {
    issues.push({
      path: keys === undefined ? [] : ['keys'],
      message:
        keys === undefined
          ? 'The registry has no `keys`: add `keys: { name: { template: "…" } }`.'
          : `\`keys\` must be an object of key definitions, not ${describe(keys)}.`,
    });
    return { entries, prefix, issues };
  }
  const templates = new Map<string, string>();
  for (const [name, definition] of Object.entries(keys)) {
    const entry = validateKey(name, definition, issues);
    if (!entry) continue;
    // Two templates that differ only in parameter names describe the same keys.
    const shape = entry.parsed.pieces.map((p) => (p.kind === 'param' ? '{}' : p.text)).join('');
    const other = templates.get(shape);
    if (other !== undefined) {
      issues.push({
        path: ['keys', name, 'template'],
        message: `The template \`${entry.template}\` duplicates the one of \`${other}\`: one key family per template.`,
      });
      continue;
    }
    templates.set(shape, name);
    entries.push(entry);
  }
  return { entries, prefix, issues };
}

function validateKey(name: string, definition: unknown, issues: RegistryIssue[]): RegistryEntry | null {
  const at = (field?: string): (string | number)[] => (field === undefined ? ['keys', name] : ['keys', name, field]);
  const before = issues.length;
  if (!isRecord(definition)) {
    issues.push({ path: at(), message: `The key \`${name}\` must be an object with a \`template\`, not ${describe(definition)}.` });
    return null;
  }
  for (const field of Object.keys(definition)) {
    if (!KEY_FIELDS.has(field)) {
      issues.push({
        path: at(field),
        message: `Unknown field \`${field}\` in key \`${name}\`: expected template, ttl, dependsOn, description or hashTag.`,
      });
    }
  }
  const { template, ttl, dependsOn, description, hashTag } = definition;
  let parsed: ParsedTemplate | null = null;
  if (typeof template !== 'string') {
    issues.push({
      path: template === undefined ? at() : at('template'),
      message:
        template === undefined
          ? `The key \`${name}\` has no \`template\`.`
          : `The template of \`${name}\` must be a string, not ${describe(template)}.`,
    });
  } else {
    parsed = parseTemplate(template);
    if (loneSurrogateAt(template) !== -1)
      issues.push({ path: at('template'), message: notWellFormed(`The template of \`${name}\``, template) });
    for (const error of parsed.errors) {
      issues.push({ path: at('template'), message: `Malformed template \`${template}\` of \`${name}\`: ${error.message}` });
    }
  }
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0)) {
    issues.push({ path: at('ttl'), message: `The ttl of \`${name}\` must be a positive number of seconds, not ${describe(ttl)}.` });
  }
  if (dependsOn !== undefined && (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string' || d === ''))) {
    issues.push({
      path: at('dependsOn'),
      message: `\`dependsOn\` of \`${name}\` must be a list of resource names (strings), not ${describe(dependsOn)}.`,
    });
  }
  if (description !== undefined && typeof description !== 'string') {
    issues.push({ path: at('description'), message: `The description of \`${name}\` must be a string.` });
  }
  if (hashTag !== undefined && (typeof hashTag !== 'string' || !parsed?.params.includes(hashTag))) {
    issues.push({
      path: at('hashTag'),
      message: `\`hashTag\` of \`${name}\` must name a parameter of its template (${parsed?.params.map((p) => `\`${p}\``).join(', ') || 'none'}).`,
    });
  }
  if (issues.length > before || parsed === null || typeof template !== 'string') return null;
  return {
    name,
    template,
    parsed,
    params: parsed.params,
    ttl: typeof ttl === 'number' ? ttl : undefined,
    dependsOn: Array.isArray(dependsOn) ? dependsOn.filter((d): d is string => typeof d === 'string') : [],
    description: typeof description === 'string' ? description : undefined,
    hashTag: typeof hashTag === 'string' ? hashTag : undefined,
  };
}

/** Formats an issue path as `keys.quotesList.ttl`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

export type ParamValue = string | number;

/** A surrogate without its pair: `\p{Cs}` matches only those when the string is read by code point. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Where `text` is not well-formed UTF-16 (the index of its first lone surrogate), or -1. Redis
 * clients encode keys as UTF-8, which turns every lone surrogate into U+FFFD: `acme\uD800` and
 * `acme\uFFFD` would share their keys.
 */
export function loneSurrogateAt(text: string): number {
  return text.search(LONE_SURROGATE);
}

/** `"acme\ud800"`: a value as JSON shows it (lone surrogates escaped), cut at 60 characters. */
export function quoteValue(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/**
 * The value `params` itself holds for `name`, or undefined: never one it inherits, so that a
 * `{constructor}` or `{toString}` placeholder is missing, not the text of `Object.prototype`'s function.
 */
export function ownParam(params: Readonly<Record<string, ParamValue | undefined>>, name: string): ParamValue | undefined {
  return Object.hasOwn(params, name) ? params[name] : undefined;
}

/**
 * Fills a template. Every value is glob-escaped when `asPattern` is set, and parameters left out
 * of `params` become `*`; otherwise every parameter must be given.
 */
export function fillTemplate(entry: RegistryEntry, params: Readonly<Record<string, ParamValue | undefined>>, asPattern: boolean): string {
  let result = '';
  for (const piece of entry.parsed.pieces) {
    if (piece.kind === 'text') {
      result += asPattern ? escapeGlob(piece.text) : piece.text;
      continue;
    }
    const value = ownParam(params, piece.name);
    if (value === undefined) {
      if (!asPattern) throw new TypeError(`Missing parameter \`${piece.name}\` for cache key \`${entry.name}\`.`);
      result += '*';
      continue;
    }
    const text = String(value);
    if (text === '' || text.includes(':')) {
      throw new TypeError(
        `Parameter \`${piece.name}\` of cache key \`${entry.name}\` must be one non-empty segment without \`:\`, got ${JSON.stringify(text)}.`,
      );
    }
    if (loneSurrogateAt(text) !== -1) {
      throw new TypeError(
        `Parameter \`${piece.name}\` of cache key \`${entry.name}\` is not well-formed UTF-16 (a lone surrogate at ${String(loneSurrogateAt(text))} in ${quoteValue(text)}): Redis would store it as U+FFFD, in the keys of another value.`,
      );
    }
    const tagged = entry.hashTag === piece.name ? `{${text}}` : text;
    result += asPattern ? escapeGlob(tagged) : tagged;
  }
  const unknown = Object.keys(params).filter((name) => !entry.params.includes(name));
  if (unknown.length > 0) {
    throw new TypeError(`Unknown parameter ${unknown.map((u) => `\`${u}\``).join(', ')} for cache key \`${entry.name}\`.`);
  }
  return result;
}

/** A regular expression for the keys of a family (without prefix); hash-tag values carry braces. */
export function templateRegExp(entry: RegistryEntry): RegExp {
  const body = entry.parsed.pieces
    .map((piece) => {
      if (piece.kind === 'text') return piece.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return entry.hashTag === piece.name ? '\\{[^:]+\\}' : '[^:]+';
    })
    .join('');
  return new RegExp(`^${body}$`, 'u');
}
