import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type ts from 'typescript';
import { resolvePattern } from '../../analysis/checks/helpers.js';
import type { CallResolver, FileContext } from '../../analysis/context.js';
import { AnalysisSession } from '../../analysis/session.js';
import type { TS } from '../../ts/syntax.js';
import { keyRolesOfFile } from '../../analysis/effects/key-roles.js';
import type { KeyRoles } from '../../analysis/effects/key-roles.js';
import { extractFacts, fileContext } from '../../analysis/extract.js';
import type { ExtractOptions } from '../../analysis/extract.js';
import type { FileFacts, GlobalCacheSetup, Invalidation } from '../../analysis/facts.js';
import {
  GLOBAL_INTERCEPTOR_MARKER,
  globalCacheSetup,
  globallyCachedGets,
  interceptInvalidations,
  isGloballyIntercepted,
} from '../../analysis/frameworks/nestjs.js';
import { FILE_ROUTES } from '../../analysis/frameworks/index.js';
import { routeTable } from '../../analysis/frameworks/own-routes.js';
import type { CacheRegistry } from '../../registry/define.js';
import { guardFile, noFacts } from './give-up.js';
import type { FileAccess } from '../../project/modules.js';
import { ProjectResolver, declaresClass, namesIdentifier } from '../../project/resolver.js';
import type { FilesNaming, ResolverInputs } from '../../project/resolver.js';
import { walkSources } from '../../project/files.js';
import { isTestFile } from '../../project/test-files.js';
import { judgedDeletions } from './project-findings.js';
import type { SourceReader } from './parse.js';
import type { ScanSetup } from './load.js';

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
  following?: Following,
): FileFacts[] {
  const isWanted = following?.isWanted ?? (() => true);
  const relevant = relevantFiles(setup, reader, onProgress);
  const parsed = (): ts.SourceFile[] => relevant.map((file) => reader.read(file, true)).filter((f): f is ts.SourceFile => f !== null);
  // The roles of keys across the whole project: a lock taken in one file is released in another.
  let roles: KeyRoles | null = null;
  const keyRoles = (): KeyRoles => {
    roles ??= mergeRoles(
      parsed().map((sourceFile) => guardFile(setup, sourceFile, NO_ROLES, () => keyRolesOfFile(fileContext(sourceFile, extract)))),
    );
    return roles;
  };
  const tableFiles = (): ts.SourceFile[] => [...parsed(), ...parsedDependencyTables(setup, reader)];
  const resolver = projectResolver(ts, setup, reader, tableFiles, keyRoles);
  // The families are inferred with a registry too: the code's dependencies beyond `dependsOn` are suggested.
  const session = new AnalysisSession();
  const extract = { ts, options: setup.analysisOptions, resolver, session, withFamilies: true, withStoredKeys: true };
  const read = (files: readonly string[]): ts.SourceFile[] =>
    files.map((file) => reader.read(file, true)).filter((f): f is ts.SourceFile => f !== null);
  // A file the analysis gives up on is a diagnostic and holds nothing; the others are audited.
  const factsOf = (sourceFile: ts.SourceFile, options: ExtractOptions): FileFacts =>
    guardFile(setup, sourceFile, noFacts(sourceFile), () => extractFacts(sourceFile, options));
  const wanted = new Map(read(relevant.filter(isWanted)).map((sourceFile) => [sourceFile, factsOf(sourceFile, extract)]));
  // The other files (following a change) are parsed when asked for: by the lookups of listeners, hooks,
  // processors and key roles; for the keys they store, to judge the reported files' deletions (wrong-key,
  // dead-family); for their families, against the reported handlers' model writes (require-dependent-invalidation).
  const wantedFacts = [...wanted.values()];
  const reported = wantedFacts.filter((f) => following?.isReported(f.file) ?? true);
  const lookupsOnly = {
    ...extract,
    isForLookups: true,
    withStoredKeys: reported.some((f) => judgedDeletions(setup, f).length > 0),
    withFamilies: reported.some((f) => f.handlers.some((handler) => handler.writes.length > 0)),
  };
  const isLookedUp = lookupsOnly.withStoredKeys || lookupsOnly.withFamilies;
  const facts = isLookedUp ? parsed().map((sourceFile) => wanted.get(sourceFile) ?? factsOf(sourceFile, lookupsOnly)) : wantedFacts;
  // Global interceptors are looked up in every relevant file (of the others, those whose text registers one), in the
  // project's order (as with the cache's summaries).
  const others = relevant.filter((file) => !isWanted(file));
  const registering = isLookedUp ? parsed() : [...wanted.keys(), ...read(others.filter(registersInterceptor))];
  const registeringContexts = new Map(registering.map((sourceFile) => [sourceFile, fileContext(sourceFile, extract)]));
  const cacheSetups = [...registeringContexts].map(([sourceFile, ctx]) =>
    guardFile(setup, sourceFile, NO_SETUP, () => globalCacheSetup(ctx)),
  );
  return withInterceptions(facts, globalInterceptions(ts, registeringContexts, resolver, setup.registry, setup), cacheSetups);
}

/** How calls are followed from the project's files: into any file of the project, and of the monorepo when the root is one of its apps. */
function projectResolver(
  ts: TS,
  setup: ScanSetup,
  reader: SourceReader,
  tableFiles: () => ts.SourceFile[],
  keyRoles: () => KeyRoles,
): ProjectResolver {
  return new ProjectResolver(ts, {
    // Calls into the monorepo's shared packages are followed too when the scanned root is one of its apps.
    project: { ...setup.listed, root: setup.listed.sourceRoot },
    host: resolutionHost(ts, setup.listed.files),
    // A file of the project reached by resolution is parsed and its syntax errors reported; a test file is not reported.
    ...readerAccess(reader, new Set(setup.files), () => searchedFiles(setup)),
    tableFiles,
    keyRoles,
    routeTable: () => routeTable(FILE_ROUTES, setup.files, setup.rel),
  });
}

/**
 * The families filled in the packages the project depends on (`ScanSetup.dependencyFiles`): their
 * code runs in the application, so its handlers keep those families fresh too. Only the families
 * are looked for (the packages are audited on their own), with calls followed as in the project.
 */
export function dependencyFacts(ts: TS, setup: ScanSetup, reader: SourceReader): FileFacts[] {
  const relevant = setup.dependencyFiles().filter((file) => reader.relevance(file)?.relevant === true);
  if (relevant.length === 0) return [];
  const parsed = relevant.map((file) => reader.read(file, false)).filter((f): f is ts.SourceFile => f !== null);
  const resolver = projectResolver(
    ts,
    setup,
    reader,
    () => parsed,
    () => NO_ROLES,
  );
  const extract = { ts, options: setup.analysisOptions, resolver, session: new AnalysisSession(), withFamilies: true, isForLookups: true };
  // A file given up on is said so by the package's own audit.
  const quiet = { diagnostics: [], rel: setup.rel };
  return parsed.map((sourceFile) => guardFile(quiet, sourceFile, noFacts(sourceFile), () => extractFacts(sourceFile, extract)));
}

/**
 * The files of the packages the project depends on that the project-wide tables read (their text
 * has a marker: ORM hooks, Drizzle's relations, listeners): the tables of a shared schema package
 * describe the application's database.
 */
export function dependencyTableFiles(setup: ScanSetup, reader: SourceReader): string[] {
  return setup.dependencyFiles().filter((file) => reader.relevance(file)?.global === true);
}

/** The dependency table files parsed (a file given up on is said so by the package's own audit). */
function parsedDependencyTables(setup: ScanSetup, reader: SourceReader): ts.SourceFile[] {
  return dependencyTableFiles(setup, reader)
    .map((file) => reader.read(file, false))
    .filter((f): f is ts.SourceFile => f !== null);
}

/** The files that can matter, in the project's order (see `fileRelevance`). */
export function relevantFiles(setup: ScanSetup, reader: SourceReader, onProgress?: (done: number, total: number) => void): string[] {
  return setup.files.filter((file, index) => {
    const verdict = reader.relevance(file);
    onProgress?.(index + 1, setup.files.length);
    return verdict?.relevant === true;
  });
}

/** A scan that follows a change: whose handlers and invalidations are wanted (the others give what the project-wide findings take), whose findings are reported. */
export interface Following {
  readonly isWanted: (file: string) => boolean;
  readonly isReported: (file: string) => boolean;
}

/**
 * How the resolver reads the project's files: through the reader (a file of the audit reported
 * when it cannot be parsed), each path the resolver gives made absolute once, and its tree kept
 * for the path: the modules of a barrel are asked for again for each name looked up through it.
 */
export function readerAccess(
  reader: SourceReader,
  audited: ReadonlySet<string>,
  searched: () => readonly string[],
): Required<Pick<FileAccess, 'sourceFileAt' | 'mayExport'> & Pick<ResolverInputs, 'classFiles' | 'filesNaming'>> {
  const absolute = new Map<string, string>();
  const fileAt = (path: string): string => {
    let file = absolute.get(path);
    if (file === undefined) {
      file = resolve(path);
      absolute.set(path, file);
    }
    return file;
  };
  const trees = new Map<string, ts.SourceFile | null>();
  // Read once, on the first question (a memoizer's callers): every audited file's text.
  let texts: [string, string][] | null = null;
  const naming = new Map<string, FilesNaming>();
  return {
    sourceFileAt: (path) => {
      let tree = trees.get(path);
      if (tree === undefined) {
        const file = fileAt(path);
        tree = reader.read(file, audited.has(file));
        trees.set(path, tree);
      }
      return tree ?? undefined;
    },
    mayExport: (path, name) => reader.mayExport(fileAt(path), name),
    classFiles: (name) => [...audited].filter((file) => declaresClass(reader.textOf(file), name)),
    filesNaming: (name) => {
      let found = naming.get(name);
      if (!found) {
        texts ??= searched().flatMap((file): [string, string][] => {
          const text = reader.fullTextOf(file);
          return text === null ? [] : [[file, text]];
        });
        const files = texts.map(([file]) => file);
        found = { naming: texts.filter(([, text]) => namesIdentifier(text, name)).map(([file]) => file), searched: files };
        naming.set(name, found);
      }
      return found;
    },
  };
}

/**
 * The files a use of a project's declaration can be in: the audited ones, and, for an application
 * of a monorepo, every other source file of it too (its sibling applications call the shared
 * packages, and read what they cache), test files aside.
 */
export function searchedFiles(setup: ScanSetup): readonly string[] {
  const { root, sourceRoot } = setup.listed;
  if (sourceRoot === root) return setup.files;
  const audited = new Set(setup.files);
  const others = walkSources(sourceRoot, []).filter((file) => !audited.has(file) && !isTestFile(relative(sourceRoot, file)));
  return [...setup.files, ...others];
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

/** Whether a file's text (on disk: a file read only for the lookups is no staged one) may register a global interceptor. */
function registersInterceptor(file: string): boolean {
  try {
    return GLOBAL_INTERCEPTOR_MARKER.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Interceptors registered for the whole application (`{ provide: APP_INTERCEPTOR, useClass: X }`):
 * what their `intercept` deletes, with patterns that can be read, counts for every NestJS mutation.
 * An interceptor that deletes what handlers declare (patterns it cannot know statically) adds nothing.
 */
export function globalInterceptions(
  ts: TS,
  contexts: ReadonlyMap<ts.SourceFile, FileContext>,
  resolver: CallResolver,
  registry: CacheRegistry | null,
  setup: Pick<ScanSetup, 'diagnostics' | 'rel'>,
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
    guardFile(setup, sourceFile, undefined, () => {
      visit(sourceFile);
    });
  }
  return global;
}

/** What a file that sets up nothing for every request sets up. */
export const NO_SETUP: GlobalCacheSetup = { cachesGets: false, prefix: null };

/**
 * The facts with the global interceptors applied: their invalidations added to every NestJS and
 * GraphQL mutation, and the GETs a global `CacheInterceptor` caches added to the families.
 */
export function withInterceptions(facts: FileFacts[], global: readonly Invalidation[], setups: readonly GlobalCacheSetup[]): FileFacts[] {
  const cached = facts.map((fileFacts) => {
    const gets = globallyCachedGets(fileFacts.interceptedGets ?? [], setups);
    return gets.length === 0 ? fileFacts : { ...fileFacts, families: [...fileFacts.families, ...gets] };
  });
  if (global.length === 0) return cached;
  const isIntercepted = isGloballyIntercepted;
  return cached.map((fileFacts) =>
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

/** The roles of a file the analysis gave up on: none. */
export const NO_ROLES: KeyRoles = { others: [], cached: [], claims: [] };

export function mergeRoles(all: readonly KeyRoles[]): KeyRoles {
  const unique = <T extends { readonly source: string }>(patterns: readonly T[]): T[] => [
    ...new Map(patterns.map((p) => [p.source, p])).values(),
  ];
  return {
    others: unique(all.flatMap((r) => r.others)),
    cached: unique(all.flatMap((r) => r.cached)),
    claims: unique(all.flatMap((r) => r.claims)),
  };
}
