import { resolve } from 'node:path';
import type ts from 'typescript';
import type { FileContext } from '../../analysis/context.js';
import { keyRolesOfFile } from '../../analysis/effects/key-roles.js';
import type { KeyRoles } from '../../analysis/effects/key-roles.js';
import { extractFacts, fileContext } from '../../analysis/extract.js';
import { AnalysisSession } from '../../analysis/session.js';
import { guardFile, noFacts } from '../pipeline/give-up.js';
import type { ExtractOptions } from '../../analysis/extract.js';
import type { FileFacts, GlobalCacheSetup, Invalidation } from '../../analysis/facts.js';
import { GLOBAL_INTERCEPTOR_MARKER, globalCacheSetup } from '../../analysis/frameworks/nestjs.js';
import { isReadWithOthers } from '../../analysis/frameworks/index.js';
import { IMPLEMENTS_MARKER } from '../../analysis/implementations.js';
import { CASCADE_MARKER } from '../../analysis/code-cascades.js';
import { LISTENER_MARKER } from '../../analysis/listeners.js';
import { MOUNT_MARKER } from '../../analysis/frameworks/mounts.js';
import { SOURCES } from '../../analysis/sources/index.js';
import type { TextTest } from '../../analysis/sources/source.js';
import { FILE_ROUTES } from '../../analysis/frameworks/index.js';
import { routeTable } from '../../analysis/frameworks/own-routes.js';
import type { TS } from '../../ts/syntax.js';
import { ProjectResolver } from '../../project/resolver.js';
import { readPrismaSchemas } from '../../project/prisma-schemas.js';
import type { ReadRecorder } from '../../project/modules.js';
import {
  globalInterceptions,
  mergeRoles,
  NO_ROLES,
  NO_SETUP,
  dependencyTableFiles,
  readerAccess,
  searchedFiles,
  relevantFiles,
  resolutionHost,
  withInterceptions,
} from '../pipeline/extract.js';
import type { ScanSetup } from '../pipeline/load.js';
import type { SourceReader } from '../pipeline/parse.js';

/**
 * What the extraction keeps of one relevant file for a later run (`--cache`): its facts (before
 * the global interceptors, applied to every run's facts), the roles its calls give keys and what the
 * global interceptors it registers delete, with what they were computed from. Plain data.
 */
export interface FileSummary {
  readonly facts: FileFacts;
  readonly roles: KeyRoles;
  /** What the global interceptors this file registers delete (see `globalInterceptions`). */
  readonly interceptions: readonly Invalidation[];
  /** Whether it registers a global `CacheInterceptor`, and the global prefix it sets (see `globalCacheSetup`). */
  readonly cacheSetup: GlobalCacheSetup;
  /** The other files read while computing them (their trees, or their text for `export *`). */
  readonly reads: readonly string[];
  /**
   * The project-wide tables consulted, each as the hash of what it was then: the key roles of the
   * whole project (as a value) and the listener, hook and processor tables (the hash of the files
   * that can hold them); null: not consulted.
   */
  readonly uses: { readonly roles: string | null; readonly tables: string | null };
  /** What the file's text holds for the project-wide steps (see `markersOf`). */
  readonly markers: FileMarkers;
}

/** What a file's text holds for the project-wide steps. */
interface FileMarkers {
  /** Listeners, ORM hooks or job processors: a file the project-wide tables read. */
  readonly tables: boolean;
  /** `APP_INTERCEPTOR`: a file whose interceptions apply to every file's handlers. */
  readonly interceptor: boolean;
  /** Handlers named by what other files say (tRPC's routers mount procedures of other files): such files are extracted together. */
  readonly readWithOthers: boolean;
}

/** The persistent half of `extractWithSummaries`. */
export interface SummaryStore {
  /**
   * The summary kept for a file whose content is unchanged, and whether every file it read is
   * unchanged too; null when the file changed or none was kept.
   */
  lookup(file: string): KeptSummary | null;
  keep(file: string, summary: FileSummary): void;
  /** The hash of a file's content now (null: unreadable). */
  hashOf(file: string): string | null;
  /** The hash of plain data (key roles). */
  hashOfValue(value: unknown): string;
}

interface KeptSummary {
  readonly summary: FileSummary;
  readonly isCurrent: boolean;
}

const TABLE_MARKERS: readonly TextTest[] = [
  LISTENER_MARKER,
  CASCADE_MARKER,
  IMPLEMENTS_MARKER,
  MOUNT_MARKER,
  ...SOURCES.flatMap((source) => (source.hookMarker ? [source.hookMarker] : [])),
];

function markersOf(ctx: FileContext): FileMarkers {
  const text = ctx.sourceText;
  return {
    tables: TABLE_MARKERS.some((marker) => marker.test(text)),
    interceptor: GLOBAL_INTERCEPTOR_MARKER.test(text),
    readWithOthers: isReadWithOthers(ctx),
  };
}

/** A file being summarised: what it read, whether every read gave a file (else it is not kept: its diagnostics would be lost), what it consulted. */
interface Frame {
  readonly reads: Set<string>;
  isComplete: boolean;
  readonly uses: { roles: boolean; tables: boolean };
}

/** A file whose summary is being made: its tree, its frame, its roles (computed first: the project's key roles are made of them). */
interface Work {
  readonly sourceFile: ts.SourceFile;
  readonly frame: Frame;
  readonly roles: KeyRoles;
}

/**
 * Makes the summaries of one run: one resolver for every file, each read recorded in the frame of
 * the file being summarised, and a new analysis session (file contexts, function summaries, every
 * memo) and new resolver answers when that file changes, so that every file's reads are its own.
 */
class Summarizer {
  private frame: Frame | null = null;
  private roles: KeyRoles | null = null;
  private readonly markers = new Map<string, FileMarkers>();
  private readonly work = new Map<string, Work>();
  private readonly resolver: ProjectResolver;
  private extract: ExtractOptions;
  /** The hash of the files the listener, hook and processor tables read. */
  readonly tablesHash: string;

  constructor(
    ts: TS,
    private readonly setup: ScanSetup,
    private readonly reader: SourceReader,
    relevant: readonly string[],
    private readonly kept: ReadonlyMap<string, KeptSummary | null>,
    store: SummaryStore,
  ) {
    const audited = new Set(setup.files);
    // The files that can hold listeners, hooks or processors, known from their markers once the extraction is set up.
    let tableFiles: readonly string[] = [];
    // Those of the packages the project depends on too (a shared schema package's relations).
    let dependencyTables: readonly string[] = [];
    const routes = routeTable(FILE_ROUTES, setup.files, setup.rel);
    // The Prisma schema's cascades make a delete a write of other models: what a summary says depends on its text.
    const schemas = readPrismaSchemas(setup.listed.sourceRoot);
    this.resolver = new ProjectResolver(ts, {
      project: { ...setup.listed, root: setup.listed.sourceRoot },
      host: resolutionHost(ts, setup.listed.files),
      ...readerAccess(reader, audited, () => searchedFiles(setup)),
      tableFiles: () =>
        [...tableFiles.map((file) => reader.read(file, true)), ...dependencyTables.map((file) => reader.read(file, false))].filter(
          (f): f is ts.SourceFile => f !== null,
        ),
      keyRoles: () => {
        if (this.frame) this.frame.uses.roles = true;
        if (!this.roles) throw new Error('the key roles are asked for before they are known');
        return this.roles;
      },
      recorder: this.recorder(),
      routeTable: () => routes,
      // The resolver's answers live as long as the analysis session of the file being summarised.
      answersScope: () => this.extract.session ?? this,
      prismaSchemas: () => schemas,
    });
    this.extract = {
      ts,
      options: setup.analysisOptions,
      resolver: this.resolver,
      session: new AnalysisSession(),
      withFamilies: true,
      withStoredKeys: true,
    };
    // Listeners, hooks and processors, found once in the files that can hold them: their hash is what a summary depends on.
    tableFiles = relevant.filter((file) => this.markersAt(file)?.tables === true);
    dependencyTables = dependencyTableFiles(setup, reader).filter((file) => this.markersAt(file)?.tables === true);
    // The route table is made of the files' paths: a route added or removed changes what a self-call reaches.
    this.tablesHash = store.hashOfValue([
      [...tableFiles, ...dependencyTables].map((file) => [file, store.hashOf(file)]),
      routes.routes,
      schemas.map((schema) => [schema.file, schema.text]),
    ]);
  }

  /** Records what the resolver reads and consults in the frame of the file being summarised. */
  private recorder(): ReadRecorder {
    return {
      parsed: (path, isFound) => {
        if (!this.frame) return;
        this.frame.reads.add(resolve(path));
        if (!isFound) this.frame.isComplete = false;
      },
      scanned: (path) => this.frame?.reads.add(resolve(path)),
      consultedTables: () => {
        if (this.frame) this.frame.uses.tables = true;
      },
    };
  }

  /** What a relevant file's text holds (from its kept summary, else from its tree); null when it cannot be parsed. */
  markersAt(file: string): FileMarkers | null {
    const known = this.markers.get(file) ?? this.kept.get(file)?.summary.markers;
    if (known) return known;
    const sourceFile = this.reader.read(file, true);
    const found = sourceFile ? markersOf(fileContext(sourceFile, this.extract)) : null;
    if (found) this.markers.set(file, found);
    return found;
  }

  /** The key roles of the project, once every file's roles are known (see `rolesOf`). */
  useRoles(roles: KeyRoles): void {
    this.roles = roles;
  }

  /** The roles a file's calls give keys: kept, else computed in the file's frame. */
  rolesOf(file: string): KeyRoles | null {
    const entry = this.kept.get(file);
    if (entry?.isCurrent) return entry.summary.roles;
    return this.begin(file)?.roles ?? null;
  }

  /** The file's summary, made now (null when it cannot be parsed); `isComplete`: whether it may be kept. */
  summarise(file: string, rolesHash: string): { summary: FileSummary; isComplete: boolean } | null {
    const work = this.begin(file);
    if (!work) return null;
    this.enter(work.frame);
    // A file the analysis gives up on is not kept: its diagnostic is said again on the next run.
    const giveUp = (): void => {
      work.frame.isComplete = false;
    };
    const facts = guardFile(
      this.setup,
      work.sourceFile,
      noFacts(work.sourceFile),
      () => extractFacts(work.sourceFile, this.extract),
      giveUp,
    );
    // What the global interceptors it registers delete, with the same dependencies as its facts.
    const isSetup = this.markersAt(file)?.interceptor === true;
    const cacheSetup = isSetup
      ? guardFile(this.setup, work.sourceFile, NO_SETUP, () => globalCacheSetup(fileContext(work.sourceFile, this.extract)), giveUp)
      : NO_SETUP;
    const interceptions = isSetup
      ? globalInterceptions(
          this.extract.ts,
          new Map([[work.sourceFile, fileContext(work.sourceFile, this.extract)]]),
          this.resolver,
          this.setup.registry,
          this.setup,
        )
      : [];
    this.enter(null);
    const { frame } = work;
    frame.reads.delete(file);
    const summary: FileSummary = {
      facts,
      roles: work.roles,
      interceptions,
      cacheSetup,
      reads: [...frame.reads].sort(),
      uses: { roles: frame.uses.roles ? rolesHash : null, tables: frame.uses.tables ? this.tablesHash : null },
      markers: this.markersAt(file) ?? { tables: false, interceptor: false, readWithOthers: false },
    };
    return { summary, isComplete: frame.isComplete };
  }

  /** Starts (once) a file's summary: its tree and its roles, in its own frame. */
  private begin(file: string): Work | null {
    const known = this.work.get(file);
    if (known) return known;
    const sourceFile = this.reader.read(file, true);
    if (!sourceFile) return null;
    const frame: Frame = { reads: new Set(), isComplete: true, uses: { roles: false, tables: false } };
    this.enter(frame);
    const roles = guardFile(
      this.setup,
      sourceFile,
      NO_ROLES,
      () => keyRolesOfFile(fileContext(sourceFile, this.extract)),
      () => {
        frame.isComplete = false;
      },
    );
    this.enter(null);
    const work = { sourceFile, frame, roles };
    this.work.set(file, work);
    return work;
  }

  /** From here on, what is read is recorded in `frame` (none: nowhere); a new frame starts a new analysis session. */
  private enter(frame: Frame | null): void {
    if (frame && frame !== this.frame) {
      this.extract = { ...this.extract, session: new AnalysisSession() };
    }
    this.frame = frame;
  }
}

/**
 * Step 3 with summaries kept between runs (`--cache`): each relevant file is summarised on its own
 * (see `Summarizer`), so that everything its facts depend on is recorded. A file whose summary is
 * current (it and every file it read unchanged, the project-wide tables it consulted the same)
 * gives its kept facts without a parse. Returns the facts, as `extractProject` would, and the
 * files whose facts were kept ones, with the files their summaries read.
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
  const kept = new Map(relevant.map((file) => [file, store.lookup(file)]));
  const summarizer = new Summarizer(ts, setup, reader, relevant, kept, store);
  const roles = mergeRoles(relevant.map((file) => summarizer.rolesOf(file)).filter((r): r is KeyRoles => r !== null));
  summarizer.useRoles(roles);
  const rolesHash = store.hashOfValue(roles);
  const isReusable = (file: string): boolean => {
    const entry = kept.get(file);
    if (!entry?.isCurrent) return false;
    const { uses } = entry.summary;
    return (uses.roles === null || uses.roles === rolesHash) && (uses.tables === null || uses.tables === summarizer.tablesHash);
  };
  // An interceptor's file is summarised whether its facts are wanted or not: its interceptions always are.
  const isSummarised = (file: string): boolean => isWanted(file) || summarizer.markersAt(file)?.interceptor === true;
  const toMake = new Set(relevant.filter((file) => isSummarised(file) && !isReusable(file)));
  // The routers of one tRPC file name the procedures of another: a change to one makes them all again, in order.
  if ([...toMake].some((file) => summarizer.markersAt(file)?.readWithOthers === true))
    for (const file of relevant) if (isSummarised(file) && summarizer.markersAt(file)?.readWithOthers === true) toMake.add(file);
  const facts: FileFacts[] = [];
  const global: Invalidation[] = [];
  const setups: GlobalCacheSetup[] = [];
  const reused = new Map<string, readonly string[]>();
  for (const file of relevant) {
    if (!isSummarised(file)) continue;
    const entry = kept.get(file);
    let summary = entry && !toMake.has(file) ? entry.summary : null;
    if (summary) {
      reused.set(file, summary.reads);
    } else {
      const made = summarizer.summarise(file, rolesHash);
      if (!made) continue;
      summary = made.summary;
      if (made.isComplete) store.keep(file, summary);
    }
    if (isWanted(file)) facts.push(summary.facts);
    global.push(...summary.interceptions);
    setups.push(summary.cacheSetup);
  }
  return { facts: withInterceptions(facts, global, setups), kept: reused };
}
