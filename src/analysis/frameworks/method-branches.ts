import type ts from 'typescript';
import { staticString } from '../context.js';
import { unwrap } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import { HTTP_METHODS } from './code-handler.js';

/** One method branch of a handler: the method, where it is written, the code that runs for it. */
export interface Branch {
  readonly method: string;
  readonly nameNode: ts.Node;
  readonly body: ts.Node;
  readonly fn: ts.FunctionLikeDeclaration;
}

/** `req.method`, `request.method`, or a `method` variable (`const { method } = req`). */
function isMethodRead(ctx: FileContext, expression: ts.Expression): boolean {
  const { ts } = ctx;
  const node = unwrap(ts, expression);
  if (ts.isPropertyAccessExpression(node)) return node.name.text === 'method';
  return ts.isIdentifier(node) && node.text === 'method';
}

/** The methods a condition tests, and whether it tests for them or against them. */
function testedMethods(
  ctx: FileContext,
  condition: ts.Expression,
): { methods: { method: string; node: ts.Node }[]; isNegated: boolean } | null {
  const { ts } = ctx;
  const node = unwrap(ts, condition);
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    const isEquality = operator === ts.SyntaxKind.EqualsEqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsToken;
    const isInequality = operator === ts.SyntaxKind.ExclamationEqualsEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsToken;
    if (isEquality || isInequality) {
      const literal = isMethodRead(ctx, node.left) ? node.right : isMethodRead(ctx, node.right) ? node.left : null;
      const method = literal ? staticString(ctx, literal)?.toUpperCase() : undefined;
      return literal && method && HTTP_METHODS.has(method) ? { methods: [{ method, node: literal }], isNegated: isInequality } : null;
    }
    // req.method === 'PUT' || req.method === 'PATCH'
    const isOr = operator === ts.SyntaxKind.BarBarToken;
    if (isOr || operator === ts.SyntaxKind.AmpersandAmpersandToken) {
      const left = testedMethods(ctx, node.left);
      const right = testedMethods(ctx, node.right);
      if (left && right && left.isNegated === right.isNegated && left.isNegated === !isOr)
        return { methods: [...left.methods, ...right.methods], isNegated: left.isNegated };
    }
    return null;
  }
  // ['PUT', 'PATCH'].includes(req.method)
  if (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    node.expression.name.text === 'includes' &&
    node.arguments[0] &&
    isMethodRead(ctx, node.arguments[0])
  ) {
    const list = unwrap(ts, node.expression.expression);
    if (!ts.isArrayLiteralExpression(list)) return null;
    const methods = list.elements.flatMap((e) => {
      const method = staticString(ctx, e)?.toUpperCase();
      return method && HTTP_METHODS.has(method) ? [{ method, node: e }] : [];
    });
    return methods.length > 0 ? { methods, isNegated: false } : null;
  }
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = testedMethods(ctx, node.operand);
    return inner ? { ...inner, isNegated: !inner.isNegated } : null;
  }
  return null;
}

/** Whether a statement ends the request (`return …`, `throw …`, or a block that ends with one). */
function isExit(ctx: FileContext, statement: ts.Statement): boolean {
  const { ts } = ctx;
  if (ts.isReturnStatement(statement) || ts.isThrowStatement(statement)) return true;
  if (ts.isBlock(statement)) {
    const last = statement.statements.at(-1);
    return last !== undefined && isExit(ctx, last);
  }
  return false;
}

/** The method branches of a handler's body: `if` chains, `switch (req.method)`, a guard that rejects the other methods. */
export function branchesOf(ctx: FileContext, fn: ts.FunctionLikeDeclaration): Branch[] {
  const { ts } = ctx;
  const body = fn.body;
  if (!body || !ts.isBlock(body)) return [];
  const branches: Branch[] = [];
  const guarded = new Set<ts.Node>();
  const visit = (node: ts.Node): void => {
    if ((ts.isFunctionLike(node) && node !== fn) || guarded.has(node.parent)) return;
    if (ts.isIfStatement(node)) {
      const tested = testedMethods(ctx, node.expression);
      if (tested && !tested.isNegated) {
        for (const { method, node: nameNode } of tested.methods) branches.push({ method, nameNode, body: node.thenStatement, fn });
        if (node.elseStatement) visit(node.elseStatement);
        return;
      }
      if (tested?.isNegated && isExit(ctx, node.thenStatement)) {
        // if (req.method !== 'POST') return res.status(405).end(); — the rest of the block serves
        // POST (the block is walked whole: the guard itself only answers).
        const block = node.parent;
        if (ts.isBlock(block)) {
          for (const { method, node: nameNode } of tested.methods) branches.push({ method, nameNode, body: block, fn });
          // The checks after the guard only split what it already serves.
          guarded.add(block);
        }
        return;
      }
    }
    if (ts.isSwitchStatement(node) && isMethodRead(ctx, node.expression)) {
      let pending: { method: string; node: ts.Node }[] = [];
      for (const clause of node.caseBlock.clauses) {
        if (ts.isCaseClause(clause)) {
          const method = staticString(ctx, clause.expression)?.toUpperCase();
          if (method && HTTP_METHODS.has(method)) pending.push({ method, node: clause.expression });
        }
        if (clause.statements.length === 0) continue;
        for (const { method, node: nameNode } of pending) branches.push({ method, nameNode, body: clause, fn });
        pending = [];
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return branches;
}

/**
 * The statements that run for the methods no branch names: after a top-level chain of method
 * checks without a final `else` (`if (req.method === 'OPTIONS') return …;` then the handler
 * proper), unless they only answer 405. Empty when every method is accounted for, or a guard says
 * which methods get through.
 */
export function restAfterBranches(ctx: FileContext, fn: ts.FunctionLikeDeclaration): ts.Statement[] {
  const { ts } = ctx;
  const body = fn.body;
  if (!body || !ts.isBlock(body)) return [];
  let last = -1;
  let isGuarded = false;
  for (const [index, statement] of body.statements.entries()) {
    if (!ts.isIfStatement(statement)) continue;
    const tested = testedMethods(ctx, statement.expression);
    if (tested && !tested.isNegated) last = index;
    // A guard (`if (req.method !== 'POST') return …`) says which methods the rest serves.
    if (tested?.isNegated) isGuarded = true;
  }
  if (isGuarded) return [];
  const chain = body.statements[last];
  if (last === -1 || !chain || !ts.isIfStatement(chain)) return [];
  let tail: ts.IfStatement = chain;
  while (tail.elseStatement && ts.isIfStatement(tail.elseStatement)) tail = tail.elseStatement;
  if (tail.elseStatement) return [];
  const rest = body.statements.slice(last + 1);
  return rest.some((statement) => !isResponseOnly(ctx, statement)) ? [...rest] : [];
}

/** Calls that only build an answer: `json(…)`, `data(…)`, `redirect('/')`, `error(405)`. */
const ANSWERS = new Set(['json', 'data', 'redirect', 'error', 'text']);

/** `res.setHeader('Allow', …)`, `return res.status(405).end()`, `return new Response(null, { status: 405 })`, `throw …`: an answer, no work. */
function isResponseOnly(ctx: FileContext, statement: ts.Statement): boolean {
  const { ts } = ctx;
  if (ts.isThrowStatement(statement)) return true;
  const expression = ts.isExpressionStatement(statement)
    ? statement.expression
    : ts.isReturnStatement(statement)
      ? statement.expression
      : undefined;
  if (!expression) return ts.isReturnStatement(statement);
  let node = unwrap(ts, expression);
  if (ts.isNewExpression(node) || (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && ANSWERS.has(node.expression.text))) {
    return !(node.arguments ?? []).some((arg) => doesWork(ctx, arg));
  }
  while (ts.isCallExpression(node) || ts.isPropertyAccessExpression(node) || ts.isAwaitExpression(node)) node = unwrap(ts, node.expression);
  return ts.isIdentifier(node) && /^(res|response|reply)$/.test(node.text);
}

/** Whether an expression calls or awaits anything (`json(await load())` does work; `json({ ok: false })` does not). */
function doesWork(ctx: FileContext, node: ts.Node): boolean {
  const { ts } = ctx;
  if (ts.isCallExpression(node) || ts.isAwaitExpression(node) || ts.isNewExpression(node)) return true;
  return ts.forEachChild(node, (child) => (doesWork(ctx, child) ? true : undefined)) === true;
}
