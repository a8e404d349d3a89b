import type ts from 'typescript';
import type { CallResolver } from '../analysis/context.js';
import { cacheFamilies } from '../analysis/effects/families.js';
import { scanSites } from '../analysis/effects/sites.js';
import { fileContext, interceptable, textRelevance } from '../analysis/extract.js';
import type { CacheFamily, GlobalCacheSetup, InterceptedGet, Invalidation } from '../analysis/facts.js';
import {
  CONTROLLER_MARKER,
  GLOBAL_INTERCEPTOR_MARKER,
  cachedGetFamilies,
  globalCacheSetup,
  globallyCachedGets,
  usesDecoratorFrameworks,
} from '../analysis/frameworks/nestjs.js';
import { gaveUp } from '../analysis/limits.js';
import type { AnalysisOptions } from '../analysis/options.js';
import { memoTable } from '../analysis/session.js';
import type { AnalysisSession } from '../analysis/session.js';
import { mayNameCache } from '../analysis/sources/index.js';
import type { TS } from '../ts/syntax.js';

/** What a program caches and clears: its families and every invalidation written in it. */
interface ProgramCaches {
  readonly families: readonly CacheFamily[];
  readonly invalidations: readonly Invalidation[];
}

/** The families of a program, found once per session (program and options). */
const PROGRAM_FAMILIES = memoTable<ts.Program, ProgramCaches>('program families');
/** What a file with GraphQL queries a response cache may keep contains (see `graphqlQueryGets`). */
const QUERY_WORDS = /\bQuery\s*:|\.query(Field|Fields|Type)\s*\(/;

/** The cache families read anywhere in a program, and the invalidations written in it, found once per program and options. */
export function programCaches(
  tsInstance: TS,
  program: ts.Program,
  options: AnalysisOptions,
  session: AnalysisSession,
  resolverOf: () => CallResolver,
): ProgramCaches {
  return session.memo(PROGRAM_FAMILIES, program, () => {
    const resolver = resolverOf();
    const families: CacheFamily[] = [];
    const invalidations: Invalidation[] = [];
    const gets: InterceptedGet[] = [];
    const setups: GlobalCacheSetup[] = [];
    for (const sourceFile of program.getSourceFiles()) {
      if (sourceFile.isDeclarationFile || sourceFile.fileName.includes('/node_modules/')) continue;
      const hasFamilies = mayNameCache(sourceFile.text);
      // The files the CLI reads invalidations in (see `extractFacts`).
      const hasSites = hasFamilies || textRelevance(sourceFile.fileName, sourceFile.text, options).sites;
      const hasControllers = CONTROLLER_MARKER.test(sourceFile.text);
      const hasQueries = QUERY_WORDS.test(sourceFile.text);
      if (!hasSites && !hasControllers && !hasQueries && !GLOBAL_INTERCEPTOR_MARKER.test(sourceFile.text)) continue;
      try {
        const ctx = fileContext(sourceFile, { ts: tsInstance, options, resolver, session });
        if (hasFamilies) families.push(...cacheFamilies(ctx));
        if (hasSites) invalidations.push(...scanSites(ctx));
        if (hasControllers && usesDecoratorFrameworks(ctx)) families.push(...cachedGetFamilies(ctx));
        if (hasControllers || hasQueries) gets.push(...(interceptable(ctx).interceptedGets ?? []));
        setups.push(globalCacheSetup(ctx));
      } catch (error) {
        // A file the analysis gives up on adds no family; when it is linted, it says why.
        if (!gaveUp(error)) throw error;
      }
    }
    families.push(...globallyCachedGets(gets, setups));
    return { families, invalidations };
  });
}
