import type ts from 'typescript';
import { constantInitializer, staticObjectIn, staticString } from '../context.js';
import type { FileContext } from '../context.js';
import { enclosingClass, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import { detachedMember, factoryMember, instanceMember, isBuiltIn, isMadeByPackage, madeFunctionOf, memberFunction } from '../factories.js';
import { clientOf } from '../sources/clients.js';
import { extendedMethodOf, modelClassOf } from '../sources/index.js';
import { classOf, declarationOf, isNullishType, typeReference } from '../sources/declarations.js';
import { hookRuns } from '../sources/source.js';
import { admitsEvent } from '../listeners.js';
import { memoTable } from '../session.js';
import { baseClassOf, classChain, classMember, serviceClassOf } from './services.js';
import type { Target } from './model.js';

/** The functions a call runs, by where they are found: what a call of the project is read as. */

const LIBRARY_CLIENTS: ReadonlySet<string> = new Set(['redis', 'cache-manager', 'keyv', 'runtime']);

/** The functions each call runs, by file and call: a call is read by every summary that reaches it, and by its file's sites. */
const HELPER_TARGETS = memoTable<FileContext, WeakMap<ts.CallExpression, readonly Target[] | 'opaque'>>('helper targets');

/** The functions a call runs (`callee`: its callee, unwrapped): same-file helpers, or through the resolver; 'opaque' when unknowable. */
export function helperTargets(ctx: FileContext, call: ts.CallExpression, callee: ts.Expression): readonly Target[] | 'opaque' {
  return ctx.session.memoPair(HELPER_TARGETS, ctx, call, () => findHelperTargets(ctx, call, callee));
}

function findHelperTargets(ctx: FileContext, call: ts.CallExpression, callee: ts.Expression): readonly Target[] | 'opaque' {
  const { ts } = ctx;
  if (ts.isIdentifier(callee)) return functionTargets(ctx, call, callee);
  if (!ts.isPropertyAccessExpression(callee)) return [];
  const object = unwrap(ts, callee.expression);
  const method = callee.name.text;
  // `taxRateRepo.listByProduct(…)`, `this.listByProduct(…)`: a method the project gave a library's value.
  const extended = extendedMethodOf(ctx, object, method);
  if (extended) return [extended];
  if (object.kind === ts.SyntaxKind.ThisKeyword || isThisAlias(ctx, object)) {
    const owner = enclosingClass(ts, call);
    const found = owner ? classMember(ctx, owner, method) : null;
    return found ? [{ ...found, label: `${owner?.name?.text ?? 'this'}.${method}`, self: owner ? { cls: owner, ctx } : undefined }] : [];
  }
  // `super.baseLogin(…)`: the method of the project's class this one extends, `this` still the instance.
  if (object.kind === ts.SyntaxKind.SuperKeyword) {
    const owner = enclosingClass(ts, call);
    const parent = owner ? baseClassOf({ cls: owner, ctx }) : null;
    const found = parent ? classMember(parent.ctx, parent.cls, method) : null;
    return found && owner ? [{ ...found, label: `${parent?.cls.name?.text ?? 'super'}.${method}`, self: { cls: owner, ctx } }] : [];
  }
  // `cacheFor(id).invalidate()`, `this.rolesCache.get(…)`: a method of an object a project factory made.
  // A receiver a library source knows (`createCache(…)` of cache-manager, by its name when nothing is imported) stays the library's.
  const isLibrary = LIBRARY_CLIENTS.has(clientOf(ctx, object) ?? 'project');
  const made = isLibrary ? null : factoryMember(ctx, object, method, null);
  if (made) return [{ declaration: made.declaration, ctx: made.ctx, label: made.label, outer: made.outer }];
  const instance = instanceMember(ctx, object, method);
  if (instance) return [instance];
  // `site.rename(name)` of `const site = await Website.findByPk(id)`: the model class's own method.
  const model = modelClassOf(ctx, object);
  const own = model ? classMember(model.ctx, model.cls, method) : null;
  if (model && own) return [{ ...own, label: `${model.cls.name?.text ?? 'model'}.${method}`, self: model }];
  // `quotes.update(…)` of `const quotes = req.scope.resolve('quoteService')`, `quotes.withTransaction(m).update(…)`.
  const isLocal = ts.isCallExpression(object) || (ts.isIdentifier(object) && !ctx.importOf(object.text));
  const service = isLocal ? serviceClassOf(ctx, object) : null;
  if (service === 'unresolved') return 'opaque';
  const served = service ? classMember(service.ctx, service.cls, method) : null;
  if (service && served) return [{ ...served, label: `${service.cls.name?.text ?? 'service'}.${method}`, self: service }];
  // this.service.method(): an injected dependency, defined in another file.
  if (ts.isPropertyAccessExpression(object) && unwrap(ts, object.expression).kind === ts.SyntaxKind.ThisKeyword) {
    return injectedTargets(ctx, call, object, method);
  }
  // imported.namespaceOrObject.method(): a function of another module of the project.
  if (ts.isIdentifier(object)) return namespaceTargets(ctx, call, object, method, isLibrary);
  if (!ts.isPropertyAccessExpression(object)) return [];
  // `redis.remove.link(…)`: a function an object of a module holds (`module.exports = { remove: { link } }`).
  const label = `${ctx.text(object)}.${method}`;
  const held = staticObjectIn(ctx, object);
  const member = held ? memberFunction(held.ctx, held.object, method) : null;
  if (member && held) return [{ declaration: member, ctx: held.ctx, label }];
  // `query.link.remove(…)`: a function of a module another one gathers (`module.exports = { link }`).
  const nested = resolved(ctx, call, label);
  return nested === 'opaque' ? [] : nested;
}

/** `kv` of `const kv = this`, kept for a function written inside a method. */
function isThisAlias(ctx: FileContext, object: ts.Expression): boolean {
  const { ts } = ctx;
  const init = ts.isIdentifier(object) ? constantInitializer(ctx, object) : null;
  return init !== null && unwrap(ts, init).kind === ts.SyntaxKind.ThisKeyword;
}

/** `helper(…)`: a function of the file, or one imported from the project. */
function functionTargets(ctx: FileContext, call: ts.CallExpression, callee: ts.Identifier): readonly Target[] | 'opaque' {
  const made = madeFunctionOf(ctx, callee);
  const written = writtenTargets(ctx, call, callee);
  if (!made) return written;
  // The function the factory returns runs too, read with the factory's arguments (a memoizer's read, a mutate's delete).
  const own = { declaration: made.fn, ctx: made.ctx, label: `${callee.text} (${made.label})`, outer: made.outer };
  return written === 'opaque' ? [own] : [own, ...written];
}

function writtenTargets(ctx: FileContext, call: ts.CallExpression, callee: ts.Identifier): readonly Target[] | 'opaque' {
  const local = ctx.functions.get(callee.text);
  if (local) return [{ declaration: local, ctx, label: callee.text }];
  const binding = ctx.importOf(callee.text);
  if (!binding || !ctx.isProjectModule(binding.module)) return [];
  const targets = resolved(ctx, call, callee.text);
  if (targets !== 'opaque') return targets;
  const detached = detachedMember(ctx, callee);
  if (detached) return [detached];
  // A constant a package made (`export const nanoid = customAlphabet(…)`) runs the package's code;
  // a name no module of the project defines, of one that passes a package on (`export * from
  // 'drizzle-orm'`), is the package's (`eq`, `and`).
  return isMadeByPackage(ctx, callee) ||
    (ctx.resolver?.reexportedPackages?.(binding.module, ctx.sourceFile, binding.imported) ?? []).length > 0
    ? []
    : targets;
}

/** `this.service.method(…)`: the method of an injected member, unless its declared type is a library's. */
function injectedTargets(
  ctx: FileContext,
  call: ts.CallExpression,
  object: ts.PropertyAccessExpression,
  method: string,
): readonly Target[] | 'opaque' {
  const owner = enclosingClass(ctx.ts, call);
  if (!owner || !isInjectedAlong(ctx, owner, object.name.text)) return [];
  const client = clientOf(ctx, object);
  if ((client !== null && client !== 'project') || isPackageType(ctx, object)) return [];
  const targets = resolved(ctx, call, `this.${object.name.text}.${method}`);
  if (targets === 'opaque') {
    // A member typed by an interface, given by a container that names the class it registers (`priceSelectionStrategy`).
    const service = serviceClassOf(ctx, object);
    const served = service && service !== 'unresolved' ? classMember(service.ctx, service.cls, method) : null;
    if (served && service && service !== 'unresolved')
      return [{ ...served, label: `${service.cls.name?.text ?? 'service'}.${method}`, self: service }];
  }
  const self = targets === 'opaque' ? undefined : receiverClassOf(ctx, object, call);
  return self && targets !== 'opaque' ? targets.map((t) => ({ ...t, self })) : targets;
}

/** `ns.method(…)` of a namespace import of the project, or a static method of a class of the file or an imported one. */
function namespaceTargets(
  ctx: FileContext,
  call: ts.CallExpression,
  object: ts.Identifier,
  method: string,
  isLibrary: boolean,
): readonly Target[] | 'opaque' {
  const { ts } = ctx;
  const binding = ctx.importOf(object.text);
  // A required client (`const redis = require('./redis')`, `module.exports = new Redis()`) is the library's.
  if (binding && ctx.isProjectModule(binding.module) && binding.imported === '*' && !isLibrary) {
    return resolved(ctx, call, `${object.text}.${method}`);
  }
  // `CacheHelper.clearData(…)`: a static method of a class of this file or an imported one.
  const owner = classOf(ctx, object);
  const staticMethod = owner?.cls.members.find(
    (m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText(owner.cls.getSourceFile()) === method,
  );
  return owner && staticMethod?.body ? [{ declaration: staticMethod, ctx: owner.ctx, label: `${object.text}.${method}` }] : [];
}

function resolved(ctx: FileContext, call: ts.CallExpression, label: string): readonly Target[] | 'opaque' {
  if (!ctx.resolver) return 'opaque';
  const declarations = ctx.resolver.resolveCall(call);
  if (declarations === null) return 'opaque';
  return declarations.map((declaration) => {
    const owner = enclosingClass(ctx.ts, declaration);
    const name = declaration.name ? declaration.name.getText(declaration.getSourceFile()) : label;
    return {
      declaration,
      ctx: ctx.contextOf(declaration.getSourceFile()),
      label: owner?.name ? `${owner.name.text}.${name}` : name,
    };
  });
}

/** The class of a receiver: the enclosing one for `this`, the declared type of `this.repository`. */
function receiverClassOf(ctx: FileContext, object: ts.Expression, at: ts.Node): Target['self'] {
  const { ts } = ctx;
  if (object.kind === ts.SyntaxKind.ThisKeyword) {
    const owner = enclosingClass(ts, at);
    return owner ? { cls: owner, ctx } : undefined;
  }
  const type = typeReference(ts, declarationOf(ctx, object, false)?.type);
  return type && ts.isIdentifier(type.node) ? (classOf(ctx, type.node) ?? undefined) : undefined;
}

/**
 * Whether a member is declared with a type a package exports (`private segment: Analytics` of
 * `@segment/analytics-node`, `posthog?: PostHog | undefined`) or a built-in one (`private schemas:
 * Map<…>`, `private filters: Filter[]`): its methods are the package's or JavaScript's, not the project's.
 */
function isPackageType(ctx: FileContext, member: ts.Expression): boolean {
  const declared = declarationOf(ctx, member, false)?.type;
  return declared !== undefined && isOutsideType(ctx, declared);
}

function isOutsideType(ctx: FileContext, node: ts.TypeNode): boolean {
  const { ts } = ctx;
  if (ts.isArrayTypeNode(node) || ts.isTupleTypeNode(node)) return true;
  if (ts.isUnionTypeNode(node)) {
    const named = node.types.filter((t) => !isNullishType(ts, t));
    return named.length > 0 && named.every((t) => isOutsideType(ctx, t));
  }
  const type = typeReference(ts, node);
  if (!type) return false;
  const binding = ctx.importOf(type.root);
  return binding === null ? isBuiltIn(ctx, type.root) : !ctx.isProjectModule(binding.module);
}

const PARAMETER_PROPERTY_MODIFIERS = (ts: TS): readonly ts.SyntaxKind[] => [
  ts.SyntaxKind.PrivateKeyword,
  ts.SyntaxKind.PublicKeyword,
  ts.SyntaxKind.ProtectedKeyword,
  ts.SyntaxKind.ReadonlyKeyword,
];

/** Whether a member is injected in the class or in one of the project's classes it extends (`protected authService` of a base resolver). */
function isInjectedAlong(ctx: FileContext, owner: ts.ClassLikeDeclaration, name: string): boolean {
  for (const current of classChain({ cls: owner, ctx })) if (isInjected(ctx.ts, current.cls, name)) return true;
  return false;
}

/** A member that the framework injects: a constructor parameter property, or a property with a declared type. */
function isInjected(ts: TS, owner: ts.ClassLikeDeclaration, name: string): boolean {
  const modifiers = PARAMETER_PROPERTY_MODIFIERS(ts);
  for (const member of owner.members) {
    if (ts.isConstructorDeclaration(member)) {
      for (const parameter of member.parameters) {
        const isProperty = ts.getModifiers(parameter)?.some((m) => modifiers.includes(m.kind));
        if (isProperty && ts.isIdentifier(parameter.name) && parameter.name.text === name) return true;
      }
    }
    if (
      ts.isPropertyDeclaration(member) &&
      ts.isIdentifier(member.name) &&
      member.name.text === name &&
      member.type &&
      !member.initializer
    ) {
      return true;
    }
  }
  return false;
}

/** The context of the file a node is written in. */
function contextOf(ctx: FileContext, node: ts.Node): FileContext {
  const file = node.getSourceFile();
  return file === ctx.sourceFile ? ctx : ctx.contextOf(file);
}

/** The hooks a write of `model` firing `events` runs, through the resolver or in the file. */
export function hooksOf(ctx: FileContext, model: string, events: readonly string[]): Target[] {
  const hooks = ctx.resolver?.hooksOf?.(model) ?? ctx.fileHooks(model);
  const seen = new Set<ts.Node>();
  const targets: Target[] = [];
  for (const hook of hooks) {
    if (seen.has(hook.fn) || !hookRuns(hook, events)) continue;
    seen.add(hook.fn);
    const event =
      typeof hook.event === 'string'
        ? hook.event.replace(/^entity:/, '')
        : (hook.name ?? hook.fn.name?.getText(hook.fn.getSourceFile()) ?? 'hook');
    targets.push({ declaration: hook.fn, ctx: contextOf(ctx, hook.fn), label: `${model}.${event} (hook)` });
  }
  return targets;
}

/** The processors of the jobs a call enqueues, through the resolver or in the file. */
export function processorsOf(ctx: FileContext, queueKeys: readonly string[], job: string | null): Target[] {
  const queue = queueKeys[0];
  if (queue === undefined) return [];
  const processors = queueKeys.flatMap((key) => ctx.resolver?.processorsOf?.(key) ?? ctx.fileProcessors(key));
  const seen = new Set<ts.Node>();
  const targets: Target[] = [];
  for (const processor of processors) {
    if (seen.has(processor.fn) || (processor.job !== null && job !== null && processor.job !== job)) continue;
    seen.add(processor.fn);
    const name = processor.queues.find((q) => !q.startsWith('expr:')) ?? queue.replace(/^expr:/, '');
    targets.push({ declaration: processor.fn, ctx: contextOf(ctx, processor.fn), label: `${processor.label} (job ${name})` });
  }
  return targets;
}

/** The listeners of an emitted event (`@OnEvent(X)`), through the resolver or in the file. */
export function listenersOf(ctx: FileContext, event: ts.Expression): Target[] {
  const keys = eventKeys(ctx, event);
  const found = new Set<ts.FunctionLikeDeclaration>();
  const made = unwrap(ctx.ts, event);
  const valueOf = (property: string): string | null => (ctx.ts.isNewExpression(made) ? constructorArgument(ctx, made, property) : null);
  for (const key of keys) {
    for (const listener of ctx.resolver?.listenersOf?.(key) ?? ctx.fileListeners(key)) {
      if (admitsEvent(ctx.ts, listener, valueOf)) found.add(listener);
    }
  }
  return [...found].map((declaration) => {
    const owner = enclosingClass(ctx.ts, declaration);
    const method = declaration.name ? declaration.name.getText(declaration.getSourceFile()) : 'listener';
    return {
      declaration,
      ctx: contextOf(ctx, declaration),
      label: `${owner?.name ? `${owner.name.text}.` : ''}${method} (on ${keys[0]?.replace(/^(expr|class):/, '') ?? ''})`,
    };
  });
}

/**
 * The static value of an event's property that its constructor takes as the parameter of the same
 * name (`new ProductEvent(ctx, product, 'created')` with `constructor(ctx, entity, type)`), through
 * the project's base classes where the class has no constructor of its own.
 */
function constructorArgument(ctx: FileContext, made: ts.NewExpression, property: string): string | null {
  const { ts } = ctx;
  const reference = unwrap(ts, made.expression);
  const start = ts.isIdentifier(reference) ? classOf(ctx, reference) : null;
  for (const found of start ? classChain(start, 4) : []) {
    const constructor = found.cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
    if (!constructor) continue;
    const index = constructor.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === property);
    const argument = index >= 0 && !constructor.parameters[index]?.dotDotDotToken ? made.arguments?.[index] : undefined;
    return argument ? staticString(ctx, argument) : null;
  }
  return null;
}

/**
 * The names an event expression can be matched by: its string value when it has one, and its
 * text (`PortfolioChangedEvent.getName()`, `Events.QuoteChanged`) for names written as expressions.
 */
function eventKeys(ctx: FileContext, event: ts.Expression): string[] {
  const expression = unwrap(ctx.ts, event);
  // An event dispatched by class (`publish(new RoleEvent(…))` ↔ `ofType(RoleEvent)`).
  if (ctx.ts.isNewExpression(expression) && ctx.ts.isIdentifier(expression.expression)) return [`class:${expression.expression.text}`];
  const value = staticString(ctx, event);
  const text = `expr:${ctx.text(unwrap(ctx.ts, event)).replace(/\s+/g, '')}`;
  return value === null ? [text] : [value, text];
}
