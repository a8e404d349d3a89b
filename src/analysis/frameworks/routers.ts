import type ts from 'typescript';
import { staticString } from '../context.js';
import { lastName, parentOf, propertyNameText, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import type { Framework, Invalidation, RouteHandler } from '../facts.js';
import { codeInvalidations, hasTenantInScope, isMutationByCode, modelWrites } from '../handler-common.js';
import { matchesCallName } from '../effects/classify.js';
import { scanBody } from '../invalidations.js';
import type { BodyScan } from '../invalidations.js';
import { readPattern } from '../read-pattern.js';
import type { FrameworkModule } from './framework.js';
import { functionOf, isPackageMiddleware } from './code-handler.js';
import { prefixedPath } from './mounts.js';
import { FRAMEWORK_MODULES, routerFramework } from './router-modules.js';

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all']);

/** Names of router factories: `express()`, `Router()`, `new Hono()`, `Fastify()`, `new Router()`. */
const FACTORIES = new Set(['express', 'Router', 'Hono', 'Fastify', 'fastify', 'KoaRouter', 'OpenAPIHono']);
const ROUTER_TYPES = /^(Router|Express|Application|FastifyInstance|Hono|KoaRouter|Koa|OpenAPIHono|IRouter)\b/;
const DEFAULT_NAMES = new Set(['app', 'router', 'api', 'server', 'fastify', 'routes', 'instance']);
/** Calls that return the router they are called on, so that registrations chain: `new Hono().basePath('/api').get(…).post(…)`. */
const CHAIN_LINKS = new Set([...VERBS, 'use', 'basePath', 'route', 'on', 'mount', 'notFound', 'onError', 'openapi', 'doc']);
const HTTP_CLIENTS = new Set([
  'axios',
  'http',
  'https',
  'got',
  'ky',
  'superagent',
  'request',
  'supertest',
  'fetch',
  'httpService',
  'client',
  '$http',
]);

/** Whether an identifier is a router or app of the file. */
function isRouter(ctx: FileContext, identifier: ts.Identifier, framework: Framework | null): boolean {
  const { ts } = ctx;
  const name = identifier.text;
  if (HTTP_CLIENTS.has(name)) return false;
  if (ctx.options.routerReceivers.has(name)) return true;
  const binding = ctx.importOf(name);
  if (binding) return !ctx.isProjectModule(binding.module) ? false : framework !== null && DEFAULT_NAMES.has(name);
  const declaration = findDeclaration(ctx, identifier);
  if (declaration && ts.isVariableDeclaration(declaration)) {
    const init = declaration.initializer ? unwrap(ts, declaration.initializer) : null;
    if (init && (ts.isCallExpression(init) || ts.isNewExpression(init))) return isRouterChain(ctx, init, framework);
    if (declaration.type) return ROUTER_TYPES.test(declaration.type.getText(ctx.sourceFile));
    return false;
  }
  if (declaration && ts.isParameter(declaration)) {
    const isNamedLikeRouter = framework !== null && DEFAULT_NAMES.has(name);
    return declaration.type ? isRouterType(ctx, declaration.type, declaration, isNamedLikeRouter) : isNamedLikeRouter;
  }
  // `...[router, tenant]: RouterInitArgs<T>`: a router handed over in a tuple of init arguments.
  if (declaration && ts.isBindingElement(declaration)) return DEFAULT_NAMES.has(name);
  return false;
}

/**
 * Whether a parameter's declared type is a router's: named so, or a type parameter of the function
 * constrained to one (`<T extends ManagementApiRouter>(router: T)`); or, for a parameter named like
 * a router, a type of the project's own, which says nothing against the name.
 */
function isRouterType(ctx: FileContext, type: ts.TypeNode, parameter: ts.ParameterDeclaration, isNamedLikeRouter: boolean): boolean {
  const { ts } = ctx;
  const text = type.getText(ctx.sourceFile);
  if (ROUTER_TYPES.test(text) || (isNamedLikeRouter && isProjectType(ctx, type))) return true;
  const owner = parameter.parent;
  const constraint = ts.isFunctionLike(owner) ? owner.typeParameters?.find((p) => p.name.text === text)?.constraint : undefined;
  return constraint !== undefined && /Router\b/.test(constraint.getText(ctx.sourceFile));
}

/** Whether a declared type is the project's own (`type App = ReturnType<typeof newApp>`): it says nothing against a name. */
function isProjectType(ctx: FileContext, type: ts.TypeNode): boolean {
  if (!ctx.ts.isTypeReferenceNode(type) || !ctx.ts.isIdentifier(type.typeName)) return false;
  const { text: name } = type.typeName;
  const binding = ctx.importOf(name);
  if (binding) return ctx.isProjectModule(binding.module);
  const declares = (s: ts.Statement): boolean =>
    (ctx.ts.isTypeAliasDeclaration(s) || ctx.ts.isInterfaceDeclaration(s)) && s.name.text === name;
  return ctx.sourceFile.statements.some(declares);
}

/**
 * Whether an expression is a router: one of the file's routers, a factory call (`new Hono()`,
 * `Router()`), or a chain of registrations on one (`new Hono().basePath('/api').get(…)`). Express's
 * `route('/path')` (one argument) starts a chain of its own, read apart.
 */
function isRouterChain(ctx: FileContext, expression: ts.Expression, framework: Framework | null): boolean {
  const { ts } = ctx;
  let node = unwrap(ts, expression);
  for (let links = 0; links < 100 && ts.isCallExpression(node); links++) {
    const callee = unwrap(ts, node.expression);
    if (
      !ts.isPropertyAccessExpression(callee) ||
      !CHAIN_LINKS.has(callee.name.text) ||
      (callee.name.text === 'route' && node.arguments.length === 1)
    )
      break;
    node = unwrap(ts, callee.expression);
  }
  if (ts.isIdentifier(node)) return isRouter(ctx, node, framework);
  if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
    const factory = lastName(ts, node.expression);
    return factory !== null && FACTORIES.has(factory);
  }
  return false;
}

function findDeclaration(
  ctx: FileContext,
  identifier: ts.Identifier,
): ts.VariableDeclaration | ts.ParameterDeclaration | ts.BindingElement | null {
  const { ts } = ctx;
  const name = identifier.text;
  let node = parentOf(identifier);
  while (node) {
    if (ts.isFunctionLike(node)) {
      const parameter = node.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name);
      if (parameter) return parameter;
      const element = node.parameters.map((p) => routerInitElement(ts, p, name)).find((e) => e !== null);
      if (element) return element;
    }
    if (ts.isBlock(node) || ts.isSourceFile(node) || ts.isModuleBlock(node)) {
      for (const statement of node.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration;
        }
      }
    }
    node = parentOf(node);
  }
  return null;
}

/** `...[router, tenant]: RouterInitArgs<T>`: the element of that name of a rest parameter whose type names a router. */
function routerInitElement(ts: TS, parameter: ts.ParameterDeclaration, name: string): ts.BindingElement | null {
  if (!parameter.dotDotDotToken || !ts.isArrayBindingPattern(parameter.name) || !parameter.type) return null;
  if (!/Router/.test(parameter.type.getText())) return null;
  for (const element of parameter.name.elements) {
    if (ts.isBindingElement(element) && ts.isIdentifier(element.name) && element.name.text === name) return element;
  }
  return null;
}

interface RouteCall {
  /** The router the route is registered on, when it is named (`router` of `router.post(…)`, `app.route('/x').get(…)`). */
  readonly router?: ts.Identifier | null;
  readonly verbs: readonly string[];
  readonly path: string | null;
  readonly handlers: readonly ts.Expression[];
  readonly nameNode: ts.Node;
}

/** The router a chain of registrations starts from (`app` of `app.route('/x').get(…).post(…)`), when it is named. */
function chainBase(ctx: FileContext, expression: ts.Expression): ts.Identifier | null {
  const { ts } = ctx;
  let node = unwrap(ts, expression);
  for (let links = 0; links < 100; links++) {
    if (ts.isCallExpression(node)) node = unwrap(ts, node.expression);
    else if (ts.isPropertyAccessExpression(node) && CHAIN_LINKS.has(node.name.text)) node = unwrap(ts, node.expression);
    else break;
  }
  return ts.isIdentifier(node) ? node : null;
}

/** Reads a route registration, with the router it is registered on. */
function readRouteCall(ctx: FileContext, call: ts.CallExpression, framework: Framework | null): RouteCall | null {
  const route = readRegistration(ctx, call, framework);
  return route ? { ...route, router: chainBase(ctx, call.expression) } : null;
}

/** Reads `r.post(path, ...h)`, `r.route(path).post(...h)`, `app.on('POST', path, ...h)`, `fastify.route({...})`. */
function readRegistration(ctx: FileContext, call: ts.CallExpression, framework: Framework | null): RouteCall | null {
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return null;
  const verb = callee.name.text;
  const receiver = unwrap(ts, callee.expression);
  const args = call.arguments;

  // r.route('/path').post(...).delete(...)
  if (ts.isCallExpression(receiver) && VERBS.has(verb)) {
    let chain: ts.CallExpression = receiver;
    for (;;) {
      const link = unwrap(ts, chain.expression);
      const next = ts.isPropertyAccessExpression(link) && VERBS.has(link.name.text) ? unwrap(ts, link.expression) : null;
      if (!next || !ts.isCallExpression(next)) break;
      chain = next;
    }
    const routeCall = chain;
    const inner = unwrap(ts, routeCall.expression);
    if (ts.isPropertyAccessExpression(inner) && inner.name.text === 'route') {
      const base = unwrap(ts, inner.expression);
      if (ts.isIdentifier(base) && isRouter(ctx, base, framework) && routeCall.arguments[0]) {
        return { verbs: [verb], path: staticString(ctx, routeCall.arguments[0]), handlers: args, nameNode: callee.name };
      }
    }
    if (!isRouterChain(ctx, receiver, framework)) return null;
  } else if (!isRouterChain(ctx, receiver, framework)) return null;

  if (verb === 'openapi') return readOpenApiRoute(ctx, call, callee.name);
  if (verb === 'route' && args.length === 1 && args[0] && ts.isObjectLiteralExpression(unwrap(ts, args[0]))) {
    return readFastifyRoute(ctx, unwrap(ts, args[0]) as ts.ObjectLiteralExpression, callee.name);
  }
  if (verb === 'on' && args[0] && args[1]) {
    const methods = readMethods(ctx, args[0]);
    if (!methods) return null;
    return { verbs: methods, path: staticString(ctx, args[1]), handlers: args.slice(2), nameNode: callee.name };
  }
  if (!VERBS.has(verb) || !args[0]) return null;
  // Koa router's named routes: router.post('name', '/path', ...handlers)
  if (args[1] && staticString(ctx, args[0]) !== null && staticString(ctx, args[1])?.startsWith('/')) {
    return { verbs: [verb], path: staticString(ctx, args[1]), handlers: args.slice(2), nameNode: callee.name };
  }
  const path = staticString(ctx, args[0]);
  if (path === null && !ts.isTemplateExpression(unwrap(ts, args[0])) && !ts.isRegularExpressionLiteral(unwrap(ts, args[0]))) {
    // `app.get(setting)` (Express settings) and `map.delete(key)` are not routes.
    if (args.length < 2) return null;
  }
  if (args.length < 2) return null;
  return { verbs: [verb], path, handlers: args.slice(1), nameNode: callee.name };
}

/**
 * `app.openapi(route, handler)` of `@hono/zod-openapi`: the route is `createRoute({ method, path })`,
 * written in place or kept in a constant of the file. The third argument validates; it handles nothing.
 */
function readOpenApiRoute(ctx: FileContext, call: ts.CallExpression, nameNode: ts.Node): RouteCall | null {
  const { ts } = ctx;
  const [routeArg, handler] = call.arguments;
  if (!routeArg || !handler) return null;
  let route = unwrap(ts, routeArg);
  if (ts.isIdentifier(route)) {
    const declaration = findDeclaration(ctx, route);
    route = declaration && ts.isVariableDeclaration(declaration) && declaration.initializer ? unwrap(ts, declaration.initializer) : route;
  }
  if (!ts.isCallExpression(route) || lastName(ts, route.expression) !== 'createRoute') return null;
  const options = route.arguments[0] ? unwrap(ts, route.arguments[0]) : null;
  if (!options || !ts.isObjectLiteralExpression(options)) return null;
  const value = (key: string): ts.Expression | null => {
    const property = options.properties.find((p) => p.name && propertyNameText(ts, p.name) === key);
    return property && ts.isPropertyAssignment(property) ? property.initializer : null;
  };
  const method = value('method');
  const methods = method ? readMethods(ctx, method) : null;
  if (!methods) return null;
  const path = value('path');
  return { verbs: methods, path: path ? staticString(ctx, path) : null, handlers: [handler], nameNode };
}

function readMethods(ctx: FileContext, arg: ts.Expression): string[] | null {
  const { ts } = ctx;
  const expression = unwrap(ts, arg);
  if (ts.isArrayLiteralExpression(expression)) {
    const methods = expression.elements.map((e) => staticString(ctx, e));
    return methods.every((m): m is string => m !== null) ? methods.map((m) => m.toLowerCase()) : null;
  }
  const single = staticString(ctx, expression);
  return single === null ? null : [single.toLowerCase()];
}

function readFastifyRoute(ctx: FileContext, options: ts.ObjectLiteralExpression, nameNode: ts.Node): RouteCall | null {
  const { ts } = ctx;
  const get = (key: string): ts.Expression | null => {
    const property = options.properties.find((p) => p.name && propertyNameText(ts, p.name) === key);
    if (!property) return null;
    if (ts.isPropertyAssignment(property)) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property)) return property.name;
    if (ts.isMethodDeclaration(property)) return null;
    return null;
  };
  const method = get('method');
  const methods = method ? readMethods(ctx, method) : null;
  if (!methods) return null;
  const url = get('url') ?? get('path');
  const handlerProperty = options.properties.find((p) => p.name && propertyNameText(ts, p.name) === 'handler');
  const handlers: ts.Expression[] = [...hooksOf(ctx, options)];
  if (handlerProperty && ts.isMethodDeclaration(handlerProperty)) handlers.push(handlerProperty as unknown as ts.Expression);
  else {
    const handler = get('handler');
    if (handler) handlers.push(handler);
  }
  return { verbs: methods, path: url ? staticString(ctx, url) : null, handlers, nameNode };
}

const HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onResponse'];

/** Fastify route-level hooks of an options object (`{ onResponse: invalidateCachePattern(…) }`). */
function hooksOf(ctx: FileContext, options: ts.ObjectLiteralExpression): ts.Expression[] {
  const { ts } = ctx;
  const result: ts.Expression[] = [];
  for (const property of options.properties) {
    if (!ts.isPropertyAssignment(property) || !HOOKS.includes(propertyNameText(ts, property.name) ?? '')) continue;
    const value = unwrap(ts, property.initializer);
    result.push(...(ts.isArrayLiteralExpression(value) ? value.elements : [value]));
  }
  return result;
}

/** The function that handles a route, for a handler argument. */
function handlerFunction(ctx: FileContext, expression: ts.Expression): ts.FunctionLikeDeclaration | 'opaque' | null {
  const { ts } = ctx;
  const node = unwrap(ts, expression) as ts.Node;
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) return node;
  if (ts.isIdentifier(node)) {
    const local = ctx.functions.get(node.text);
    if (local) return local;
    const binding = ctx.importOf(node.text);
    if (binding && ctx.resolver) {
      const declarations = ctx.resolver.resolveIdentifier?.(node) ?? null;
      if (declarations?.[0]) return declarations[0];
    }
    return binding && !isPackageMiddleware(ctx, node) ? 'opaque' : null;
  }
  if (ts.isPropertyAccessExpression(node))
    return ctx.resolver?.resolveIdentifier?.(node)?.[0] ?? (isPackageMiddleware(ctx, node) ? null : 'opaque');
  // A wrapper such as asyncHandler(async (req, res) => …) or wrap(require('./create').default): the function inside.
  return ts.isCallExpression(node) ? functionOf(ctx, node) : null;
}

/** Handlers registered on routers and apps: Express, Koa, Hono, Fastify. */
function extractRouterHandlers(ctx: FileContext): RouteHandler[] {
  const { ts } = ctx;
  const framework = routerFramework(ctx);
  const handlers: RouteHandler[] = [];
  for (const call of ctx.nodes.calls) {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee)) continue;
    const verb = callee.name.text;
    if (!VERBS.has(verb) && verb !== 'route' && verb !== 'on' && verb !== 'openapi') continue;
    const route = readRouteCall(ctx, call, framework);
    if (route) handlers.push(...routeHandlers(ctx, route, framework ?? 'express'));
  }
  return handlers;
}

function routeHandlers(ctx: FileContext, route: RouteCall, framework: Framework): RouteHandler[] {
  const { ts } = ctx;
  const invalidations: Invalidation[] = [];
  const opaqueCalls: string[] = [];
  const scans: BodyScan[] = [];
  let hasTenant = false;
  const expanded = route.handlers.flatMap((handler) => {
    const expression = unwrap(ts, handler);
    return ts.isObjectLiteralExpression(expression) ? hooksOf(ctx, expression) : [handler];
  });
  for (const handler of expanded) {
    const expression = unwrap(ts, handler);
    // Middleware that invalidates: invalidateCachePattern('quotes:*')
    if (ts.isCallExpression(expression)) {
      const name = lastName(ts, expression.expression);
      if (name !== null && matchesCallName(ctx, name) && !expression.arguments.some((a) => ts.isFunctionLike(unwrap(ts, a)))) {
        invalidations.push({
          via: 'middleware',
          name,
          kind: 'pattern',
          patterns: expression.arguments.filter((a) => !ts.isObjectLiteralExpression(unwrap(ts, a))).map((a) => readPattern(ctx, a)),
          isConditional: false,
          isDeferred: false,
          range: ctx.range(expression),
          through: [],
          file: null,
        });
        continue;
      }
    }
    const fn = handlerFunction(ctx, expression);
    if (fn === 'opaque') {
      opaqueCalls.push(ctx.text(expression));
      continue;
    }
    if (!fn?.body) continue;
    const fnCtx = fn.getSourceFile() === ctx.sourceFile ? ctx : ctx.contextOf(fn.getSourceFile());
    scans.push(scanBody(fnCtx, fn.body, ctx.file));
    hasTenant ||= hasTenantInScope(fnCtx, fn);
  }
  const scan: BodyScan = {
    invalidations: scans.flatMap((s) => s.invalidations),
    writeThroughs: scans.flatMap((s) => s.writeThroughs),
    opaqueCalls: [...opaqueCalls, ...scans.flatMap((s) => s.opaqueCalls)],
    effects: scans.flatMap((s) => s.effects),
  };
  const path = prefixedPath(route.router ? (ctx.resolver?.routePrefix?.(route.router) ?? null) : null, route.path);
  return route.verbs.map((verb) => {
    const method = verb === 'del' ? 'DELETE' : verb.toUpperCase();
    const isMutation = isMutationByCode(ctx.options.mutationMethods.has(method), scan, invalidations.length > 0);
    return {
      framework,
      method,
      isMutation,
      path,
      name: `${method} ${path ?? '(dynamic path)'}`,
      nameRange: ctx.range(route.nameNode),
      invalidations: [...invalidations, ...codeInvalidations(scan, isMutation)],
      declaredResources: null,
      exception: null,
      opaqueCalls: scan.opaqueCalls,
      hasTenantInScope: hasTenant,
      writes: modelWrites(scan),
    };
  });
}

/** A router handed to a function of routes: `...[router]: RouterInitArgs<T>`, `<T extends AuthedRouter>(router: T)`. */
const ROUTER_PARAMETER = /\.\.\.\[\s*router\b|<\s*\w+\s+extends\s+\w*Router\b/;

/**
 * Express, Koa, Hono and Fastify: routes registered on apps and routers, in a file that imports one
 * of them, that is handed a router, or anywhere when the configuration names router receivers.
 */
export const routers: FrameworkModule = {
  id: 'routers',
  packages: Object.keys(FRAMEWORK_MODULES),
  mayHold: (file, options) => routerFramework(file) !== null || ROUTER_PARAMETER.test(file.sourceText) || options.routerReceivers.size > 0,
  extract: extractRouterHandlers,
};

declare module '../facts.js' {
  interface FrameworkNames {
    readonly express: true;
    readonly koa: true;
    readonly hono: true;
    readonly fastify: true;
  }
}
