import type ts from 'typescript';
import { staticString } from '../context.js';
import type { FileContext } from '../context.js';
import { unwrap } from '../../ts/syntax.js';
import { constructed, declarationOf, propertyValue, typeReference } from './declarations.js';
import type { CallEffect, KeyArgument, Library, Source, TtlArgument } from './source.js';

/** BentoCache, and AdonisJS's cache service built on it (`import cache from '@adonisjs/cache/services/main'`). */
const MODULES = /^(bentocache|@adonisjs\/cache)(\/|$)/;
const LIBRARIES: readonly Library[] = [{ modules: MODULES }];
/** The types of a cache or a namespace of one. */
const CACHE_TYPES = new Set(['BentoCache', 'CacheProvider', 'Cache', 'CacheService']);
const LOADING_READS = new Set(['getOrSet', 'getOrSetForever']);
const TAG_DELETES = new Set(['deleteByTag', 'deleteByTags']);
/** Calls that make or watch a cache and change no entry. */
const PLUMBING = new Set(['has', 'missing', 'namespace', 'use', 'on', 'once', 'off', 'prune', 'disconnect', 'disconnectAll']);
const METHODS = new Set([...LOADING_READS, ...TAG_DELETES, ...PLUMBING, 'get', 'set', 'delete', 'deleteMany', 'expire', 'clear']);
const MAX_DEPTH = 6;

/** A cache of BentoCache: the prefix its keys are given (`users:` in `bento.namespace('users')`; null when it cannot be read). */
interface Bento {
  readonly prefix: string | null;
}

const ROOT: Bento = { prefix: '' };

/** Whether a name is imported from BentoCache's modules. */
function isImported(ctx: FileContext, name: string): boolean {
  const module = ctx.importOf(name)?.module;
  return module !== undefined && MODULES.test(module);
}

/**
 * The cache a receiver is: one typed `BentoCache` or `CacheProvider`, made by `new BentoCache(…)`,
 * imported from the library (AdonisJS's service), or a namespace of one (`bento.namespace('users')`),
 * here or in the module it is imported from.
 */
function bentoOf(ctx: FileContext, receiver: ts.Expression, depth = 0): Bento | null {
  const { ts } = ctx;
  if (depth > MAX_DEPTH) return null;
  const expression = unwrap(ts, receiver);
  if (ts.isCallExpression(expression) && ts.isPropertyAccessExpression(expression.expression)) {
    const method = expression.expression.name.text;
    if (method !== 'namespace' && method !== 'use') return null;
    const parent = bentoOf(ctx, expression.expression.expression, depth + 1);
    if (!parent || method === 'use') return parent;
    const name = expression.arguments[0] ? staticString(ctx, expression.arguments[0]) : null;
    return { prefix: parent.prefix === null || name === null ? null : `${parent.prefix}${name}:` };
  }
  if (ts.isNewExpression(expression)) {
    const made = constructed(ts, expression);
    return made?.name === 'BentoCache' && made.root !== null && isImported(ctx, made.root) ? ROOT : null;
  }
  if (ts.isIdentifier(expression) && isImported(ctx, expression.text)) return ROOT;
  const declared = declarationOf(ctx, expression);
  if (!declared) return null;
  const type = typeReference(ts, declared.type);
  if (type && CACHE_TYPES.has(type.name) && isImported(declared.ctx, type.root)) return ROOT;
  return declared.initializer && !declared.parameterOf ? bentoOf(declared.ctx, declared.initializer, depth + 1) : null;
}

/** The options object of a call written in the object form (`getOrSet({ key, factory })`), or null for the positional form. */
function optionsOf(ts: FileContext['ts'], call: ts.CallExpression): ts.ObjectLiteralExpression | null {
  const first = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  return first && ts.isObjectLiteralExpression(first) ? first : null;
}

/** What one BentoCache call does, in either form: `getOrSet({ key, factory, ttl, tags })` and `getOrSet(key, factory, { ttl, tags })`. */
function effectOf(ctx: FileContext, call: ts.CallExpression, name: string, prefix: string | null): CallEffect[] {
  const { ts } = ctx;
  const options = optionsOf(ts, call);
  const [first, second, third] = call.arguments;
  const property = (object: ts.Expression | undefined, key: string): ts.Expression | null => {
    const value = object ? unwrap(ts, object) : null;
    return value && ts.isObjectLiteralExpression(value) ? propertyValue(ts, value, key) : null;
  };
  // The object form holds everything; the positional form puts the options last.
  const settings = options ?? (name === 'set' || LOADING_READS.has(name) ? third : second);
  // A namespace whose name cannot be read: its keys cannot be either.
  const key = (expr: ts.Expression | null | undefined): KeyArgument[] => (expr && prefix !== null ? [{ expr, isKey: true, prefix }] : []);
  const keyArgument = options ? (propertyValue(ts, options, 'key') ?? propertyValue(ts, options, 'keys')) : (first ?? null);
  const ttlExpr = property(settings, 'ttl');
  // A number is milliseconds; a string (`'5m'`) is read where it is a number.
  const ttl: TtlArgument | undefined = ttlExpr ? { expr: ttlExpr, unit: 'milliseconds' } : undefined;
  const tags = property(settings, 'tags');
  const tagKeys = tags && ts.isArrayLiteralExpression(unwrap(ts, tags)) ? (unwrap(ts, tags) as ts.ArrayLiteralExpression).elements : [];
  const given = tagKeys.filter((e) => !ts.isSpreadElement(e)).flatMap(key);
  if (LOADING_READS.has(name)) {
    const loader = options ? propertyValue(ts, options, 'factory') : (second ?? null);
    return [{ kind: 'cache-read', keys: key(keyArgument), loader, ...(ttl ? { ttl } : {}), ...(given.length > 0 ? { tags: given } : {}) }];
  }
  if (name === 'get') return [{ kind: 'cache-read', keys: key(keyArgument), loader: null }];
  if (name === 'set') return [{ kind: 'cache-fill', keys: key(keyArgument), ...(ttl ? { ttl } : {}) }];
  if (TAG_DELETES.has(name))
    return [{ kind: 'invalidate', invalidationKind: 'tag', keys: key(options ? propertyValue(ts, options, 'tags') : first) }];
  // `clear()` of a namespace clears its keys, of the cache every one.
  if (name === 'clear')
    return [{ kind: 'invalidate', invalidationKind: 'pattern', keys: prefix === null ? [] : [{ flush: true, prefix }] }];
  return [{ kind: 'invalidate', invalidationKind: 'key', keys: key(keyArgument) }];
}

/**
 * BentoCache (`bentocache`, `@adonisjs/cache`): `getOrSet`/`getOrSetForever` are loading reads
 * whose entry is also cleared by its `tags`; `delete`, `deleteMany`, `expire` clear keys,
 * `deleteByTag` tags, `clear()` a namespace or everything. A namespace's keys carry its name.
 */
export const bentocache: Source = {
  id: 'bentocache',
  libraries: LIBRARIES,
  cacheText: /bentocache|@adonisjs\/cache/,
  classify({ ctx, call, name, receiver }) {
    if (!receiver || !METHODS.has(name)) return null;
    const bento = bentoOf(ctx, receiver);
    if (!bento) return null;
    return PLUMBING.has(name) ? [] : effectOf(ctx, call, name, bento.prefix);
  },
  // `getOrSet({ key, factory })`: the object form hands the loader inside its options.
  isCachedRead: (ts, call) => {
    const name = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : null;
    const options = optionsOf(ts, call);
    return name !== null && LOADING_READS.has(name) && options !== null && propertyValue(ts, options, 'factory') !== null;
  },
};
