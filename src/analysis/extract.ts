import type ts from 'typescript';
import { FileContext, staticString } from './context.js';
import { importSpecifiers } from '../ts/imports.js';
import { lastName } from '../ts/syntax.js';
import type { CallResolver, FileSurface } from './context.js';
import type { TS } from '../ts/syntax.js';
import type { CacheRead, FileFacts, InterceptedGet } from './facts.js';
import { graphqlQueryGets } from './frameworks/graphql-maps.js';
import { cachedGetFamilies, interceptedGets, usesDecoratorFrameworks } from './frameworks/nestjs.js';
import { frameworkHandlers, mayHoldHandlers } from './frameworks/index.js';
import { importedName } from './handler-common.js';
import { cacheFamilies, unnamedKeys } from './effects/families.js';
import { scanSites } from './effects/sites.js';
import { storedKeys } from './effects/stored-keys.js';
import { tagsGiven } from './cache-tags.js';
import type { AnalysisOptions } from './options.js';
import { isCacheModule, mayNameCache } from './sources/index.js';
import { AnalysisSession, memoTable } from './session.js';

const READ_METHODS = new Set(['getOrSet', 'wrap', 'remember', 'get']);

/**
 * Cheap tests on the imports and the text, before any walk: what could this file hold? A parsed
 * file's context answers them, and so does the scanner's surface of a file it has not parsed.
 */
export function relevance(file: FileSurface, options: AnalysisOptions): { handlers: boolean; sites: boolean } {
  const text = file.sourceText;
  const handlers = mayHoldHandlers(file, options);
  // A cache reached through the project's own module (`import { redis } from '@/lib/redis'`)
  // still names itself in the text.
  let sites = file.importsModule(isCacheModule) || mayNameCache(text);
  for (const name of options.decorators) if (!sites && text.includes(name)) sites = true;
  for (const name of options.callNames) if (!sites && text.includes(name)) sites = true;
  if (!sites) sites = options.callGlobLiterals.some((literal) => text.includes(literal));
  return { handlers, sites };
}

/** What a file's text says of it, before any parse: its imports read from the text (never fewer than a parse finds). */
export function surfaceOf(file: string, sourceText: string, imports: readonly string[]): FileSurface {
  return { file, sourceText, modules: imports, importsModule: (test) => imports.some(test) };
}

/** `relevance` from the text alone: what it says is never less than what the parsed file would say. */
export function textRelevance(file: string, text: string, options: AnalysisOptions): { handlers: boolean; sites: boolean } {
  return relevance(surfaceOf(file, text, importSpecifiers(text)), options);
}

export interface ExtractOptions {
  readonly ts: TS;
  readonly options: AnalysisOptions;
  readonly resolver?: CallResolver | null;
  /**
   * The analysis the file is read in, which keeps the file contexts and every memo: a front end
   * shares one between the files of a run (the CLI one per scan). Without one, the file is read alone.
   */
  readonly session?: AnalysisSession;
  /** Whether to find the cache families read in the code (needed without a registry; a registry names them). */
  readonly withFamilies?: boolean;
  /** Whether to list the keys the code reads, fills or keeps (the whole-project findings). */
  readonly withStoredKeys?: boolean;
  /**
   * Whether the file is read only for what the project-wide findings take from every file (its
   * families and stored keys): then its handlers and invalidations are not looked for.
   */
  readonly isForLookups?: boolean;
}

/** The file contexts of a session, one per file. */
const CONTEXTS = memoTable<ts.SourceFile, FileContext>('file contexts');

/** The context of a file in the session of `extract` (a new session when it has none). */
export function fileContext(sourceFile: ts.SourceFile, extract: ExtractOptions): FileContext {
  const session = extract.session ?? new AnalysisSession();
  const make = (file: ts.SourceFile): FileContext =>
    session.memo(CONTEXTS, file, () => new FileContext(extract.ts, file, extract.options, extract.resolver ?? null, make, session));
  return make(sourceFile);
}

/** The framework-neutral facts of one file: its handlers, its invalidations, its cache reads. */
export function extractFacts(sourceFile: ts.SourceFile, extract: ExtractOptions): FileFacts {
  const ctx = fileContext(sourceFile, extract);
  const relevant = relevance(ctx, ctx.options);
  if (!relevant.handlers && !relevant.sites) {
    // A page that tags what it fetches (`fetch(url, { next: { tags } })`) keeps those tags all the same.
    const tags = extract.withStoredKeys === true ? tagsGiven(ctx) : [];
    return {
      file: ctx.file,
      handlers: [],
      otherInvalidations: [],
      reads: [],
      families: [],
      isRelevant: false,
      ...(tags.length > 0 ? { storedKeys: tags } : {}),
    };
  }
  const handlers = relevant.handlers && extract.isForLookups !== true ? frameworkHandlers(ctx) : [];
  return {
    file: ctx.file,
    handlers,
    // A file read for the families it fills says what it clears too: a family no file clears is left to expire.
    otherInvalidations: relevant.sites && (extract.isForLookups !== true || extract.withFamilies === true) ? scanSites(ctx) : [],
    reads: extractReads(ctx),
    families: relevant.sites && extract.withFamilies !== false ? [...cacheFamilies(ctx), ...cachedGetFamilies(ctx)] : [],
    isRelevant: true,
    ...interceptable(ctx, relevant.handlers && extract.withFamilies !== false),
    ...(extract.withStoredKeys === true ? { storedKeys: [...(relevant.sites ? storedKeys(ctx) : []), ...tagsGiven(ctx)] } : {}),
    ...(extract.withStoredKeys === true && relevant.sites ? { unnamedKeys: unnamedKeys(ctx) } : {}),
  };
}

/**
 * What the file's handlers would cache if the project sets it up for every request (see
 * `globalCacheSetup`): the GETs of its controllers, the responses of its GraphQL queries.
 */
export function interceptable(ctx: FileContext, isWanted = true): { interceptedGets?: InterceptedGet[] } {
  if (!isWanted) return {};
  const queries = graphqlQueryGets(ctx);
  if (!usesDecoratorFrameworks(ctx)) return queries.length > 0 ? { interceptedGets: queries } : {};
  return { interceptedGets: [...interceptedGets(ctx), ...queries] };
}

function extractReads(ctx: FileContext): CacheRead[] {
  const { ts } = ctx;
  const reads: CacheRead[] = [];
  for (const node of ctx.nodes.decorators) {
    if (ts.isCallExpression(node.expression) && importedName(ctx, node.expression) === 'Cacheable') {
      const first = node.expression.arguments[0];
      reads.push({ name: first ? staticString(ctx, first) : null, key: null, range: ctx.range(node) });
    }
  }
  for (const node of ctx.nodes.calls) {
    if (!ts.isPropertyAccessExpression(node.expression)) continue;
    const method = node.expression.name.text;
    const receiver = lastName(ts, node.expression.expression);
    const first = node.arguments[0];
    if (READ_METHODS.has(method) && receiver !== null && /cache/i.test(receiver) && first && node.arguments.length >= 2) {
      const name = staticString(ctx, first);
      if (name !== null) reads.push({ name, key: null, range: ctx.range(node) });
    }
  }
  return reads.sort((a, b) => a.range.start - b.range.start);
}
