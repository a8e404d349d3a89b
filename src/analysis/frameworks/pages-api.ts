import type ts from 'typescript';
import { propertyNameText, unwrap } from '../../ts/syntax.js';
import type { FileContext, RouteCode } from '../context.js';
import type { RouteHandler } from '../facts.js';
import { HTTP_METHODS, codeHandler, contextFor, exportedFunction, functionOf, isExported, slashed } from './code-handler.js';
import type { HandlerSite } from './code-handler.js';
import { branchesOf, restAfterBranches } from './method-branches.js';
import type { FrameworkModule } from './framework.js';

const PAGES_API = /(^|\/)pages\/api\/(.+)\.(ts|tsx|js|jsx|mts|mjs)$/;

/** Whether the file is a Next.js Pages Router API route (`pages/api/**`, `src/pages/api/**`). */
function isPagesApiFile(file: string): boolean {
  return PAGES_API.test(slashed(file));
}

/** `pages/api/teams/[teamId].ts` → `/api/teams/[teamId]`; `pages/api/quotes/index.ts` → `/api/quotes`. */
function pagesApiPath(file: string): string {
  const match = PAGES_API.exec(slashed(file));
  const segments = (match?.[2] ?? '').split('/');
  if (segments.at(-1) === 'index') segments.pop();
  return `/${['api', ...segments].join('/')}`;
}

/** The handler functions and method maps behind `export default …`. */
function defaultHandler(
  ctx: FileContext,
): { fn: ts.FunctionLikeDeclaration | null; map: ts.ObjectLiteralExpression | null; nameNode: ts.Node } | null {
  const { ts } = ctx;
  for (const statement of ctx.sourceFile.statements) {
    if (
      ts.isFunctionDeclaration(statement) &&
      isExported(ctx, statement) &&
      (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)
    ) {
      return { fn: statement, map: null, nameNode: statement.name ?? statement };
    }
    // export { default } from '@/ee/features/…/handler': the function that module exports, when the
    // whole project is read; served by a module this pass may not see otherwise.
    if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      const element = statement.exportClause.elements.find((e) => e.name.text === 'default');
      if (element) return { fn: exportedFunction(ctx, 'default'), map: null, nameNode: element };
    }
    if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      const map = methodMap(ctx, statement.expression, 0);
      return { fn: map ? null : functionOf(ctx, statement.expression), map, nameNode: statement.expression };
    }
  }
  return null;
}

/** An object of method keys (`createHandler({ GET: list, POST: create })`), inside wrapper calls. */
function methodMap(ctx: FileContext, expression: ts.Expression, depth: number): ts.ObjectLiteralExpression | null {
  const { ts } = ctx;
  const node = unwrap(ts, expression);
  const isMap = (object: ts.ObjectLiteralExpression): boolean =>
    object.properties.some((p) => p.name !== undefined && HTTP_METHODS.has((propertyNameText(ts, p.name) ?? '').toUpperCase()));
  if (ts.isObjectLiteralExpression(node)) return isMap(node) ? node : null;
  if (depth > 3) return null;
  if (ts.isIdentifier(node)) {
    const constant = ctx.topConstants.get(node.text);
    return constant ? methodMap(ctx, constant, depth + 1) : null;
  }
  if (ts.isCallExpression(node)) {
    for (const arg of node.arguments) {
      const found = methodMap(ctx, arg, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** Next.js Pages Router API routes: one handler per method branch of the default export. */
function extractPagesApiHandlers(ctx: FileContext): RouteHandler[] {
  return pagesApiSites(ctx).map((site) => codeHandler(ctx, site));
}

/** Where the handlers of a Pages Router API route are and the code that runs for each (see `extractPagesApiHandlers`). */
function pagesApiSites(ctx: FileContext): HandlerSite[] {
  const { ts } = ctx;
  if (!isPagesApiFile(ctx.file)) return [];
  const found = defaultHandler(ctx);
  if (!found) return [];
  const path = pagesApiPath(ctx.file);
  const handlerOf = (
    method: string,
    nameNode: ts.Node,
    fn: ts.FunctionLikeDeclaration,
    body: ts.Node | readonly ts.Node[] | null,
  ): HandlerSite => ({
    framework: 'nextjs-pages',
    method,
    name: `${method} ${path}`,
    path,
    nameNode,
    fn,
    body,
    isDeclaredMutation: ctx.options.mutationMethods.has(method),
  });
  // Code that runs whatever the method: a mutation when it writes or invalidates.
  const anyMethod = (fn: ts.FunctionLikeDeclaration, body: ts.Node | readonly ts.Node[] | null): HandlerSite => ({
    framework: 'nextjs-pages',
    method: 'ALL',
    name: `ALL ${path}`,
    path,
    nameNode: found.nameNode,
    fn,
    body,
    isDeclaredMutation: false,
    isMutationWhenChanging: true,
  });
  if (found.map) {
    const handlers: HandlerSite[] = [];
    for (const property of found.map.properties) {
      const method = property.name ? (propertyNameText(ts, property.name) ?? '').toUpperCase() : '';
      if (!HTTP_METHODS.has(method) || !property.name) continue;
      const fn = ts.isMethodDeclaration(property)
        ? property
        : ts.isPropertyAssignment(property)
          ? functionOf(ctx, property.initializer)
          : ts.isShorthandPropertyAssignment(property)
            ? functionOf(ctx, property.name)
            : null;
      if (fn) handlers.push(handlerOf(method, property.name, fn, fn.body ?? null));
    }
    return handlers;
  }
  if (!found.fn) {
    // A handler out of sight (re-exported, or made by a call that cannot be followed) may serve any method.
    return [
      {
        framework: 'nextjs-pages',
        method: 'ALL',
        name: `ALL ${path}`,
        path,
        nameNode: found.nameNode,
        fn: null,
        body: null,
        isDeclaredMutation: true,
        opaque: ctx.text(ts.isExportSpecifier(found.nameNode) ? found.nameNode.parent.parent : found.nameNode),
      },
    ];
  }
  const fnCtx = found.fn.getSourceFile() === ctx.sourceFile ? ctx : null;
  const branches = fnCtx ? branchesOf(ctx, found.fn) : [];
  if (branches.length > 0) {
    const handlers = branches.map((b) => handlerOf(b.method, b.nameNode, b.fn, b.body));
    const rest = restAfterBranches(ctx, found.fn);
    if (rest.length > 0) {
      // The methods no branch names run the rest of the handler.
      handlers.push(anyMethod(found.fn, rest));
    }
    return handlers;
  }
  // No method check: whatever the method, it runs the same code; a mutation when it writes.
  return [anyMethod(found.fn, found.fn.body ?? null)];
}

/** The Next.js Pages Router's API routes, known by their place in the tree. */
/** The handler's branch for the method (the code no branch names, when none does). */
function methodBranchCode(ctx: FileContext, method: string, label: string): RouteCode[] {
  const sites = pagesApiSites(ctx);
  const exact = sites.filter((site) => site.method === method);
  const chosen = exact.length > 0 ? exact : sites.filter((site) => site.method === 'ALL');
  return chosen.flatMap((site: HandlerSite) => {
    if (!site.fn || !site.body) return [];
    const bodies = Array.isArray(site.body) ? (site.body as readonly ts.Node[]) : [site.body as ts.Node];
    return [{ ctx: contextFor(ctx, site.fn), fn: site.fn, bodies, label }];
  });
}

export const pagesApi: FrameworkModule = {
  id: 'nextjs-pages',
  packages: [],
  mayHold: (file) => isPagesApiFile(file.file),
  extract: extractPagesApiHandlers,
  fileRoutes: { path: (file) => (isPagesApiFile(file) ? pagesApiPath(file) : null), code: methodBranchCode },
};

declare module '../facts.js' {
  interface FrameworkNames {
    readonly 'nextjs-pages': true;
  }
}
