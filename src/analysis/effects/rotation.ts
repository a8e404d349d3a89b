import type ts from 'typescript';
import { receiverClass } from '../context.js';
import type { FileContext } from '../context.js';
import { returnedExpression } from '../factories.js';
import { lastName, unwrap } from '../../ts/syntax.js';

/** Calls that make a value no earlier one had: random bytes and ids, the clock. */
const FRESH_MAKERS = new Set([
  'randomBytes',
  'randomUUID',
  'uuid',
  'v4',
  'v7',
  'uuidv4',
  'nanoid',
  'createId',
  'cuid',
  'ulid',
  'newId',
  'generateId',
  'now',
  'random',
]);
/** Methods that turn a value into another form of it (`randomBytes(6).toString('hex')`). */
const FORMS = new Set(['toString', 'slice', 'substring', 'toUpperCase', 'toLowerCase', 'padStart']);

/**
 * Whether an expression makes a value no earlier one had: a random token or id, or the time, as
 * written or through a function of the project that returns one (`this.newEpochToken()`). Stored
 * under a key whose value other keys embed (an epoch, a version), it moves every reader to a new
 * namespace: the old entries are retired, as by a delete.
 */
export function isFreshToken(ctx: FileContext, node: ts.Expression, depth = 0): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  if (depth > 4) return false;
  if (ts.isTemplateExpression(expression)) return expression.templateSpans.some((span) => isFreshToken(ctx, span.expression, depth + 1));
  if (!ts.isCallExpression(expression)) return false;
  const callee = unwrap(ts, expression.expression);
  const name = lastName(ts, callee);
  if (name === null) return false;
  if (FRESH_MAKERS.has(name)) return true;
  if (name === 'String' && expression.arguments[0]) return isFreshToken(ctx, expression.arguments[0], depth + 1);
  if (FORMS.has(name) && ts.isPropertyAccessExpression(callee)) return isFreshToken(ctx, callee.expression, depth + 1);
  const made = projectFunction(ctx, expression, callee);
  const returned = made?.body ? returnedExpression(ts, made.body) : null;
  return returned !== null && isFreshToken(ctx, returned, depth + 1);
}

/** The function of this file or class a call runs (`newToken()`, `this.newToken()`). */
export function projectFunction(ctx: FileContext, call: ts.CallExpression, callee: ts.Expression): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  if (ts.isIdentifier(callee)) return ctx.functions.get(callee.text) ?? null;
  if (!ts.isPropertyAccessExpression(callee)) return null;
  const owner = receiverClass(ctx, unwrap(ts, callee.expression), call);
  const member = owner?.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText() === callee.name.text);
  return member ?? null;
}
