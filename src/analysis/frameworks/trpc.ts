import type ts from 'typescript';
import { constantOf } from '../context.js';
import { lastName, propertyNameText, unwrap } from '../../ts/syntax.js';
import type { FileContext, FileSurface } from '../context.js';
import type { RouteHandler } from '../facts.js';
import { codeHandler, functionOf } from './code-handler.js';
import type { FrameworkModule } from './framework.js';

const TRPC_SERVER = '@trpc/server';
const PROCEDURE_KINDS: Readonly<Record<string, string>> = { mutation: 'MUTATION', query: 'QUERY', subscription: 'SUBSCRIPTION' };
const ROUTER_FACTORIES = new Set(['router', 'createTRPCRouter', 'createRouter']);
/** The links of a procedure chain before its resolver: `t.procedure.use(auth).input(schema).meta(…)`. */
const BUILDER_LINKS = new Set(['use', 'input', 'output', 'meta', 'concat', 'unstable_concat']);

/**
 * Where each router and procedure is mounted: the key it has in the router that holds it (dotted
 * for nested objects) and that router. Filled as files are read, so that a procedure of one file
 * gets the path of the router of another (`router({ team: teamRouter })`) once every file is read.
 */
const mounts = new WeakMap<ts.Node, { readonly key: string; readonly router: ts.Node }>();

/** Whether the file can hold tRPC procedures or routers. */
function isTrpcFile(ctx: FileSurface): boolean {
  const text = ctx.sourceText;
  if (ctx.importsModule((m) => m === TRPC_SERVER || m.startsWith(`${TRPC_SERVER}/`))) return true;
  return (
    (/procedure\b/i.test(text) && /\.(mutation|query|subscription)\s*\(/.test(text)) ||
    /\b(router|createTRPCRouter|createRouter)\s*\(\s*\{/.test(text)
  );
}

/**
 * Whether an expression is a procedure builder: `t.procedure`, `publicProcedure`,
 * `protectedProcedureWithoutTracing`, `authed.input(z)`, or a constant made from one
 * (`export const authed = t.procedure.use(auth)`).
 */
function isProcedureBuilder(ctx: FileContext, expression: ts.Expression, depth = 0): boolean {
  const { ts } = ctx;
  const node = unwrap(ts, expression);
  if (depth > 12) return false;
  if (ts.isIdentifier(node)) {
    if (/procedure/i.test(node.text)) return true;
    const constant = constantOf(ctx, node);
    return constant !== null && isProcedureBuilder(constant.ctx, constant.init, depth + 1);
  }
  if (ts.isPropertyAccessExpression(node)) return /procedure/i.test(node.name.text);
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && BUILDER_LINKS.has(node.expression.name.text)) {
    return isProcedureBuilder(ctx, node.expression.expression, depth + 1);
  }
  return false;
}

/** `router({ … })` and its spellings, with the object of its procedures. */
function routerObject(ctx: FileContext, call: ts.CallExpression): ts.ObjectLiteralExpression | null {
  const { ts } = ctx;
  const name = lastName(ts, call.expression);
  const first = call.arguments[0];
  if (name === null || !ROUTER_FACTORIES.has(name) || !first) return null;
  const object = unwrap(ts, first);
  return ts.isObjectLiteralExpression(object) ? object : null;
}

/** Records where the routers and procedures a router names by reference (`team: teamRouter`) are mounted. */
function recordMounts(ctx: FileContext, router: ts.CallExpression, object: ts.ObjectLiteralExpression, prefix: string): void {
  const { ts } = ctx;
  for (const property of object.properties) {
    const key = property.name ? propertyNameText(ts, property.name) : null;
    if (key === null) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const value = ts.isPropertyAssignment(property)
      ? unwrap(ts, property.initializer)
      : ts.isShorthandPropertyAssignment(property)
        ? property.name
        : null;
    if (!value) continue;
    if (ts.isObjectLiteralExpression(value)) {
      recordMounts(ctx, router, value, path);
      continue;
    }
    if (!ts.isIdentifier(value)) continue;
    const target = constantOf(ctx, value);
    if (target) mounts.set(unwrap(ts, target.init), { key: path, router });
  }
}

/** The keys from a node up to the router object that holds it inline (`email: { update: … }` → `email.update`). */
function inlinePath(ctx: FileContext, node: ts.Node): { keys: string[]; top: ts.Node } {
  const { ts } = ctx;
  const keys: string[] = [];
  let current: ts.Node = node;
  for (;;) {
    const parent = current.parent;
    if (ts.isPropertyAssignment(parent) && parent.initializer === current && ts.isObjectLiteralExpression(parent.parent)) {
      const key = propertyNameText(ts, parent.name);
      if (key !== null) keys.unshift(key);
      current = parent.parent;
      continue;
    }
    if (
      (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) &&
      parent.expression === current
    ) {
      current = parent;
      continue;
    }
    if (ts.isCallExpression(parent) && ts.isObjectLiteralExpression(current) && routerObject(ctx, parent) === current)
      return { keys, top: parent };
    return { keys, top: current };
  }
}

/** The procedure's full path: the keys inline, then those of the routers it is mounted in, across files. */
function procedurePath(ctx: FileContext, procedure: ts.Node): string {
  const { ts } = ctx;
  const keys: string[] = [];
  const seen = new Set<ts.Node>();
  for (let node = procedure; ;) {
    const inline = inlinePath(ctx, node);
    keys.unshift(...inline.keys);
    const mount = mounts.get(inline.top);
    if (mount && !seen.has(mount.router)) {
      seen.add(mount.router);
      keys.unshift(...mount.key.split('.'));
      node = mount.router;
      continue;
    }
    // A procedure of its own file that no router read names: by its constant.
    if (keys.length === 0 && ts.isVariableDeclaration(inline.top.parent) && ts.isIdentifier(inline.top.parent.name))
      keys.push(inline.top.parent.name.text);
    return keys.join('.');
  }
}

/** tRPC procedures: `.mutation(fn)` is a mutation, `.query(fn)` a read, named by their router path. */
function extractTrpcHandlers(ctx: FileContext): RouteHandler[] {
  const { ts } = ctx;
  if (!isTrpcFile(ctx)) return [];
  const handlers: RouteHandler[] = [];
  for (const call of ctx.nodes.calls) {
    const object = routerObject(ctx, call);
    if (object) recordMounts(ctx, call, object, '');
  }
  for (const call of ctx.nodes.calls) {
    const callee = unwrap(ts, call.expression);
    if (!ts.isPropertyAccessExpression(callee)) continue;
    const method = PROCEDURE_KINDS[callee.name.text];
    const resolver = call.arguments[0];
    if (!method || !resolver || !isProcedureBuilder(ctx, callee.expression)) continue;
    const fn = functionOf(ctx, resolver);
    if (!fn) continue;
    const keyNode = ts.isPropertyAssignment(call.parent) && call.parent.initializer === call ? call.parent.name : callee.name;
    handlers.push(
      codeHandler(ctx, {
        framework: 'trpc',
        method,
        name: () => `trpc ${procedurePath(ctx, call)}`,
        path: null,
        nameNode: keyNode,
        fn,
        body: fn.body ?? null,
        isDeclaredMutation: method === 'MUTATION',
        isDeclaredRead: method === 'QUERY',
      }),
    );
  }
  return handlers;
}

/** tRPC: procedures and routers, whose paths are the keys of the routers that mount them, in any file. */
export const trpc: FrameworkModule = {
  id: 'trpc',
  packages: [TRPC_SERVER],
  mayHold: isTrpcFile,
  extract: extractTrpcHandlers,
  isReadWithOthers: isTrpcFile,
};

declare module '../facts.js' {
  interface FrameworkNames {
    readonly trpc: true;
  }
}
