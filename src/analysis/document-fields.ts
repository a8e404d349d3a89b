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

export interface DocumentKey {
  readonly name: string;
  readonly value: Bound | null;
}

/** The keys of an object a bound expression stands for, each with its value; null when not all are known. */
export function documentKeys(bound: Bound, depth: number): DocumentKey[] | null {
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
 * only tested, read by property, or returned where `returned` says what the loader's callers read of
 * it (`return { environment, user }`: the property `environment`); null when the result goes
 * anywhere else (passed on, returned with no `returned`).
 */
export function usedFields(ctx: FileContext, call: ts.CallExpression, returned?: ReturnedFields): string[] | null {
  const { ts } = ctx;
  const fields = new Set<string>();
  // A filter written out adds its fields; one passed as values (`findById(id)`) says none that can be told.
  for (const argument of call.arguments) {
    for (const key of documentKeys({ expr: argument, ctx, env: null }, 0) ?? []) fields.add(topField(key.name));
  }
  const holder = resultHolder(ts, call);
  const parent = parentOf(holder);
  if (!parent || !ts.isVariableDeclaration(parent) || parent.initializer !== holder || !ts.isIdentifier(parent.name)) return null;
  const scope = enclosingBody(ts, parent);
  if (!scope) return null;
  const used = usesOf(ts, parent.name, scope, (use) => {
    const property = returnedAs(ts, use, scope);
    return property === undefined || !returned ? null : returned(property);
  });
  if (used === null) return null;
  for (const field of used) fields.add(field);
  return [...fields].sort();
}

/** What a loader's callers read of what it returns: of one property of its result, or of the whole (null). */
export type ReturnedFields = (property: string | null) => readonly string[] | null;

/** The outermost expression a call's value is, through `await`, parentheses and `as`. */
export function resultHolder(ts: TS, call: ts.Expression): ts.Node {
  let holder: ts.Node = call;
  let parent = parentOf(holder);
  while (parent && (ts.isAwaitExpression(parent) || ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent))) {
    holder = parent;
    parent = parentOf(holder);
  }
  return holder;
}

/**
 * The properties read of a name's value in a scope (see `readOf`), with what `elsewhere` says of a
 * use that is neither; null when one of those says nothing can be told.
 */
function usesOf(ts: TS, name: ts.Identifier, scope: ts.Node, elsewhere: (use: ts.Identifier) => readonly string[] | null): string[] | null {
  const fields = new Set<string>();
  const state = { isKnown: true };
  const visit = (node: ts.Node): void => {
    if (!state.isKnown) return;
    if (ts.isIdentifier(node) && node.text === name.text && node !== name && !isPropertyName(ts, node)) {
      const read = readOf(ts, node);
      const reads = read === null ? elsewhere(node) : read === '' ? [] : [read];
      if (reads === null) state.isKnown = false;
      else for (const field of reads) fields.add(field);
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return state.isKnown ? [...fields] : null;
}

/** A name in a property's or a declaration's place (`x.environment`, `environment?: Environment`), not a use of the variable. */
export function isPropertyName(ts: TS, node: ts.Identifier): boolean {
  const parent = parentOf(node);
  if (!parent || ts.isShorthandPropertyAssignment(parent)) return false;
  return (parent as { name?: ts.Node }).name === node || (ts.isBindingElement(parent) && parent.propertyName === node);
}

/**
 * The property under which a use is returned from the scope's function (`return { environment }`:
 * `environment`; `return env`: null), or undefined when it is not returned so.
 */
function returnedAs(ts: TS, use: ts.Identifier, scope: ts.Node): string | null | undefined {
  const parent = parentOf(use);
  if (parent && ts.isReturnStatement(parent)) return enclosingFunction(ts, parent) === scope ? null : undefined;
  const isValue = parent && (ts.isShorthandPropertyAssignment(parent) || (ts.isPropertyAssignment(parent) && parent.initializer === use));
  if (!isValue) return undefined;
  const object = parentOf(parent);
  const statement = object ? parentOf(resultHolder(ts, object as ts.Expression)) : undefined;
  if (!statement || !ts.isReturnStatement(statement) || enclosingFunction(ts, statement) !== scope) return undefined;
  return propertyNameText(ts, parent.name) ?? undefined;
}

/**
 * What the callers of a private method read of its result (of one property of it, or of the whole
 * when `property` is null): the calls `this.method(…)` of its class, whose result is held in a
 * constant or destructured (`const { environment } = await this.getApiKeyUser(…)`) and then only
 * tested and read by property. Null for a method others may call, or a result put to other use.
 */
export function callersRead(ctx: FileContext, method: ts.MethodDeclaration, property: string | null): string[] | null {
  const { ts } = ctx;
  const isPrivate =
    ts.isPrivateIdentifier(method.name) ||
    (ts.getModifiers(method) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword);
  const owner = enclosingClass(ts, method);
  const name = method.name.getText(ctx.sourceFile);
  if (!isPrivate || !owner) return null;
  const fields = new Set<string>();
  let calls = 0;
  const state = { isKnown: true };
  const visit = (node: ts.Node): void => {
    if (!state.isKnown) return;
    if (ts.isCallExpression(node) && isThisCall(ts, node, name, ctx)) {
      calls += 1;
      const read = resultRead(ctx, node, property);
      if (read === null) state.isKnown = false;
      else for (const field of read) fields.add(field);
    }
    ts.forEachChild(node, visit);
  };
  visit(owner);
  return state.isKnown && calls > 0 ? [...fields].sort() : null;
}

function isThisCall(ts: TS, call: ts.CallExpression, name: string, ctx: FileContext): boolean {
  const callee = unwrap(ts, call.expression);
  return (
    ts.isPropertyAccessExpression(callee) &&
    unwrap(ts, callee.expression).kind === ts.SyntaxKind.ThisKeyword &&
    callee.name.getText(ctx.sourceFile) === name
  );
}

/** What one caller reads of a call's result, or of one property of it; null when it is put to other use. */
function resultRead(ctx: FileContext, call: ts.CallExpression, property: string | null): string[] | null {
  const { ts } = ctx;
  const holder = resultHolder(ts, call);
  const parent = parentOf(holder);
  // A result dropped (`await this.refresh()`) reads nothing.
  if (parent && ts.isExpressionStatement(parent)) return [];
  if (!parent || !ts.isVariableDeclaration(parent) || parent.initializer !== holder) return null;
  const scope = enclosingBody(ts, parent);
  if (!scope) return null;
  if (ts.isIdentifier(parent.name)) {
    if (property === null) return usesOf(ts, parent.name, scope, () => null);
    // `result.environment._id`: the property's own reads.
    const name = parent.name;
    return usesOf(ts, name, scope, () => null) === null ? null : propertyUses(ts, name, scope, property);
  }
  if (!ts.isObjectBindingPattern(parent.name)) return null;
  const fields: string[] = [];
  for (const element of parent.name.elements) {
    if (element.dotDotDotToken) return null;
    const key = element.propertyName
      ? propertyNameText(ts, element.propertyName)
      : ts.isIdentifier(element.name)
        ? element.name.text
        : null;
    if (key === null) return null;
    if (property === null) {
      fields.push(key);
      continue;
    }
    if (key !== property) continue;
    if (!ts.isIdentifier(element.name)) return null;
    const read = usesOf(ts, element.name, scope, () => null);
    if (read === null) return null;
    fields.push(...read);
  }
  return fields;
}

/** The properties read of `name.property` in a scope; null when `name.property` is put to other use. */
function propertyUses(ts: TS, name: ts.Identifier, scope: ts.Node, property: string): string[] | null {
  const fields = new Set<string>();
  const state = { isKnown: true };
  const visit = (node: ts.Node): void => {
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === name.text &&
      node.name.text === property
    ) {
      const read = readOf(ts, node);
      if (read === null) state.isKnown = false;
      else if (read !== '') fields.add(read);
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return state.isKnown ? [...fields] : null;
}

/** What a use of a result reads: a property (`env.apiRateLimits`), nothing (a test: `!env`, `if (env)`), or null (anything else). */
function readOf(ts: TS, use: ts.Expression): string | null {
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
