import type ts from 'typescript';
import { basename, dirname, sep } from 'node:path';
import { hasDirective } from '../../ts/syntax.js';
import type { FileContext, FileSurface, RouteCode } from '../context.js';
import type { RouteHandler } from '../facts.js';
import { codeHandler, contextFor, exportsOf, slashed } from './code-handler.js';
import type { FrameworkModule } from './framework.js';

const ROUTE_FILE = /^route\.(ts|tsx|js|jsx|mts|mjs)$/;
const HTTP_EXPORTS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
/** Server actions named like reads are taken as reads (`getQuotes`, `listClients`, `searchQuotes`). */
const READ_ACTION = /^(get|list|fetch|load|search|find|read|count|query|lookup|preview|export)([A-Z_]|$)/;

/**
 * Whether a file is an App Router route: a `route.ts` under an `app/` directory. A `route.ts`
 * elsewhere (`modules/…/route.ts`) serves nothing until a route file re-exports its handlers,
 * where they are found with the route's path.
 */
function isAppRouteFile(file: string): boolean {
  return ROUTE_FILE.test(basename(file)) && slashed(file).split('/').includes('app');
}

/** The route of a Next.js app-router file: `app/api/quotes/[id]/route.ts` → `/api/quotes/[id]`. */
function nextRoutePath(file: string): string {
  const segments = dirname(file).split(sep).join('/').split('/');
  const app = segments.lastIndexOf('app');
  const route = (app === -1 ? segments.slice(-2) : segments.slice(app + 1)).filter((s) => !/^\(.*\)$/.test(s) && !s.startsWith('@'));
  return `/${route.join('/')}`;
}

function handler(
  ctx: FileContext,
  method: string,
  name: string,
  nameNode: ts.Node,
  fn: ts.FunctionLikeDeclaration,
  path: string | null,
  framework: 'nextjs' | 'server-action',
): RouteHandler {
  const isDeclaredMutation = framework === 'server-action' ? !READ_ACTION.test(name) : ctx.options.mutationMethods.has(method);
  return codeHandler(ctx, {
    framework,
    method,
    name: framework === 'server-action' ? `server action ${name}` : `${method} ${path ?? ''}`,
    path,
    nameNode,
    fn,
    body: fn.body ?? null,
    isDeclaredMutation,
  });
}

/** Next.js route handlers (`route.ts` exports) and server actions (`'use server'`). */
function extractNextHandlers(ctx: FileContext): RouteHandler[] {
  const { ts } = ctx;
  const handlers: RouteHandler[] = [];
  const file = ctx.file;
  if (isAppRouteFile(file)) {
    const path = nextRoutePath(file);
    for (const exported of exportsOf(ctx)) {
      if (!HTTP_EXPORTS.has(exported.name) || !exported.fn) continue;
      handlers.push(handler(ctx, exported.name, exported.name, exported.nameNode, exported.fn, path, 'nextjs'));
    }
    return handlers;
  }
  const path = nextRoutePath(file);
  if (ctx.hasUseServer) {
    for (const exported of exportsOf(ctx)) {
      if (!exported.fn) continue;
      handlers.push(handler(ctx, 'ACTION', exported.name, exported.nameNode, exported.fn, path, 'server-action'));
    }
    return handlers;
  }
  // Inline server actions: functions whose body starts with 'use server'.
  for (const node of ctx.nodes.functions) {
    const body = node.body;
    if (!body || !ts.isBlock(body) || !hasDirective(ts, body.statements, 'use server')) continue;
    const nameNode =
      ts.isFunctionDeclaration(node) && node.name ? node.name : ts.isVariableDeclaration(node.parent) ? node.parent.name : node;
    const name = ts.isIdentifier(nameNode) ? nameNode.text : 'action';
    handlers.push(handler(ctx, 'ACTION', name, nameNode, node, path, 'server-action'));
  }
  return handlers;
}

/** Whether the file can hold Next.js handlers. */
function isNextFile(ctx: FileSurface): boolean {
  // Handlers are route files' exports and server actions, whose 'use server' directive names itself
  // in the text: a component that imports `next/link` holds neither.
  return isAppRouteFile(ctx.file) || ctx.sourceText.includes('use server');
}

/** Next.js App Router: route files under `app/`, server actions by their directive. */
/** A route's export named after the method. */
function routeExportCode(ctx: FileContext, method: string, label: string): RouteCode[] {
  return exportsOf(ctx).flatMap((exported) =>
    exported.name === method && exported.fn ? [{ ctx: contextFor(ctx, exported.fn), fn: exported.fn, bodies: [exported.fn], label }] : [],
  );
}

export const nextjs: FrameworkModule = {
  id: 'nextjs',
  packages: [],
  mayHold: isNextFile,
  extract: extractNextHandlers,
  fileRoutes: { path: (file) => (isAppRouteFile(file) ? nextRoutePath(file) : null), code: routeExportCode },
};

declare module '../facts.js' {
  interface FrameworkNames {
    readonly nextjs: true;
    readonly 'server-action': true;
  }
}
