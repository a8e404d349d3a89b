import type ts from 'typescript';
import { lastName, propertyNameText, unwrap } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import type { FileContext } from './context.js';
import type { Bound } from './env.js';
import { returnedExpression } from './factories.js';
import { memoTable } from './session.js';
import { CACHE_READ_METHODS } from './sources/cache-clients.js';

/**
 * A method whose result a caching decorator of the project keeps under a key built from its
 * arguments: `@CachedEntity({ builder: (command) => buildUserKey(command) })`. Its key is the
 * builder's returned expression, its parameters runtime values (holes); what the method's body
 * reads is what the entry holds.
 */
export interface CachedMethod {
  readonly method: ts.MethodDeclaration;
  readonly decorator: ts.Decorator;
  /** The decorator's name as written (`CachedEntity`). */
  readonly name: string;
  readonly key: Bound;
  /** The expiry option (`options: { ttl }`, `ttl`), in seconds, or null when none is written. */
  readonly ttl: Bound | null;
}

/** The options of a caching decorator that give the key: a function of the method's arguments, or the key itself. */
const KEY_OPTIONS = new Set(['builder', 'key', 'keyBuilder', 'cacheKey', 'getKey', 'keyGenerator']);

/** Names a caching decorator goes by, when its factory cannot be read (a package). */
const CACHING_NAMES = /^(Cached[A-Z]\w*|Cacheable|Memoize\w*)$/;

/** The methods of a file that a caching decorator wraps, with their keys. */
export function cachedMethods(ctx: FileContext): CachedMethod[] {
  return ctx.session.memo(PER_FILE, ctx, () => cachedMethodsOf(ctx));
}

function cachedMethodsOf(ctx: FileContext): CachedMethod[] {
  const { ts } = ctx;
  const result: CachedMethod[] = [];
  for (const decorator of ctx.nodes.decorators) {
    const method = decorator.parent;
    if (!ts.isMethodDeclaration(method) || !method.body) continue;
    const cached = cachingDecorator(ctx, decorator);
    if (cached) result.push({ method, decorator, ...cached });
  }
  return result;
}

const PER_FILE = memoTable<FileContext, CachedMethod[]>('cached methods');

function cachingDecorator(ctx: FileContext, decorator: ts.Decorator): Omit<CachedMethod, 'method' | 'decorator'> | null {
  const { ts } = ctx;
  const call = decorator.expression;
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return null;
  const first = call.arguments[0];
  const options = first ? unwrap(ts, first) : null;
  if (!options || !ts.isObjectLiteralExpression(options)) return null;
  const keyValue = optionValue(ts, options, KEY_OPTIONS);
  if (!keyValue) return null;
  const name = call.expression.text;
  const factory = ctx.functions.get(name) ?? (ctx.importOf(name) ? (ctx.resolver?.resolveCall(call)?.[0] ?? null) : null);
  if (factory ? !ctx.session.memo(CACHING_FACTORIES, factory, () => isCachingFactory(ts, factory)) : !CACHING_NAMES.test(name)) return null;
  const key = keyExpression(ts, keyValue);
  if (!key) return null;
  const nested = optionValue(ts, options, new Set(['options']));
  const ttl =
    optionValue(ts, options, TTL_OPTIONS) ?? (nested && ts.isObjectLiteralExpression(nested) ? optionValue(ts, nested, TTL_OPTIONS) : null);
  return { name, key: { expr: key, ctx, env: null }, ttl: ttl ? { expr: ttl, ctx, env: null } : null };
}

const TTL_OPTIONS = new Set(['ttl']);

function optionValue(ts: TS, object: ts.ObjectLiteralExpression, names: ReadonlySet<string>): ts.Expression | null {
  for (const property of object.properties) {
    const name = property.name ? propertyNameText(ts, property.name) : null;
    if (name === null || !names.has(name)) continue;
    if (ts.isPropertyAssignment(property)) return unwrap(ts, property.initializer);
    if (ts.isShorthandPropertyAssignment(property)) return property.name;
  }
  return null;
}

/** The key a builder option stands for: what a builder function returns, or the value itself. */
function keyExpression(ts: TS, value: ts.Expression): ts.Expression | null {
  if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return returnedExpression(ts, value.body);
  return value;
}

/**
 * Whether a decorator factory wraps the method in a read and a fill of a cache: it replaces the
 * method (`descriptor.value = async function (...args) { … }`) with a function that reads a key
 * from a cache and sets it (`cacheService.get(key)`, `cacheService.set(key, …)`).
 */
function isCachingFactory(ts: TS, factory: ts.FunctionLikeDeclaration): boolean {
  const replaces = (node: ts.Node): boolean => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      node.left.name.text === 'value'
    ) {
      const wrapper = unwrap(ts, node.right);
      if ((ts.isFunctionExpression(wrapper) || ts.isArrowFunction(wrapper)) && readsAndFills(ts, wrapper)) return true;
    }
    return ts.forEachChild(node, (child) => (replaces(child) ? true : undefined)) === true;
  };
  return factory.body !== undefined && replaces(factory.body);
}

const CACHING_FACTORIES = memoTable<ts.Node, boolean>('caching factories');

const CACHE_RECEIVER = /cache|redis|store|kv/i;

/** Whether a function reads and sets a key through a receiver named like a cache. */
function readsAndFills(ts: TS, fn: ts.FunctionLikeDeclaration): boolean {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const receiver = lastName(ts, node.expression.expression);
      if (receiver !== null && CACHE_RECEIVER.test(receiver)) names.add(node.expression.name.text);
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return [...names].some((name) => CACHE_READ_METHODS.has(name)) && [...names].some((name) => /^set/i.test(name));
}
