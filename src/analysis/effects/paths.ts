import type ts from 'typescript';
import { exits } from '../../ts/guards.js';
import { lastName, parentOf } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';

/**
 * The branches a call runs under, from the function summarised down to the call: each an arm of
 * one branching place, written `<place>#<arm>`, and the calls that reach it, each written
 * `<call>>`. A place is a position in a file, preceded by the calls that reach it
 * (`<call>><place>#<arm>`) once composed into a caller, so that two effects under the same place
 * through the same calls took one run's choice there. Two effects under different arms of one
 * place never run on the same path (`exclusiveWith`); an effect under a place another is not under
 * runs only on some of that other's paths (`runsOnlySometimes`).
 *
 * The arms: `if`/`else` (an `if` whose branch returns or throws puts what follows it under the
 * other arm), `?:`, the right of `&&`, `||`, `??` and of an optional call, a `switch` (an arm per
 * run of `case` and `default` clauses that fall through into one another), `catch` and a promise's rejection
 * handler; and, written `#loop`, a loop's body and the callback of an array's iteration
 * (`items.map(…)`: once per element, maybe never).
 */
export function armsWithin(ts: TS, node: ts.Node, root: ts.Node, file: string): string[] {
  const arms: string[] = [];
  let child: ts.Node = node;
  let parent = parentOf(node);
  while (parent && child !== root) {
    const arm = armOf(ts, parent, child);
    if (arm) arms.push(`${file}:${String(arm.place.pos)}#${String(arm.arm)}`);
    if (ts.isBlock(parent) || ts.isSourceFile(parent)) {
      for (const earlier of precedingExits(ts, parent.statements, child))
        arms.push(`${file}:${String(earlier.place.pos)}#${String(earlier.arm)}`);
    }
    child = parent;
    parent = parentOf(parent);
  }
  return arms.reverse();
}

/** The arms of a callee's effect as its caller sees them: under the caller's arms at the call, through the call. */
export function armsThrough(
  callerArms: readonly string[],
  call: ts.Node,
  file: string,
  calleeArms: readonly string[] | undefined,
): string[] {
  const site = `${file}:${String(call.pos)}>`;
  return [...callerArms, site, ...(calleeArms ?? []).map((arm) => `${site}${arm}`)];
}

const isArm = (entry: string): boolean => entry.includes('#');
const placeOf = (arm: string): string => arm.slice(0, arm.lastIndexOf('#'));
/** The calls that reach an arm's place (`a>b>`), or those that reach the effect (its longest call entry). */
const callsOf = (arm: string): string => arm.slice(0, arm.lastIndexOf('>') + 1);
const chainOf = (entries: readonly string[]): string =>
  entries.filter((e) => !isArm(e)).reduce((a, b) => (b.length > a.length ? b : a), '');

/**
 * Whether an effect is under another arm of a place than the effect of `a`, so that no path runs
 * both: `a`'s places read once for every effect it is weighed against.
 */
export function exclusiveWith(a: readonly string[]): (b: readonly string[]) => boolean {
  // Made on the first arm asked about: most effects are weighed against none.
  let mine: Map<string, string> | undefined;
  return (b) =>
    b.some((arm) => {
      if (!isArm(arm)) return false;
      mine ??= new Map(a.filter(isArm).map((own) => [placeOf(own), own]));
      const other = mine.get(placeOf(arm));
      return other !== undefined && other !== arm;
    });
}

/**
 * Whether `a` runs only under an arm `b` is not under, so that some of `b`'s paths skip it: a loop
 * or iteration anywhere above `a`, or a branch of a function both run in (the branches inside the
 * helper that makes `a`, such as a cache wrapper's own checks, say nothing of the data's paths).
 */
export function runsOnlySometimes(a: readonly string[], b: readonly string[]): boolean {
  const theirs = new Set(b);
  const mine = chainOf(a);
  const other = chainOf(b);
  let shared = 0;
  for (let i = 0; i < Math.min(mine.length, other.length) && mine[i] === other[i]; i++) if (mine[i] === '>') shared = i + 1;
  const sharedCalls = mine.slice(0, shared);
  return a.some((arm) => isArm(arm) && !theirs.has(arm) && (arm.endsWith('#loop') || sharedCalls.startsWith(callsOf(arm))));
}

const ITERATIONS = new Set(['map', 'flatMap', 'forEach', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex']);
const SHORT_CIRCUITS = (ts: TS): readonly ts.SyntaxKind[] => [
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.QuestionQuestionToken,
];

/** The arm of `parent` that `child` is in, when `child` runs only on some paths through `parent`. */
function armOf(ts: TS, parent: ts.Node, child: ts.Node): { place: ts.Node; arm: number | 'loop' } | null {
  if (ts.isIfStatement(parent)) {
    if (child === parent.expression) return null;
    return { place: parent, arm: child === parent.thenStatement ? 0 : 1 };
  }
  if (ts.isConditionalExpression(parent)) {
    if (child === parent.condition) return null;
    return { place: parent, arm: child === parent.whenTrue ? 0 : 1 };
  }
  if (ts.isBinaryExpression(parent)) {
    return child === parent.right && SHORT_CIRCUITS(ts).includes(parent.operatorToken.kind) ? { place: parent, arm: 1 } : null;
  }
  if (ts.isCaseClause(parent) || ts.isDefaultClause(parent)) return { place: parent.parent.parent, arm: caseRun(ts, parent) };
  if (ts.isCatchClause(parent)) return { place: parent, arm: 0 };
  if (ts.isForStatement(parent) || ts.isForInStatement(parent) || ts.isForOfStatement(parent) || ts.isWhileStatement(parent)) {
    return child === parent.statement ? { place: parent, arm: 'loop' } : null;
  }
  if (ts.isCallExpression(parent) && parent.arguments.includes(child as ts.Expression)) {
    const name = lastName(ts, parent.expression);
    const isRejection = name === 'catch' || (name === 'then' && parent.arguments[1] === child);
    if (isRejection) return { place: parent, arm: 0 };
    return name !== null && ITERATIONS.has(name) && ts.isFunctionLike(child) ? { place: parent, arm: 'loop' } : null;
  }
  if (ts.isCallChain(parent) && parent.questionDotToken && child !== parent.expression) return { place: parent, arm: 0 };
  return null;
}

/**
 * The arm of a `switch` a clause is in: clauses that fall through into the next (no `break`,
 * `return`, `throw` or `continue` last) share one with it, as a path entering the first runs both.
 */
function caseRun(ts: TS, clause: ts.CaseOrDefaultClause): number {
  let run = 0;
  for (const each of clause.parent.clauses) {
    if (each === clause) return run;
    const last = each.statements[each.statements.length - 1];
    if (last !== undefined && leavesClause(ts, last)) run += 1;
  }
  return run;
}

/** Whether a clause's last statement leaves it: `break`, `continue`, or one that leaves the function. */
function leavesClause(ts: TS, statement: ts.Statement): boolean {
  if (ts.isBreakStatement(statement) || ts.isContinueStatement(statement) || exits(ts, statement)) return true;
  if (!ts.isBlock(statement)) return false;
  const last = statement.statements[statement.statements.length - 1];
  return last !== undefined && leavesClause(ts, last);
}

/**
 * The `if`s before `statement` in its block whose one branch ends the function (returns or
 * throws) and the other does not: `statement` runs only under the other.
 */
function precedingExits(ts: TS, statements: ts.NodeArray<ts.Statement>, statement: ts.Node): { place: ts.Node; arm: number }[] {
  const result: { place: ts.Node; arm: number }[] = [];
  for (const earlier of statements) {
    if (earlier === statement) break;
    if (!ts.isIfStatement(earlier)) continue;
    const thenExits = exits(ts, earlier.thenStatement);
    const elseExits = earlier.elseStatement !== undefined && exits(ts, earlier.elseStatement);
    if (thenExits !== elseExits) result.push({ place: earlier, arm: thenExits ? 1 : 0 });
  }
  return result;
}
