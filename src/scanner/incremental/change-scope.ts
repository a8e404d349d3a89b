import { readFileSync } from 'node:fs';
import { basename, dirname, extname, sep } from 'node:path';
import type { TS } from '../../ts/syntax.js';
import { moduleReferences } from './module-references.js';
import type { ModuleReference, Names, References } from './module-references.js';
import { ProjectResolver } from '../../project/resolver.js';
import { exportableNames, fileRelevance } from '../pipeline/relevance.js';
import type { Relevance } from '../pipeline/relevance.js';
import type { ScanCache } from './store.js';
import { resolutionHost } from '../pipeline/extract.js';
import type { ScanSetup } from '../pipeline/load.js';
import type { ScanOptions } from '../scan-options.js';

/**
 * The files a change reaches (`--staged`):
 *
 * - the changed files that can matter (`fileRelevance`; a file that cannot holds no finding, and its
 *   scope is itself);
 * - what they import, transitively, through the files that can matter and through barrels (a file of
 *   imports and re-exports only); through a barrel, only the modules that can export the names
 *   taken (`exportableNames`); the imports of a file that cannot matter are not followed (calls
 *   into it are, when the analysis reaches it);
 * - the files that import a name a changed file exports, directly or through barrels, and their
 *   importers up to `IMPORTER_DEPTH` (a router that mounts it, a controller's module, the
 *   application module); an importer's own imports are not followed;
 * - every file that can hold what the project-wide lookups read (`Relevance.global`: cache sites,
 *   key roles, listeners, hooks, processors, global interceptors), as a whole run reads them.
 *
 * Only the texts decide (read once, or their verdicts taken from the cache): nothing is parsed here.
 */
const IMPORTER_DEPTH = 3;

/**
 * The scope of a scan that follows the change, or null when it must be the whole project: a
 * changed registry is audited against every invalidation of the project.
 */
export interface ChangeScope {
  /** The files to read. */
  readonly files: string[];
  /** Those read only for what the project-wide lookups read: their handlers are not wanted. */
  readonly lookupsOnly: ReadonlySet<string>;
}

export function changeScope(ts: TS, setup: ScanSetup, options: ScanOptions, cache: ScanCache | null): ChangeScope | null {
  const changed = [...(options.onlyFiles ?? [])];
  if (setup.registryFile !== null && changed.includes(setup.registryFile)) return null;
  const candidates = new Set(setup.listed.files);
  const texts = new Texts(setup, options, cache);
  const resolver = new ProjectResolver(ts, {
    project: setup.listed,
    host: resolutionHost(ts, setup.listed.files),
    sourceFileAt: () => undefined,
  });
  const target = (file: string, specifier: string): string | null => {
    const path = resolver.modulePath(specifier, file);
    return path !== null && candidates.has(path) ? path : null;
  };
  const starts = changed.filter((file) => candidates.has(file));
  const scope = new Set(starts);
  const relevant = starts.filter((file) => texts.verdict(file)?.relevant === true);
  for (const file of importedBy(relevant, texts, target)) scope.add(file);
  for (const file of importersOf(relevant, texts, target, candidates, setup)) scope.add(file);
  const audited = new Set(setup.files);
  const lookupsOnly = new Set<string>();
  // Nothing is reported where no changed file that can matter is audited (a DTO, an application beside the change): no lookups are needed.
  if (relevant.some((file) => audited.has(file))) {
    for (const file of setup.files) if (!scope.has(file) && texts.verdict(file)?.global === true) lookupsOnly.add(file);
  }
  return { files: [...scope, ...lookupsOnly].filter((file) => audited.has(file)).sort(), lookupsOnly };
}

type Target = (file: string, specifier: string) => string | null;

/** The names of `module` a reference takes for `wanted` names of the referring file (its own code takes what it imports). */
function namesTaken(reference: ModuleReference, wanted: Names, hasCode: boolean): Names | null {
  const names = new Set<string>();
  if (hasCode) {
    if (reference.imported === 'all') return 'all';
    for (const name of reference.imported) names.add(name);
  }
  const { reexported } = reference;
  if (reexported === 'all') {
    if (wanted === 'all') return 'all';
    for (const name of wanted) if (name !== 'default') names.add(name);
  } else {
    for (const [exported, name] of reexported) {
      if (wanted !== 'all' && !wanted.has(exported)) continue;
      if (name === '*') return 'all';
      names.add(name);
    }
  }
  return names.size > 0 ? names : null;
}

/** What the files import, transitively: every import of a file that can matter, the wanted names only through a barrel. */
function importedBy(starts: readonly string[], texts: Texts, target: Target): Set<string> {
  const wanted = new Map<string, Set<string> | 'all'>();
  const queue: [string, Names][] = starts.map((file) => [file, 'all']);
  const reached = new Set<string>();
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const [file, names] = item;
    reached.add(file);
    const references = texts.references(file);
    const verdict = texts.verdict(file);
    // A file that cannot matter is a leaf, but for a barrel, whose re-exports are followed for the names wanted.
    if (!references || (verdict?.relevant !== true && !references.isBarrel)) continue;
    for (const reference of references.modules) {
      const taken = namesTaken(reference, names, !references.isBarrel);
      if (taken === null) continue;
      const path = target(file, reference.specifier);
      if (path === null || (taken !== 'all' && ![...taken].some((name) => texts.mayExport(path, name)))) continue;
      const known = wanted.get(path);
      const added = merge(known, taken);
      if (added === null) continue;
      wanted.set(path, added.all);
      queue.push([path, added.fresh]);
    }
  }
  return reached;
}

/** The names newly wanted of a file (`fresh`) and all of them, or null when nothing is new. */
function merge(known: Set<string> | 'all' | undefined, taken: Names): { all: Set<string> | 'all'; fresh: Names } | null {
  if (known === 'all') return null;
  if (taken === 'all') return { all: 'all', fresh: 'all' };
  if (known === undefined) return { all: new Set(taken), fresh: taken };
  const fresh = new Set([...taken].filter((name) => !known.has(name)));
  if (fresh.size === 0) return null;
  for (const name of fresh) known.add(name);
  return { all: known, fresh };
}

/**
 * The files that import a name the targets export, directly or through barrels (a barrel's
 * importers must take a name it passes on), up to `IMPORTER_DEPTH` importers away.
 */
function importersOf(
  starts: readonly string[],
  texts: Texts,
  target: Target,
  candidates: ReadonlySet<string>,
  setup: ScanSetup,
): Set<string> {
  const found = new Set<string>();
  /** Target → the names it can give its importers. */
  let targets = new Map<string, Names>(starts.map((file) => [file, texts.exportable(file)]));
  const seen = new Set(starts);
  for (let depth = 0; depth < IMPORTER_DEPTH && targets.size > 0;) {
    const spellings = new Spellings([...targets.keys()], setup);
    const next = new Map<string, Names>();
    const throughBarrels = new Map<string, Names>();
    for (const file of candidates) {
      if (seen.has(file) || !texts.mayName(file, spellings)) continue;
      const references = texts.references(file);
      if (!references) continue;
      let passed: Set<string> | 'all' | null = null;
      let isImporter = false;
      for (const reference of references.modules) {
        if (!spellings.mayName(reference.specifier)) continue;
        const path = target(file, reference.specifier);
        const names = path === null ? undefined : targets.get(path);
        if (names === undefined) continue;
        const taken = takesFrom(reference, names);
        if (taken.imports) isImporter = true;
        if (taken.passes !== null)
          passed = passed === 'all' || taken.passes === 'all' ? 'all' : new Set([...(passed ?? []), ...taken.passes]);
      }
      if (!isImporter && passed === null) continue;
      found.add(file);
      seen.add(file);
      // A barrel passes on what it re-exports, and is no level of its own; a file with code gives what it exports.
      if (references.isBarrel && passed !== null) throughBarrels.set(file, passed);
      else next.set(file, texts.exportable(file));
    }
    if (throughBarrels.size > 0) {
      targets = throughBarrels;
      for (const [file, names] of next) targets.set(file, names);
      continue;
    }
    targets = next;
    depth++;
  }
  return found;
}

/** Whether a reference imports one of `names` for the file's own code, and which of them it re-exports. */
function takesFrom(reference: ModuleReference, names: Names): { imports: boolean; passes: Set<string> | 'all' | null } {
  const has = (name: string): boolean => names === 'all' || names.has(name) || name === 'default';
  const imports = reference.imported === 'all' || [...reference.imported].some(has);
  const { reexported } = reference;
  if (reexported === 'all') return { imports, passes: names === 'all' ? 'all' : new Set([...names].filter((n) => n !== 'default')) };
  const passes = new Set<string>();
  for (const [exported, name] of reexported) if (name === '*' || has(name)) passes.add(exported);
  return { imports, passes: passes.size > 0 ? passes : null };
}

/**
 * How an import may spell a target, to test an import list before resolving it: the file's name
 * without extension (`users.controller`), for an index its directory (and the package directory
 * above `src/` or `lib/`), and the names of the workspace packages it lies in.
 */
class Spellings {
  private readonly stems = new Set<string>();
  private readonly packages = new Set<string>();

  constructor(targets: readonly string[], setup: ScanSetup) {
    for (const file of targets) {
      const stem = basename(file, extname(file));
      this.stems.add(stem);
      if (stem === 'index') {
        const dir = basename(dirname(file));
        this.stems.add(dir);
        if (dir === 'src' || dir === 'lib') this.stems.add(basename(dirname(dirname(file))));
      }
      for (const [name, dir] of setup.listed.workspaces) if (file.startsWith(dir + sep)) this.packages.add(name);
    }
  }

  mayName(specifier: string): boolean {
    if (this.stems.has(lastSegment(specifier))) return true;
    for (const name of this.packages) if (specifier === name || specifier.startsWith(`${name}/`)) return true;
    return false;
  }

  /** Whether a text may name a target at all (a cheap test before its import list is read). */
  inText(text: string): boolean {
    for (const stem of this.stems) if (text.includes(stem)) return true;
    for (const name of this.packages) if (text.includes(name)) return true;
    return false;
  }
}

function lastSegment(specifier: string): string {
  const segment = specifier.slice(specifier.lastIndexOf('/') + 1);
  return segment.replace(/\.[cm]?[jt]sx?$/, '');
}

type CacheEntry = NonNullable<ReturnType<ScanCache['entry']>>;

/** File texts, their verdicts and references, the verdicts and import lists from the cache when the file is unchanged. */
class Texts {
  private readonly texts = new Map<string, string | null>();
  private readonly verdicts = new Map<string, Relevance | null>();
  private readonly referenceLists = new Map<string, References | null>();
  private readonly exportables = new Map<string, ReadonlySet<string> | 'any' | null>();
  private readonly entries = new Map<string, CacheEntry | null>();

  constructor(
    private readonly setup: ScanSetup,
    private readonly options: ScanOptions,
    private readonly cache: ScanCache | null,
  ) {}

  private text(file: string): string | null {
    let text = this.texts.get(file);
    if (text === undefined) {
      try {
        text = (this.options.readFile?.(file) ?? readFileSync(file)).toString('utf8');
      } catch {
        text = null;
      }
      this.texts.set(file, text);
    }
    return text;
  }

  private cached(file: string): CacheEntry | null {
    let entry = this.entries.get(file);
    if (entry === undefined) {
      entry = this.cache?.entry(file, this.options.readFile?.(file)) ?? null;
      this.entries.set(file, entry);
    }
    return entry;
  }

  /** Whether the file can matter (see `fileRelevance`): from the cache when it is unchanged (a new verdict is remembered). */
  verdict(file: string): Relevance | null {
    let verdict = this.verdicts.get(file);
    if (verdict !== undefined) return verdict;
    const entry = this.cached(file);
    if (entry?.relevant !== undefined && entry.global !== undefined && entry.imports !== undefined) {
      verdict = { relevant: entry.relevant, global: entry.global, imports: [...entry.imports] };
    } else {
      const text = this.text(file);
      // Whether it can be audited (binary, too large, not UTF-8) is the reader's to say.
      verdict = text === null ? null : fileRelevance(file, text, this.setup.analysisOptions);
      if (verdict && entry) this.cache?.remember(file, entry.hash, verdict, entry.size, entry.mtimeMs);
    }
    this.verdicts.set(file, verdict);
    return verdict;
  }

  references(file: string): References | null {
    return this.ofText(this.referenceLists, file, moduleReferences);
  }

  /** What `of` says of a file's text, once per file; null when it cannot be read. */
  private ofText<T>(memo: Map<string, T | null>, file: string, of: (text: string) => T): T | null {
    let value = memo.get(file);
    if (value === undefined) {
      const text = this.text(file);
      value = text === null ? null : of(text);
      memo.set(file, value);
    }
    return value;
  }

  /** The names a file can export (see `exportableNames`). */
  exportable(file: string): Names {
    const names = this.exportableOf(file);
    return names === 'any' || names === null ? 'all' : names;
  }

  mayExport(file: string, name: string): boolean {
    if (name === 'default') return true;
    const names = this.exportableOf(file);
    return names === 'any' || names?.has(name) === true;
  }

  private exportableOf(file: string): ReadonlySet<string> | 'any' | null {
    return this.ofText(this.exportables, file, exportableNames);
  }

  /** Whether a file may name a target: by its cached import list, else by its text. */
  mayName(file: string, spellings: Spellings): boolean {
    const imports = this.cached(file)?.imports;
    if (imports) return imports.some((specifier) => spellings.mayName(specifier));
    return spellings.inText(this.text(file) ?? '');
  }
}
