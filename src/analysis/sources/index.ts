import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { bentocache } from './bentocache.js';
import { bullmq } from './bullmq.js';
import { cacheClients, keyedCaches } from './cache-clients.js';
import { drizzle } from './drizzle.js';
import { mongoose } from './mongoose.js';
import { nextCache } from './next-cache.js';
import { prisma } from './prisma.js';
import { qstash } from './qstash.js';
import { responseCache } from './response-cache.js';
import { selfRefreshingCaches } from './self-refreshing.js';
import { sequelize } from './sequelize.js';
import { sql } from './sql.js';
import { triggerDev } from './trigger-dev.js';
import type { Source } from './source.js';
import type { TS } from '../../ts/syntax.js';
import { typeorm } from './typeorm.js';
import { unkeyCache } from './unkey-cache.js';

/**
 * The library sources, asked in order; the first that recognises a call says what it does.
 * Adding a library is adding one module here, with its fixture. The ORMs and queues recognise
 * their calls by imports and declared types and are asked before the project's own functions
 * are followed (`precedesHelpers`); SQL written in the code first (a statement is one whatever
 * the client runs it), Drizzle before Prisma, whose `db` name fallback is broader; BentoCache
 * and `@unkey/cache` before the cache clients, which would take a receiver named `cache` by its name.
 */
export const SOURCES: readonly Source[] = [
  sql,
  drizzle,
  typeorm,
  sequelize,
  mongoose,
  prisma,
  bullmq,
  triggerDev,
  qstash,
  nextCache,
  bentocache,
  unkeyCache,
  responseCache,
  selfRefreshingCaches,
  keyedCaches,
  cacheClients,
];

/** Whether a library caches the call's read by its options (see `Source.isCachedRead`). */
export function isLibraryCachedRead(ts: TS, call: ts.CallExpression): boolean {
  return SOURCES.some((source) => source.isCachedRead?.(ts, call) === true);
}

/** Whether a method name is one through which a library source reads its caches (see `Source.readMethods`). */
export function isLibraryReadMethod(name: string): boolean {
  return SOURCES.some((source) => source.readMethods?.has(name) === true);
}

const CACHE_SOURCES = SOURCES.filter((source) => source.cacheText !== undefined);

/** Whether a module is one of a cache library's (a client, the Next.js cache, the runtime), as the sources declare them. */
export function isCacheModule(module: string): boolean {
  return CACHE_SOURCES.some((source) => source.libraries?.some((library) => library.modules.test(module)));
}

/** Whether a file's text can name a cache library's calls (see `Source.cacheText`): tested before any parse. */
export function mayNameCache(text: string): boolean {
  return CACHE_SOURCES.some((source) => source.cacheText?.test(text));
}

/** The function of the project a method of a library's value runs (see `Source.extendedMethod`), as the first source that knows says. */
export function extendedMethodOf(
  ctx: FileContext,
  receiver: ts.Expression,
  name: string,
): { declaration: ts.FunctionLikeDeclaration; ctx: FileContext; label: string } | null {
  for (const source of SOURCES) {
    const found = source.extendedMethod?.(ctx, receiver, name);
    if (found) return found;
  }
  return null;
}

/** The project's model class an instance is of (`site` of `await Website.findByPk(id)`), as the first source that knows says. */
export function modelClassOf(ctx: FileContext, receiver: ts.Expression): { cls: ts.ClassLikeDeclaration; ctx: FileContext } | null {
  for (const source of SOURCES) {
    const found = source.instanceClass?.(ctx, receiver);
    if (found) return found;
  }
  return null;
}
