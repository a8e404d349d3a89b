/**
 * The readers of a cache-aside entry that a function of the project reads, fills and hands back
 * (`fetchKeyAndAddToRedis(hash)`: the hit, or on a miss the row it loads, shaped as it fills it):
 * they are its callers, and what they read of its result is what they use of the entry.
 */
import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { enclosingClass, enclosingFunction, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import { returnedShapes, returnedValues, rowPaths } from './entry-shapes.js';
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
  const shapes = returnedShapes({ ctx, fn, row, params: new Map(), isEntry, depth: 0 });
  const uses = shapes ? callersUse(ctx, fn) : null;
  return shapes && uses ? rowPaths(shapes, uses) : null;
}

/** Whether a value is the read's result: the read's call, a value made of it (`JSON.parse(hit)`), or a constant that holds one. */
function holdsEntry(ts: TS, fn: ts.FunctionLikeDeclaration, call: ts.Node, expr: ts.Expression, hops: number): boolean {
  const bare = unwrap(ts, expr);
  if (hops > MAX_HOPS) return false;
  if (bare.getStart() <= call.getStart() && bare.getEnd() >= call.getEnd()) return true;
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node)) {
      const held = constIn(ts, fn, node.text);
      if (held?.initializer && held.initializer !== expr && holdsEntry(ts, fn, call, held.initializer, hops + 1)) found = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(bare);
  return found;
}

/** What the callers of a function read of its result: the calls of a private method in its class, or of a function the module keeps to itself. */
function callersUse(ctx: FileContext, fn: ts.MethodDeclaration | ts.FunctionDeclaration): string[] | null {
  const { ts } = ctx;
  const modifiers = ts.getModifiers(fn) ?? [];
  const name = fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name)) ? fn.name.text : null;
  if (name === null) return null;
  let scope: ts.Node | undefined;
  if (ts.isMethodDeclaration(fn)) {
    const isPrivate =
      ts.isPrivateIdentifier(fn.name) ||
      modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword);
    scope = isPrivate ? (enclosingClass(ts, fn) ?? undefined) : undefined;
  } else if (!modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) scope = ctx.sourceFile;
  if (!scope) return null;
  const uses: string[] = [];
  let calls = 0;
  for (const call of ctx.nodes.calls) {
    if (call.getStart() < scope.getStart() || call.getEnd() > scope.getEnd() || !runsByName(ts, call, name, ts.isMethodDeclaration(fn)))
      continue;
    const used = resultUses(ts, call);
    if (used === null) return null;
    uses.push(...used);
    calls++;
  }
  return calls === 0 ? null : uses;
}

/** Whether a call runs the function by its name: `this.name(…)` for a method, `name(…)` for a function. */
function runsByName(ts: TS, call: ts.CallExpression, name: string, isMethod: boolean): boolean {
  const callee = unwrap(ts, call.expression);
  if (!isMethod) return ts.isIdentifier(callee) && callee.text === name;
  return (
    ts.isPropertyAccessExpression(callee) && unwrap(ts, callee.expression).kind === ts.SyntaxKind.ThisKeyword && callee.name.text === name
  );
}
