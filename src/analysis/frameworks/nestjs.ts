import type ts from 'typescript';
import { staticObject, staticString } from '../context.js';
import { packageOf } from '../../ts/imports.js';
import { decoratorsOf, propertyNameText } from '../../ts/syntax.js';
import type { FileContext, FileSurface } from '../context.js';
import type { CacheFamily, Framework, GlobalCacheSetup, InterceptedGet, Invalidation, RouteHandler } from '../facts.js';
import { baseOf, classOf, propertyValue } from '../sources/declarations.js';
import { responseCacheSetup } from '../sources/response-cache.js';
import { loadsOf } from '../effects/loads.js';
import {
  codeInvalidations,
  hasTenantInScope,
  importedName,
  isMutationByCode,
  modelWrites,
  moduleOf,
  readDecorators,
} from '../handler-common.js';
import { EMPTY_SCAN, scanBody } from '../invalidations.js';
import type { FrameworkModule } from './framework.js';

const HTTP_DECORATORS: Readonly<Record<string, string>> = {
  Get: 'GET',
  Post: 'POST',
  Put: 'PUT',
  Patch: 'PATCH',
  Delete: 'DELETE',
  All: 'ALL',
  Head: 'HEAD',
  Options: 'OPTIONS',
  Search: 'SEARCH',
};

const NEST_MODULES = new Set(['@nestjs/common']);
/** Microservice handlers: a message or event is served without an HTTP method, a mutation by what it does. */
const MESSAGE_DECORATORS: Readonly<Record<string, string>> = { MessagePattern: 'MESSAGE', EventPattern: 'EVENT' };
const MICROSERVICES = '@nestjs/microservices';
const GRAPHQL_MODULES = new Set(['@nestjs/graphql', 'type-graphql']);
const ROUTING_CONTROLLERS = 'routing-controllers';
const CONTROLLER_DECORATORS = new Set(['Controller', 'JsonController']);

/** The packages whose decorators declare handlers: a file imports one of them, or a subpath of one. */
const DECORATOR_PACKAGES: readonly string[] = [...NEST_MODULES, ...GRAPHQL_MODULES, ROUTING_CONTROLLERS];
/** The class decorators of handlers, as a file that declares one writes them. */
const CLASS_MARKER = /\b(Controller|JsonController|Resolver)\b/;

/** Whether the file can hold NestJS, GraphQL or routing-controllers handlers. */
export function usesDecoratorFrameworks(ctx: FileSurface): boolean {
  return ctx.importsModule((m) => DECORATOR_PACKAGES.includes(packageOf(m)));
}

/** The package a decorator is imported from (`@nestjs/common/decorators` is `@nestjs/common`), a relative module as written, or null. */
function decoratorPackage(ctx: FileContext, expression: ts.Expression): string | null {
  const module = moduleOf(ctx, expression);
  return module === null || module.startsWith('.') ? module : packageOf(module);
}

interface ClassRole {
  readonly framework: Framework;
  readonly prefix: string | null;
}

function classRole(ctx: FileContext, node: ts.ClassLikeDeclaration): ClassRole | null {
  const { ts } = ctx;
  for (const decorator of decoratorsOf(ts, node)) {
    const name = importedName(ctx, decorator.expression);
    const module = decoratorPackage(ctx, decorator.expression);
    const args = ts.isCallExpression(decorator.expression) ? decorator.expression.arguments : [];
    if (name === 'Resolver' && (module === null || GRAPHQL_MODULES.has(module))) return { framework: 'graphql', prefix: null };
    if (name !== null && CONTROLLER_DECORATORS.has(name)) {
      const framework: Framework = module === ROUTING_CONTROLLERS ? 'routing-controllers' : 'nestjs';
      return { framework, prefix: controllerPrefix(ctx, args[0]) };
    }
  }
  return null;
}

function controllerPrefix(ctx: FileContext, arg: ts.Expression | undefined): string | null {
  if (!arg) return null;
  const direct = staticString(ctx, arg);
  if (direct !== null) return direct;
  const object = staticObject(ctx, arg);
  const path = object?.properties.find((p) => ctx.ts.isPropertyAssignment(p) && propertyNameText(ctx.ts, p.name) === 'path');
  return path && ctx.ts.isPropertyAssignment(path) ? staticString(ctx, path.initializer) : null;
}

/** The HTTP method (or MUTATION / QUERY) and path of a handler method, from its decorators. */
function methodRoute(ctx: FileContext, method: ts.MethodDeclaration, role: ClassRole): { method: string; path: string | null } | null {
  const { ts } = ctx;
  for (const decorator of decoratorsOf(ts, method)) {
    const name = importedName(ctx, decorator.expression);
    if (name === null) continue;
    const module = decoratorPackage(ctx, decorator.expression);
    const args = ts.isCallExpression(decorator.expression) ? decorator.expression.arguments : [];
    if (role.framework === 'graphql') {
      if ((name === 'Mutation' || name === 'Query') && (module === null || GRAPHQL_MODULES.has(module))) {
        return { method: name === 'Mutation' ? 'MUTATION' : 'QUERY', path: null };
      }
      continue;
    }
    const isKnownModule = module === null || NEST_MODULES.has(module) || module === ROUTING_CONTROLLERS || module.startsWith('.');
    const message = MESSAGE_DECORATORS[name];
    if (message && (module === null || module === MICROSERVICES)) return { method: message, path: null };
    const http = HTTP_DECORATORS[name];
    if (http && isKnownModule) return { method: http, path: args[0] ? routePath(ctx, args[0]) : '' };
    if (name === 'Method' && module === ROUTING_CONTROLLERS && args[0]) {
      const verb = staticString(ctx, args[0]);
      if (verb) return { method: verb.toUpperCase(), path: args[1] ? routePath(ctx, args[1]) : '' };
    }
  }
  return null;
}

function routePath(ctx: FileContext, arg: ts.Expression): string | null {
  const { ts } = ctx;
  const expression = ts.isArrayLiteralExpression(arg) ? arg.elements[0] : arg;
  return expression ? staticString(ctx, expression) : null;
}

function joinPath(prefix: string | null, path: string | null): string | null {
  if (path === null) return null;
  const parts = [prefix ?? '', path].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean);
  return `/${parts.join('/')}`;
}

/** Handlers of decorated classes: NestJS controllers, GraphQL resolvers, routing-controllers. */
function extractDecoratedHandlers(ctx: FileContext): RouteHandler[] {
  const handlers: RouteHandler[] = [];
  for (const node of ctx.nodes.classes) {
    const role = classRole(ctx, node);
    if (role) handlers.push(...classHandlers(ctx, node, role));
  }
  return handlers;
}

const CACHE_MANAGER = '@nestjs/cache-manager';

/** Whether a class or method is cached by `@UseInterceptors(CacheInterceptor)` of `@nestjs/cache-manager`. */
function usesCacheInterceptor(ctx: FileContext, node: ts.Node): boolean {
  const { ts } = ctx;
  return decoratorsOf(ts, node).some(
    (decorator) =>
      importedName(ctx, decorator.expression) === 'UseInterceptors' &&
      ts.isCallExpression(decorator.expression) &&
      decorator.expression.arguments.some((arg) => {
        const reference = ts.isNewExpression(arg) ? arg.expression : arg;
        return ts.isIdentifier(reference) && isCacheInterceptor(ctx, reference);
      }),
  );
}

/** The argument of a `@CacheKey(…)` or `@CacheTTL(…)` of `@nestjs/cache-manager` on a method. */
function cacheDecoratorArg(ctx: FileContext, method: ts.MethodDeclaration, name: string): ts.Expression | null {
  const { ts } = ctx;
  for (const decorator of decoratorsOf(ts, method)) {
    if (importedName(ctx, decorator.expression) !== name || moduleOf(ctx, decorator.expression) !== CACHE_MANAGER) continue;
    if (ts.isCallExpression(decorator.expression) && decorator.expression.arguments[0]) return decorator.expression.arguments[0];
  }
  return null;
}

/**
 * The GET responses `CacheInterceptor` caches (on the controller or the method): keyed by
 * `@CacheKey(…)` or the request's path (`/quotes/{id}`), holding what the handler reads, for
 * `@CacheTTL(…)` milliseconds (cache-manager 5 and later). A mutation that changes that data must
 * `del` the key.
 */
export function cachedGetFamilies(ctx: FileContext): CacheFamily[] {
  return getFamilies(ctx, (cls, method) => usesCacheInterceptor(ctx, cls) || usesCacheInterceptor(ctx, method)).map((get) => get.family);
}

/**
 * The GETs a `CacheInterceptor` registered for the whole application would cache: every GET of
 * every controller that no `@UseInterceptors(CacheInterceptor)` caches already. Families only in a
 * project that registers one (see `globalCacheSetup`), which the file alone cannot tell.
 */
export function interceptedGets(ctx: FileContext): InterceptedGet[] {
  if (!/@Get\b/.test(ctx.sourceText)) return [];
  return getFamilies(ctx, (cls, method) => !usesCacheInterceptor(ctx, cls) && !usesCacheInterceptor(ctx, method));
}

function getFamilies(
  ctx: FileContext,
  isCached: (cls: ts.ClassLikeDeclaration, method: ts.MethodDeclaration) => boolean,
): InterceptedGet[] {
  const { ts } = ctx;
  const gets: InterceptedGet[] = [];
  for (const node of ctx.nodes.classes) {
    const role = classRole(ctx, node);
    if (role?.framework !== 'nestjs') continue;
    for (const member of node.members) {
      if (!ts.isMethodDeclaration(member) || !member.body) continue;
      const route = methodRoute(ctx, member, role);
      if (route?.method !== 'GET' || !isCached(node, member)) continue;
      const named = cacheDecoratorArg(ctx, member, 'CacheKey');
      const path = named ? null : (joinPath(role.prefix, route.path)?.replace(/:(\w+)/g, '{$1}') ?? null);
      const key = named ? staticString(ctx, named) : path;
      if (key === null) continue;
      const ttlArg = cacheDecoratorArg(ctx, member, 'CacheTTL');
      const ms = ttlArg && ts.isNumericLiteral(ttlArg) ? Number(ttlArg.text.replace(/_/g, '')) : null;
      const ttl = ms === null ? null : ms / 1000;
      const loads = loadsOf(ctx, member);
      const where = { file: ctx.file, range: ctx.range(member.name) };
      const family = {
        key,
        models: [...new Set(loads.map((l) => l.model))],
        loads,
        ...where,
        ttl,
        fills: [{ ...where, ttl }],
        isResponse: true,
      };
      gets.push({ family, path });
    }
  }
  return gets;
}

const NEST_CORE = '@nestjs/core';

/**
 * What the text of a file that sets up every request of the application contains: an interceptor
 * registered for all (the global interceptions of scanner/pipeline/extract.ts test it first), or the
 * global prefix of the paths a global `CacheInterceptor` keys by.
 */
export const GLOBAL_INTERCEPTOR_MARKER = /APP_INTERCEPTOR|setGlobalPrefix|useResponseCache/;
/** What the text of a file with a controller, whose GETs a `CacheInterceptor` may cache, contains. */
export const CONTROLLER_MARKER = /@Controller\b/;

/** Whether the global interceptors (`APP_INTERCEPTOR`) run for a handler: a NestJS or GraphQL mutation. */
export function isGloballyIntercepted(handler: RouteHandler): boolean {
  return handler.isMutation && (handler.framework === 'nestjs' || handler.framework === 'graphql');
}
/** Methods of `CacheInterceptor` that decide what is cached and under which key: a subclass that overrides one keys its own way. */
const KEYING_METHODS = new Set(['trackBy', 'isRequestCacheable']);

/**
 * What a file sets up for every request of the application: whether it registers `CacheInterceptor`
 * of `@nestjs/cache-manager` as an `APP_INTERCEPTOR` (`{ provide: APP_INTERCEPTOR, useClass:
 * CacheInterceptor }`, or a subclass that keeps its keys: one that overrides `trackBy` or
 * `isRequestCacheable` caches what the code cannot tell), and the prefix it gives every path
 * (`app.setGlobalPrefix('api')`), which is part of the URL the interceptor keys by.
 */
export function globalCacheSetup(ctx: FileContext): GlobalCacheSetup {
  const { ts } = ctx;
  let cachesGets = false;
  let prefix: string | null = null;
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node) && isCacheInterceptorProvider(ctx, node)) cachesGets = true;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'setGlobalPrefix') {
      const first = node.arguments[0];
      const value = first ? staticString(ctx, first) : null;
      if (value !== null) prefix = value;
    }
    ts.forEachChild(node, visit);
  };
  if (/APP_INTERCEPTOR|setGlobalPrefix/.test(ctx.sourceText)) visit(ctx.sourceFile);
  const queryCache = responseCacheSetup(ctx);
  return { cachesGets, prefix, ...(queryCache ? { queryCache } : {}) };
}

function isCacheInterceptorProvider(ctx: FileContext, node: ts.ObjectLiteralExpression): boolean {
  const { ts } = ctx;
  const provide = propertyValue(ts, node, 'provide');
  const useClass = propertyValue(ts, node, 'useClass');
  if (!provide || !ts.isIdentifier(provide) || importedName(ctx, provide) !== 'APP_INTERCEPTOR') return false;
  if (moduleOf(ctx, provide) !== NEST_CORE || !useClass || !ts.isIdentifier(useClass)) return false;
  if (isCacheInterceptor(ctx, useClass)) return true;
  const declared = classOf(ctx, useClass);
  if (!declared) return false;
  const base = baseOf(ts, declared.cls);
  const overrides = declared.cls.members.some((m) => m.name !== undefined && KEYING_METHODS.has(propertyNameText(ts, m.name) ?? ''));
  return base !== null && ts.isIdentifier(base.expression) && isCacheInterceptor(declared.ctx, base.expression) && !overrides;
}

/**
 * The families of the intercepted GETs, in a project whose files set up `setups`: none unless one
 * registers a global `CacheInterceptor`; keyed by the URL under the global prefix, or their `@CacheKey`.
 * The GraphQL queries' responses likewise, where one sets up a response cache.
 */
export function globallyCachedGets(gets: readonly InterceptedGet[], setups: readonly GlobalCacheSetup[]): CacheFamily[] {
  if (gets.length === 0) return [];
  const cachesGets = setups.some((setup) => setup.cachesGets);
  const queryCache = setups.find((setup) => setup.queryCache)?.queryCache ?? null;
  const prefix = setups.find((setup) => setup.prefix !== null)?.prefix ?? null;
  return gets.flatMap(({ family, path, isQuery }) => {
    if (isQuery === true) return queryCache ? [queryCache.byMutation ? { ...family, isClearedByMutations: true } : family] : [];
    if (!cachesGets) return [];
    return [path === null ? family : { ...family, key: joinPath(prefix, path) ?? path }];
  });
}

/** Whether an identifier names `CacheInterceptor` of `@nestjs/cache-manager`. */
function isCacheInterceptor(ctx: FileContext, reference: ts.Identifier): boolean {
  return ctx.importOf(reference.text)?.module === CACHE_MANAGER && importedName(ctx, reference) === 'CacheInterceptor';
}

/** Invalidations of the interceptors a class or method names in `@UseInterceptors(…)`. */
function interceptorInvalidations(ctx: FileContext, node: ts.Node, opaque: string[]): Invalidation[] {
  const { ts } = ctx;
  const result: Invalidation[] = [];
  for (const decorator of decoratorsOf(ts, node)) {
    if (importedName(ctx, decorator.expression) !== 'UseInterceptors' || !ts.isCallExpression(decorator.expression)) continue;
    for (const arg of decorator.expression.arguments) {
      const reference = ts.isNewExpression(arg) ? arg.expression : arg;
      if (!ts.isIdentifier(reference)) continue;
      const declaration = ctx.classes.get(reference.text) ?? ctx.resolver?.resolveClass?.(reference) ?? null;
      if (!declaration) {
        const module = ctx.importOf(reference.text)?.module;
        if (module !== undefined && ctx.isProjectModule(module)) opaque.push(`@UseInterceptors(${reference.text})`);
        continue;
      }
      result.push(...interceptInvalidations(ctx, declaration, `${reference.text}.intercept`));
    }
  }
  return result;
}

/**
 * What an interceptor class's `intercept` deletes, marked as reached through `label`; `file` is
 * null for what is written in `ctx`'s file.
 */
export function interceptInvalidations(ctx: FileContext, declaration: ts.ClassLikeDeclaration, label: string): Invalidation[] {
  const { ts } = ctx;
  const intercept = declaration.members.find(
    (m): m is ts.MethodDeclaration =>
      ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === 'intercept' && m.body !== undefined,
  );
  if (!intercept?.body) return [];
  const target = declaration.getSourceFile() === ctx.sourceFile ? ctx : ctx.contextOf(declaration.getSourceFile());
  return scanBody(target, intercept.body, ctx.file).invalidations.map((invalidation) => ({
    ...invalidation,
    via: 'middleware',
    through: [label, ...invalidation.through],
  }));
}

function classHandlers(ctx: FileContext, node: ts.ClassLikeDeclaration, role: ClassRole): RouteHandler[] {
  const { ts } = ctx;
  const classIntent = readDecorators(ctx, node);
  const classOpaque: string[] = [];
  const classInterceptors = interceptorInvalidations(ctx, node, classOpaque);
  const className = node.name?.text ?? '(anonymous class)';
  const handlers: RouteHandler[] = [];
  for (const member of node.members) {
    if (!ts.isMethodDeclaration(member)) continue;
    const route = methodRoute(ctx, member, role);
    if (!route) continue;
    const intent = readDecorators(ctx, member);
    const methodOpaque: string[] = [];
    const scan = member.body ? scanBody(ctx, member.body) : EMPTY_SCAN;
    const methodInterceptors = interceptorInvalidations(ctx, member, methodOpaque);
    const hasDeclared =
      intent.invalidations.length + classIntent.invalidations.length + classInterceptors.length + methodInterceptors.length > 0;
    const isMessage = route.method === 'MESSAGE' || route.method === 'EVENT';
    const isDeclared = isMessage
      ? scan.invalidations.length + scan.writeThroughs.length + intent.invalidations.length + methodInterceptors.length > 0
      : route.method === 'MUTATION' || ctx.options.mutationMethods.has(route.method);
    const isMutation = isMutationByCode(isDeclared, scan, hasDeclared || intent.exception !== null);
    const methodName = member.name.getText(ctx.sourceFile);
    handlers.push({
      framework: role.framework,
      method: route.method,
      isMutation,
      path: role.framework === 'graphql' ? null : joinPath(role.prefix, route.path),
      name: `${className}.${methodName}`,
      nameRange: ctx.range(member.name),
      // Class-level invalidations apply to the mutations only; on a GET they would be a mistake
      // of the class, not of each query.
      invalidations: [
        ...(isMutation ? [...classIntent.invalidations, ...classInterceptors] : []),
        ...intent.invalidations,
        ...methodInterceptors,
        ...codeInvalidations(scan, isMutation),
      ],
      declaredResources: intent.resources ?? classIntent.resources,
      exception: intent.exception ?? classIntent.exception,
      opaqueCalls: [...scan.opaqueCalls, ...(isMutation ? [...classOpaque, ...classIntent.opaque] : []), ...intent.opaque, ...methodOpaque],
      // Only the strict rule asks: computed when read.
      get hasTenantInScope() {
        return hasTenantInScope(ctx, member);
      },
      writes: modelWrites(scan),
    });
  }
  return handlers;
}

/** NestJS (with its microservices), GraphQL resolver classes and routing-controllers: decorated classes. */
export const nestjs: FrameworkModule = {
  id: 'nestjs',
  packages: DECORATOR_PACKAGES,
  mayHold: (file) => usesDecoratorFrameworks(file) && CLASS_MARKER.test(file.sourceText),
  extract: extractDecoratedHandlers,
  decoratedKinds: ['nestjs', 'graphql', 'routing-controllers'],
};

declare module '../facts.js' {
  interface FrameworkNames {
    readonly nestjs: true;
    readonly graphql: true;
    readonly 'routing-controllers': true;
  }
}
