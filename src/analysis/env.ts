import type ts from 'typescript';
import { enclosingClass, parentOf, unwrap } from '../ts/syntax.js';
import { constantInitializer } from './context.js';
import type { FileContext } from './context.js';
import { memoTable } from './session.js';

/**
 * The arguments a function was called with, along the call path that reached an effect: the key
 * a wrapper deletes (`delete(id) { redis.del(this.key(id)) }`) is what its callers pass. Frames
 * are listed innermost first; `null` means the parameters of the outermost function are runtime
 * values (holes).
 */
export interface Frame {
  readonly fn: ts.SignatureDeclaration;
  readonly args: readonly ts.Expression[];
  /** The file of the call, where `args` are written. */
  readonly ctx: FileContext;
  readonly next: Env;
}

export type Env = Frame | null;

/** An expression to read later, with the file it is written in and the arguments in force. */
export interface Bound {
  readonly expr: ts.Expression;
  readonly ctx: FileContext;
  readonly env: Env;
}

/** What `appendFrame` made, by outer frame and chain: the effects of a callee share their chains. */
const APPENDED = memoTable<Frame, WeakMap<Frame, Frame>>('appended frames');

/** The frame chain with `outer` added outermost (frames are shared, never changed: each chain is copied once per outer frame). */
export function appendFrame(env: Env, outer: Frame): Env {
  if (env === null) return outer;
  // The chain made is copied from `env` and ends with `outer`: what it holds comes from both.
  for (let frame: Env = env; frame; frame = frame.next) outer.ctx.session.consulted(frame);
  outer.ctx.session.consulted(outer);
  const byChain = outer.ctx.session.memo(APPENDED, outer, () => new WeakMap<Frame, Frame>());
  const known = byChain.get(env);
  if (known) return known;
  const made: Frame = { ...env, next: appendFrame(env.next, outer) };
  byChain.set(env, made);
  return made;
}

/** The frame of a call of `fn` on the chain, or null; each frame passed is told to the session as consulted (see `AnalysisSession.consulted`). */
export function frameOf(ctx: FileContext, env: Env, fn: ts.Node): Frame | null {
  for (let frame = env; frame; frame = frame.next) {
    ctx.session.consulted(frame);
    if (frame.fn === fn) return frame;
  }
  return null;
}

/** The function whose parameter binds `name` at `node`, with the parameter, or null. */
function bindingParameter(
  ctx: FileContext,
  node: ts.Node,
  name: string,
): { fn: ts.SignatureDeclaration; index: number; parameter: ts.ParameterDeclaration } | null {
  const { ts } = ctx;
  let current = parentOf(node);
  while (current && !ts.isSourceFile(current)) {
    if (ts.isFunctionLike(current)) {
      const index = current.parameters.findIndex((p) => bindsIdentifier(ts, p.name, name));
      if (index >= 0) return { fn: current, index, parameter: current.parameters[index] as ts.ParameterDeclaration };
    }
    current = parentOf(current);
  }
  return null;
}

function bindsIdentifier(ts: FileContext['ts'], binding: ts.BindingName, name: string): boolean {
  if (ts.isIdentifier(binding)) return binding.text === name;
  return binding.elements.some((element) => !ts.isOmittedExpression(element) && bindsIdentifier(ts, element.name, name));
}

/**
 * What a parameter reference stands for at the call that reached it: the argument (or, for a
 * destructured `{ userId }` parameter, that property of an object-literal argument). Null when
 * the identifier is no parameter of a function of the path: a runtime value.
 */
export function boundArgument(ctx: FileContext, identifier: ts.Identifier, env: Env): Bound | null {
  if (env === null) return null;
  const { ts } = ctx;
  const binding = bindingParameter(ctx, identifier, identifier.text);
  if (!binding) return null;
  const frame = frameOf(ctx, env, binding.fn);
  if (!frame) return null;
  // A rest parameter is an array of the arguments from its place on (see `boundElements`), no one of them.
  if (binding.parameter.dotDotDotToken) return null;
  // After a spread argument (`run(...args)`), which argument lands on the parameter is known only at run time.
  if (frame.args.slice(0, binding.index + 1).some((a) => ts.isSpreadElement(a))) return null;
  const arg = frame.args[binding.index];
  if (!arg) return null;
  if (ts.isIdentifier(binding.parameter.name)) return { expr: arg, ctx: frame.ctx, env: frame.next };
  if (ts.isArrayBindingPattern(binding.parameter.name)) return elementOfArgument(frame, arg, binding.parameter.name, identifier.text);
  return propertyOfArgument(frame, arg, identifier.text);
}

/** `[type, keyOf]` destructured from an array-literal argument (`['settings', (id) => id]`): the element at that place. */
function elementOfArgument(frame: Frame, arg: ts.Expression, pattern: ts.ArrayBindingPattern, name: string): Bound | null {
  const { ts } = frame.ctx;
  const index = pattern.elements.findIndex(
    (e) => ts.isBindingElement(e) && !e.dotDotDotToken && ts.isIdentifier(e.name) && e.name.text === name,
  );
  const value = unwrap(ts, arg);
  if (index < 0 || !ts.isArrayLiteralExpression(value)) return null;
  if (value.elements.slice(0, index + 1).some((e) => ts.isSpreadElement(e))) return null;
  const element = value.elements[index];
  return element && !ts.isOmittedExpression(element) ? { expr: element, ctx: frame.ctx, env: frame.next } : null;
}

/** `params.userId` where `params` is bound to an object literal: that property's value. */
export function boundProperty(ctx: FileContext, access: ts.PropertyAccessExpression, env: Env): Bound | null {
  const { ts } = ctx;
  const object = unwrap(ts, access.expression);
  if (object.kind === ts.SyntaxKind.ThisKeyword) return constructorArgument(ctx, access, env);
  if (!ts.isIdentifier(object)) return null;
  const bound = boundArgument(ctx, object, env);
  if (!bound) return null;
  const value = unwrap(ts, bound.expr);
  if (!ts.isObjectLiteralExpression(value)) return null;
  return propertyIn(bound.ctx, value, access.name.text, bound.env);
}

function propertyOfArgument(frame: Frame, arg: ts.Expression, name: string): Bound | null {
  const { ts } = frame.ctx;
  const value = unwrap(ts, arg);
  if (!ts.isObjectLiteralExpression(value)) return null;
  return propertyIn(frame.ctx, value, name, frame.next);
}

function propertyIn(ctx: FileContext, object: ts.ObjectLiteralExpression, name: string, env: Env): Bound | null {
  const { ts } = ctx;
  for (const property of object.properties) {
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return { expr: property.name, ctx, env };
    if (
      ts.isPropertyAssignment(property) &&
      (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) &&
      property.name.text === name
    ) {
      return { expr: property.initializer, ctx, env };
    }
  }
  return null;
}

/**
 * The elements an array stands for, each with the file and arguments it is read with: an array
 * literal (spread arrays flattened), a `const` holding one, or a rest parameter (`...parts`) bound
 * to the arguments of the call that reached it. Null when the elements are not all known.
 */
export function boundElements(ctx: FileContext, node: ts.Expression, env: Env, depth = 0): Bound[] | null {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  if (depth > 8) return null;
  if (ts.isArrayLiteralExpression(expression)) {
    const elements: Bound[] = [];
    for (const element of expression.elements) {
      if (ts.isOmittedExpression(element)) return null;
      const inner = ts.isSpreadElement(element) ? boundElements(ctx, element.expression, env, depth + 1) : [{ expr: element, ctx, env }];
      if (!inner) return null;
      elements.push(...inner);
    }
    return elements;
  }
  if (!ts.isIdentifier(expression)) return null;
  const binding = bindingParameter(ctx, expression, expression.text);
  if (binding) {
    const frame = frameOf(ctx, env, binding.fn);
    if (!frame) return null;
    if (!binding.parameter.dotDotDotToken) {
      const bound = boundArgument(ctx, expression, env);
      return bound ? boundElements(bound.ctx, bound.expr, bound.env, depth + 1) : null;
    }
    const elements: Bound[] = [];
    for (const arg of frame.args.slice(binding.index)) {
      const inner = ts.isSpreadElement(arg)
        ? boundElements(frame.ctx, arg.expression, frame.next, depth + 1)
        : [{ expr: arg, ctx: frame.ctx, env: frame.next }];
      if (!inner) return null;
      elements.push(...inner);
    }
    return elements;
  }
  const constant = constantInitializer(ctx, expression);
  return constant ? boundElements(ctx, constant, env, depth + 1) : null;
}

/** `this.config` of a constructor parameter property (`constructor(private config: CacheConfig)`): the argument of the `new` on the path. */
function constructorArgument(ctx: FileContext, access: ts.PropertyAccessExpression, env: Env): Bound | null {
  const { ts } = ctx;
  if (env === null) return null;
  const owner = enclosingClass(ts, access);
  const constructor = owner?.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m));
  if (!constructor) return null;
  const index = constructor.parameters.findIndex(
    (p) => ts.isIdentifier(p.name) && p.name.text === access.name.text && (ts.getModifiers(p)?.length ?? 0) > 0,
  );
  if (index < 0) return null;
  const frame = frameOf(ctx, env, constructor);
  const arg = frame?.args[index];
  return frame && arg ? { expr: arg, ctx: frame.ctx, env: frame.next } : null;
}
