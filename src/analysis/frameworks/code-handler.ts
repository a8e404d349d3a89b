import type ts from 'typescript';
import { requiredModule } from '../../ts/imports.js';
import { propertyNameText, truncate, unwrap } from '../../ts/syntax.js';
import { constantOf, staticObjectIn } from '../context.js';
import type { FileContext } from '../context.js';
import type { Framework, RouteHandler } from '../facts.js';
import { codeInvalidations, hasTenantInScope, isMutationByCode, modelWrites, readDecorators } from '../handler-common.js';
import { EMPTY_SCAN, scanBody } from '../invalidations.js';
import type { BodyScan } from '../invalidations.js';

export const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** A handler found by a framework module: where it is, and the code that runs for it. */
export interface HandlerSite {
  readonly framework: Framework;
  readonly method: string;
  /** The name in findings; a function when it is known only once every file is read (tRPC paths). */
  readonly name: string | (() => string);
  readonly path: string | null;
  readonly nameNode: ts.Node;
  /** The function that serves it (for the tenant in scope and its decorators), or null when it cannot be seen. */
  readonly fn: ts.FunctionLikeDeclaration | null;
  /** The code that runs for it: the function's body, one method branch of it, or the statements after the branches. */
  readonly body: ts.Node | readonly ts.Node[] | null;
  /** Served over a mutation method, or declared one (`.mutation(…)`, `Mutation: {…}`, `action`). */
  readonly isDeclaredMutation: boolean;
  /**
   * Not served over one method (a Pages handler without a method check, a message handler): a
   * mutation when it writes a model or invalidates, else a read.
   */
  readonly isMutationWhenChanging?: boolean;
  /**
   * A read by the framework's contract (a tRPC query, a GraphQL `Query` resolver, a loader): never a
   * mutation, whatever it touches on the way (a session refreshed, a row created on first read).
   */
  readonly isDeclaredRead?: boolean;
  /** What serves it when `fn` is null, as written (by default the code around the name). */
  readonly opaque?: string;
}

/** The context of the file that holds a node: `ctx` itself, or the one of the file it was resolved into. */
export function contextFor(ctx: FileContext, node: ts.Node): FileContext {
  return node.getSourceFile() === ctx.sourceFile ? ctx : ctx.contextOf(node.getSourceFile());
}

/** A RouteHandler judged by what its code does, as every framework module builds it. */
export function codeHandler(ctx: FileContext, site: HandlerSite): RouteHandler {
  const fn = site.fn;
  const fnCtx = fn ? contextFor(ctx, fn) : ctx;
  // A handler made by a call the analysis cannot follow (`createThemeAction(resolver)`) may do anything.
  const scan = site.body
    ? scanBodies(fnCtx, site.body, ctx.file)
    : fn
      ? EMPTY_SCAN
      : { ...EMPTY_SCAN, opaqueCalls: [truncate(site.opaque ?? ctx.text(site.nameNode.parent))] };
  const intent = fn ? readDecorators(fnCtx, fn) : { invalidations: [], resources: null, exception: null };
  const isChanging =
    site.isMutationWhenChanging === true && scan.invalidations.length + scan.writeThroughs.length + intent.invalidations.length > 0;
  const isMutation =
    site.isDeclaredRead !== true && isMutationByCode(site.isDeclaredMutation || isChanging, scan, intent.invalidations.length > 0);
  const name = site.name;
  return {
    framework: site.framework,
    method: site.method,
    isMutation,
    path: site.path,
    get name() {
      return typeof name === 'string' ? name : name();
    },
    nameRange: ctx.range(site.nameNode),
    invalidations: [...intent.invalidations, ...codeInvalidations(scan, isMutation)],
    declaredResources: intent.resources,
    exception: intent.exception,
    opaqueCalls: scan.opaqueCalls,
    // Only the strict rule asks: computed when read.
    get hasTenantInScope() {
      return fn !== null && hasTenantInScope(fnCtx, fn);
    },
    writes: modelWrites(scan),
  };
}

/** The walk of one body, or of several statements as one, for a handler whose route is in `handlerFile`. */
function scanBodies(ctx: FileContext, body: ts.Node | readonly ts.Node[], handlerFile: string): BodyScan {
  if (!Array.isArray(body)) return scanBody(ctx, body as ts.Node, handlerFile);
  const scans = (body as readonly ts.Node[]).map((node) => scanBody(ctx, node, handlerFile));
  return {
    invalidations: scans.flatMap((s) => s.invalidations),
    writeThroughs: scans.flatMap((s) => s.writeThroughs),
    opaqueCalls: [...new Set(scans.flatMap((s) => s.opaqueCalls))],
    effects: scans.flatMap((s) => s.effects),
  };
}

/**
 * The function behind an expression: itself, a function or constant of the file, one imported
 * (with a resolver), a member of a module (`require('./create').default`), or the first function inside
 * a wrapper call (`withAuth(handler)`).
 */
export function functionOf(ctx: FileContext, expression: ts.Expression, depth = 0): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  const node = unwrap(ts, expression);
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return node;
  if (depth >= 4) return null;
  if (ts.isIdentifier(node)) {
    const local = ctx.functions.get(node.text);
    if (local) return local;
    const constant = ctx.topConstants.get(node.text);
    if (constant) return functionOf(ctx, constant, depth + 1);
    if (!ctx.importOf(node.text)) return null;
    const imported = ctx.resolver?.resolveIdentifier?.(node)?.[0];
    if (imported) return imported;
    // A handler another module makes with a factory (`export const POST = withApiWrapper({ handler })`).
    const made = ctx.resolver?.resolveConstant?.(node) ?? null;
    return made ? functionOf(contextFor(ctx, made), made, depth + 1) : null;
  }
  // `require('./create').default`, `handlers.create`: what the module exports under that name.
  if (ts.isPropertyAccessExpression(node) || requiredModule(ts, node) !== null) return ctx.resolver?.resolveIdentifier?.(node)?.[0] ?? null;
  if (ts.isCallExpression(node)) {
    // A handler an options object names so, then a function passed as it is, then the one function
    // an options object holds: in `dashboardAction({ context: async (…) => … }, handler)` the
    // options' function only prepares what the handler is given.
    const args = node.arguments;
    for (const pick of [
      (arg: ts.Expression) => optionsHandler(ctx, arg, depth + 1, 'named'),
      (arg: ts.Expression) => functionOf(ctx, arg, depth + 1),
      (arg: ts.Expression) => optionsHandler(ctx, arg, depth + 1, 'only'),
    ]) {
      for (const arg of args) {
        const inner = pick(arg);
        if (inner) return inner;
      }
    }
  }
  return null;
}

/** The names a route factory's options give their handler: `createRoute({ schema, fn: async (req) => … })`. */
const HANDLER_OPTIONS = new Set(['fn', 'handler', 'handle', 'resolve', 'resolver', 'run', 'action', 'execute']);

/**
 * The handler in a factory's options object: the property named like one (`named`), or the one
 * function the object holds (`only`; an object with several functions and none named so says nothing).
 */
function optionsHandler(ctx: FileContext, argument: ts.Expression, depth: number, by: 'named' | 'only'): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  const object = unwrap(ts, argument);
  if (!ts.isObjectLiteralExpression(object)) return null;
  const functions: { name: string; fn: ts.FunctionLikeDeclaration }[] = [];
  for (const property of object.properties) {
    const name = property.name ? (propertyNameText(ts, property.name) ?? '') : '';
    const fn = ts.isMethodDeclaration(property)
      ? property
      : ts.isPropertyAssignment(property)
        ? functionOf(ctx, property.initializer, depth)
        : ts.isShorthandPropertyAssignment(property)
          ? functionOf(ctx, property.name, depth)
          : null;
    if (fn) functions.push({ name, fn });
  }
  const named = functions.find((f) => HANDLER_OPTIONS.has(f.name));
  if (by === 'named') return named?.fn ?? null;
  return named || functions.length !== 1 ? null : (functions[0]?.fn ?? null);
}

export interface Exported {
  readonly name: string;
  readonly nameNode: ts.Node;
  readonly fn: ts.FunctionLikeDeclaration | null;
}

/** The exported functions of a module, by their exported names (`export function`, `export const`, `export { }`). */
export function exportsOf(ctx: FileContext): Exported[] {
  const { ts } = ctx;
  const result: Exported[] = [];
  for (const statement of ctx.sourceFile.statements) {
    const exported = isExported(ctx, statement);
    if (ts.isFunctionDeclaration(statement) && statement.name && exported) {
      result.push({ name: statement.name.text, nameNode: statement.name, fn: statement });
    } else if (ts.isVariableStatement(statement) && exported) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer) {
          result.push({ name: declaration.name.text, nameNode: declaration.name, fn: functionOf(ctx, declaration.initializer) });
        }
      }
    } else if (
      ts.isExportDeclaration(statement) &&
      !statement.isTypeOnly &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      for (const element of statement.exportClause.elements) {
        if (element.isTypeOnly) continue;
        // `export { POST }` of a local or imported name, or `export { POST } from '@/modules/…/route'`.
        const fn = statement.moduleSpecifier
          ? exportedFunction(ctx, element.name.text)
          : functionOf(ctx, element.propertyName ?? element.name);
        result.push({ name: element.name.text, nameNode: element.name, fn });
      }
    }
  }
  return result;
}

/**
 * The function a file exports under `name` from another module, through re-exports: a function
 * declared there, or the handler inside the factory call that makes it (see `functionOf`).
 */
export function exportedFunction(ctx: FileContext, name: string): ts.FunctionLikeDeclaration | null {
  const declared = ctx.resolver?.resolveExport?.(ctx.sourceFile, name);
  if (declared) return declared;
  const made = ctx.resolver?.resolveExportedConstant?.(ctx.sourceFile, name) ?? null;
  return made ? functionOf(contextFor(ctx, made), made, 1) : null;
}

/** Whether a statement is exported (`export function`, `export const`, `export default …`). */
export function isExported(ctx: FileContext, statement: ts.Statement): boolean {
  const { ts } = ctx;
  return ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** The file's path with forward slashes, for the path rules of file-based routers. */
export function slashed(file: string): string {
  return file.split('\\').join('/');
}

/**
 * Whether a route's middleware is a list of a package's chains, which reach no cache:
 * `validators.createLink` where the module holds `const createLink = [body('target').isString(), …]`
 * (express-validator), named or imported.
 */
export function isPackageMiddleware(ctx: FileContext, expression: ts.Expression): boolean {
  const value = heldValue(ctx, expression);
  if (!value || !ctx.ts.isArrayLiteralExpression(value.init) || value.init.elements.length === 0) return false;
  return value.init.elements.every((element) => isPackageChain(value.ctx, element));
}

/** The value a name or a member of a constant object holds (`module.exports = { createLink }` included). */
function heldValue(ctx: FileContext, expression: ts.Expression): { init: ts.Expression; ctx: FileContext } | null {
  const { ts } = ctx;
  const node = unwrap(ts, expression);
  if (ts.isIdentifier(node)) return constantOf(ctx, node);
  if (!ts.isPropertyAccessExpression(node)) return null;
  const held = staticObjectIn(ctx, node.expression);
  const property = held?.object.properties.find((p) => p.name !== undefined && propertyNameText(ts, p.name) === node.name.text);
  if (!held || !property) return null;
  if (ts.isPropertyAssignment(property)) return { init: unwrap(ts, property.initializer), ctx: held.ctx };
  const found = ts.isShorthandPropertyAssignment(property) ? constantOf(held.ctx, property.name) : null;
  return found ? { init: unwrap(ts, found.init), ctx: found.ctx } : null;
}

/** `body('target').exists().isString()`: a chain of calls that starts at a function a package exports. */
function isPackageChain(ctx: FileContext, element: ts.Expression): boolean {
  const { ts } = ctx;
  let node: ts.Expression = unwrap(ts, element);
  while (ts.isCallExpression(node) || ts.isPropertyAccessExpression(node)) node = unwrap(ts, node.expression);
  const binding = ts.isIdentifier(node) ? ctx.importOf(node.text) : null;
  if (!binding) return false;
  return !ctx.isProjectModule(binding.module) && node !== unwrap(ts, element);
}
