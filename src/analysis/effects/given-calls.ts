import type ts from 'typescript';
import { staticObjectIn } from '../context.js';
import type { FileContext } from '../context.js';
import { memberFunction } from '../factories.js';
import { memoTable } from '../session.js';
import { propertyNameText, unwrap } from '../../ts/syntax.js';

/** A function of the project, where it is written. */
export interface ProjectFunction {
  readonly declaration: ts.FunctionLikeDeclaration;
  readonly ctx: FileContext;
}

/**
 * The function of the project an argument names, not calls: `removeLink`, `redis.remove.link` of a
 * module that exports `{ remove: { link: (link) => … } }`, or a function another module exports.
 */
export function referencedFunction(ctx: FileContext, arg: ts.Expression): ProjectFunction | null {
  const { ts } = ctx;
  const reference = unwrap(ts, arg);
  if (ts.isIdentifier(reference)) {
    const local = ctx.functions.get(reference.text);
    if (local) return { declaration: local, ctx };
    if (!ctx.importOf(reference.text)) return null;
  } else if (ts.isPropertyAccessExpression(reference)) {
    const held = staticObjectIn(ctx, reference.expression);
    const member = held ? memberFunction(held.ctx, held.object, reference.name.text) : null;
    if (member && held) return { declaration: member, ctx: held.ctx };
  } else return null;
  const found = ctx.resolver?.resolveIdentifier?.(reference)?.[0];
  return found?.body ? { declaration: found, ctx: ctx.contextOf(found.getSourceFile()) } : null;
}

/** A call of a function a parameter holds (`deps.bustCaches(id)`, `domain.apply(…)`): the call, the parameter's place, the member called. */
interface ParameterCall {
  readonly call: ts.CallExpression;
  readonly index: number;
  readonly member: string;
}

const PARAMETER_CALLS = memoTable<ts.Node, readonly ParameterCall[]>('parameter calls');

/** The calls of a function's body of a method of an object one of its parameters holds (`deps.bustCaches(…)`). */
function parameterCalls(ctx: FileContext, fn: ts.FunctionLikeDeclaration): readonly ParameterCall[] {
  return ctx.session.memo(PARAMETER_CALLS, fn, () => {
    const { ts } = ctx;
    const parameters = new Map<string, number>();
    for (const [index, parameter] of fn.parameters.entries())
      if (ts.isIdentifier(parameter.name)) parameters.set(parameter.name.text, index);
    const found: ParameterCall[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isClassLike(node) || (ts.isFunctionLike(node) && node !== fn)) return;
      if (ts.isCallExpression(node)) {
        const callee = unwrap(ts, node.expression);
        const holder = ts.isPropertyAccessExpression(callee) ? unwrap(ts, callee.expression) : null;
        const index = holder && ts.isIdentifier(holder) ? parameters.get(holder.text) : undefined;
        if (index !== undefined && ts.isPropertyAccessExpression(callee)) found.push({ call: node, index, member: callee.name.text });
      }
      ts.forEachChild(node, visit);
    };
    if (parameters.size > 0 && fn.body) visit(fn.body);
    return found;
  });
}

/** A call of a function the caller passed in an object, with that function. */
export interface GivenCall extends ProjectFunction {
  readonly call: ts.CallExpression;
  readonly label: string;
}

/**
 * The functions a call hands to `fn` in an object, that `fn` calls (`processHit(payload, {
 * bustCaches: bustLimitCaches })` then `deps.bustCaches(id)`; `handle(form, apiDomain)` then
 * `domain.apply(…)` of `const apiDomain = { apply: async (…) => … }`): what `fn` runs there is known
 * only at the call. `args`: the call's arguments, written in `ctx`.
 */
export function givenCalls(
  ctx: FileContext,
  fn: ts.FunctionLikeDeclaration,
  fnCtx: FileContext,
  args: readonly ts.Expression[],
): GivenCall[] {
  const { ts } = ctx;
  const result: GivenCall[] = [];
  for (const { call, index, member } of parameterCalls(fnCtx, fn)) {
    const argument = args[index];
    const held = argument ? staticObjectIn(ctx, argument) : null;
    if (!held) continue;
    const property = held.object.properties.find((p) => p.name !== undefined && propertyNameText(ts, p.name) === member);
    const value =
      property && ts.isPropertyAssignment(property)
        ? property.initializer
        : property && ts.isShorthandPropertyAssignment(property)
          ? property.name
          : null;
    const given = value ? referencedFunction(held.ctx, value) : null;
    const method = !given && property ? memberFunction(held.ctx, held.object, member) : null;
    const found = given ?? (method ? { declaration: method, ctx: held.ctx } : null);
    if (!found) continue;
    const name = found.declaration.name && ts.isIdentifier(found.declaration.name) ? ` (${found.declaration.name.text})` : '';
    result.push({ ...found, call, label: `${fnCtx.text(call.expression)}${name}` });
  }
  return result;
}
