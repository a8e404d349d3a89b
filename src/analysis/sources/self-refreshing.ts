import type ts from 'typescript';
import { enclosingClass, lastName, propertyNameText, unwrap } from '../../ts/syntax.js';
import { staticString } from '../context.js';
import type { FileContext } from '../context.js';
import { madeBy, ttlIn } from './cache-clients.js';
import { propertyValue } from './declarations.js';
import type { Source, TtlArgument } from './source.js';

/** A factory of a cache that holds one value and reloads it itself (`createSelfRefreshingCache`, `createRefreshingCache`). */
const FACTORY = /refresh/i;
/** The options that give the function a value is (re)loaded with, as such factories name it. */
const LOADERS = ['refresh', 'load', 'loader', 'fetch'];
const READS = new Set(['value', 'get', 'memoize']);
/** Reloading the value now is a write-through: what was held is gone. */
const REFRESHES = new Set(['refresh', 'invalidate', 'clear', 'reset']);

/**
 * A cache of one value made by a self-refreshing factory (`createSelfRefreshingCache({ name, ttl,
 * refresh: { fn } })`): its value is what `fn` loads, named by the `name` option (or by the member
 * that holds it).
 */
interface RefreshingCache {
  readonly name: string;
  readonly loader: ts.ArrowFunction | ts.FunctionExpression;
  /** The file the cache is made in. */
  readonly ctx: FileContext;
  readonly ttl?: TtlArgument;
}

/** How many values, methods' returns and assignments are followed back to the factory call. */
const DEPTH = 4;

/**
 * The factory call a value comes from: itself, the value a name or member was made from, or what
 * the one `return` of a method of the same class gives (`await this.createCache()`, `this.ensureCache()`).
 */
function factoryCall(ctx: FileContext, value: ts.Expression, depth = 0): { call: ts.CallExpression; ctx: FileContext } | null {
  const { ts } = ctx;
  const bare = unwrap(ts, value);
  if (depth > DEPTH) return null;
  if (!ts.isCallExpression(bare)) {
    const made = madeBy(ctx, bare);
    return made ? factoryCall(made.ctx, made.call, depth + 1) : null;
  }
  const callee = unwrap(ts, bare.expression);
  if (FACTORY.test(lastName(ts, callee) ?? '')) return { call: bare, ctx };
  if (!ts.isPropertyAccessExpression(callee) || unwrap(ts, callee.expression).kind !== ts.SyntaxKind.ThisKeyword) return null;
  const method = enclosingClass(ts, callee)?.members.find(
    (member): member is ts.MethodDeclaration => ts.isMethodDeclaration(member) && propertyNameText(ts, member.name) === callee.name.text,
  );
  const returned: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
    if (!ts.isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  if (method?.body) ts.forEachChild(method.body, visit);
  const [only] = returned;
  return only && returned.length === 1 ? factoryCall(ctx, only, depth + 1) : null;
}

/** The loading function of the options: `refresh: { fn }`, `refresh: fn`, `load: fn`. */
function loaderIn(ctx: FileContext, options: ts.ObjectLiteralExpression): ts.ArrowFunction | ts.FunctionExpression | null {
  const { ts } = ctx;
  for (const name of LOADERS) {
    let value = propertyValue(ts, options, name);
    if (value && ts.isObjectLiteralExpression(unwrap(ts, value)))
      value = propertyValue(ts, unwrap(ts, value) as ts.ObjectLiteralExpression, 'fn');
    const fn = value ? unwrap(ts, value) : null;
    if (fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return fn;
  }
  return null;
}

/** The self-refreshing cache a receiver holds, or null. */
function refreshingCacheOf(ctx: FileContext, receiver: ts.Expression): RefreshingCache | null {
  const { ts } = ctx;
  const bare = unwrap(ts, receiver);
  const made = factoryCall(ctx, bare);
  const options = made?.call.arguments[0] ? unwrap(ts, made.call.arguments[0]) : null;
  if (!made || !options || !ts.isObjectLiteralExpression(options)) return null;
  const loader = loaderIn(made.ctx, options);
  if (!loader) return null;
  const named = propertyValue(ts, options, 'name');
  const owner = enclosingClass(ts, bare);
  const member = lastName(ts, bare) ?? '';
  const name = (named ? staticString(made.ctx, named) : null) ?? (owner?.name ? `${owner.name.text}.${member}` : member);
  const ttl = ttlIn(made.ctx, options);
  return { name, loader, ctx: made.ctx, ...(ttl ? { ttl } : {}) };
}

/**
 * Caches of one value that reload it themselves (`createSelfRefreshingCache` of Vendure and its
 * kind): `value()` and `memoize()` read the family the factory's loading function fills, named by
 * the cache's `name`; `refresh()` reloads it now, which is what a write of what it holds must call.
 */
export const selfRefreshingCaches: Source = {
  id: 'self-refreshing-caches',
  precedesHelpers: true,
  readMethods: READS,
  classify({ ctx, name, receiver }) {
    if (!receiver || (!READS.has(name) && !REFRESHES.has(name))) return null;
    const cache = refreshingCacheOf(ctx, receiver);
    if (!cache) return null;
    const keys = [{ literal: cache.name }];
    if (REFRESHES.has(name)) return [{ kind: 'invalidate', invalidationKind: 'key', keys }];
    const loadedBy = { fn: cache.loader, ctx: cache.ctx };
    // As the code names the cache where a member holds it (`this.activeTaxRates`), else by its name.
    const holder = ctx.ts.isPropertyAccessExpression(unwrap(ctx.ts, receiver)) ? ctx.text(unwrap(ctx.ts, receiver)) : cache.name;
    const clearedBy = `${holder}.refresh()`;
    // An expiry is read in the file of the call: one written in another file is not told.
    const ttl = cache.ttl && cache.ctx === ctx ? { ttl: cache.ttl } : {};
    return [{ kind: 'cache-read', keys, loader: null, loadedBy, clearedBy, isLocal: true, ...ttl }];
  },
};
