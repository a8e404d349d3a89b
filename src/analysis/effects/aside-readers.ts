/**
 * The readers of a cache-aside entry that a function of the project reads, fills and hands back
 * (`fetchKeyAndAddToRedis(hash)`: the hit, or on a miss the row it loads, shaped as it fills it):
 * they are its callers, and what they read of its result is what they use of the entry.
 */
import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { enclosingClass, enclosingFunction, parentOf, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import { returnedShapes, returnedValues, rowPaths, valueShapes } from './entry-shapes.js';
import { storedValue } from './loaders.js';
import type { Effect } from './model.js';
import { constIn, resultUses } from './reader-fields.js';

type CacheReadEffect = Effect & { kind: 'cache-read' };

/** How many hops through the constants of the function an entry is followed (`const hit = …; return hit`). */
const MAX_HOPS = 4;

/**
 * The paths of the row a cache-aside read's readers use, where the function that reads returns the
 * entry and, on a miss, one row it reads after the read (or a value made of it): the paths its
 * callers read of what it returns, mapped through what it makes of the row. Null when the function
 * is not so, may be called from elsewhere (exported, public), or a caller puts its result to other use.
 */
export function asideReaderPaths(ctx: FileContext, effects: readonly Effect[], read: CacheReadEffect): string[] | null {
  const { ts } = ctx;
  const call = read.at ?? read.node;
  if (read.hasLoader || call.getSourceFile() !== ctx.sourceFile) return null;
  const fn = enclosingFunction(ts, call);
  if (!fn || !(ts.isMethodDeclaration(fn) || ts.isFunctionDeclaration(fn))) return null;
  const rows = new Set(
    effects.flatMap((e) =>
      e.kind === 'model-read' && e.at === undefined && e.node.getStart() > call.getEnd() && enclosingFunction(ts, e.node) === fn
        ? [e.node]
        : [],
    ),
  );
  const [row] = rows;
  if (rows.size !== 1 || !row) return null;
  const isEntry = (expr: ts.Expression): boolean => holdsEntry(ts, fn, call, expr, 0);
  if (!returnedValues(ts, fn).some(isEntry)) return null;
  const scope = { ctx, fn, row, params: new Map(), isEntry, depth: 0 };
  const returned = returnedShapes(scope);
  // A hit serves what the fills stored, a miss what the function returns.
  const stored = storedValues(ts, effects, fn, call);
  const uses = returned && stored ? callersUse(ctx, fn) : null;
  return returned && stored && uses ? rowPaths([...returned, ...stored.flatMap((value) => valueShapes(scope, value))], uses) : null;
}

/** The values the function's cache fills after the read store, as written in it (through `JSON.stringify` and the fill helper's parameters); null where one cannot be told. */
function storedValues(ts: TS, effects: readonly Effect[], fn: ts.FunctionLikeDeclaration, call: ts.Node): ts.Expression[] | null {
  const values: ts.Expression[] = [];
  for (const effect of effects) {
    const at = effect.at ?? effect.node;
    if (effect.kind !== 'cache-fill' || enclosingFunction(ts, at) !== fn || at.getStart() < call.getEnd()) continue;
    const stored = effect.stored ? storedValue(effect.stored, (value) => isWithin(fn, value.expr), MAX_HOPS) : null;
    if (!stored || !isWithin(fn, stored.expr)) return null;
    values.push(stored.expr);
  }
  return values;
}

function isWithin(fn: ts.Node, node: ts.Node): boolean {
  return node.getSourceFile() === fn.getSourceFile() && node.getStart() >= fn.getStart() && node.getEnd() <= fn.getEnd();
}

/** Whether a value is the read's result: the read's call, a parse of one (`JSON.parse(hit)`), or a constant that holds one. */
function holdsEntry(ts: TS, fn: ts.FunctionLikeDeclaration, call: ts.Node, expr: ts.Expression, hops: number): boolean {
  const bare = unwrap(ts, expr);
  if (hops > MAX_HOPS) return false;
  if (bare === call) return true;
  const callee = ts.isCallExpression(bare) ? unwrap(ts, bare.expression) : null;
  if (callee && ts.isPropertyAccessExpression(callee) && callee.name.text === 'parse' && (bare as ts.CallExpression).arguments.length === 1)
    return holdsEntry(ts, fn, call, (bare as ts.CallExpression).arguments[0] as ts.Expression, hops + 1);
  const held = ts.isIdentifier(bare) ? constIn(ts, fn, bare.text) : null;
  return held?.initializer !== undefined && holdsEntry(ts, fn, call, held.initializer, hops + 1);
}

/**
 * What the callers of a function read of its result: the calls of a private method in its class, or
 * of a function the module keeps to itself; null where the function is named otherwise than by a
 * direct call there (`this.fetch.bind(this)`, `export { fetchKey }`, a callback), which others may run.
 */
function callersUse(ctx: FileContext, fn: ts.MethodDeclaration | ts.FunctionDeclaration): string[] | null {
  const { ts } = ctx;
  const modifiers = ts.getModifiers(fn) ?? [];
  const name = fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name)) ? fn.name : null;
  if (name === null) return null;
  const isMethod = ts.isMethodDeclaration(fn);
  const isPrivate = ts.isPrivateIdentifier(name) || modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword);
  const isOwn = isMethod
    ? isPrivate
    : !modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword);
  const scope = isMethod ? enclosingClass(ts, fn) : ctx.sourceFile;
  if (!isOwn || !scope) return null;
  const uses: string[] = [];
  let calls = 0;
  const state = { isOther: false };
  const visit = (node: ts.Node): void => {
    if (state.isOther) return;
    if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && node.text === name.text && node !== name) {
      const call = directCall(ts, node, isMethod);
      const used = call ? resultUses(ts, call) : null;
      if (used === null) state.isOther = true;
      else {
        uses.push(...used);
        calls++;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return state.isOther || calls === 0 ? null : uses;
}

/** The call a name is the callee of: `this.name(…)` for a method, `name(…)` for a function. */
function directCall(ts: TS, name: ts.Identifier | ts.PrivateIdentifier, isMethod: boolean): ts.CallExpression | null {
  const access = parentOf(name);
  if (!isMethod) return access && ts.isCallExpression(access) && access.expression === name ? access : null;
  if (!access || !ts.isPropertyAccessExpression(access) || access.name !== name) return null;
  if (unwrap(ts, access.expression).kind !== ts.SyntaxKind.ThisKeyword) return null;
  const call = parentOf(access);
  return call && ts.isCallExpression(call) && call.expression === access ? call : null;
}
