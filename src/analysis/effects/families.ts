import type ts from 'typescript';
import { cachedMethods } from '../cached-methods.js';
import { asideReaderPaths } from './aside-readers.js';
import type { FileContext } from '../context.js';
import type { CacheFamily, UnnamedKey } from '../facts.js';
import { CACHE_READ_METHODS } from '../sources/cache-clients.js';
import { isLibraryCachedRead, isLibraryReadMethod } from '../sources/index.js';
import { ttlSeconds } from '../ttl.js';
import { enclosingFunction, lastName, parentOf, unwrap, writtenName } from '../../ts/syntax.js';
import { keyRolesFor } from './key-roles.js';
import { isFamilyKey, isNamedKey, keyPattern, readableKeys } from './keys.js';
import { familyTtl, fillsOf, loaderReads, siteOf } from './loaders.js';
import type { Effect } from './model.js';
import { cachedLoads, namedLoaderReads } from './loads.js';
import { isMemoizedRead, memoizedFamilies } from './memoized.js';
import { projections } from './projections.js';
import { projectFunction } from './rotation.js';
import { readerPaths, withReaderFields } from './reader-fields.js';
import { summarize } from './summarize.js';
import { useCacheFamilies } from './use-cache.js';

/**
 * The key families this file reads through the cache, with the models their loaders read: the
 * function that reads and fills (cache-aside), or the loader passed to `wrap`/`getOrSet`/`fetch`.
 * A family depends on the models its loader reads.
 */
export function cacheFamilies(ctx: FileContext): CacheFamily[] {
  const seen = new Set<ts.Node>();
  const families = cacheReaders(ctx, seen, true).flatMap((effects) => readFamilies(ctx, effects));
  families.push(...decoratedFamilies(ctx), ...memoizedFamilies(ctx), ...useCacheFamilies(ctx));
  return [...families, ...projections(ctx, seen)];
}

/**
 * The keys this file reads from a cache shared between processes that are runtime values only
 * (`${scope}:${id}`): the audit cannot tell what such a key holds, so it makes no family of it.
 */
export function unnamedKeys(ctx: FileContext): UnnamedKey[] {
  return cacheReaders(ctx).flatMap((effects) =>
    effects.flatMap((read) => {
      if (read.kind !== 'cache-read' || read.isLocal === true) return [];
      const where = siteOf(ctx, read);
      return read.keys.flatMap((key) => {
        const pattern = keyPattern(key);
        return pattern && !isNamedKey(pattern) ? [{ key: pattern.source, ...where }] : [];
      });
    }),
  );
}

/** How many layers of helpers a composed cache-aside read is followed up. */
const MAX_COMPOSED = 3;

/**
 * The effects of each function of the file that reads the cache (added to `seen`). With `isComposed`,
 * also of the functions that call such a function of the file that only reads (`const hit = await
 * this.fromRedis(hash)`, a load, `await this.toRedis(hash, row)`): cache-aside made of helpers.
 */
function cacheReaders(ctx: FileContext, seen = new Set<ts.Node>(), isComposed = false): (readonly Effect[])[] {
  const readers: (readonly Effect[])[] = [];
  const add = (owner: ts.Node | null): boolean => {
    if (!owner || seen.has(owner)) return false;
    const effects = summarize(ctx, owner);
    if (!effects.some((e) => e.kind === 'cache-read')) return false;
    seen.add(owner);
    readers.push(effects);
    return true;
  };
  for (const call of ctx.nodes.calls) add(readingOwner(ctx, call));
  for (let round = 0, isGrown = isComposed; isGrown && round < MAX_COMPOSED; round++) {
    isGrown = false;
    // Only a call by the name of a reader can run one: the rest are not resolved.
    const names = new Set([...seen].map((owner) => (ctx.ts.isFunctionLike(owner) ? writtenName(ctx.ts, owner) : null)));
    names.delete(null);
    for (const call of ctx.nodes.calls) {
      if (!names.has(lastName(ctx.ts, call.expression))) continue;
      const callee = projectFunction(ctx, call, unwrap(ctx.ts, call.expression));
      // A helper that fills what it reads caches on its own: its callers' reads and fills around it are theirs.
      const isReadOnly = callee !== null && seen.has(callee) && !summarize(ctx, callee).some((e) => e.kind === 'cache-fill');
      if (isReadOnly && add(enclosingFunction(ctx.ts, call) ?? null)) isGrown = true;
    }
  }
  return readers;
}

/** The function that can hold a family by this call: one that reads the cache itself, or hands a loader to a call. */
function readingOwner(ctx: FileContext, call: ts.CallExpression): ts.Node | null {
  const { ts } = ctx;
  const name = lastName(ts, call.expression);
  const isRead = (name !== null && (CACHE_READ_METHODS.has(name) || isLibraryReadMethod(name))) || isLibraryCachedRead(ts, call);
  if (!isRead && !call.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a))) return null;
  // A cached function made at the top of a module (`const getPosts = unstable_cache(…)`) is its own owner.
  const parent = parentOf(call);
  const isTopLevelRead = (isRead || name === 'unstable_cache') && parent !== undefined && ts.isVariableDeclaration(parent);
  return enclosingFunction(ts, call) ?? (isTopLevelRead ? parent : null);
}

/** The families of the cache reads of one function's effects. */
function readFamilies(ctx: FileContext, effects: readonly Effect[]): CacheFamily[] {
  const families: CacheFamily[] = [];
  // A key that is also taken as a lock, set as a marker or counted is no cached read's family.
  const others = [
    ...readableKeys(effects.flatMap((e) => (e.kind === 'redis-other' && e.role !== 'data' ? e.keys : []))),
    ...keyRolesFor(ctx).others,
  ];
  for (const read of effects) {
    if (read.kind !== 'cache-read' || isMemoizedRead(ctx, read)) continue;
    const inline = loaderReads(effects, read);
    const paths = inline.length > 0 ? (readerPaths(ctx, effects, read) ?? asideReaderPaths(ctx, effects, read)) : null;
    const loads = inline.length > 0 ? inline.map((load) => withReaderFields(load, paths)) : namedLoaderReads(read);
    const isLoaded = read.hasLoader && loads.length > 0;
    const models = [...new Set(loads.map((l) => l.model))];
    const fills = fillsOf(ctx, effects, read);
    const where = siteOf(ctx, read);
    const tags = readableKeys(read.tags ?? []).map((tag) => tag.source);
    for (const key of read.keys) {
      const pattern = keyPattern(key);
      if (pattern && isFamilyKey(pattern, others, isLoaded)) {
        families.push({
          key: pattern.source,
          models,
          loads,
          ...where,
          ttl: familyTtl(fills),
          fills,
          ...(tags.length > 0 ? { tags } : {}),
          ...(read.clearedBy ? { clearedBy: read.clearedBy } : {}),
          ...(read.isLocal === true ? { isLocal: true } : {}),
        });
      }
    }
  }
  return families;
}

/**
 * The families of the methods a caching decorator wraps (`@CachedEntity({ builder })`): the key
 * the builder makes, holding what the method's body reads, filled where the decorator is written.
 */
function decoratedFamilies(ctx: FileContext): CacheFamily[] {
  const cached = cachedMethods(ctx);
  if (cached.length === 0) return [];
  const others = keyRolesFor(ctx).others;
  const families: CacheFamily[] = [];
  for (const { method, decorator, key, ttl } of cached) {
    const pattern = keyPattern({ bound: key, isKey: true });
    if (!pattern || !isFamilyKey(pattern, others)) continue;
    const loads = cachedLoads(ctx, method);
    const where = { file: ctx.file, range: ctx.range(decorator) };
    const fills = [{ ...where, ttl: ttl ? ttlSeconds({ bound: ttl, unit: 'seconds' }) : null }];
    families.push({ key: pattern.source, models: [...new Set(loads.map((l) => l.model))], loads, ...where, ttl: familyTtl(fills), fills });
  }
  return families;
}
