import type ts from 'typescript';
import { enclosingClass, propertyNameText, unwrap } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import { declarationOf } from './declarations.js';

const MAX_DEPTH = 4;

/**
 * Whether a receiver is a memo that lives no longer than one call or one request, so that nothing
 * it holds can be stale for the next one: a `Map` made in the function that uses it (`const seen =
 * new Map()`), or the one a `WeakMap` keeps for an object (`this.caches.get(ctx)`: per request
 * context), also through a method of the class that returns it (`this.getContextCache(ctx)`).
 * A `Map` of a module or a class lives as long as the process: a cache, not a memo.
 */
export function isScopedMemo(ctx: FileContext, receiver: ts.Expression, depth = 0): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, receiver);
  if (depth > MAX_DEPTH || !ts.isIdentifier(expression)) return false;
  const declared = declarationOf(ctx, expression, false);
  if (!declared || declared.parameterOf || !declared.initializer || !isInFunction(ctx, expression.text)) return false;
  return isScopedValue(ctx, declared.initializer, depth);
}

/** Whether `name` is not a variable of the module (so one of the function's). */
function isInFunction(ctx: FileContext, name: string): boolean {
  const { ts } = ctx;
  return !ctx.sourceFile.statements.some(
    (s) => ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name),
  );
}

/** A value made for this call (`new Map()`), got from a `WeakMap` for an object, or returned by an own method that gives one. */
function isScopedValue(ctx: FileContext, value: ts.Expression, depth: number): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, value);
  if (ts.isNewExpression(expression)) return isMapClass(ctx, expression.expression);
  if (!ts.isCallExpression(expression)) return false;
  const callee = unwrap(ts, expression.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  if (callee.name.text === 'get' && isWeakMap(ctx, callee.expression)) return true;
  if (unwrap(ts, callee.expression).kind !== ts.SyntaxKind.ThisKeyword) return false;
  const method = enclosingClass(ts, expression)?.members.find(
    (m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !!m.body && propertyNameText(ts, m.name) === callee.name.text,
  );
  const returned = method?.body?.statements.filter((s): s is ts.ReturnStatement => ts.isReturnStatement(s) && !!s.expression) ?? [];
  return returned.length > 0 && returned.every((r) => r.expression !== undefined && isScopedMemo(ctx, r.expression, depth + 1));
}

function isMapClass(ctx: FileContext, callee: ts.Expression): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, callee);
  return ts.isIdentifier(expression) && (expression.text === 'Map' || expression.text === 'WeakMap') && !ctx.importOf(expression.text);
}

/** `this.caches` or `caches` initialised with `new WeakMap()`. */
function isWeakMap(ctx: FileContext, receiver: ts.Expression): boolean {
  const { ts } = ctx;
  const declared = declarationOf(ctx, receiver, false);
  const init = declared?.initializer ? unwrap(ts, declared.initializer) : null;
  if (!init || !ts.isNewExpression(init)) return false;
  const callee = unwrap(ts, init.expression);
  return ts.isIdentifier(callee) && callee.text === 'WeakMap' && !ctx.importOf('WeakMap');
}
