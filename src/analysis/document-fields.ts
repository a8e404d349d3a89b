import type ts from 'typescript';
import { enclosingClass, enclosingFunction, parentOf, propertyNameText, unwrap } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import { staticString } from './context.js';
import type { FileContext } from './context.js';
import { boundArgument, boundProperty } from './env.js';
import type { Bound } from './env.js';
import { declarationOf } from './sources/declarations.js';
import { returnedExpression } from './factories.js';

/** The update operators whose document names the fields they change (`$set: { name }`). */
const FIELD_OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$min',
  '$max',
  '$mul',
  '$currentDate',
  '$setOnInsert',
]);

/**
 * The fields an update document changes (`{ $set: { name, 'dns.mx': true } }` → `name`, `dns`),
 * followed through the parameters it was passed by and a local object built by assignments
 * (`const payload = {}; payload.name = …`); null when a key or the document cannot be read.
 */
export function updatedFields(bound: Bound): string[] | null {
  const keys = documentKeys(bound, 0);
  if (!keys) return null;
  const fields = new Set<string>();
  for (const { name, value } of keys) {
    if (!name.startsWith('$')) {
      fields.add(topField(name));
      continue;
    }
    const inner = FIELD_OPERATORS.has(name) && value ? documentKeys(value, 0) : null;
    if (!inner) return null;
    for (const key of inner) fields.add(topField(key.name));
  }
  return [...fields].sort();
}

function topField(path: string): string {
  return path.split('.')[0] ?? path;
}

interface DocumentKey {
  readonly name: string;
  readonly value: Bound | null;
}

/** The keys of an object a bound expression stands for, each with its value; null when not all are known. */
function documentKeys(bound: Bound, depth: number): DocumentKey[] | null {
  const { ctx, env } = bound;
  const { ts } = ctx;
  const expression = unwrap(ts, bound.expr);
  if (depth > 8) return null;
  const passed = ts.isIdentifier(expression)
    ? boundArgument(ctx, expression, env)
    : ts.isPropertyAccessExpression(expression)
      ? boundProperty(ctx, expression, env)
      : null;
  if (passed) return documentKeys(passed, depth + 1);
  if (ts.isIdentifier(expression)) return localObjectKeys(ctx, expression, bound, depth);
  // `...(!isOnline && { lastOnlineAt })`, `c ? { a } : { b }`: the keys of either side.
  const sides =
    ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken
      ? [expression.right]
      : ts.isConditionalExpression(expression)
        ? [expression.whenTrue, expression.whenFalse]
        : null;
  if (sides) {
    const keys = sides.map((side) => documentKeys({ expr: side, ctx, env }, depth + 1));
    return keys.every((k): k is DocumentKey[] => k !== null) ? keys.flat() : null;
  }
  const built = ts.isCallExpression(expression) ? builtBy(ctx, expression, env) : null;
  if (built) return documentKeys(built, depth + 1);
  if (!ts.isObjectLiteralExpression(expression)) return null;
  const keys: DocumentKey[] = [];
  for (const property of expression.properties) {
    if (ts.isSpreadAssignment(property)) {
      const spread = documentKeys({ expr: property.expression, ctx, env }, depth + 1);
      if (!spread) return null;
      keys.push(...spread);
      continue;
    }
    const name = ts.isComputedPropertyName(property.name) ? null : propertyNameText(ts, property.name);
    if (name === null) return null;
    if (ts.isPropertyAssignment(property)) keys.push({ name, value: { expr: property.initializer, ctx, env } });
    else if (ts.isShorthandPropertyAssignment(property)) keys.push({ name, value: { expr: property.name, ctx, env } });
    else return null;
  }
  return keys;
}

/** `this.getUpdatedFields(isOnline)` where the method returns one expression: that expression, read with the call's arguments. */
function builtBy(ctx: FileContext, call: ts.CallExpression, env: Bound['env']): Bound | null {
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  let declaration: ts.FunctionLikeDeclaration | null = null;
  if (ts.isIdentifier(callee)) declaration = ctx.functions.get(callee.text) ?? null;
  else if (ts.isPropertyAccessExpression(callee) && unwrap(ts, callee.expression).kind === ts.SyntaxKind.ThisKeyword) {
    const member = enclosingClass(ts, call)?.members.find(
      (m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText(ctx.sourceFile) === callee.name.text,
    );
    declaration = member ?? null;
  }
  const returned = declaration?.body ? returnedExpression(ts, declaration.body) : null;
  return declaration && returned ? { expr: returned, ctx, env: { fn: declaration, args: call.arguments, ctx, next: env } } : null;
}

/** A local object literal and the keys assigned to it in its function (`payload.name = …`, `payload['dns.mx'] = …`). */
function localObjectKeys(ctx: FileContext, identifier: ts.Identifier, bound: Bound, depth: number): DocumentKey[] | null {
  const { ts } = ctx;
  const declared = declarationOf(ctx, identifier, false);
  if (!declared?.initializer || declared.parameterOf || declared.ctx !== ctx) return null;
  const keys = documentKeys({ ...bound, expr: declared.initializer }, depth + 1);
  const scope = enclosingBody(ts, identifier);
  if (!keys || !scope) return null;
  const assigned = assignedKeys(ctx, scope, identifier.text);
  return assigned ? [...keys, ...assigned.map((name) => ({ name, value: null }))] : null;
}

function enclosingBody(ts: TS, node: ts.Node): ts.Node | null {
  return enclosingFunction(ts, node) ?? node.getSourceFile();
}

/** The keys assigned to `name` in `scope`, or null where one is computed or the object is handed to `Object.assign`. */
function assignedKeys(ctx: FileContext, scope: ts.Node, name: string): string[] | null {
  const { ts } = ctx;
  const keys: string[] = [];
  const state = { isKnown: true };
  const isTarget = (node: ts.Expression): boolean => ts.isIdentifier(node) && node.text === name;
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = unwrap(ts, node.left);
      if (ts.isPropertyAccessExpression(left) && isTarget(unwrap(ts, left.expression))) keys.push(left.name.text);
      else if (ts.isElementAccessExpression(left) && isTarget(unwrap(ts, left.expression))) {
        const key = staticString(ctx, left.argumentExpression);
        if (key === null) state.isKnown = false;
        else keys.push(key);
      }
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'assign') {
      const first = node.arguments[0];
      if (first && isTarget(unwrap(ts, first))) state.isKnown = false;
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return state.isKnown ? keys : null;
}

/**
 * The fields a loader's read depends on, from how the loader uses it: the keys of a filter it
 * writes out (an object literal argument) and the properties read of the one constant that holds the
 * result (`const env = await repo.findOne({ _id }); … env.apiRateLimits`), when that constant is
 * only tested and read by property; null when the result goes anywhere else (returned, passed on).
 */
export function usedFields(ctx: FileContext, call: ts.CallExpression): string[] | null {
  const { ts } = ctx;
  const fields = new Set<string>();
  // A filter written out adds its fields; one passed as values (`findById(id)`) says none that can be told.
  for (const argument of call.arguments) {
    for (const key of documentKeys({ expr: argument, ctx, env: null }, 0) ?? []) fields.add(topField(key.name));
  }
  let holder: ts.Node = call;
  let parent = parentOf(holder);
  while (parent && (ts.isAwaitExpression(parent) || ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent))) {
    holder = parent;
    parent = parentOf(holder);
  }
  if (!parent || !ts.isVariableDeclaration(parent) || parent.initializer !== holder || !ts.isIdentifier(parent.name)) return null;
  const name = parent.name.text;
  const scope = enclosingBody(ts, parent);
  if (!scope) return null;
  const state = { isKnown: true };
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === name && node !== parent.name) {
      const read = readOf(ts, node);
      if (read === null) state.isKnown = false;
      else if (read !== '') fields.add(read);
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return state.isKnown ? [...fields].sort() : null;
}

/** What a use of a result reads: a property (`env.apiRateLimits`), nothing (a test: `!env`, `if (env)`), or null (anything else). */
function readOf(ts: TS, use: ts.Identifier): string | null {
  const parent = parentOf(use);
  if (!parent) return null;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === use) {
    const outer = parentOf(parent);
    return outer && ts.isCallExpression(outer) && outer.expression === parent ? null : parent.name.text;
  }
  if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) return '';
  if ((ts.isIfStatement(parent) && parent.expression === use) || (ts.isConditionalExpression(parent) && parent.condition === use))
    return '';
  return null;
}
