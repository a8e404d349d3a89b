import type { FileContext, FileSurface } from '../context.js';
import type { Framework, RouteHandler } from '../facts.js';
import type { AnalysisOptions } from '../options.js';
import type { FileRoutes, FrameworkModule } from './framework.js';
import { graphqlMaps } from './graphql-maps.js';
import { nestjs } from './nestjs.js';
import { nextjs } from './nextjs.js';
import { servedPath } from './own-routes.js';
import { pagesApi } from './pages-api.js';
import { routeModules } from './remix.js';
import { routers } from './routers.js';
import { sveltekit } from './sveltekit.js';
import { trpc } from './trpc.js';

/**
 * The frameworks, asked in order; where two find a handler at one place of the code, the first
 * says what it is. Adding a framework is adding one module here, with its fixture app. Which files
 * can hold handlers (the extraction's, the CLI's and the ESLint plugin's relevance) and which are
 * extracted together derive from this list.
 */
export const FRAMEWORKS: readonly FrameworkModule[] = [nestjs, routers, nextjs, pagesApi, trpc, routeModules, graphqlMaps, sveltekit];

/** Whether a file can hold handlers of any framework (see `FrameworkModule.mayHold`). */
export function mayHoldHandlers(file: FileSurface, options: AnalysisOptions): boolean {
  return FRAMEWORKS.some((framework) => framework.mayHold(file, options));
}

/** The handlers of a file, framework by framework; one place of the code is one handler per method. */
export function frameworkHandlers(ctx: FileContext): RouteHandler[] {
  const handlers: RouteHandler[] = [];
  const seen = new Set<string>();
  for (const handler of FRAMEWORKS.flatMap((framework) => framework.extract(ctx))) {
    const key = `${String(handler.nameRange.start)}:${handler.method}`;
    if (seen.has(key)) continue;
    seen.add(key);
    handlers.push(handler);
  }
  return handlers;
}

/** Whether a file's handlers are named by what other files say of them (see `FrameworkModule.isReadWithOthers`). */
export function isReadWithOthers(file: FileSurface): boolean {
  return FRAMEWORKS.some((framework) => framework.isReadWithOthers?.(file) === true);
}

const DECORATED = new Set<Framework>(FRAMEWORKS.flatMap((framework) => framework.decoratedKinds ?? []));

/** Whether a handler is a decorated class method (see `FrameworkModule.decoratedKinds`). */
export function isDecoratedHandler(handler: RouteHandler): boolean {
  return DECORATED.has(handler.framework);
}

/** How the frameworks that route by the place of a file read their files (see `FrameworkModule.fileRoutes`). */
export const FILE_ROUTES: readonly FileRoutes[] = FRAMEWORKS.flatMap((framework) => (framework.fileRoutes ? [framework.fileRoutes] : []));

/** The URL path a file serves by its place in the tree (an App Router `route.ts`, a Pages Router API route, a SvelteKit `+server.ts`), or null. */
export function fileRoutePath(file: string): string | null {
  return servedPath(FILE_ROUTES, file)?.path ?? null;
}
