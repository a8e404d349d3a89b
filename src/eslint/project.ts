import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type ts from 'typescript';
import { AnalysisSession, entryOf } from '../analysis/session.js';
import { extractFacts, fileContext } from '../analysis/extract.js';
import type { ExtractOptions } from '../analysis/extract.js';
import { isReadWithOthers } from '../analysis/frameworks/index.js';
import type { CacheFamily, GlobalCacheSetup, InterceptedGet, Invalidation } from '../analysis/facts.js';
import { globalCacheSetup, globallyCachedGets } from '../analysis/frameworks/nestjs.js';
import { gaveUp } from '../analysis/limits.js';
import { globToRegExp } from '../analysis/options.js';
import type { AnalysisOptions, CacheAuditConfig } from '../analysis/options.js';
import { dependencyFiles } from '../project/dependencies.js';
import { projectFiles } from '../project/files.js';
import { isTestFile } from '../project/test-files.js';
import type { ProjectFiles } from '../project/files.js';
import { exportableNames, fileRelevance } from '../project/relevance.js';
import { ProjectResolver, declaresClass, namesIdentifier } from '../project/resolver.js';
import { enclosingWorkspace } from '../project/workspaces.js';
import { scriptKindOf } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';

/**
 * A file of the project as read from disk: its text, parsed when asked, under the stamp (modified
 * time and size) it was read with. A file whose stamp changes is read again.
 */
interface Entry {
  readonly stamp: string;
  readonly text: string | null;
  sourceFile?: ts.SourceFile | null;
}

/** The files read, by TypeScript module (the nodes of one may not meet another's) and absolute path. */
const entries = new WeakMap<TS, Map<string, Entry>>();

function stampOf(path: string): string {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats?.isFile() ? `${String(stats.mtimeMs)}:${String(stats.size)}` : 'none';
}

function entryAt(ts: TS, path: string): Entry {
  let byPath = entries.get(ts);
  if (!byPath) {
    byPath = new Map();
    entries.set(ts, byPath);
  }
  const stamp = stampOf(path);
  const known = byPath.get(path);
  if (known?.stamp === stamp) return known;
  let text: string | null = null;
  try {
    text = stamp === 'none' ? null : readFileSync(path, 'utf8');
  } catch {
    // unreadable: nothing to follow
  }
  const entry: Entry = { stamp, text };
  byPath.set(path, entry);
  return entry;
}

/** The cache families of a project: each file's, and those of the GETs a global interceptor caches. */
export interface ProjectFamilies {
  readonly byFile: readonly CacheFamily[];
  readonly cachedGets: readonly CacheFamily[];
  /** Every invalidation written in each relevant file, by file (see `CheckInput.invalidations`). */
  readonly invalidations: ReadonlyMap<string, readonly Invalidation[]>;
}

/** What decides which files are the project's own and how they are read: the configuration's ignores, tests, registry file. */
export interface ProjectScope {
  readonly config: CacheAuditConfig;
  /** The directory the configuration's `ignores` are relative to. */
  readonly ignoreBase: string;
  readonly registryFile: string | null;
}

/**
 * The project of a linted file read as the CLI reads it, without a type checker: calls followed
 * into other files through the same resolver, and the cache families of every file of the
 * project. What it read is remembered with each file's stamp; a file changed on disk since (an
 * editor's session: files edited between lints) makes the next lint read the project again, the
 * files left unchanged kept parsed.
 */
export class UntypedProject {
  readonly resolver: ProjectResolver;
  /** The memos of this reading (the summaries of the functions the project's files call): a new reading starts with none. */
  readonly session = new AnalysisSession();
  /** The stamp of every file this reading used. */
  private readonly used = new Map<string, string>();
  /** The files linted since the stamps were last checked: a file linted again starts a new pass. */
  private readonly linted = new Set<string>();
  private listing: ProjectFiles | null = null;
  private familiesFound: ProjectFamilies | null = null;
  private routersRead = false;
  /** Whether a file was met with another stamp than the one this reading used. */
  private hasSeenChange = false;

  constructor(
    private readonly ts: TS,
    readonly root: string,
    private readonly options: AnalysisOptions,
    private readonly scope: ProjectScope,
  ) {
    const listing = this.listed();
    this.resolver = new ProjectResolver(ts, {
      project: { root: listing.sourceRoot, optionsOf: listing.optionsOf, workspaces: listing.workspaces },
      host: ts.sys,
      sourceFileAt: (path) => this.sourceFileAt(resolve(path)) ?? undefined,
      mayExport: (path, name) => {
        const text = this.entry(resolve(path)).text;
        if (text === null) return false;
        const names = exportableNames(text);
        return names === 'any' || name === 'default' || names.has(name);
      },
      tableFiles: () => this.relevantFiles(),
      classFiles: (name) => this.auditedFiles().filter((file) => declaresClass(this.entry(file).text, name)),
      filesNaming: (name) => {
        const searched = this.auditedFiles();
        return { naming: searched.filter((file) => namesIdentifier(this.entry(file).text, name)), searched };
      },
    });
  }

  /** How the project's files are extracted: with this reading's resolver and file contexts. */
  get extract(): ExtractOptions {
    return { ts: this.ts, options: this.options, resolver: this.resolver, session: this.session };
  }

  /** Whether a file read by this reading changed on disk since. */
  isStale(): boolean {
    if (this.hasSeenChange) return true;
    for (const [path, stamp] of this.used) if (stampOf(path) !== stamp) return true;
    return false;
  }

  /**
   * Whether the linted file is one this reading read, changed on disk since: ESLint reads the files
   * of a run in any order, so the service may be linted before the controller that calls it.
   */
  hasChanged(file: string): boolean {
    const stamp = this.used.get(file);
    return stamp !== undefined && stamp !== stampOf(file);
  }

  /**
   * Whether the stamps are to be checked before linting `file`: once per pass over the files (a
   * file linted again begins one), so that a run over the whole project checks nothing twice.
   */
  isNewPass(file: string): boolean {
    if (!this.linted.has(file)) {
      this.linted.add(file);
      return false;
    }
    this.linted.clear();
    this.linted.add(file);
    return true;
  }

  /**
   * The cache families read anywhere in the project, as the CLI finds them: each relevant file's
   * (`byFile`), and the GETs a global `CacheInterceptor` caches (`cachedGets`, keyed with the global
   * prefix the project sets).
   */
  families(): ProjectFamilies {
    if (this.familiesFound) return this.familiesFound;
    const byFile: CacheFamily[] = [];
    const invalidations = new Map<string, readonly Invalidation[]>();
    const gets: InterceptedGet[] = [];
    const setups: GlobalCacheSetup[] = [];
    const extract = { ...this.extract, withFamilies: true, isForLookups: true };
    // The packages the project depends on fill families its handlers keep fresh too.
    for (const sourceFile of [...this.relevantFiles(), ...this.relevantFiles(this.auditedFiles(dependencyFiles(this.ts, this.listed())))]) {
      try {
        const facts = extractFacts(sourceFile, extract);
        byFile.push(...facts.families);
        if (facts.otherInvalidations.length > 0) invalidations.set(facts.file, facts.otherInvalidations);
        gets.push(...(facts.interceptedGets ?? []));
        setups.push(globalCacheSetup(fileContext(sourceFile, extract)));
      } catch (error) {
        // A file the analysis gives up on adds no family; when it is linted, it says why.
        if (!gaveUp(error)) throw error;
      }
    }
    this.familiesFound = { byFile, cachedGets: globallyCachedGets(gets, setups), invalidations };
    return this.familiesFound;
  }

  /** The project's files (or `candidates`) that can matter (their text decides, as in the CLI), parsed. */
  private relevantFiles(candidates = this.auditedFiles()): ts.SourceFile[] {
    const files: ts.SourceFile[] = [];
    for (const file of candidates) {
      const text = this.entry(file).text;
      if (text === null || !fileRelevance(file, text, this.options).relevant) continue;
      const sourceFile = this.sourceFileAt(file);
      if (sourceFile) files.push(sourceFile);
    }
    return files;
  }

  /** The files the CLI audits (of `listed`): the listed ones, without the ignored ones, the tests and the registry. */
  private auditedFiles(listed: readonly string[] = this.listed().files): string[] {
    const { config, ignoreBase, registryFile } = this.scope;
    const ignores = (config.ignores ?? []).map((glob) => globToRegExp(glob));
    return listed.filter((file) => {
      const path = relative(ignoreBase, file).split(sep).join('/');
      return file !== registryFile && !ignores.some((glob) => glob.test(path)) && (config.tests === true || !isTestFile(path));
    });
  }

  private listed(): ProjectFiles {
    this.listing ??= projectFiles(this.ts, this.root, undefined, enclosingWorkspace(this.ts, this.root));
    return this.listing;
  }

  private entry(path: string): Entry {
    const entry = entryAt(this.ts, path);
    const used = this.used.get(path);
    // A file read again with another stamp: what was made of it before is stale.
    if (used !== undefined && used !== entry.stamp) this.hasSeenChange = true;
    else this.used.set(path, entry.stamp);
    return entry;
  }

  /**
   * The tree of the linted file to extract facts from: the project's own when the linted text is
   * the file's text on disk (what other files say of its nodes, a tRPC router's mount of its
   * procedures, holds for it), else the one given. A tRPC file has the project's routers read first:
   * they name its procedures' paths.
   */
  lintedTree(file: string, text: string, parsed: ts.SourceFile): ts.SourceFile {
    const own = this.entry(file).text === text ? this.sourceFileAt(file) : null;
    const tree = own ?? parsed;
    if (!this.routersRead && isReadWithOthers(fileContext(tree, this.extract))) {
      this.routersRead = true;
      for (const sourceFile of this.relevantFiles()) {
        if (sourceFile === tree || !isReadWithOthers(fileContext(sourceFile, this.extract))) continue;
        try {
          extractFacts(sourceFile, this.extract);
        } catch (error) {
          if (!gaveUp(error)) throw error;
        }
      }
    }
    return tree;
  }

  /** A file of the project as read (for the lines messages name), or undefined. */
  sourceFile(path: string): ts.SourceFile | undefined {
    return this.sourceFileAt(resolve(path)) ?? undefined;
  }

  private sourceFileAt(path: string): ts.SourceFile | null {
    const entry = this.entry(path);
    if (entry.sourceFile === undefined) {
      const { ts } = this;
      entry.sourceFile =
        entry.text === null ? null : ts.createSourceFile(path, entry.text, ts.ScriptTarget.Latest, true, scriptKindOf(ts, path));
    }
    return entry.sourceFile;
  }
}

/** The readings, by TypeScript module, options and project root. */
const readings = new WeakMap<TS, WeakMap<AnalysisOptions, Map<string, UntypedProject>>>();

/**
 * The reading of the project a linted file belongs to, made anew when a file it read changed on
 * disk: the linted file itself, checked each time, and any other, checked once per pass over the
 * files (see `isNewPass`).
 */
export function untypedProject(ts: TS, file: string, cwd: string, options: AnalysisOptions, scope: ProjectScope): UntypedProject {
  const byOptions = entryOf(readings, ts, () => new WeakMap<AnalysisOptions, Map<string, UntypedProject>>());
  const byRoot = entryOf(byOptions, options, () => new Map<string, UntypedProject>());
  const root = projectRoot(file, cwd);
  let project = byRoot.get(root);
  if (project && (project.hasChanged(file) || (project.isNewPass(file) && project.isStale()))) {
    project = undefined;
  }
  if (!project) {
    project = new UntypedProject(ts, root, options, scope);
    project.isNewPass(file);
    byRoot.set(root, project);
  }
  return project;
}

/**
 * The root of a linted file's project, as the CLI run from ESLint's working directory would take
 * it: the nearest directory above the file, up to the working directory, with a package.json or
 * a tsconfig.json; else the working directory (or, for a file outside it, the file's own).
 */
function projectRoot(file: string, cwd: string): string {
  const inside = relative(cwd, file);
  const isInside = inside !== '' && !inside.startsWith('..') && !isAbsolute(inside);
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (hasManifest(dir)) return dir;
    if ((isInside && dir === cwd) || dir === dirname(dir)) break;
  }
  return isInside ? cwd : dirname(file);
}

const manifests = new Map<string, boolean>();

function hasManifest(dir: string): boolean {
  let answer = manifests.get(dir);
  if (answer === undefined) {
    answer = stampOf(join(dir, 'package.json')) !== 'none' || stampOf(join(dir, 'tsconfig.json')) !== 'none';
    manifests.set(dir, answer);
  }
  return answer;
}
