import type ts from 'typescript';
import { basename, dirname } from 'node:path';
import { staticObject } from '../context.js';
import { propertyNameText } from '../../ts/syntax.js';
import type { FileContext, RouteCode } from '../context.js';
import type { RouteHandler } from '../facts.js';
import { HTTP_METHODS, codeHandler, contextFor, exportsOf, functionOf, isExported, slashed } from './code-handler.js';
import type { FrameworkModule } from './framework.js';

const SERVER_FILE = /^\+server\.(ts|js)$/;
const PAGE_SERVER_FILE = /^\+(page|layout)\.server\.(ts|js)$/;

/** Whether the file is a SvelteKit endpoint (`+server.ts`) or page server module (`+page.server.ts`). */
function isSvelteKitFile(file: string): boolean {
  const name = basename(file);
  return SERVER_FILE.test(name) || PAGE_SERVER_FILE.test(name);
}

/** The route of a SvelteKit file: `src/routes/(app)/quotes/[id]/+server.ts` → `/quotes/[id]`. */
function svelteKitRoutePath(file: string): string {
  const segments = slashed(dirname(file)).split('/');
  const routes = segments.lastIndexOf('routes');
  const route = (routes === -1 ? segments.slice(-1) : segments.slice(routes + 1)).filter((s) => !/^\(.*\)$/.test(s));
  return `/${route.join('/')}`;
}

/** The form actions of `export const actions = { default, create }` (with `satisfies Actions`). */
function formActions(ctx: FileContext): { name: string; nameNode: ts.Node; fn: ts.FunctionLikeDeclaration | null }[] {
  const { ts } = ctx;
  for (const statement of ctx.sourceFile.statements) {
    if (!ts.isVariableStatement(statement) || !isExported(ctx, statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || declaration.name.text !== 'actions' || !declaration.initializer) continue;
      const object = staticObject(ctx, declaration.initializer);
      if (!object) continue;
      return object.properties.flatMap((p) => {
        const name = p.name ? propertyNameText(ts, p.name) : null;
        if (name === null || !p.name) return [];
        const fn = ts.isMethodDeclaration(p)
          ? p
          : ts.isPropertyAssignment(p)
            ? functionOf(ctx, p.initializer)
            : ts.isShorthandPropertyAssignment(p)
              ? functionOf(ctx, p.name)
              : null;
        return [{ name, nameNode: p.name, fn }];
      });
    }
  }
  return [];
}

/** SvelteKit: the method exports of `+server.ts`, the form `actions` and the `load` of `+page.server.ts`. */
function extractSvelteKitHandlers(ctx: FileContext): RouteHandler[] {
  const name = basename(ctx.file);
  const path = svelteKitRoutePath(ctx.file);
  if (SERVER_FILE.test(name)) {
    return exportsOf(ctx)
      .filter((e) => HTTP_METHODS.has(e.name) || e.name === 'fallback')
      .map((e) => {
        const method = e.name === 'fallback' ? 'ALL' : e.name;
        const isDeclaredMutation = ctx.options.mutationMethods.has(method);
        return codeHandler(ctx, {
          framework: 'sveltekit',
          method,
          name: `${method} ${path}`,
          path,
          nameNode: e.nameNode,
          fn: e.fn,
          body: e.fn?.body ?? null,
          isDeclaredMutation,
          isMutationWhenChanging: method === 'ALL',
        });
      });
  }
  if (!PAGE_SERVER_FILE.test(name)) return [];
  const handlers: RouteHandler[] = [];
  const loadName = name.startsWith('+layout') ? 'layout load' : 'load';
  for (const load of exportsOf(ctx).filter((e) => e.name === 'load')) {
    handlers.push(
      codeHandler(ctx, {
        framework: 'sveltekit',
        method: 'GET',
        name: `${loadName} ${path}`,
        path,
        nameNode: load.nameNode,
        fn: load.fn,
        body: load.fn?.body ?? null,
        isDeclaredMutation: false,
        isDeclaredRead: true,
      }),
    );
  }
  for (const action of formActions(ctx)) {
    const label = action.name === 'default' ? `action ${path}` : `action ${path}?/${action.name}`;
    handlers.push(
      codeHandler(ctx, {
        framework: 'sveltekit',
        method: 'ACTION',
        name: label,
        path,
        nameNode: action.nameNode,
        fn: action.fn,
        body: action.fn?.body ?? null,
        isDeclaredMutation: true,
      }),
    );
  }
  return handlers;
}

/** An endpoint's export named after the method, else its `fallback`. */
function endpointCode(ctx: FileContext, method: string, label: string): RouteCode[] {
  const exported = exportsOf(ctx).filter((e) => e.fn !== null);
  const named = exported.filter((e) => e.name === method);
  return (named.length > 0 ? named : exported.filter((e) => e.name === 'fallback')).flatMap((e) =>
    e.fn ? [{ ctx: contextFor(ctx, e.fn), fn: e.fn, bodies: [e.fn], label }] : [],
  );
}

/** SvelteKit: known by its file names alone. */
export const sveltekit: FrameworkModule = {
  id: 'sveltekit',
  packages: [],
  mayHold: (file) => isSvelteKitFile(file.file),
  extract: extractSvelteKitHandlers,
  fileRoutes: { path: (file) => (SERVER_FILE.test(basename(file)) ? svelteKitRoutePath(file) : null), code: endpointCode },
};

declare module '../facts.js' {
  interface FrameworkNames {
    readonly sveltekit: true;
  }
}
