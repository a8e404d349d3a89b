import { importSpecifiers } from '../../ts/imports.js';

/** `all`: every name of the module (a namespace, a side-effect import, `require`, a form the scan does not read). */
export type Names = ReadonlySet<string> | 'all';

/** What a file takes from one module, read from its text (see `moduleReferences`). */
export interface ModuleReference {
  readonly specifier: string;
  /** The names its own code imports from the module; empty when it only re-exports it. */
  readonly imported: Names;
  /** What it re-exports: its exported name → the module's name, or `all` for `export * from`. */
  readonly reexported: ReadonlyMap<string, string> | 'all';
}

/** What the references of a text say: each module, and whether the file is only a barrel (re-exports and imports, no code). */
export interface References {
  readonly modules: readonly ModuleReference[];
  readonly isBarrel: boolean;
}

const IDENTIFIER = String.raw`[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*`;
const IMPORT = new RegExp(
  String.raw`\bimport\s+(?:type\s+)?(?:(${IDENTIFIER})\s*,?\s*)?(?:\{([^}]*)\}|(\*)\s*as\s+${IDENTIFIER})?\s*from\s*(['"])([^'"\r\n]+)\4`,
  'gu',
);
const EXPORT_FROM = new RegExp(
  String.raw`\bexport\s+(?:type\s+)?(?:(\*)(?:\s*as\s+(${IDENTIFIER}))?|\{([^}]*)\})\s*from\s*(['"])([^'"\r\n]+)\4`,
  'gu',
);
const SPECIFIER = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*(['"`])([^'"`\r\n]+)\1/g;
const COMMENTS = /\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;

/** `a`, `b as c`, `type d` of a `{ … }` list: [local or exported name, the module's name]. */
function pairsOf(list: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const raw of list.split(',')) {
    const item = raw
      .replace(COMMENTS, '')
      .trim()
      .replace(/^type\s+/, '');
    if (item === '') continue;
    const [name = '', alias] = item.split(/\s+as\s+/);
    pairs.push([(alias ?? name).trim(), name.trim().replace(/^['"]|['"]$/g, '')]);
  }
  return pairs;
}

/**
 * The modules a text names and what it takes from each, by a literal scan (no parse): static
 * imports with their names, re-exports (`export * from`, `export { a as b } from`), and, as taking
 * every name, anything else that names a module (`require`, dynamic and side-effect imports, a
 * specifier in a comment or a string). Errs toward more: a name or module is never missed where
 * `importSpecifiers` finds the module.
 */
export function moduleReferences(text: string): References {
  const byModule = new Map<string, { imported: Set<string> | 'all'; reexported: Map<string, string> | 'all' }>();
  const of = (specifier: string) => {
    let entry = byModule.get(specifier);
    if (!entry) {
      entry = { imported: new Set(), reexported: new Map() };
      byModule.set(specifier, entry);
    }
    return entry;
  };
  const covered: [number, number][] = [];
  let rest = text;
  const blank = (start: number, length: number): void => {
    covered.push([start, start + length]);
    rest = rest.slice(0, start) + ' '.repeat(length) + rest.slice(start + length);
  };
  for (const match of text.matchAll(IMPORT)) {
    const [whole, defaultName, list, star, , specifier] = match;
    if (specifier === undefined) continue;
    const entry = of(specifier);
    if (star !== undefined) entry.imported = 'all';
    else if (entry.imported !== 'all') {
      if (defaultName !== undefined) entry.imported.add('default');
      for (const [, name] of pairsOf(list ?? '')) entry.imported.add(name);
      // `import {} from 'm'` or `import type from 'm'`: read as taking everything.
      if (defaultName === undefined && list === undefined) entry.imported = 'all';
    }
    blank(match.index, whole.length);
  }
  for (const match of text.matchAll(EXPORT_FROM)) {
    const [whole, star, namespace, list, , specifier] = match;
    if (specifier === undefined) continue;
    const entry = of(specifier);
    if (star !== undefined && namespace === undefined) entry.reexported = 'all';
    else if (entry.reexported !== 'all') {
      if (namespace !== undefined) entry.reexported.set(namespace, '*');
      for (const [exported, name] of pairsOf(list ?? '')) entry.reexported.set(exported, name);
    }
    blank(match.index, whole.length);
  }
  // Any other mention of a module takes all of it.
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[2];
    if (specifier === undefined || covered.some(([start, end]) => match.index >= start && match.index < end)) continue;
    of(specifier).imported = 'all';
  }
  // Every module importSpecifiers finds is here (the same literal scan), so nothing is fewer.
  for (const specifier of importSpecifiers(text)) of(specifier);
  const isBarrel = rest.replace(COMMENTS, '').replace(/[\s;]/g, '') === '';
  return {
    modules: [...byModule].map(([specifier, { imported, reexported }]) => ({ specifier, imported, reexported })),
    isBarrel,
  };
}
