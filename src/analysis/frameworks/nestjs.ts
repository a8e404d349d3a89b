import type ts from 'typescript';
import { staticObject, staticString } from '../context.js';
import { decoratorsOf, propertyNameText } from '../../ts/syntax.js';
import type { FileContext, FileSurface } from '../context.js';
import type { CacheFamily, Framework, Invalidation, RouteHandler } from '../facts.js';
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

/** Whether the file can hold NestJS, GraphQL or routing-controllers handlers. */
export function usesDecoratorFrameworks(ctx: FileSurface): boolean {
  return ctx.importsModule((m) => NEST_MODULES.has(m) || GRAPHQL_MODULES.has(m) || m === ROUTING_CONTROLLERS);
}

interface ClassRole {
  readonly framework: Framework;
  readonly prefix: string | null;
}

function classRole(ctx: FileContext, node: ts.ClassLikeDeclaration): ClassRole | null {
  const { ts } = ctx;
  for (const decorator of decoratorsOf(ts, node)) {
    const name = importedName(ctx, decorator.expression);
    const module = moduleOf(ctx, decorator.expression);
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
    const module = moduleOf(ctx, decorator.expression);
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
export function extractDecoratedHandlers(ctx: FileContext): RouteHandler[] {
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
        return (
          ts.isIdentifier(reference) &&
          ctx.importOf(reference.text)?.module === CACHE_MANAGER &&
          importedName(ctx, reference) === 'CacheInterceptor'
        );
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
  const { ts } = ctx;
  const families: CacheFamily[] = [];
  for (const node of ctx.nodes.classes) {
    const role = classRole(ctx, node);
    if (role?.framework !== 'nestjs') continue;
    const isClassCached = usesCacheInterceptor(ctx, node);
    for (const member of node.members) {
      if (!ts.isMethodDeclaration(member) || !member.body) continue;
      const route = methodRoute(ctx, member, role);
      if (route?.method !== 'GET' || !(isClassCached || usesCacheInterceptor(ctx, member))) continue;
      const named = cacheDecoratorArg(ctx, member, 'CacheKey');
      const key = named ? staticString(ctx, named) : (joinPath(role.prefix, route.path)?.replace(/:(\w+)/g, '{$1}') ?? null);
      if (key === null) continue;
      const ttlArg = cacheDecoratorArg(ctx, member, 'CacheTTL');
      const ms = ttlArg && ts.isNumericLiteral(ttlArg) ? Number(ttlArg.text.replace(/_/g, '')) : null;
      const ttl = ms === null ? null : ms / 1000;
      const loads = loadsOf(ctx, member);
      const where = { file: ctx.file, range: ctx.range(member.name) };
      families.push({ key, models: [...new Set(loads.map((l) => l.model))], loads, ...where, ttl, fills: [{ ...where, ttl }] });
    }
  }
  return families;
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
 * null when the interceptor is written in `ctx`'s file.
 */
export function interceptInvalidations(ctx: FileContext, declaration: ts.ClassLikeDeclaration, label: string): Invalidation[] {
  const { ts } = ctx;
  const intercept = declaration.members.find(
    (m): m is ts.MethodDeclaration =>
      ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === 'intercept' && m.body !== undefined,
  );
  if (!intercept?.body) return [];
  const target = declaration.getSourceFile() === ctx.sourceFile ? ctx : ctx.contextOf(declaration.getSourceFile());
  return scanBody(target, intercept.body).invalidations.map((invalidation) => ({
    ...invalidation,
    via: 'middleware',
    through: [label, ...invalidation.through],
    file: target === ctx ? null : target.file,
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
