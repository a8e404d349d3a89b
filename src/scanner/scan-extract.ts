import { resolve } from 'node:path';
import type ts from 'typescript';
import { resolvePattern } from '../analysis/checks/helpers.js';
import type { CallResolver, FileContext } from '../analysis/context.js';
import type { TS } from '../ts/syntax.js';
import { forgetSummaries, keyRolesOfFile } from '../analysis/effects.js';
import type { KeyRoles } from '../analysis/effects.js';
import { extractFacts, fileContext } from '../analysis/extract.js';
import { isTrpcFile } from '../analysis/frameworks/trpc.js';
import { LISTENER_MARKER } from '../analysis/listeners.js';
import { SOURCES } from '../analysis/sources/index.js';
import type { FileFacts, Invalidation } from '../analysis/facts.js';
import { interceptInvalidations } from '../analysis/frameworks/nestjs.js';
import type { CacheRegistry } from '../registry/define.js';
import { ProjectResolver } from './project-resolver.js';
import type { SourceReader } from './scan-parse.js';
import type { ScanSetup } from './scan-load.js';

/**
 * Step 3: the facts of every file that can matter (its text decides, see `fileRelevance`), with
 * calls followed across files (into any file of the project, parsed when reached) and global
 * interceptors applied. The other files are read once and let go.
 */
export function extractProject(
  ts: TS,
  setup: ScanSetup,
  reader: SourceReader,
  onProgress?: (done: number, total: number) => void,
  /** Whose facts are wanted (default: every relevant file); the others still serve the project-wide lookups. */
  isWanted: (file: string) => boolean = () => true,
): FileFacts[] {
  const relevant = relevantFiles(setup, reader, onProgress);
  // A file of the project reached by resolution is parsed and its syntax errors reported; a test file is not reported.
  const audited = new Set(setup.files);
  const parsed = (): ts.SourceFile[] => relevant.map((file) => reader.read(file, true)).filter((f): f is ts.SourceFile => f !== null);
  const resolver = new ProjectResolver(
    ts,
    // Calls into the monorepo's shared packages are followed too when the scanned root is one of its apps.
    { ...setup.listed, root: setup.listed.sourceRoot },
    resolutionHost(ts, setup.listed.files),
    (path) => {
      const file = resolve(path);
      return reader.read(file, audited.has(file)) ?? undefined;
    },
    parsed,
    (path, name) => reader.mayExport(resolve(path), name),
  );
  const contexts = new Map<ts.SourceFile, FileContext>();
  // The families are inferred with a registry too: the code's dependencies beyond `dependsOn` are suggested.
  const extract = { ts, options: setup.analysisOptions, resolver, contexts, withFamilies: true, withStoredKeys: true };
  // The roles of keys across the whole project: a lock taken in one file is released in another.
  let roles: KeyRoles | null = null;
  resolver.keyRoles = () => {
    roles ??= mergeRoles(parsed().map((sourceFile) => keyRolesOfFile(fileContext(sourceFile, extract))));
    return roles;
  };
  const facts = parsed()
    .filter((sourceFile) => isWanted(sourceFile.fileName))
    .map((sourceFile) => extractFacts(sourceFile, extract));
  // Global interceptors are looked up in every relevant file, in the project's order (as `extractWithSummaries` does).
  const relevantContexts = new Map(parsed().map((sourceFile) => [sourceFile, fileContext(sourceFile, extract)]));
  return withInterceptions(facts, globalInterceptions(ts, relevantContexts, resolver, setup.registry));
}

/** The files that can matter, in the project's order (see `fileRelevance`). */
function relevantFiles(setup: ScanSetup, reader: SourceReader, onProgress?: (done: number, total: number) => void): string[] {
  return setup.files.filter((file, index) => {
    const verdict = reader.relevance(file);
    onProgress?.(index + 1, setup.files.length);
    return verdict?.relevant === true;
  });
}

/**
 * What the extraction keeps of one relevant file for a later run: its facts (before the global
 * interceptors, applied to every run's facts) and the roles its calls give keys, with what they
 * were computed from. Plain data.
 */
export interface FileSummary {
  readonly facts: FileFacts;
  readonly roles: KeyRoles;
  /** What the global interceptors this file registers delete (see `globalInterceptions`). */
  readonly interceptions: readonly Invalidation[];
  /** The other files read while computing them (their trees, or their text for `export *`). */
  readonly reads: readonly string[];
  /**
   * The project-wide tables consulted, each as the hash of what it was then: the key roles (see
   * `rolesHash`) and the listener, hook and processor tables (the hash of their files); null: not consulted.
   */
  readonly uses: { readonly roles: string | null; readonly tables: string | null };
  /** What the file's text holds for the project-wide steps (see `markersOf`). */
  readonly markers: FileMarkers;
}

/** What a file's text holds for the project-wide steps. */
export interface FileMarkers {
  /** Listeners, ORM hooks or job processors: a file the project-wide tables read. */
  readonly tables: boolean;
  /** `APP_INTERCEPTOR`: a file whose interceptions apply to every file's handlers. */
  readonly interceptor: boolean;
  /** tRPC: its routers name the paths of procedures of other files, so tRPC files are extracted together. */
  readonly trpc: boolean;
}

/** The persistent half of `extractWithSummaries`. */
export interface SummaryStore {
  /**
   * The summary kept for a file whose content is unchanged, and whether every file it read is
   * unchanged too; null when the file changed or none was kept.
   */
  lookup(file: string): { readonly summary: FileSummary; readonly isCurrent: boolean } | null;
  keep(file: string, summary: FileSummary): void;
  /** The hash of a file's content now (null: unreadable). */
  hashOf(file: string): string | null;
  /** The hash of plain data (key roles). */
  hashOfValue(value: unknown): string;
}

const TABLE_MARKERS: readonly RegExp[] = [LISTENER_MARKER, ...SOURCES.flatMap((source) => (source.hookMarker ? [source.hookMarker] : []))];

function markersOf(ctx: FileContext): FileMarkers {
  const text = ctx.sourceText;
  return {
    tables: TABLE_MARKERS.some((marker) => marker.test(text)),
    interceptor: GLOBAL_INTERCEPTOR_MARKER.test(text),
    trpc: isTrpcFile(ctx),
  };
}

/** A file being summarised: what it read, and whether every read gave a file (else it is not kept: its diagnostics would be lost). */
interface Frame {
  readonly reads: Set<string>;
  isComplete: boolean;
}

/**
 * Step 3 with summaries kept between runs (`--cache`): each relevant file is extracted on its own,
 * with fresh memo tables, so that everything its facts depend on is read through the reader while
 * it is being extracted and recorded. A file whose summary is current (it and every file it read
 * unchanged, the project-wide tables it consulted the same) gives its kept facts without a parse.
 * Returns the facts, as `extractProject` would, and the files whose facts were kept ones, with the
 * files their summaries read.
 */
export function extractWithSummaries(
  ts: TS,
  setup: ScanSetup,
  reader: SourceReader,
  store: SummaryStore,
  onProgress?: (done: number, total: number) => void,
  isWanted: (file: string) => boolean = () => true,
): { facts: FileFacts[]; kept: ReadonlyMap<string, readonly string[]> } {
  const relevant = relevantFiles(setup, reader, onProgress);
  const audited = new Set(setup.files);
  const project = { ...setup.listed, root: setup.listed.sourceRoot };
  const host = resolutionHost(ts, setup.listed.files);
  let frame: Frame | null = null;
  let uses: { roles: boolean; tables: boolean } | null = null;
  const sourceFileAt = (path: string): ts.SourceFile | undefined => {
    const file = resolve(path);
    const sourceFile = reader.read(file, audited.has(file));
    if (frame) {
      frame.reads.add(file);
      if (!sourceFile) frame.isComplete = false;
    }
    return sourceFile ?? undefined;
  };
  const mayExport = (path: string, name: string): boolean => {
    frame?.reads.add(resolve(path));
    return reader.mayExport(resolve(path), name);
  };
  const kept = new Map(relevant.map((file) => [file, store.lookup(file)]));
  let roles: KeyRoles | null = null;
  const resolver = new ProjectResolver(ts, project, host, sourceFileAt, () => [], mayExport);
  const extract = { ts, options: setup.analysisOptions, resolver, contexts: new Map(), withFamilies: true, withStoredKeys: true };
  const markers = new Map<string, FileMarkers>();
  const markersAt = (file: string): FileMarkers | null => {
    const known = markers.get(file) ?? kept.get(file)?.summary.markers;
    if (known) return known;
    const sourceFile = reader.read(file, true);
    const found = sourceFile ? markersOf(fileContext(sourceFile, extract)) : null;
    if (found) markers.set(file, found);
    return found;
  };
  const tableFiles = relevant.filter((file) => markersAt(file)?.tables === true);
  // Listeners, hooks and processors, found once in the files that can hold them; their hash is what a summary depends on.
  const tables = new ProjectResolver(ts, project, host, sourceFileAt, () =>
    tableFiles.map((file) => reader.read(file, true)).filter((f): f is ts.SourceFile => f !== null),
  );
  const tablesHash = store.hashOfValue(tableFiles.map((file) => [file, store.hashOf(file)]));
  // The project-wide tables, shared, their use noted in the summary being made.
  resolver.keyRoles = () => {
    if (uses) uses.roles = true;
    if (!roles) throw new Error('the key roles are asked for before they are known');
    return roles;
  };
  const noteTables = (): void => {
    if (uses) uses.tables = true;
  };
  resolver.listenersOf = (event) => (noteTables(), tables.listenersOf(event));
  resolver.hooksOf = (model) => (noteTables(), tables.hooksOf(model));
  resolver.processorsOf = (queue) => (noteTables(), tables.processorsOf(queue));
  interface Work {
    readonly sourceFile: ts.SourceFile;
    readonly frame: Frame;
    readonly uses: { roles: boolean; tables: boolean };
    readonly roles: KeyRoles;
  }
  /**
   * Works on a file's summary: what is computed from here on is recorded in its frame. The memo
   * tables that share work between files are emptied when the file changes, so that every file's
   * reads are its own.
   */
  const enter = (work: Pick<Work, 'frame' | 'uses'> | null): void => {
    if (work && work.frame !== frame) {
      resolver.forgetAnswers();
      forgetSummaries(setup.analysisOptions);
    }
    frame = work?.frame ?? null;
    uses = work?.uses ?? null;
  };
  const work = new Map<string, Work>();
  /** Starts a file's summary: its roles, in its own frame. */
  const begin = (file: string): Work | null => {
    const sourceFile = reader.read(file, true);
    if (!sourceFile) return null;
    const started = { frame: { reads: new Set<string>(), isComplete: true }, uses: { roles: false, tables: false } };
    enter(started);
    const fileRoles = keyRolesOfFile(fileContext(sourceFile, extract));
    enter(null);
    const begun = { ...started, sourceFile, roles: fileRoles };
    work.set(file, begun);
    return begun;
  };
  const rolesOf = (file: string): KeyRoles | null => {
    const entry = kept.get(file);
    if (entry?.isCurrent) return entry.summary.roles;
    return (work.get(file) ?? begin(file))?.roles ?? null;
  };
  roles = mergeRoles(relevant.map(rolesOf).filter((r): r is KeyRoles => r !== null));
  const rolesHash = store.hashOfValue(roles);
  const isReusable = (file: string): boolean => {
    const entry = kept.get(file);
    if (!entry?.isCurrent) return false;
    const { uses } = entry.summary;
    return (uses.roles === null || uses.roles === rolesHash) && (uses.tables === null || uses.tables === tablesHash);
  };
  // An interceptor's file is summarised whether its facts are wanted or not: its interceptions always are.
  const isSummarised = (file: string): boolean => isWanted(file) || markersAt(file)?.interceptor === true;
  const toExtract = new Set(relevant.filter((file) => isSummarised(file) && !isReusable(file)));
  // The routers of one tRPC file name the procedures of another: a change to one extracts them all, in order.
  if ([...toExtract].some((file) => markersAt(file)?.trpc === true))
    for (const file of relevant) if (isSummarised(file) && markersAt(file)?.trpc === true) toExtract.add(file);
  const facts: FileFacts[] = [];
  const global: Invalidation[] = [];
  const reused = new Map<string, readonly string[]>();
  for (const file of relevant) {
    if (!isSummarised(file)) continue;
    const entry = kept.get(file);
    if (entry && !toExtract.has(file)) {
      if (isWanted(file)) facts.push(entry.summary.facts);
      global.push(...entry.summary.interceptions);
      reused.set(file, entry.summary.reads);
      continue;
    }
    const begun = work.get(file) ?? begin(file);
    if (!begun) continue;
    enter(begun);
    const fileFacts = extractFacts(begun.sourceFile, extract);
    // Global interceptors: what the ones this file registers delete, with its facts' dependencies.
    const interceptions =
      markersAt(file)?.interceptor === true
        ? globalInterceptions(ts, new Map([[begun.sourceFile, fileContext(begun.sourceFile, extract)]]), resolver, setup.registry)
        : [];
    enter(null);
    if (isWanted(file)) facts.push(fileFacts);
    global.push(...interceptions);
    begun.frame.reads.delete(file);
    if (begun.frame.isComplete) {
      store.keep(file, {
        facts: fileFacts,
        roles: begun.roles,
        interceptions,
        reads: [...begun.frame.reads].sort(),
        uses: { roles: begun.uses.roles ? rolesHash : null, tables: begun.uses.tables ? tablesHash : null },
        markers: markersAt(file) ?? { tables: false, interceptor: false, trpc: false },
      });
    }
  }
  return { facts: withInterceptions(facts, global), kept: reused };
}

/**
 * Module resolution asks the file system for many candidates: answer from the project's file
 * list first, and remember what the disk said.
 */
export function resolutionHost(ts: TS, projectFiles: readonly string[]): ts.ModuleResolutionHost {
  const known = new Set(projectFiles);
  const existing = new Map<string, boolean>();
  return {
    ...ts.sys,
    fileExists: (path) => {
      if (known.has(path)) return true;
      let answer = existing.get(path);
      if (answer === undefined) {
        answer = ts.sys.fileExists(path);
        existing.set(path, answer);
      }
      return answer;
    },
    directoryExists: (path) => {
      const key = `${path}/`;
      let answer = existing.get(key);
      if (answer === undefined) {
        answer = ts.sys.directoryExists(path);
        existing.set(key, answer);
      }
      return answer;
    },
  };
}

/** What the text of a file that registers an interceptor for the whole application contains. */
export const GLOBAL_INTERCEPTOR_MARKER = /APP_INTERCEPTOR/;

/**
 * Interceptors registered for the whole application (`{ provide: APP_INTERCEPTOR, useClass: X }`):
 * what their `intercept` deletes, with patterns that can be read, counts for every NestJS mutation.
 * An interceptor that deletes what handlers declare (patterns it cannot know statically) adds nothing.
 */
function globalInterceptions(
  ts: TS,
  contexts: ReadonlyMap<ts.SourceFile, FileContext>,
  resolver: CallResolver,
  registry: CacheRegistry | null,
): Invalidation[] {
  const global: Invalidation[] = [];
  for (const [sourceFile, ctx] of contexts) {
    if (!GLOBAL_INTERCEPTOR_MARKER.test(sourceFile.text)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        const get = (name: string) =>
          node.properties.find(
            (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name,
          )?.initializer;
        const provide = get('provide');
        const useClass = get('useClass');
        if (provide && ts.isIdentifier(provide) && provide.text === 'APP_INTERCEPTOR' && useClass && ts.isIdentifier(useClass)) {
          const declaration = ctx.classes.get(useClass.text) ?? resolver.resolveClass?.(useClass) ?? null;
          for (const invalidation of declaration
            ? interceptInvalidations(ctx, declaration, `${useClass.text}.intercept (APP_INTERCEPTOR)`)
            : []) {
            const readable = invalidation.patterns.filter((p) => resolvePattern(p, registry) !== null);
            // Applied to handlers of every file: always say where the interceptor is.
            if (readable.length > 0) global.push({ ...invalidation, patterns: readable, file: invalidation.file ?? ctx.file });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return global;
}

/** The facts with the global interceptors' invalidations added to every NestJS and GraphQL mutation. */
function withInterceptions(facts: FileFacts[], global: readonly Invalidation[]): FileFacts[] {
  if (global.length === 0) return facts;
  const isIntercepted = (handler: FileFacts['handlers'][number]): boolean =>
    handler.isMutation && (handler.framework === 'nestjs' || handler.framework === 'graphql');
  return facts.map((fileFacts) =>
    fileFacts.handlers.some(isIntercepted)
      ? {
          ...fileFacts,
          handlers: fileFacts.handlers.map((handler) =>
            isIntercepted(handler) ? { ...handler, invalidations: [...handler.invalidations, ...global] } : handler,
          ),
        }
      : fileFacts,
  );
}

function mergeRoles(all: readonly KeyRoles[]): KeyRoles {
  const unique = <T extends { readonly source: string }>(patterns: readonly T[]): T[] => [
    ...new Map(patterns.map((p) => [p.source, p])).values(),
  ];
  return { others: unique(all.flatMap((r) => r.others)), cached: unique(all.flatMap((r) => r.cached)) };
}
