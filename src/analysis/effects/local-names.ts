/**
 * Where the names of a function are declared and whether the values they hold change after they are
 * made: what the shapes of a cached value (see `entry-shapes.ts`) must know of a function's locals.
 */
import type ts from 'typescript';
import { bindsName, enclosingFunction, propertyNameText, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';

/**
 * A variable's declaration, with the property it takes apart of its value (`const { orgId } = …`),
 * or `isWhole` where it takes its part otherwise (`const [user, password] = …`, a rest): what is
 * made of the whole value.
 */
export type Declared = { declaration: ts.VariableDeclaration; property: string | null; isWhole?: true } | 'parameter' | 'unknown' | null;

/**
 * Where a name is declared in a function (not a nested one's): a variable never assigned again
 * (see `Declared`), a parameter, another (a `let` assigned again, a loop's or a `catch`'s: unknown),
 * or not in the function (null: a module's name, nothing of the row).
 */
export function declarationIn(ts: TS, fn: ts.FunctionLikeDeclaration, name: string): Declared {
  if (fn.parameters.some((p) => bindsName(ts, p.name, name))) return 'parameter';
  let found: Declared = null;
  const visit = (node: ts.Node): void => {
    if (found !== null || (ts.isFunctionLike(node) && node !== fn)) return;
    if (ts.isVariableDeclaration(node) && bindsName(ts, node.name, name)) {
      const isConst = ts.isVariableDeclarationList(node.parent) && (node.parent.flags & ts.NodeFlags.Const) !== 0;
      const property = ts.isIdentifier(node.name) ? null : takenProperty(ts, node.name, name);
      if (!isConst && isAssignedIn(ts, fn, name)) found = 'unknown';
      else found = property === undefined ? { declaration: node, property: null, isWhole: true } : { declaration: node, property };
      return;
    }
    if ((ts.isCatchClause(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) && declaresIn(ts, node, name)) {
      found = 'unknown';
      return;
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

function declaresIn(ts: TS, node: ts.CatchClause | ts.ForOfStatement | ts.ForInStatement, name: string): boolean {
  if (ts.isCatchClause(node)) return node.variableDeclaration !== undefined && bindsName(ts, node.variableDeclaration.name, name);
  const list = node.initializer;
  return ts.isVariableDeclarationList(list) && list.declarations.some((d) => bindsName(ts, d.name, name));
}

/** The property a top-level `{ name }` / `{ key: name }` takes apart; undefined for a rest, a nested or an array pattern. */
function takenProperty(ts: TS, pattern: ts.BindingPattern, name: string): string | undefined {
  if (!ts.isObjectBindingPattern(pattern)) return undefined;
  const element = pattern.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === name);
  if (!element || element.dotDotDotToken || element.initializer) return undefined;
  return element.propertyName ? (propertyNameText(ts, element.propertyName) ?? undefined) : name;
}

/** The calls that change the value they are made on. */
const CHANGING = new Set(['push', 'unshift', 'splice', 'set', 'add', 'assign']);

/** Whether a value is an object or a list written where it is held, which code handed it may fill in. */
export function isBuiltHere(ts: TS, value: ts.Expression): boolean {
  const bare = unwrap(ts, value);
  return ts.isObjectLiteralExpression(bare) || ts.isArrayLiteralExpression(bare);
}

/**
 * Whether a function (or one nested in it) assigns into the value a name holds, or calls a method
 * that changes it; with `isHandedOn`, also where it hands the value to a call or another name
 * (`setPlan(value, row)`, `const alias = value`), which may change it.
 */
export function isChangedIn(ts: TS, fn: ts.FunctionLikeDeclaration, name: string, isHandedOn = false): boolean {
  const isRootedAt = (expr: ts.Expression): boolean => {
    let current = unwrap(ts, expr);
    while (ts.isPropertyAccessExpression(current) || ts.isElementAccessExpression(current)) current = unwrap(ts, current.expression);
    return ts.isIdentifier(current) && current.text === name;
  };
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    const kind = ts.isBinaryExpression(node) ? node.operatorToken.kind : null;
    const isAssignment = kind !== null && kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
    if (isAssignment && ts.isBinaryExpression(node) && !ts.isIdentifier(unwrap(ts, node.left))) found = isRootedAt(node.left);
    else if (isHandedOn && ts.isIdentifier(node) && node.text === name) found = isHanded(ts, node);
    else if (ts.isCallExpression(node)) {
      const callee = unwrap(ts, node.expression);
      const isMethod = ts.isPropertyAccessExpression(callee) && CHANGING.has(callee.name.text);
      const [first] = node.arguments;
      found =
        (isMethod &&
          ts.isIdentifier(callee.expression) &&
          callee.expression.text === 'Object' &&
          first !== undefined &&
          isRootedAt(first)) ||
        (isMethod && isRootedAt(callee.expression));
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** Whether a name is a variable of a function that the use is written in, past the innermost one, or a parameter of one that assigns it. */
export function isOuterLocal(ts: TS, name: ts.Identifier): boolean {
  for (let fn = enclosingFunction(ts, name); fn; fn = enclosingFunction(ts, fn)) {
    const declared = declarationIn(ts, fn as ts.FunctionLikeDeclaration, name.text);
    // A parameter of an outer function holds what it was called with, before any read of this one (unless assigned).
    if (declared === 'parameter') return isAssignedIn(ts, fn as ts.FunctionLikeDeclaration, name.text);
    if (declared !== null) return true;
  }
  return false;
}

/** Whether a function (or one nested in it) assigns a name anew (`hash = row.hash`). */
function isAssignedIn(ts: TS, fn: ts.FunctionLikeDeclaration, name: string): boolean {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    const kind = ts.isBinaryExpression(node) ? node.operatorToken.kind : null;
    if (ts.isBinaryExpression(node) && kind !== null && kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment) {
      const target = unwrap(ts, node.left);
      found = ts.isIdentifier(target) && target.text === name;
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** Whether a name's value is handed to a call (but `JSON.stringify`) or held by another name. */
function isHanded(ts: TS, use: ts.Identifier): boolean {
  let value: ts.Node = use;
  let parent = value.parent as ts.Node | undefined;
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent))) {
    value = parent;
    parent = parent.parent;
  }
  if (!parent) return false;
  if (ts.isVariableDeclaration(parent) && parent.initializer === value) return true;
  if (ts.isBinaryExpression(parent) && parent.right === value && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
  return ts.isCallExpression(parent) && parent.arguments.some((a) => a === value) && parent.expression.getText() !== 'JSON.stringify';
}
