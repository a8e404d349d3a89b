import { fillTemplate, formatPath, validateRegistry } from './model.js';
import type { KeyDefinition, ParamValue, RegistryEntry, RegistryIssue } from './model.js';

/** The parameter names of a template type: `'a:{x}:{y}'` → `'x' | 'y'`. */
export type TemplateParams<T extends string> = T extends `${string}{${infer Name}}${infer Rest}` ? Name | TemplateParams<Rest> : never;

/** Values for every parameter of a template, and nothing else. */
export type KeyParams<T extends string> = { readonly [Name in TemplateParams<T>]: ParamValue };

type Keys = Readonly<Record<string, KeyDefinition>>;

export interface CacheRegistry<K extends Keys = Keys> {
  readonly prefix: string;
  readonly entries: readonly RegistryEntry[];
  /** The key of family `name` for the given parameters (no store prefix). */
  key<N extends keyof K & string>(name: N, params: KeyParams<K[N]['template']>): string;
  /** A pattern for family `name`: given values escaped, the other parameters `*`. */
  pattern<N extends keyof K & string>(name: N, params?: Partial<KeyParams<K[N]['template']>>): string;
  entry(name: keyof K & string): RegistryEntry;
  /** The families whose `dependsOn` names `resource`. */
  dependentsOf(resource: string): readonly RegistryEntry[];
}

export class RegistryError extends Error {
  readonly issues: readonly RegistryIssue[];

  constructor(issues: readonly RegistryIssue[]) {
    super(`Invalid cache registry:\n${issues.map((issue) => `  ${formatPath(issue.path)}: ${issue.message}`).join('\n')}`);
    this.name = 'RegistryError';
    this.issues = issues;
  }
}

/**
 * Declares the application's cache keys: the one list that the runtime, the ESLint rules and the
 * CLI share. Throws a `RegistryError` listing every problem.
 *
 * ```ts
 * export const cacheKeys = defineCacheRegistry({
 *   prefix: 'onquota:',
 *   keys: {
 *     quotesList: { template: 'quotes:list:{tenantId}:{hash}', ttl: 60, dependsOn: ['quotes'] },
 *   },
 * });
 * cacheKeys.key('quotesList', { tenantId: 't1', hash: 'abc' }); // 'quotes:list:t1:abc'
 * ```
 */
export function defineCacheRegistry<const K extends Keys>(definition: { readonly prefix?: string; readonly keys: K }): CacheRegistry<K> {
  const { entries, prefix, issues } = validateRegistry(definition);
  if (issues.length > 0) throw new RegistryError(issues);
  return createRegistry<K>(entries, prefix);
}

/** A registry over already validated entries (the static loader builds its result this way). */
export function createRegistry<K extends Keys = Keys>(entries: readonly RegistryEntry[], prefix: string): CacheRegistry<K> {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const entry = (name: string): RegistryEntry => {
    const found = byName.get(name);
    if (!found) throw new TypeError(`Unknown cache key \`${name}\`: the registry has ${[...byName.keys()].join(', ')}.`);
    return found;
  };
  return {
    prefix,
    entries,
    key: (name, params) => fillTemplate(entry(name), params, false),
    pattern: (name, params = {}) => fillTemplate(entry(name), params, true),
    entry,
    dependentsOf: (resource) => entries.filter((e) => e.dependsOn.includes(resource)),
  };
}
