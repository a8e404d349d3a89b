import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { parentOf, unwrap } from '../../ts/syntax.js';
import { declarationOf, objectFunctions } from './declarations.js';

/**
 * TypeORM's custom repositories (`dataSource.getRepository(TaxRate).extend({ listByProduct() { … } })`),
 * as services reach them: through a member declared `typeof TaxRateRepository`, and through
 * `manager.withRepository(this.taxRateRepository_)` in a transaction.
 */

/** How deep a repository is followed through declarations and calls. */
const MAX_DEPTH = 8;

/** An expression in the file that holds it. */
export interface Located {
  readonly expr: ts.Expression;
  readonly ctx: FileContext;
}

/**
 * The repository a call hands on: the one `extend({ … })` is called on, and the one
 * `manager.withRepository(repository)` binds to the manager's transaction.
 */
function handedRepository(ctx: FileContext, call: ts.CallExpression): ts.Expression | null {
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return null;
  if (extension({ expr: call, ctx })) return callee.expression;
  const [first] = call.arguments;
  return callee.name.text === 'withRepository' && first ? first : null;
}

/**
 * The `extend({ … })` call whose object holds the method `this` is written in (a method, or a
 * function expression of a property; arrow functions keep the `this` around them), or null.
 */
function extendingCall(ctx: FileContext, receiver: ts.Expression): ts.CallExpression | null {
  const { ts } = ctx;
  if (unwrap(ts, receiver).kind !== ts.SyntaxKind.ThisKeyword) return null;
  let node = parentOf(receiver);
  while (node && (ts.isArrowFunction(node) || !ts.isFunctionLike(node)) && !ts.isSourceFile(node)) node = parentOf(node);
  if (!node || !(ts.isMethodDeclaration(node) || ts.isFunctionExpression(node))) return null;
  const property = ts.isMethodDeclaration(node) ? node : parentOf(node);
  const object = property && (ts.isMethodDeclaration(property) || ts.isPropertyAssignment(property)) ? parentOf(property) : undefined;
  const call = object && ts.isObjectLiteralExpression(object) ? parentOf(object) : undefined;
  if (!call || !ts.isCallExpression(call) || call.arguments[0] !== object) return null;
  return extension({ expr: call, ctx }) === object ? call : null;
}

/**
 * The next place a repository value is made, one step back: the repository `extend` or
 * `withRepository` is given, the `extend` call `this` is the repository of, and, for a variable or
 * member, the constant its type names (`typeof TaxRateRepository`) or its initial value.
 */
export function repositoryStep({ expr, ctx }: Located): Located | null {
  const { ts } = ctx;
  const bare = unwrap(ts, expr);
  if (ts.isCallExpression(bare)) {
    const handed = handedRepository(ctx, bare);
    return handed ? { expr: handed, ctx } : null;
  }
  const extending = extendingCall(ctx, bare);
  if (extending) return { expr: extending, ctx };
  if (!ts.isIdentifier(bare) && !ts.isPropertyAccessExpression(bare)) return null;
  const declared = declarationOf(ctx, bare);
  if (!declared) return null;
  const type = declared.type;
  if (type && ts.isTypeQueryNode(type) && ts.isIdentifier(type.exprName)) {
    const named = declarationOf(declared.ctx, type.exprName);
    return named?.initializer ? { expr: named.initializer, ctx: named.ctx } : null;
  }
  return declared.initializer ? { expr: declared.initializer, ctx: declared.ctx } : null;
}

/**
 * The function of the project a repository's method runs (`taxRateRepo.listByProduct(…)`): the
 * method of the object the nearest `extend({ … })` along the repository's making gives by that name.
 */
export function repositoryMethod(
  ctx: FileContext,
  receiver: ts.Expression,
  name: string,
): { declaration: ts.FunctionLikeDeclaration; ctx: FileContext; label: string } | null {
  let current: Located | null = { expr: receiver, ctx };
  for (let depth = 0; current && depth < MAX_DEPTH; depth++) {
    const object = extension(current);
    const found = object ? objectFunctions(current.ctx.ts, object.getSourceFile(), object).find((f) => f.name === name) : undefined;
    if (found) return { declaration: found.fn, ctx: current.ctx, label: `${repositoryName(current)}.${name}` };
    current = repositoryStep(current);
  }
  return null;
}

/** The object `base.extend({ … })` gives a repository, where the expression is that call. */
function extension({ expr, ctx }: Located): ts.ObjectLiteralExpression | null {
  const { ts } = ctx;
  const bare = unwrap(ts, expr);
  if (!ts.isCallExpression(bare)) return null;
  const callee = unwrap(ts, bare.expression);
  const first = bare.arguments[0] ? unwrap(ts, bare.arguments[0]) : null;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'extend' && first && ts.isObjectLiteralExpression(first)
    ? first
    : null;
}

/** What a repository is called in messages: the constant it is declared as (`TaxRateRepository`), else `repository`. */
function repositoryName({ expr, ctx }: Located): string {
  const { ts } = ctx;
  let holder = parentOf(expr);
  while (holder && ts.isExpression(holder) && !ts.isCallExpression(holder)) holder = parentOf(holder);
  return holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) ? holder.name.text : 'repository';
}
