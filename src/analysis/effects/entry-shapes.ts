/**
 * How a value a loader hands the cache is made of the row its one read finds: the row as found,
 * an object built of its fields (`{ ...row, orgId }`, `{ key: row, api: row.keyAuth.api }`), or a
 * value computed from some of them (`planOf(row.organization.cloudConfig)`). The paths readers use
 * of the value map back, through it, to the paths of the row they depend on.
 */
import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { isNothing } from '../../ts/guards.js';
import { propertyNameText, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import { declarationIn, isBuiltHere, isChangedIn, isOuterLocal } from './local-names.js';
import { projectFunction } from './rotation.js';

/** A value as made of the row: the row's value at a path, an object of entries, or one computed from some paths of the row. */
export type Shape =
  | { readonly kind: 'row'; readonly path: readonly string[] }
  | { readonly kind: 'object'; readonly entries: readonly ObjectEntry[] }
  | { readonly kind: 'from'; readonly paths: readonly string[] };

/** A property of an object literal (`name: …`), or a spread (`...row`), in the order written: a later one wins. */
type ObjectEntry = { readonly name: string; readonly shapes: readonly Shape[] } | { readonly spread: readonly Shape[] };

/** Where a value is read: the function, the row's read in it, what its parameters are bound to. */
export interface ShapeScope {
  readonly ctx: FileContext;
  readonly fn: ts.FunctionLikeDeclaration;
  /** The call of the data layer whose result is the row (in `fn`'s own body), or null where only parameters bring it. */
  readonly row: ts.Node | null;
  /** A callee's parameters, bound to the shapes of its caller's arguments. */
  readonly params: ReadonlyMap<string, readonly Shape[]>;
  /** A value that is the cache's own entry (a hit handed on), which shapes nothing. */
  readonly isEntry?: (expr: ts.Expression) => boolean;
  readonly depth: number;
}

/** How deep calls of the project's functions, and names for values, are followed. */
const MAX_DEPTH = 3;
const MAX_HOPS = 32;

/** The calls that hand on what they are given, checked (`Schema.parse(value)`). */
const PASSING = new Set(['parse', 'parseAsync']);

/** The values a function returns: each side of every `return` (see `alternatives`), a miss left out. */
export function returnedValues(ts: TS, fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  return returns(ts, fn).flatMap((value) => alternatives(ts, value));
}

function returns(ts: TS, fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  const body = fn.body;
  if (!body) return [];
  if (!ts.isBlock(body)) return [body];
  const values: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isReturnStatement(node) && node.expression) values.push(node.expression);
    if (!ts.isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return values;
}

/**
 * The shapes of what a function returns, each value but the cache's own entry, with what the tests
 * that choose between them depend on; null when it returns nothing else.
 */
export function returnedShapes(scope: ShapeScope): Shape[] | null {
  const { ts } = scope.ctx;
  const shapes: Shape[] = [];
  let isAny = false;
  for (const value of returns(ts, scope.fn)) {
    const sides = alternatives(ts, value).filter((side) => scope.isEntry?.(side) !== true);
    if (sides.length === 0) continue;
    isAny = true;
    shapes.push(...sides.flatMap((side) => shapesOf(scope, side, 0)));
    for (const test of tests(ts, value)) shapes.push({ kind: 'from', paths: testPaths(scope, test, 0) });
  }
  // A guard decides whether a value is returned at all (`if (row.deletedAt) return null`).
  shapes.push({ kind: 'from', paths: guardPaths(scope) });
  return isAny ? shapes : null;
}

/**
 * The paths of the row the function's own branches test (`if`, `switch` and its cases, loops, a
 * statement `row.revoked && fail()`), with what a statement call tests (`assertActive(row)`): they
 * decide whether the function returns, and what.
 */
function guardPaths(scope: ShapeScope): string[] {
  const { ts } = scope.ctx;
  const paths: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    const tested =
      ts.isIfStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isSwitchStatement(node) || ts.isCaseClause(node)
        ? node.expression
        : ts.isForStatement(node)
          ? node.condition
          : ts.isExpressionStatement(node)
            ? joinedLeft(ts, node.expression)
            : undefined;
    if (tested) paths.push(...testPaths(scope, tested, 0));
    if (ts.isExpressionStatement(node)) paths.push(...calledGuards(scope, unwrap(ts, node.expression)));
    ts.forEachChild(node, visit);
  };
  if (scope.fn.body) ts.forEachChild(scope.fn.body, visit);
  return paths;
}

/** The test of `a && b` or `a || b` (`a`), for a statement that runs `b` only on it. */
function joinedLeft(ts: TS, expr: ts.Expression): ts.Expression | undefined {
  const bare = unwrap(ts, expr);
  const isJoined =
    ts.isBinaryExpression(bare) &&
    (bare.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || bare.operatorToken.kind === ts.SyntaxKind.BarBarToken);
  return isJoined ? bare.left : undefined;
}

/**
 * What a call made as a statement tests of the row: the guards of a function of the file it runs,
 * its parameters bound to the arguments, or the tests of the row it is given (`assert(row.active)`,
 * `invariant(!row.revoked)`; not a value made of the row, as a log line takes it).
 */
function calledGuards(scope: ShapeScope, expr: ts.Expression): string[] {
  const { ctx } = scope;
  const { ts } = ctx;
  if (!ts.isCallExpression(expr)) return [];
  const made = scope.depth < MAX_DEPTH ? projectFunction(ctx, expr, unwrap(ts, expr.expression)) : null;
  if (made && made.getSourceFile() === ctx.sourceFile && made.parameters.every((p) => ts.isIdentifier(p.name) && !p.dotDotDotToken)) {
    const params = new Map<string, readonly Shape[]>();
    made.parameters.forEach((p, i) => {
      const argument = expr.arguments[i];
      params.set((p.name as ts.Identifier).text, argument ? shapesOf(scope, argument, 1) : []);
    });
    return guardPaths({ ctx, fn: made, row: null, params, depth: scope.depth + 1 });
  }
  const isTest = (argument: ts.Expression): boolean => {
    const bare = unwrap(ts, argument);
    return ts.isPropertyAccessExpression(bare) || ts.isPrefixUnaryExpression(bare) || ts.isBinaryExpression(bare);
  };
  return expr.arguments.flatMap((argument) => (isTest(argument) ? testPaths(scope, argument, 0) : []));
}

/**
 * The paths of the row that a function's branches test before a node, and those it is written
 * under: what decides whether the node runs (`if (row && !row.revoked) set(key, '1')`).
 */
export function testedBefore(ctx: FileContext, fn: ts.FunctionLikeDeclaration, node: ts.Node, row: ts.Node): string[] {
  const { ts } = ctx;
  const scope: ShapeScope = { ctx, fn, row, params: new Map(), depth: 0 };
  const paths: string[] = [];
  const visit = (current: ts.Node): void => {
    if (ts.isFunctionLike(current) || current.getStart() > node.getStart()) return;
    const tested = ts.isIfStatement(current)
      ? current.expression
      : ts.isConditionalExpression(current)
        ? current.condition
        : ts.isBinaryExpression(current)
          ? joinedLeft(ts, current)
          : undefined;
    if (tested) paths.push(...testPaths(scope, tested, 0));
    ts.forEachChild(current, visit);
  };
  if (fn.body) ts.forEachChild(fn.body, visit);
  return paths;
}

/** The tests of the conditionals an expression chooses its value by (`c` of `c ? a : b`). */
function tests(ts: TS, expr: ts.Expression): ts.Expression[] {
  const bare = unwrap(ts, expr);
  return ts.isConditionalExpression(bare) ? [bare.condition, ...tests(ts, bare.whenTrue), ...tests(ts, bare.whenFalse)] : [];
}

/** The paths of the row a test depends on: none where it tests whether the row was found (`row ?`, `!row`, `row === null`). */
function testPaths(scope: ShapeScope, test: ts.Expression, hops: number): string[] {
  const { ts } = scope.ctx;
  let operand = unwrap(ts, test);
  while (ts.isPrefixUnaryExpression(operand) && operand.operator === ts.SyntaxKind.ExclamationToken) operand = unwrap(ts, operand.operand);
  const joined =
    ts.isBinaryExpression(operand) &&
    (operand.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || operand.operatorToken.kind === ts.SyntaxKind.BarBarToken)
      ? operand
      : null;
  if (joined) return [...testPaths(scope, joined.left, hops + 1), ...testPaths(scope, joined.right, hops + 1)];
  if (ts.isBinaryExpression(operand) && isNothing(ts, unwrap(ts, operand.right))) operand = unwrap(ts, operand.left);
  const shapes = shapesOf(scope, operand, hops + 1);
  return shapes.every((s) => s.kind === 'row' && s.path.length === 0) ? [] : dependencies(scope, test, hops);
}

/** The values an expression may be: each side of `c ? a : b` and of `a ?? b`, without a miss (`null`). */
function alternatives(ts: TS, expr: ts.Expression): ts.Expression[] {
  const bare = unwrap(ts, expr);
  if (isNothing(ts, bare)) return [];
  if (ts.isConditionalExpression(bare)) return [...alternatives(ts, bare.whenTrue), ...alternatives(ts, bare.whenFalse)];
  const isFallback =
    ts.isBinaryExpression(bare) &&
    (bare.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || bare.operatorToken.kind === ts.SyntaxKind.BarBarToken);
  return isFallback ? [...alternatives(ts, bare.left), ...alternatives(ts, bare.right)] : [bare];
}

/** The shapes a value written in the scope's function may have. */
export function valueShapes(scope: ShapeScope, expr: ts.Expression): Shape[] {
  return shapesOf(scope, expr, 0);
}

/** The shapes a value may have. */
function shapesOf(scope: ShapeScope, expr: ts.Expression, hops: number): Shape[] {
  const { ts } = scope.ctx;
  const bare = unwrap(ts, expr);
  if (hops > MAX_HOPS) return [{ kind: 'from', paths: ['*'] }];
  if (scope.row !== null && bare === scope.row) return [{ kind: 'row', path: [] }];
  if (ts.isConditionalExpression(bare)) {
    const sides = [bare.whenTrue, bare.whenFalse].flatMap((side) => shapesOf(scope, side, hops + 1));
    return [...sides, { kind: 'from', paths: testPaths(scope, bare.condition, hops) }];
  }
  const sides = alternatives(ts, bare);
  if (sides.length !== 1 || sides[0] !== bare) return sides.flatMap((side) => shapesOf(scope, side, hops + 1));
  if (ts.isIdentifier(bare)) return nameShapes(scope, bare, hops);
  if (ts.isPropertyAccessExpression(bare)) return shapesOf(scope, bare.expression, hops + 1).flatMap((s) => member(s, bare.name.text));
  if (ts.isElementAccessExpression(bare) && ts.isStringLiteralLike(bare.argumentExpression)) {
    const key = bare.argumentExpression.text;
    return shapesOf(scope, bare.expression, hops + 1).flatMap((s) => member(s, key));
  }
  // A property named at run time may be any of the value's.
  if (ts.isElementAccessExpression(bare))
    return [
      {
        kind: 'from',
        paths: [...allPaths(shapesOf(scope, bare.expression, hops + 1)), ...dependencies(scope, bare.argumentExpression, hops)],
      },
    ];
  if (ts.isObjectLiteralExpression(bare)) return [objectShape(scope, bare, hops)];
  if (ts.isCallExpression(bare)) return callShapes(scope, bare, hops);
  return [{ kind: 'from', paths: dependencies(scope, bare, hops) }];
}

function objectShape(scope: ShapeScope, object: ts.ObjectLiteralExpression, hops: number): Shape {
  const { ts } = scope.ctx;
  const entries: ObjectEntry[] = [];
  for (const property of object.properties) {
    if (ts.isSpreadAssignment(property)) entries.push({ spread: shapesOf(scope, property.expression, hops + 1) });
    else if (ts.isShorthandPropertyAssignment(property))
      entries.push({ name: property.name.text, shapes: shapesOf(scope, property.name, hops + 1) });
    else {
      const name = propertyNameText(ts, property.name);
      const shapes = ts.isPropertyAssignment(property) ? shapesOf(scope, property.initializer, hops + 1) : [anything()];
      // A computed name may be any property.
      entries.push(name === null ? { spread: shapes } : { name, shapes });
    }
  }
  return { kind: 'object', entries };
}

/** The shapes of a name: a bound parameter, a constant of the function (or a property taken apart from one), nothing of the row otherwise. */
function nameShapes(scope: ShapeScope, name: ts.Identifier, hops: number): Shape[] {
  const { ts } = scope.ctx;
  const bound = scope.params.get(name.text);
  if (bound) return [...bound];
  const declared = declarationIn(ts, scope.fn, name.text);
  // A name of a function this one is written in (a closure's `row`) may hold anything of the row.
  if (declared === null) return isOuterLocal(ts, name) ? [anything()] : [];
  if (declared === 'parameter') return [];
  if (declared === 'unknown') return [anything()];
  const { declaration, property, isWhole } = declared;
  // A value built up after it is made (`ratelimits[rl.name] = rl`, `list.push(row)`) holds what is put in it.
  if (!declaration.initializer || isChangedIn(ts, scope.fn, name.text, isBuiltHere(ts, declaration.initializer))) return [anything()];
  const held = shapesOf(scope, declaration.initializer, hops + 1);
  if (isWhole === true) return [{ kind: 'from', paths: allPaths(held) }];
  return property === null ? held : held.flatMap((s) => member(s, property));
}

/** The shapes of a call: what a check hands on (`Schema.parse(value)`), what a function of the project returns, else a value computed from what it is given. */
function callShapes(scope: ShapeScope, call: ts.CallExpression, hops: number): Shape[] {
  const { ctx } = scope;
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  const [first] = call.arguments;
  if (ts.isPropertyAccessExpression(callee) && PASSING.has(callee.name.text) && first && call.arguments.length === 1)
    return shapesOf(scope, first, hops + 1);
  const made = scope.depth < MAX_DEPTH ? projectFunction(ctx, call, callee) : null;
  // A default or a rest parameter takes what the call leaves out: not followed.
  const isPlain = (p: ts.ParameterDeclaration): boolean => ts.isIdentifier(p.name) && !p.initializer && !p.dotDotDotToken;
  // A callee that changes what it is given (`v.plan = v.note`) makes its value past what its returns say.
  const isKept = (fn: ts.FunctionLikeDeclaration): boolean =>
    fn.parameters.every((p) => isPlain(p) && !isChangedIn(ts, fn, (p.name as ts.Identifier).text));
  if (made && made.getSourceFile() === ctx.sourceFile && isKept(made)) {
    const params = new Map<string, readonly Shape[]>();
    made.parameters.forEach((p, i) => {
      const argument = call.arguments[i];
      params.set((p.name as ts.Identifier).text, argument ? shapesOf(scope, argument, hops + 1) : []);
    });
    const returned = returnedShapes({ ctx, fn: made, row: null, params, depth: scope.depth + 1 });
    if (returned !== null) return returned;
  }
  return [{ kind: 'from', paths: dependencies(scope, call, hops) }];
}

/** The paths of the row a computed value depends on: those of every name, property and call it is made of. */
function dependencies(scope: ShapeScope, expr: ts.Expression, hops: number): string[] {
  const { ts } = scope.ctx;
  const paths = new Set<string>();
  const add = (shapes: readonly Shape[]): void => {
    for (const path of allPaths(shapes)) paths.add(path);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node !== expr) add(callShapes(scope, node, hops + 1));
    else if (ts.isCallExpression(node)) {
      // The callee's receiver (`row.createdAt` of `row.createdAt.toISOString()`) and the arguments.
      const callee = unwrap(ts, node.expression);
      if (ts.isPropertyAccessExpression(callee)) visit(callee.expression);
      // A function held by a name of the function (`const label = () => row.note`) may return anything of the row.
      if (ts.isIdentifier(callee)) visit(callee);
      node.arguments.forEach(visit);
    } else if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node))
      add(shapesOf(scope, node, hops + 1));
    else if (ts.isFunctionLike(node)) paths.add('*');
    else ts.forEachChild(node, visit);
  };
  visit(expr);
  return [...paths];
}

/** A property of a value of a shape. */
function member(shape: Shape, name: string): Shape[] {
  if (shape.kind === 'row') return [{ kind: 'row', path: [...shape.path, name] }];
  if (shape.kind === 'from') return [shape];
  const found: Shape[] = [];
  for (const entry of [...shape.entries].reverse()) {
    if ('name' in entry) {
      if (entry.name !== name) continue;
      found.push(...entry.shapes);
      return found;
    }
    // A spread may or may not hold the property: a property written before it may be the value too.
    found.push(...entry.spread.flatMap((s) => member(s, name)));
  }
  return found;
}

/** Every path of the row the shapes are made of (`keyAuth.*`; `*`: the whole row). */
function allPaths(shapes: readonly Shape[]): string[] {
  return shapes.flatMap((shape) => {
    if (shape.kind === 'row') return [[...shape.path, '*'].join('.')];
    if (shape.kind === 'from') return [...shape.paths];
    return shape.entries.flatMap((entry) => allPaths('name' in entry ? entry.shapes : entry.spread));
  });
}

/** The paths of the row a reader's path of the value uses (`api.keyAuth.id` of `{ api: row.api }`: `api.keyAuth.id`). */
export function rowPaths(shapes: readonly Shape[], readerPaths: readonly string[]): string[] {
  const paths = new Set<string>();
  for (const path of readerPaths) for (const mapped of shapes.flatMap((s) => mapPath(s, path.split('.')))) paths.add(mapped);
  return [...paths].sort();
}

function mapPath(shape: Shape, segments: readonly string[]): string[] {
  if (shape.kind === 'from') return [...shape.paths];
  if (shape.kind === 'row') {
    const path = [...shape.path, ...segments].join('.');
    return path === '' ? [] : [path];
  }
  const [first, ...rest] = segments;
  if (first === undefined) return [];
  if (first === '*') return allPaths([shape]);
  return member(shape, first).flatMap((s) => mapPath(s, rest));
}

function anything(): Shape {
  return { kind: 'from', paths: ['*'] };
}
