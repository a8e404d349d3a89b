import { basename } from 'node:path';
import type { FileContext } from '../context.js';
import type { RouteHandler } from '../facts.js';
import { codeHandler, exportsOf, slashed } from './code-handler.js';
import { branchesOf, restAfterBranches } from './method-branches.js';
import type { FrameworkModule } from './framework.js';

const ROUTE_MODULE = /(^|\/)(routes\/.+|root)\.(ts|tsx|js|jsx|mts|mjs)$/;
/** A loader answers GET requests; an action the other methods (a form's POST, a fetcher's DELETE). */
const SERVER_EXPORTS: Readonly<Record<string, string>> = { action: 'ACTION', loader: 'GET' };

/** The route module's name as its router knows it: `routes/documents.$id.tsx`, `root.tsx`. */
function routeModuleName(file: string): string | null {
  const path = slashed(file);
  const at = path.lastIndexOf('/routes/');
  if (at !== -1 && !/(^|\/)routes\.(ts|js)$/.test(path)) return path.slice(at + 1);
  return basename(path).startsWith('root.') ? basename(path) : null;
}

/** Whether the file is a Remix or React Router route module (under `routes/`, or the root). */
function isRouteModuleFile(file: string): boolean {
  return ROUTE_MODULE.test(slashed(file)) && routeModuleName(file) !== null;
}

/**
 * Remix and React Router v7 route modules: `action` is the mutation (one per `request.method`
 * branch when it branches), `loader` the read.
 */
function extractRouteModuleHandlers(ctx: FileContext): RouteHandler[] {
  const moduleName = routeModuleName(ctx.file);
  if (moduleName === null || !ROUTE_MODULE.test(slashed(ctx.file))) return [];
  const handlers: RouteHandler[] = [];
  for (const exported of exportsOf(ctx).filter((e) => SERVER_EXPORTS[e.name] !== undefined)) {
    const method = SERVER_EXPORTS[exported.name] ?? 'ACTION';
    const name = `${exported.name} ${moduleName}`;
    const branches = exported.name === 'action' && exported.fn?.getSourceFile() === ctx.sourceFile ? branchesOf(ctx, exported.fn) : [];
    if (branches.length > 0) {
      for (const branch of branches) {
        handlers.push(
          codeHandler(ctx, {
            framework: 'remix',
            method: branch.method,
            name: `${name} (${branch.method})`,
            path: null,
            nameNode: branch.nameNode,
            fn: branch.fn,
            body: branch.body,
            isDeclaredMutation: ctx.options.mutationMethods.has(branch.method),
          }),
        );
      }
      const rest = exported.fn ? restAfterBranches(ctx, exported.fn) : [];
      // The methods no branch names run the rest of the action.
      if (rest.length > 0)
        handlers.push(
          codeHandler(ctx, {
            framework: 'remix',
            method,
            name,
            path: null,
            nameNode: exported.nameNode,
            fn: exported.fn,
            body: rest,
            isDeclaredMutation: true,
          }),
        );
      continue;
    }
    handlers.push(
      codeHandler(ctx, {
        framework: 'remix',
        method,
        name,
        path: null,
        nameNode: exported.nameNode,
        fn: exported.fn,
        body: exported.fn?.body ?? null,
        isDeclaredMutation: method === 'ACTION',
        isDeclaredRead: method !== 'ACTION',
      }),
    );
  }
  return handlers;
}

/** Remix and React Router v7: route modules, known by their place in the tree. */
export const routeModules: FrameworkModule = {
  id: 'route-modules',
  packages: [],
  mayHold: (file) => isRouteModuleFile(file.file),
  extract: extractRouteModuleHandlers,
};

declare module '../facts.js' {
  interface FrameworkNames {
    readonly remix: true;
  }
}
