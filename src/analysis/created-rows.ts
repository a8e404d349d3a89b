import { lastName, unwrap } from '../ts/syntax.js';
import { documentKeys } from './document-fields.js';
import type { DocumentKey } from './document-fields.js';
import { boundArgument, boundProperty } from './env.js';
import type { Bound } from './env.js';
import { returnedExpression } from './factories.js';
import { isFreshToken } from './effects/rotation.js';
import { declarationOf } from './sources/declarations.js';

/** How far a value is followed through constants, arguments and the rows built from them. */
const MAX_DEPTH = 8;

/** Calls that create a row and return it, with its new id (`const org = await prisma.organization.create(…)`). */
const CREATES = new Set(['create', 'createOne', 'insertOne']);

/**
 * The fields of a created row whose values the code makes new, in every row a create writes: an
 * id generated where it runs (`id: newId('key')`, `keyId` of `const keyId = randomUUID()`), or
 * the id of a row created just before (`organizationId: org.id`). No row had those values before,
 * so no cached entry, and no list under a parent with that id, can hold the row yet.
 */
export function freshFields(created: Bound): string[] {
  const rows = createdRows(created, 0);
  if (rows === null || rows.length === 0) return [];
  const fresh = rows.map((row) => new Set(row.filter((key) => key.value && isFresh(key.value, 0)).map((key) => key.name)));
  const [first, ...rest] = fresh;
  return [...(first ?? [])].filter((name) => rest.every((other) => other.has(name))).sort();
}

/** The documents a create writes: one object, an array of them, or what a `map` over a list returns for each. */
function createdRows(bound: Bound, depth: number): DocumentKey[][] | null {
  const { ctx, env } = bound;
  const { ts } = ctx;
  const expression = unwrap(ts, bound.expr);
  if (depth > MAX_DEPTH) return null;
  if (ts.isArrayLiteralExpression(expression)) {
    const rows = expression.elements.map((element) =>
      ts.isSpreadElement(element) ? null : createdRows({ expr: element, ctx, env }, depth + 1),
    );
    return rows.every((r) => r !== null) ? rows.flat() : null;
  }
  // `req.ratelimits ? req.ratelimits.map(…) : []`: the rows of either side.
  if (ts.isConditionalExpression(expression)) {
    const sides = [expression.whenTrue, expression.whenFalse].map((side) => createdRows({ expr: side, ctx, env }, depth + 1));
    return sides.every((s) => s !== null) ? sides.flat() : null;
  }
  if (ts.isCallExpression(expression) && lastName(ts, expression.expression) === 'map') {
    const [callback] = expression.arguments;
    const fn = callback ? unwrap(ts, callback) : null;
    if (!fn || (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn))) return null;
    const returned = returnedExpression(ts, fn.body);
    return returned ? createdRows({ expr: returned, ctx, env }, depth + 1) : null;
  }
  if (ts.isIdentifier(expression) && !boundArgument(ctx, expression, env)) {
    const declared = declarationOf(ctx, expression, false);
    if (declared?.initializer && !declared.parameterOf && declared.ctx === ctx)
      return createdRows({ expr: declared.initializer, ctx, env }, depth + 1);
  }
  const keys = documentKeys(bound, depth);
  return keys ? [keys] : null;
}

/** Whether a value is made new where the row is created (see `freshFields`). */
function isFresh(bound: Bound, depth: number): boolean {
  const { ctx, env } = bound;
  const { ts } = ctx;
  const expression = unwrap(ts, bound.expr);
  if (depth > MAX_DEPTH) return false;
  if (isFreshToken(ctx, expression)) return true;
  if (ts.isIdentifier(expression)) {
    const passed = boundArgument(ctx, expression, env);
    if (passed) return isFresh(passed, depth + 1);
    const declared = declarationOf(ctx, expression, false);
    return (
      declared?.initializer !== undefined &&
      declared.parameterOf === null &&
      declared.ctx === ctx &&
      isFresh({ expr: declared.initializer, ctx, env }, depth + 1)
    );
  }
  if (!ts.isPropertyAccessExpression(expression)) return false;
  const passed = boundProperty(ctx, expression, env);
  if (passed) return isFresh(passed, depth + 1);
  const object = unwrap(ts, expression.expression);
  const declared = ts.isIdentifier(object) ? declarationOf(ctx, object, false) : null;
  const value = declared?.initializer && declared.parameterOf === null ? unwrap(ts, declared.initializer) : null;
  if (!value || declared?.ctx !== ctx) return false;
  // `identity.id` of `const identity = { id: newId('identity'), … }`.
  if (ts.isObjectLiteralExpression(value)) {
    const keys = documentKeys({ expr: value, ctx, env }, depth + 1);
    const property = keys?.find((key) => key.name === expression.name.text);
    return property?.value !== null && property?.value !== undefined && isFresh(property.value, depth + 1);
  }
  // `org.id` of `const org = await prisma.organization.create(…)`.
  return expression.name.text === 'id' && ts.isCallExpression(value) && CREATES.has(lastName(ts, value.expression) ?? '');
}
