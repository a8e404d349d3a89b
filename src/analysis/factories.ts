import type ts from 'typescript';
import { enclosingClass, enclosingFunction, propertyNameText, unwrap } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import { decidedBranch, followedArgument, functionValue } from './bound-values.js';
import { classPropertyInitializer, constantInitializer, constantOf } from './context.js';
import type { FileContext } from './context.js';
import { boundArgument } from './env.js';
import type { Bound, Env, Frame } from './env.js';
import { isCacheModule } from './sources/index.js';

/**
 * The expression a function body returns, when that is all it does (after constant declarations
 * and guards that throw): a key builder, or a factory of a two-faced object.
 */
export function returnedExpression(ts: FileContext['ts'], body: ts.ConciseBody): ts.Expression | null {
  if (!ts.isBlock(body)) return body;
  const statements = body.statements.filter((s) => !ts.isEmptyStatement(s));
  const last = statements[statements.length - 1];
  if (!last || !ts.isReturnStatement(last) || !last.expression) return null;
  return statements.slice(0, -1).every((s) => ts.isVariableStatement(s) || isThrowingGuard(ts, s)) ? last.expression : null;
}

/** `if (bad) throw …`, `if (bad) { logger.error(…); throw … }`: a check, not another value. */
function isThrowingGuard(ts: FileContext['ts'], statement: ts.Statement): boolean {
  if (!ts.isIfStatement(statement) || statement.elseStatement) return false;
  const then = statement.thenStatement;
  if (ts.isThrowStatement(then)) return true;
  if (!ts.isBlock(then)) return false;
  const last = then.statements[then.statements.length - 1];
  return last !== undefined && ts.isThrowStatement(last) && then.statements.every((s) => ts.isExpressionStatement(s) || s === last);
}

/** The function an object literal holds under `name`: a method, an arrow or function, or a shorthand for a local one. */
export function memberFunction(ctx: FileContext, object: ts.ObjectLiteralExpression, name: string): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  for (const property of object.properties) {
    if (property.name === undefined || propertyNameText(ts, property.name) !== name) continue;
    if (ts.isMethodDeclaration(property)) return property.body ? property : null;
    const value = ts.isPropertyAssignment(property)
      ? unwrap(ts, property.initializer)
      : ts.isShorthandPropertyAssignment(property)
        ? constantInitializer(ctx, property.name)
        : null;
    return value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) ? value : null;
  }
  return null;
}

/** A method reached through the object a factory made, with the frames of the factory (and constructor) that made it. */
export interface FactoryMember {
  readonly declaration: ts.FunctionLikeDeclaration;
  readonly ctx: FileContext;
  /** The factory's frame (innermost the constructor's, for `new Cache(config)`), to read the method's free names with. */
  readonly outer: Frame;
  /** How a path names the method (`linkCache().invalidate`, `Cache.get`). */
  readonly label: string;
}

/**
 * `cacheFor(id).invalidate()`, `const c = cacheFor(id); c.get()`, `this.rolesCache.get(…)` where
 * `rolesCache = this.cacheService.createCache({ getKey })`: the method of the object a project
 * factory returns (an object literal of functions, or `new` of a project class), read with the
 * arguments the factory was called with. `env` is where the factory call is read.
 */
export function factoryMember(ctx: FileContext, object: ts.Expression, method: string, env: Env): FactoryMember | null {
  const { ts } = ctx;
  const made = madeBy(ctx, unwrap(ts, object), env);
  if (!made) return null;
  const factory = factoryOf(made.ctx, made.call);
  if (!factory?.body) return null;
  const factoryCtx = contextFor(ctx, factory);
  const factoryFrame: Frame = { fn: factory, args: made.call.arguments, ctx: made.ctx, next: made.env };
  const label = `${functionLabel(ts, factory)}().${method}`;
  const returned = returnedExpression(ts, factory.body);
  const value = returned ? unwrap(ts, returned) : null;
  if (value && ts.isObjectLiteralExpression(value)) {
    const declaration = memberFunction(factoryCtx, value, method);
    return declaration ? { declaration, ctx: factoryCtx, outer: factoryFrame, label } : null;
  }
  const member = value ? constructedMethod(factoryCtx, value, method, factoryFrame) : null;
  if (member) return { ...member, outer: member.outer ?? factoryFrame };
  // `cachedFn.clear = (...args) => …` on the function the factory returns.
  const attached = attachedMember(factoryCtx, factory, method);
  return attached ? { declaration: attached, ctx: factoryCtx, outer: factoryFrame, label } : null;
}

function functionLabel(ts: TS, fn: ts.FunctionLikeDeclaration): string {
  return fn.name && ts.isIdentifier(fn.name) ? fn.name.text : 'factory';
}

/** A function a factory returns (`return cachedFn`, `return async function (...args) {…}`), and the name the factory holds it by. */
interface ReturnedFunction {
  readonly fn: ts.ArrowFunction | ts.FunctionExpression;
  readonly holder: string | null;
}

/** The one function a factory returns, or null when it returns anything else, or several things. */
function returnedFunction(ctx: FileContext, factory: ts.FunctionLikeDeclaration): ReturnedFunction | null {
  const { ts } = ctx;
  const { body } = factory;
  if (!body) return null;
  const returns: (ts.Expression | undefined)[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node)) returns.push(node.expression);
    ts.forEachChild(node, visit);
  };
  if (ts.isBlock(body)) ts.forEachChild(body, visit);
  else returns.push(body);
  const [only, ...rest] = returns;
  if (!only || rest.length > 0) return null;
  const value = unwrap(ts, only);
  if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return { fn: value, holder: null };
  if (!ts.isIdentifier(value)) return null;
  const init = constantInitializer(ctx, value);
  const held = init ? unwrap(ts, init) : null;
  const isOwn = held !== null && enclosingFunction(ts, held) === factory;
  return isOwn && (ts.isArrowFunction(held) || ts.isFunctionExpression(held)) ? { fn: held, holder: value.text } : null;
}

/** A function the factory attaches to the function it returns (`cachedFn.clear = (...args) => …`). */
function attachedMember(ctx: FileContext, factory: ts.FunctionLikeDeclaration, name: string): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  const holder = returnedFunction(ctx, factory)?.holder;
  if (!holder || !factory.body || !ts.isBlock(factory.body)) return null;
  for (const statement of factory.body.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
    const { left, operatorToken, right } = statement.expression;
    if (operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(left) || left.name.text !== name) continue;
    const target = unwrap(ts, left.expression);
    const value = unwrap(ts, right);
    if (ts.isIdentifier(target) && target.text === holder && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) return value;
  }
  return null;
}

/**
 * What calling a function a project factory made runs (`export const getProjectCached =
 * cacheable(getProject, 60)`, then `getProjectCached(id)`): the function the factory returns, read
 * with the factory's arguments (`outer`), and the functions given to the factory that it calls
 * (`given`: the loader, run with the arguments of the call, which the made function passes on).
 */
export interface MadeFunction {
  readonly fn: ts.ArrowFunction | ts.FunctionExpression;
  readonly ctx: FileContext;
  readonly outer: Frame;
  readonly label: string;
  readonly given: readonly { readonly fn: ts.FunctionLikeDeclaration; readonly ctx: FileContext }[];
  /** The factory's call that made it. */
  readonly call: ts.CallExpression;
}

/** The function `call` (a call of a project factory, written in `ctx`) makes, when it makes one. */
export function madeFunction(ctx: FileContext, call: ts.CallExpression, env: Env): MadeFunction | null {
  const { ts } = ctx;
  const factory = factoryOf(ctx, call) ?? instanceFactory(ctx, call);
  const declaration = factory && 'declaration' in factory ? factory.declaration : factory;
  if (!declaration?.body) return null;
  const factoryCtx = contextFor(ctx, declaration);
  const returned = returnedFunction(factoryCtx, declaration);
  if (!returned) return null;
  const next = factory && 'declaration' in factory ? (factory.outer ?? env) : env;
  const outer: Frame = { fn: declaration, args: call.arguments, ctx, next };
  const given = new Map<ts.Node, { fn: ts.FunctionLikeDeclaration; ctx: FileContext }>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = unwrap(ts, node.expression);
      const value = ts.isIdentifier(callee) ? givenValue(factoryCtx, callee, outer, 0) : null;
      const fn = value ? functionValue(value) : null;
      if (fn) given.set(fn.fn, fn);
    }
    ts.forEachChild(node, visit);
  };
  visit(returned.fn.body);
  return { fn: returned.fn, ctx: factoryCtx, outer, label: `${functionLabel(ts, declaration)}()`, given: [...given.values()], call };
}

/** `cache.memoize(…)` of `const cache = new WellKnownCache(…)`: the method, with the constructor's frame. */
function instanceFactory(ctx: FileContext, call: ts.CallExpression): { declaration: ts.FunctionLikeDeclaration; outer?: Frame } | null {
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  return ts.isPropertyAccessExpression(callee) ? instanceMember(ctx, callee.expression, callee.name.text) : null;
}

/**
 * A name of the made function that stands for a function given to the factory: a parameter bound
 * to an argument, or a `const` of the factory choosing among parameters
 * (`const fn = typeof fnOrName === 'function' ? fnOrName : other`), decided by the arguments.
 */
function givenValue(ctx: FileContext, name: ts.Identifier, env: Env, depth: number): Bound | null {
  const { ts } = ctx;
  const bound = boundArgument(ctx, name, env);
  if (bound) return followedArgument(bound);
  const init = depth < 4 ? constantInitializer(ctx, name) : null;
  if (!init || !enclosingFunction(ts, init)) return null;
  let value = unwrap(ts, init);
  while (ts.isConditionalExpression(value)) {
    const branch = decidedBranch(ctx, value, env);
    if (!branch) return null;
    value = unwrap(ts, branch);
  }
  return ts.isIdentifier(value) ? givenValue(ctx, value, env, depth + 1) : null;
}

/** The function calling a constant runs when a project factory made it (`getProjectCached` of `const getProjectCached = cacheable(…)`). */
export function madeFunctionOf(ctx: FileContext, callee: ts.Identifier): MadeFunction | null {
  const made = madeBy(ctx, callee, null);
  return made ? madeFunction(made.ctx, made.call, made.env) : null;
}

/**
 * The method `method` of the project class that `new X(…)` (written in `ctx`) makes, read with the
 * constructor's arguments (a frame over `next`); `outer` is absent when the class has no constructor.
 */
function constructedMethod(
  ctx: FileContext,
  made: ts.Expression,
  method: string,
  next: Frame | null,
): (Omit<FactoryMember, 'outer'> & { readonly outer?: Frame }) | null {
  const { ts } = ctx;
  if (!ts.isNewExpression(made) || !ts.isIdentifier(made.expression)) return null;
  const className = made.expression;
  const cls = ctx.classes.get(className.text) ?? ctx.resolver?.resolveClass?.(className) ?? null;
  if (!cls) return null;
  const declaration = classMemberFunction(ts, cls, method);
  if (!declaration) return null;
  const constructor = cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m));
  const member = { declaration, ctx: contextFor(ctx, cls), label: `${cls.name?.text ?? className.text}.${method}` };
  return constructor ? { ...member, outer: { fn: constructor, args: made.arguments ?? [], ctx, next } } : member;
}

/** A class's method of that name, or a property initialised with a function (`id = (prefix) => …`). */
function classMemberFunction(ts: TS, cls: ts.ClassLikeDeclaration, name: string): ts.FunctionLikeDeclaration | null {
  for (const member of cls.members) {
    if (!member.name || propertyNameText(ts, member.name) !== name) continue;
    if (ts.isMethodDeclaration(member) && member.body) return member;
    if (ts.isPropertyDeclaration(member) && member.initializer) {
      const init = unwrap(ts, member.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
  }
  return null;
}

/**
 * The factory call an object comes from: the call itself, a `const` of it (of this file, or
 * imported), or a class property initialised with it; with the file it is written in and the
 * arguments it is read with.
 */
function madeBy(ctx: FileContext, object: ts.Expression, env: Env): { call: ts.CallExpression; ctx: FileContext; env: Env } | null {
  const { ts } = ctx;
  const init = ts.isCallExpression(object)
    ? { init: object, ctx }
    : ts.isIdentifier(object)
      ? constantOf(ctx, object)
      : ts.isPropertyAccessExpression(object)
        ? { init: classPropertyInitializer(ctx, object), ctx }
        : null;
  const value = init?.init ? unwrap(ts, init.init) : null;
  if (!init || !value || !ts.isCallExpression(value)) return null;
  return { call: value, ctx: init.ctx, env: init.ctx === ctx ? env : null };
}

function factoryOf(ctx: FileContext, call: ts.CallExpression): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  if (ts.isIdentifier(callee)) {
    const local = ctx.functions.get(callee.text);
    if (local) return local;
  } else if (ts.isPropertyAccessExpression(callee) && unwrap(ts, callee.expression).kind === ts.SyntaxKind.ThisKeyword) {
    const own = enclosingClass(ts, call)?.members.find(
      (m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !!m.body && propertyNameText(ts, m.name) === callee.name.text,
    );
    if (own) return own;
  }
  return ctx.resolver?.resolveCall(call)?.[0] ?? null;
}

/** A value and the file it is written in. */
interface Located {
  readonly expr: ts.Expression;
  readonly ctx: FileContext;
}

/**
 * What an expression stands for, through `const`s of its file, imported constants (a default
 * export too) and properties of constant object literals: `redis.client` where
 * `export default { client }` and `const client = new RedisClient()`. Null when it is not static.
 */
function valueOf(ctx: FileContext, node: ts.Expression, depth = 0): Located | null {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  if (depth > 6) return null;
  if (ts.isIdentifier(expression)) {
    const local = constantInitializer(ctx, expression);
    if (local) return valueOf(ctx, local, depth + 1);
    const imported = ctx.importOf(expression.text) ? (ctx.resolver?.resolveConstant?.(expression) ?? null) : null;
    return imported ? valueOf(contextFor(ctx, imported), imported, depth + 1) : null;
  }
  if (ts.isPropertyAccessExpression(expression)) {
    const owner = valueOf(ctx, expression.expression, depth + 1);
    if (!owner || !ts.isObjectLiteralExpression(owner.expr)) return null;
    for (const property of owner.expr.properties) {
      if (property.name === undefined || propertyNameText(ts, property.name) !== expression.name.text) continue;
      if (ts.isPropertyAssignment(property)) return valueOf(owner.ctx, property.initializer, depth + 1);
      if (ts.isShorthandPropertyAssignment(property)) return valueOf(owner.ctx, property.name, depth + 1);
      return null;
    }
    return null;
  }
  return { expr: expression, ctx };
}

/**
 * `redis.client.fetch(…)` where the receiver is, through constants, imports and object literals,
 * an instance of a project class (`new RedisClient()`): that class's method, read with the
 * constructor's arguments. A tus server or a storage instance dispatches the same way.
 */
export function instanceMember(
  ctx: FileContext,
  object: ts.Expression,
  method: string,
): (Omit<FactoryMember, 'outer'> & { readonly outer?: Frame }) | null {
  const value = valueOf(ctx, object);
  return value ? constructedMethod(value.ctx, value.expr, method, null) : null;
}

/**
 * A called constant that is a method taken off an instance (`export const newId = new
 * IdGenerator({…}).id`): that class's method, read with the constructor's arguments.
 */
export function detachedMember(
  ctx: FileContext,
  callee: ts.Expression,
): (Omit<FactoryMember, 'outer'> & { readonly outer?: Frame }) | null {
  const { ts } = ctx;
  if (!ts.isIdentifier(callee)) return null;
  const init = initializerOf(ctx, callee);
  const taken = init ? unwrap(ts, init) : null;
  if (!taken || !ts.isPropertyAccessExpression(taken)) return null;
  const owner = valueOf(contextFor(ctx, taken), taken.expression);
  return owner ? constructedMethod(owner.ctx, owner.expr, taken.name.text, null) : null;
}

/** The initializer of a constant of this file, or of the one an import names. */
function initializerOf(ctx: FileContext, name: ts.Identifier): ts.Expression | null {
  return constantInitializer(ctx, name) ?? (ctx.importOf(name.text) ? (ctx.resolver?.resolveConstant?.(name) ?? null) : null);
}

/**
 * Whether a called constant is what a package made (`export const nanoid = customAlphabet(…)`,
 * `export const recordClick = tinybird.buildIngestEndpoint(…)` of `const tinybird = new Tinybird()`):
 * its code is the package's, which reaches no cache of the app (a package that is a cache client
 * does not count); or an instance of a class, which is no function; or a built-in of JavaScript
 * (`export const clone = globalThis.structuredClone`).
 */
export function isMadeByPackage(ctx: FileContext, callee: ts.Expression): boolean {
  const { ts } = ctx;
  const value = valueOf(ctx, callee);
  if (!value) {
    const init = ts.isIdentifier(callee) ? initializerOf(ctx, callee) : null;
    return init !== null && isBuiltInValue(contextFor(ctx, init), init);
  }
  if (!ts.isCallExpression(value.expr) && !ts.isNewExpression(value.expr)) return false;
  const root = makerRoot(ts, value.expr);
  if (!root) return false;
  // An instance of a class is no function (a Proxy may be): calling it runs no code of the app.
  if (ts.isNewExpression(value.expr) && root.text !== 'Proxy' && root.text !== 'Function') return true;
  return isPackageMade(value.ctx, root, 0);
}

/** The name a value is made by: `make` of `make(…)`, `new Make(…)` and `make.build(…)`. */
function makerRoot(ts: TS, made: ts.CallExpression | ts.NewExpression): ts.Identifier | null {
  const maker = unwrap(ts, made.expression);
  const root = ts.isPropertyAccessExpression(maker) ? unwrap(ts, maker.expression) : maker;
  return ts.isIdentifier(root) ? root : null;
}

/** Whether a name is a package's (not a cache client's), or a constant of this file made by one (`const tinybird = new Tinybird()`). */
function isPackageMade(ctx: FileContext, name: ts.Identifier, depth: number): boolean {
  const { ts } = ctx;
  const binding = ctx.importOf(name.text);
  if (binding) return !ctx.isProjectModule(binding.module) && !isCacheModule(binding.module);
  const value = depth < 4 ? valueOf(ctx, name) : null;
  if (!value || (!ts.isCallExpression(value.expr) && !ts.isNewExpression(value.expr))) return false;
  const root = makerRoot(ts, value.expr);
  return root !== null && isPackageMade(value.ctx, root, depth + 1);
}

const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);

/** Whether an expression is a built-in of JavaScript: `structuredClone`, `globalThis.structuredClone`, when the file does not declare the name. */
function isBuiltInValue(ctx: FileContext, expression: ts.Expression): boolean {
  const { ts } = ctx;
  const value = unwrap(ts, expression);
  if (ts.isIdentifier(value)) return isBuiltIn(ctx, value.text);
  return (
    ts.isPropertyAccessExpression(value) &&
    ts.isIdentifier(value.expression) &&
    GLOBAL_OBJECTS.has(value.expression.text) &&
    isBuiltIn(ctx, value.expression.text) &&
    value.name.text in globalThis
  );
}

/** Whether a name is a global of JavaScript (`Map`, `structuredClone`) that the file neither imports nor declares. */
export function isBuiltIn(ctx: FileContext, name: string): boolean {
  return (
    name in globalThis && ctx.importOf(name) === null && !ctx.functions.has(name) && !ctx.classes.has(name) && !ctx.topConstants.has(name)
  );
}

function contextFor(ctx: FileContext, node: ts.Node): FileContext {
  const file = node.getSourceFile();
  return file === ctx.sourceFile ? ctx : ctx.contextOf(file);
}
