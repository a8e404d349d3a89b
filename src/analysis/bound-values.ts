import type ts from 'typescript';
import { enclosingFunction, parentOf, unwrap } from '../ts/syntax.js';
import { constantInitializer, constantOf } from './context.js';
import type { FileContext } from './context.js';
import { boundArgument } from './env.js';
import type { Bound, Env } from './env.js';

/**
 * What the values a call passes make of a function written for several call shapes: a factory of
 * cached functions taking `(fn, ttl)` or `(name, fn, ttl)` picks its loader and its name with
 * `typeof` tests on its parameters, which the arguments of one call decide.
 */

/** A function of the project a name stands for: one of the file (a wrapped `const` too), or one imported. */
export function namedFunction(ctx: FileContext, name: ts.Identifier): ts.FunctionLikeDeclaration | null {
  return ctx.functions.get(name.text) ?? (ctx.importOf(name.text) ? (ctx.resolver?.resolveIdentifier?.(name)?.[0] ?? null) : null);
}

/** A value followed through the parameters it was passed by, to where it is written. */
export function followedArgument(bound: Bound): Bound {
  let current = bound;
  for (let i = 0; i < 8; i++) {
    const expression = unwrap(current.ctx.ts, current.expr);
    const next = current.ctx.ts.isIdentifier(expression) ? boundArgument(current.ctx, expression, current.env) : null;
    if (!next) return current;
    current = next;
  }
  return current;
}

/** The function a value is, when it is one: written in place (`async (id) => …`), or named (`getProjectById`). */
export function functionValue(value: Bound): { fn: ts.FunctionLikeDeclaration; ctx: FileContext } | null {
  const { ctx } = value;
  const { ts } = ctx;
  const expression = unwrap(ts, value.expr);
  if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) return { fn: expression, ctx };
  if (!ts.isIdentifier(expression)) return null;
  const fn = namedFunction(ctx, expression);
  if (!fn) return null;
  const file = fn.getSourceFile();
  return { fn, ctx: file === ctx.sourceFile ? ctx : ctx.contextOf(file) };
}

/**
 * `typeof value` of a value written in the code, or null when the code does not show it: a string,
 * a number (arithmetic of literals), an object literal, a function.
 */
function typeOfValue(value: Bound, depth = 0): string | null {
  const { ctx } = value;
  const { ts } = ctx;
  const expression = unwrap(ts, value.expr);
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression) || ts.isTemplateExpression(expression))
    return 'string';
  if (ts.isNumericLiteral(expression)) return 'number';
  if (ts.isObjectLiteralExpression(expression) || ts.isArrayLiteralExpression(expression)) return 'object';
  if (functionValue(value)) return 'function';
  if (depth > 4) return null;
  if (ts.isBinaryExpression(expression) && ARITHMETIC(ts).includes(expression.operatorToken.kind)) {
    const left = typeOfValue({ ...value, expr: expression.left }, depth + 1);
    const right = typeOfValue({ ...value, expr: expression.right }, depth + 1);
    return left === 'number' && right === 'number' ? 'number' : null;
  }
  if (!ts.isIdentifier(expression)) return null;
  const constant = constantOf(ctx, expression);
  return constant ? typeOfValue({ expr: constant.init, ctx: constant.ctx, env: null }, depth + 1) : null;
}

const ARITHMETIC = (tsm: FileContext['ts']): readonly ts.SyntaxKind[] => [
  tsm.SyntaxKind.AsteriskToken,
  tsm.SyntaxKind.MinusToken,
  tsm.SyntaxKind.SlashToken,
];

/**
 * The branch of `typeof p === 'function' ? a : b` that the arguments bound to `p` take, or null
 * when they do not decide it.
 */
export function decidedBranch(ctx: FileContext, conditional: ts.ConditionalExpression, env: Env): ts.Expression | null {
  const { ts } = ctx;
  const condition = unwrap(ts, conditional.condition);
  if (env === null || !ts.isBinaryExpression(condition)) return null;
  const operator = condition.operatorToken.kind;
  const isEqual = operator === ts.SyntaxKind.EqualsEqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsToken;
  const isUnequal = operator === ts.SyntaxKind.ExclamationEqualsEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsToken;
  if (!isEqual && !isUnequal) return null;
  const [test, literal] = ts.isTypeOfExpression(condition.left) ? [condition.left, condition.right] : [condition.right, condition.left];
  if (!ts.isTypeOfExpression(test) || !ts.isStringLiteral(literal)) return null;
  const operand = unwrap(ts, test.expression);
  const bound = ts.isIdentifier(operand) ? boundArgument(ctx, operand, env) : null;
  const type = bound ? typeOfValue(followedArgument(bound)) : null;
  if (type === null) return null;
  return (type === literal.text) === isEqual ? conditional.whenTrue : conditional.whenFalse;
}

/**
 * `fn.name` of a parameter bound to a function: the name JavaScript gives it (its declared name, or
 * the `const` it is written in), empty for one written in place without a name. Null otherwise.
 */
export function boundFunctionName(ctx: FileContext, expression: ts.Expression, env: Env): string | null {
  const { ts } = ctx;
  if (env === null || !ts.isPropertyAccessExpression(expression) || expression.name.text !== 'name') return null;
  const object = unwrap(ts, expression.expression);
  const bound = ts.isIdentifier(object) ? boundArgument(ctx, object, env) : null;
  if (!bound) return null;
  const value = followedArgument(bound);
  const written = unwrap(value.ctx.ts, value.expr);
  const found = functionValue(value);
  if (!found) return null;
  const { fn } = found;
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) return fn.name.text;
  if (fn === written) return '';
  // A function held by a `const` of its own name (`const getProject = async (id) => …`); not a wrapped one.
  const holder = parentOf(fn);
  return holder && ts.isVariableDeclaration(holder) && holder.initializer === fn && ts.isIdentifier(holder.name) ? holder.name.text : null;
}

/**
 * The values a `let` of a function is given (`let expireInSec = null`, then `expireInSec =
 * typeof ttlOrOptions === 'number' ? ttlOrOptions : null` in the branches of each call shape): its
 * initializer and every assignment in the function that declares it. Null for any other name.
 */
export function assignedValues(ctx: FileContext, name: ts.Identifier): ts.Expression[] | null {
  const { ts } = ctx;
  for (let scope = parentOf(name); scope && !ts.isSourceFile(scope); scope = parentOf(scope)) {
    if (!ts.isFunctionLike(scope) || !('body' in scope) || !scope.body) continue;
    const body = scope.body as ts.Node;
    const values: ts.Expression[] = [];
    const declarations: boolean[] = [];
    const visit = (node: ts.Node): void => {
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        node.name.text === name.text &&
        ts.isVariableDeclarationList(node.parent)
      ) {
        declarations.push((node.parent.flags & ts.NodeFlags.Let) !== 0);
        if (node.initializer) values.push(node.initializer);
      }
      if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isIdentifier(node.left) &&
        node.left.text === name.text
      ) {
        values.push(node.right);
      }
      ts.forEachChild(node, visit);
    };
    visit(body);
    if (declarations.some((isLet) => isLet)) return values;
  }
  return null;
}

/** A `const` of the function being read (`const prefix = \`cachable:${name}\``): its value, with the arguments in force. */
export function localConstant(ctx: FileContext, expression: ts.Expression, env: Env): Bound | null {
  const { ts } = ctx;
  if (env === null || !ts.isIdentifier(expression)) return null;
  const init = constantInitializer(ctx, expression);
  return init && enclosingFunction(ts, init) ? { expr: init, ctx, env } : null;
}

/** A function held by a `const` of the function being read (`const getKey = (...args) => \`${prefix}:${stringify(args)}\``). */
export function localFunction(ctx: FileContext, name: ts.Identifier): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  const init = constantInitializer(ctx, name);
  const value = init && enclosingFunction(ts, init) ? unwrap(ts, init) : null;
  return value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) ? value : null;
}
