import type ts from 'typescript';
import { bindsName, parentOf, unwrap } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import { namedFunction } from './bound-values.js';
import { constantInitializer } from './context.js';
import type { FileContext } from './context.js';
import { boundArgument } from './env.js';
import type { Bound, Env } from './env.js';
import { returnedExpression } from './factories.js';

/** Methods that call their callback with each element of the array first (`keys.forEach((key) => …)`). */
const ELEMENT_CALLBACKS = new Set(['map', 'flatMap', 'forEach', 'filter', 'some', 'every', 'find', 'findLast']);
/** Methods whose result holds elements of the array they are called on. */
const SAME_ELEMENTS = new Set(['filter', 'slice', 'reverse', 'sort', 'toSorted', 'toReversed', 'flat']);

const MAX_DEPTH = 8;

/**
 * The one value every element of an array stands for, read with the arguments in force: the only
 * element of `[key]` or `[...keys]`, the callback's result of `ids.map((id) => key(id))` or
 * `hashes.map(createKey)` (each element a call of it), the elements of `keys.filter(…)` and
 * `Array.from(keys)`, followed through constants and parameters. Null when they are runtime values.
 */
export function elementOf(ctx: FileContext, node: ts.Expression, env: Env, depth = 0): Bound | null {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  if (depth > MAX_DEPTH) return null;
  if (ts.isIdentifier(expression)) {
    const bound = (env === null ? null : boundArgument(ctx, expression, env)) ?? callbackElement(ctx, expression, env, depth + 1);
    if (bound) return elementOf(bound.ctx, bound.expr, bound.env, depth + 1);
    const init = constantInitializer(ctx, expression);
    return init ? elementOf(ctx, init, env, depth + 1) : null;
  }
  if (ts.isArrayLiteralExpression(expression)) {
    const [only, ...rest] = expression.elements;
    if (!only || rest.length > 0 || ts.isOmittedExpression(only)) return null;
    return ts.isSpreadElement(only) ? elementOf(ctx, only.expression, env, depth + 1) : { expr: only, ctx, env };
  }
  if (ts.isNewExpression(expression)) {
    // `new Set(keys)`: the same elements, once each; `new Map(entries)` is iterated as its entries.
    const made = ts.isIdentifier(expression.expression) ? expression.expression.text : null;
    const first = expression.arguments?.[0];
    return (made === 'Set' || made === 'Map') && first ? elementOf(ctx, first, env, depth + 1) : null;
  }
  if (!ts.isCallExpression(expression)) return null;
  const callee = unwrap(ts, expression.expression);
  if (!ts.isPropertyAccessExpression(callee)) return null;
  const method = callee.name.text;
  const [first, second] = expression.arguments;
  if (ts.isIdentifier(callee.expression) && callee.expression.text === 'Array' && method === 'from' && first) {
    return second ? mapped(ctx, first, second, env, depth) : elementOf(ctx, first, env, depth + 1);
  }
  if (method === 'map' && first) return mapped(ctx, callee.expression, first, env, depth);
  if (method === 'flatMap' && first) {
    const result = mapped(ctx, callee.expression, first, env, depth);
    return result ? elementOf(result.ctx, result.expr, result.env, depth + 1) : null;
  }
  return SAME_ELEMENTS.has(method) ? elementOf(ctx, callee.expression, env, depth + 1) : null;
}

/**
 * What `array.map(callback)` holds: the callback's returned expression. An inline callback is
 * read where it is written (its parameter is an element, see `callbackElement`); a function named
 * (`hashes.map(createKey)`) is read with its first parameter bound to an element.
 */
function mapped(ctx: FileContext, array: ts.Expression, callback: ts.Expression, env: Env, depth: number): Bound | null {
  const { ts } = ctx;
  const fn = unwrap(ts, callback);
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    const returned = returnedExpression(ts, fn.body);
    return returned ? { expr: returned, ctx, env } : null;
  }
  if (!ts.isIdentifier(fn)) return null;
  const declaration = namedFunction(ctx, fn);
  const returned = declaration?.body ? returnedExpression(ts, declaration.body) : null;
  if (!declaration || !returned) return null;
  const file = declaration.getSourceFile();
  const element = elementOf(ctx, array, env, depth + 1);
  // An unknown element leaves the parameter unbound: a runtime value, named as the parameter.
  const frame = element
    ? { fn: declaration, args: [element.expr], ctx: element.ctx, next: element.env }
    : { fn: declaration, args: [], ctx, next: env };
  return { expr: returned, ctx: file === ctx.sourceFile ? ctx : ctx.contextOf(file), env: frame };
}

/**
 * The first parameter of a callback written inline in an array method (`keys.forEach((key) =>
 * redis.del(key))`): an element of the array it is called on, when that is known.
 */
export function callbackElement(ctx: FileContext, identifier: ts.Identifier, env: Env, depth = 0): Bound | null {
  const array = iteratedArray(ctx.ts, identifier);
  if (array) return elementOf(ctx, array, env, depth + 1);
  // `[...byId].map(([id, key]) => …)`: a place of each element, a pair written as an array literal.
  const place = iteratedPlace(ctx.ts, identifier);
  const element = place ? elementOf(ctx, place.array, env, depth + 1) : null;
  return element && place ? placeIn(element, place.index) : null;
}

/** The element at `index` of an array literal an element is written as (`[id, key]`, `[key]` of `[...keys]` excluded). */
function placeIn(element: Bound, index: number): Bound | null {
  const { ts } = element.ctx;
  const tuple = unwrap(ts, element.expr);
  const item = ts.isArrayLiteralExpression(tuple) ? tuple.elements[index] : undefined;
  return item && !ts.isSpreadElement(item) && !ts.isOmittedExpression(item) ? { ...element, expr: item } : null;
}

/** The array and the place an identifier names in each element, as a name of an array pattern that is the first parameter of an inline callback. */
function iteratedPlace(ts: TS, identifier: ts.Identifier): { array: ts.Expression; index: number } | null {
  let fn = parentOf(identifier);
  while (fn && !(ts.isFunctionLike(fn) && fn.parameters.some((p) => bindsName(ts, p.name, identifier.text)))) fn = parentOf(fn);
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return null;
  const pattern = fn.parameters[0]?.name;
  if (!pattern || !ts.isArrayBindingPattern(pattern)) return null;
  const index = pattern.elements.findIndex(
    (e) => ts.isBindingElement(e) && !e.dotDotDotToken && ts.isIdentifier(e.name) && e.name.text === identifier.text,
  );
  const call = parentOf(fn);
  if (index < 0 || !call || !ts.isCallExpression(call) || call.arguments[0] !== fn) return null;
  const callee = unwrap(ts, call.expression);
  return ts.isPropertyAccessExpression(callee) && ELEMENT_CALLBACKS.has(callee.name.text) ? { array: callee.expression, index } : null;
}

/**
 * The value `map.get(key)` gives of a map made from pairs written in place (`new Map(ids.map((id) =>
 * [id, keyOf(id)]))`): the second of each pair, read with the arguments in force.
 */
export function mapValue(ctx: FileContext, node: ts.Expression, env: Env): Bound | null {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  if (!ts.isCallExpression(expression) || expression.arguments.length !== 1) return null;
  const callee = unwrap(ts, expression.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'get') return null;
  const map = unwrap(ts, callee.expression);
  const made = ts.isIdentifier(map) ? constantInitializer(ctx, map) : null;
  const bare = made ? unwrap(ts, made) : null;
  const isMap = bare && ts.isNewExpression(bare) && ts.isIdentifier(bare.expression) && bare.expression.text === 'Map';
  const pair = isMap ? elementOf(ctx, bare, env) : null;
  return pair ? placeIn(pair, 1) : null;
}

/** The array whose elements an identifier stands for, as the first parameter of an inline callback of an array method, or null. */
export function iteratedArray(ts: TS, identifier: ts.Identifier): ts.Expression | null {
  // The nearest function that declares the name.
  let fn = parentOf(identifier);
  while (fn && !(ts.isFunctionLike(fn) && fn.parameters.some((p) => bindsName(ts, p.name, identifier.text)))) fn = parentOf(fn);
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return null;
  const [parameter] = fn.parameters;
  if (!parameter || !ts.isIdentifier(parameter.name) || parameter.name.text !== identifier.text) return null;
  const call = parentOf(fn);
  if (!call || !ts.isCallExpression(call) || call.arguments[0] !== fn) return null;
  const callee = unwrap(ts, call.expression);
  return ts.isPropertyAccessExpression(callee) && ELEMENT_CALLBACKS.has(callee.name.text) ? callee.expression : null;
}

/** Calls and spreads that make an array from another (`ids.map(key)`, `keys.filter(…)`, `Array.from(set)`, `[...keys]`). */
export function isArrayMade(ts: FileContext['ts'], expression: ts.Expression): boolean {
  if (ts.isArrayLiteralExpression(expression))
    return expression.elements.length === 1 && expression.elements.every((e) => ts.isSpreadElement(e));
  return ts.isCallExpression(expression) && ts.isPropertyAccessExpression(unwrap(ts, expression.expression));
}
