import type ts from 'typescript';
import { parentOf, unwrap } from './syntax.js';
import type { TS } from './syntax.js';

/**
 * Whether `node` runs only where the variable `name` holds a value: under `if (name && …)`, on the
 * right of `name && …`, after `if (!name) return …` in a block that holds it, or where `name` is
 * tested against `null` or `undefined` so. Looked for up to the function that holds `node`.
 */
export function runsOnlyWith(ts: TS, node: ts.Node, name: string): boolean {
  let child: ts.Node = node;
  let parent = parentOf(child);
  while (parent && !ts.isFunctionLike(parent) && !ts.isSourceFile(parent)) {
    if (ts.isIfStatement(parent) && parent.thenStatement === child && conjuncts(ts, parent.expression).some((c) => isPresent(ts, c, name)))
      return true;
    if (
      ts.isBinaryExpression(parent) &&
      parent.right === child &&
      parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken &&
      conjuncts(ts, parent.left).some((c) => isPresent(ts, c, name))
    )
      return true;
    if (
      ts.isConditionalExpression(parent) &&
      parent.whenTrue === child &&
      conjuncts(ts, parent.condition).some((c) => isPresent(ts, c, name))
    )
      return true;
    if (ts.isBlock(parent) && leftEarlyWithout(ts, parent, child, name)) return true;
    child = parent;
    parent = parentOf(child);
  }
  return false;
}

/** The terms of a condition joined by `&&`. */
function conjuncts(ts: TS, condition: ts.Expression): ts.Expression[] {
  const bare = unwrap(ts, condition);
  if (ts.isBinaryExpression(bare) && bare.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)
    return [...conjuncts(ts, bare.left), ...conjuncts(ts, bare.right)];
  return [bare];
}

/** `name`, `!!name`, `name !== null`, `name != undefined`: true only where `name` holds a value. */
function isPresent(ts: TS, term: ts.Expression, name: string): boolean {
  const bare = unwrap(ts, term);
  if (ts.isIdentifier(bare)) return bare.text === name;
  if (ts.isPrefixUnaryExpression(bare) && bare.operator === ts.SyntaxKind.ExclamationToken) return isAbsent(ts, bare.operand, name);
  return isComparedToNothing(ts, bare, name, false);
}

/** `!name`, `name === null`, `name == undefined`, `!name || …`: true where `name` holds no value (its whole condition false elsewhere). */
function isAbsent(ts: TS, term: ts.Expression, name: string): boolean {
  const bare = unwrap(ts, term);
  if (ts.isBinaryExpression(bare) && bare.operatorToken.kind === ts.SyntaxKind.BarBarToken)
    return isAbsent(ts, bare.left, name) || isAbsent(ts, bare.right, name);
  if (ts.isPrefixUnaryExpression(bare) && bare.operator === ts.SyntaxKind.ExclamationToken) return isPresent(ts, bare.operand, name);
  return isComparedToNothing(ts, bare, name, true);
}

function isComparedToNothing(ts: TS, expr: ts.Expression, name: string, isEqual: boolean): boolean {
  if (!ts.isBinaryExpression(expr)) return false;
  const kind = expr.operatorToken.kind;
  const equal = kind === ts.SyntaxKind.EqualsEqualsEqualsToken || kind === ts.SyntaxKind.EqualsEqualsToken;
  const unequal = kind === ts.SyntaxKind.ExclamationEqualsEqualsToken || kind === ts.SyntaxKind.ExclamationEqualsToken;
  if (isEqual ? !equal : !unequal) return false;
  const [left, right] = [unwrap(ts, expr.left), unwrap(ts, expr.right)];
  const isName = (e: ts.Expression): boolean => ts.isIdentifier(e) && e.text === name;
  return (isName(left) && isNothing(ts, right)) || (isName(right) && isNothing(ts, left));
}

/** `null` or `undefined`, as written. */
export function isNothing(ts: TS, expr: ts.Expression): boolean {
  return expr.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(expr) && expr.text === 'undefined');
}

/** Whether a statement always leaves the function: a return or a throw, last in its block. */
export function exits(ts: TS, statement: ts.Statement): boolean {
  if (ts.isReturnStatement(statement) || ts.isThrowStatement(statement)) return true;
  if (!ts.isBlock(statement)) return false;
  const last = statement.statements[statement.statements.length - 1];
  return last !== undefined && exits(ts, last);
}

/** Whether a statement of the block before `child` leaves it where `name` holds no value (`if (!name) return null;`). */
function leftEarlyWithout(ts: TS, block: ts.Block, child: ts.Node, name: string): boolean {
  for (const statement of block.statements) {
    if (statement === child) return false;
    if (!ts.isIfStatement(statement) || statement.elseStatement) continue;
    if (exits(ts, statement.thenStatement) && isAbsent(ts, statement.expression, name)) return true;
  }
  return false;
}
