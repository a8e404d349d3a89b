import { packageOf } from '../../ts/imports.js';
import type { FileSurface } from '../context.js';
import type { Framework } from '../facts.js';

/** The router frameworks' packages and module names. */
export const FRAMEWORK_MODULES: Readonly<Record<string, Framework>> = {
  express: 'express',
  'express-serve-static-core': 'express',
  koa: 'koa',
  'koa-router': 'koa',
  '@koa/router': 'koa',
  hono: 'hono',
  '@hono/zod-openapi': 'hono',
  fastify: 'fastify',
};

/** Plugin packages whose types a file of routes may import alone (`FastifyPluginAsyncZodOpenApi`). */
const PLUGIN_PACKAGES: readonly (readonly [RegExp, Framework])[] = [
  [/^(@fastify\/|fastify-)/, 'fastify'],
  [/^(@koa\/|koa-)/, 'koa'],
  [/^@hono\//, 'hono'],
];

/** The router framework a file imports, by its modules: the framework's own or a plugin package of it. */
export function routerFramework(ctx: FileSurface): Framework | null {
  for (const module of ctx.modules) {
    const name = packageOf(module);
    const framework = FRAMEWORK_MODULES[name] ?? FRAMEWORK_MODULES[module] ?? PLUGIN_PACKAGES.find(([pattern]) => pattern.test(name))?.[1];
    if (framework) return framework;
  }
  return null;
}
