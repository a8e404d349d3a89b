import { existsSync, readFileSync } from 'node:fs';
import undeclaredDependency from '../../../rules/undeclared-dependency.js';
import { sameResource } from '../../analysis/checks/helpers.js';
import type { CacheFamily } from '../../analysis/facts.js';
import { overlaps } from '../../patterns/operations.js';
import { parsePattern } from '../../patterns/parse.js';
import type { CacheRegistry } from '../../registry/define.js';
import type { RegistryEntry } from '../../registry/model.js';
import type { InferredFamily } from '../result.js';
import type { FindingSink } from './check.js';
import type { ScanSetup } from './load.js';

/** A registry entry drafted from an inferred family: what `cache-audit init` writes and `cache-audit registry` shows. */
export interface DraftEntry {
  readonly name: string;
  readonly template: string;
  readonly family: InferredFamily;
}

/** A registry entry with the inferred families that read its keys, and the models they read that `dependsOn` does not name. */
export interface DeclaredEntry {
  readonly entry: RegistryEntry;
  readonly families: readonly InferredFamily[];
  readonly suggested: readonly string[];
}

const GLOB = /[*?[\]\\]/;

/**
 * The template of an inferred key (`website:{id}`), or null when the key is no template: a
 * wildcard or an escaped character in it. Unnamed holes become `{value}`; a repeated name is numbered.
 */
export function templateOf(key: string): string | null {
  const used = new Set<string>();
  let template = '';
  for (const part of key.split(/(\{[^}]*\})/)) {
    if (!part.startsWith('{')) {
      if (GLOB.test(part) || part.includes('}')) return null;
      template += part;
      continue;
    }
    const base = /^\{([A-Za-z_$][\w$]*)\}$/.exec(part)?.[1] ?? 'value';
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}${String(i)}`;
    used.add(name);
    template += `{${name}}`;
  }
  return template.trim() === template && template !== '' ? template : null;
}

/** `website:slug:{slug}` → `websiteSlug`: the literal segments, camel-cased; `key` when there are none. */
function nameOf(template: string): string {
  const words = template
    .replace(/\{[^}]*\}/g, ' ')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const name = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  return /^[A-Za-z_$]/.test(name) ? name : `key${name}`;
}

/** The registry the code implies: one entry per inferred family that is a template, named after its literal segments. */
export function draftRegistry(families: readonly InferredFamily[]): DraftEntry[] {
  const names = new Set<string>();
  const entries: DraftEntry[] = [];
  for (const family of families) {
    const template = templateOf(family.key);
    if (template === null) continue;
    const base = nameOf(template);
    let name = base;
    for (let i = 2; names.has(name); i++) name = `${base}${String(i)}`;
    names.add(name);
    entries.push({ name, template, family });
  }
  return entries;
}

/**
 * Whether a registry entry of a Next.js tag is cleared through the other tags its entries carry:
 * `cacheTag('quotes', \`quote-${id}\`)` gives every entry tagged `quote-{id}` the tag `quotes` too,
 * so what clears `quotes` clears them. Every function that gives the tag must give a tag `isCleared` accepts.
 */
export function isClearedByCoTags(
  families: readonly Pick<CacheFamily, 'key' | 'isTag' | 'tags'>[],
  entry: RegistryEntry,
  isCleared: (tag: string) => boolean,
): boolean {
  const givers = families.filter((family) => family.isTag === true && isOfEntry(family, entry));
  return givers.length > 0 && givers.every((family) => (family.tags ?? []).some(isCleared));
}

/** Whether an inferred family reads keys of a registry entry: the entry's name (`getOrSet('quotesList', …)`), or a key it can match. */
export function isOfEntry(family: { readonly key: string }, entry: RegistryEntry): boolean {
  if (family.key === entry.name) return true;
  const pattern = parsePattern(family.key);
  return pattern.errors.length === 0 && overlaps(pattern, entry.parsed);
}

/** The registry's entries beside the families inferred from the code, with the dependencies the code shows beyond `dependsOn`. */
export function compareRegistry(
  registry: CacheRegistry,
  families: readonly InferredFamily[],
): { declared: DeclaredEntry[]; undeclared: InferredFamily[] } {
  const matched = new Set<InferredFamily>();
  const declared = registry.entries.map((entry) => {
    const mine = families.filter((family) => isOfEntry(family, entry));
    for (const family of mine) matched.add(family);
    const models = [...new Set(mine.flatMap((f) => f.models))].sort();
    const suggested = models.filter((model) => !entry.dependsOn.some((resource) => sameResource(resource, model)));
    return { entry, families: mine, suggested };
  });
  return { declared, undeclared: families.filter((f) => !matched.has(f)) };
}

/** `src/a.ts:7`, and how many more places. */
export function sitesText(sites: readonly { readonly file: string; readonly line: number }[], max = 2): string {
  const shown = sites.slice(0, max).map((s) => `${s.file}:${String(s.line)}`);
  return sites.length > max ? `${shown.join(', ')} and ${String(sites.length - max)} more` : shown.join(', ');
}

/**
 * `undeclared-dependency`: a registered key whose loaders, as the code shows them, read models its
 * `dependsOn` does not name. Reported once per entry, at its definition in the registry, as a note:
 * the registry is the authority, the code's evidence a suggestion.
 */
export function dependencyFindings(
  setup: ScanSetup,
  families: readonly InferredFamily[],
  isReportedFile: (file: string) => boolean,
  sink: FindingSink,
): void {
  const { registry, registryFile, loadedRegistry } = setup;
  if (!registry || !registryFile || !loadedRegistry || !isReportedFile(registryFile)) return;
  const lines = existsSync(registryFile) ? readFileSync(registryFile, 'utf8').split('\n') : [];
  for (const { entry, families: mine, suggested } of compareRegistry(registry, families).declared) {
    if (suggested.length === 0) continue;
    const at = loadedRegistry.locations.get(entry.name) ?? { line: 1, column: 1 };
    const reads = mine.filter((f) => f.models.some((m) => suggested.includes(m))).flatMap((f) => f.reads);
    const message = undeclaredDependency.message('undeclared', {
      key: entry.name,
      template: entry.template,
      models: suggested.join(', '),
      reads: sitesText(reads),
      dependsOn: entry.dependsOn.length > 0 ? entry.dependsOn.join(', ') : 'nothing',
      suggestion: [...entry.dependsOn, ...suggested].map((r) => `'${r}'`).join(', '),
    });
    sink.push(
      {
        ruleId: 'undeclared-dependency',
        severity: 'note',
        message,
        file: setup.rel(registryFile),
        line: at.line,
        column: at.column,
        endLine: at.line,
        endColumn: at.column,
        via: [],
      },
      lines[at.line - 1] ?? '',
    );
  }
}
