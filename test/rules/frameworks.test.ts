import { rules } from '../../src/eslint.js';
import { ruleTester } from './tester.js';

const rule = rules['require-invalidation'];
const dependentRule = rules['require-dependent-invalidation'];

/** How require-invalidation recognises handlers and invalidations across frameworks and spellings. */
ruleTester({ mode: 'policy', registry: undefined }).run('require-invalidation (framework coverage)', rule, {
  valid: [
    {
      name: 'a class-level decorator covers the mutations',
      code: `import { Controller, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n@Controller('quotes')\n@InvalidateCachePattern('quotes:*')\nexport class C {\n  @Post()\n  create() {}\n}\n`,
    },
    {
      name: 'a composed decorator of the same file',
      code: `import { applyDecorators, Controller, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\nfunction InvalidateQuotes() {\n  return applyDecorators(InvalidateCachePattern('quotes:*'));\n}\n@Controller('quotes')\nexport class C {\n  @Post()\n  @InvalidateQuotes()\n  create() {}\n}\n`,
    },
    {
      name: 'an invalidation inside a waitUntil callback',
      code: `import { NextResponse } from 'next/server';\nexport async function POST(request: Request, ctx: { waitUntil(p: Promise<unknown>): void }) {\n  ctx.waitUntil((async () => { await cache.deletePattern('quotes:*'); })());\n  return NextResponse.json({});\n}\n`,
      filename: 'app/api/quotes/route.ts',
    },
    {
      name: 'a write-through set on a cache counts',
      code: `import { Hono } from 'hono';\nconst app = new Hono();\napp.get('/settings', async (c) => c.json(await c.var.redisCache.get('settings:global')));\napp.put('/settings', async (c) => {\n  await c.var.redisCache.set('settings:global', await c.req.json());\n  return c.body(null, 204);\n});\n`,
    },
    {
      name: 'Koa router middleware',
      code: `import Router from '@koa/router';\nimport { invalidateCachePattern } from 'cache-audit/runtime';\nconst router = new Router();\nrouter.post('/quotes', invalidateCachePattern('quotes:*'), async (ctx) => { ctx.status = 201; });\n`,
    },
    {
      name: 'a GET over routing-controllers is no mutation',
      code: `import { Get, JsonController } from 'routing-controllers';\n@JsonController('/quotes')\nexport class Q {\n  @Get('/')\n  list() { return []; }\n}\n`,
    },
    {
      name: 'a Pages API route: the GET branch is a read, the POST branch revalidates its page',
      code: `import type { NextApiRequest, NextApiResponse } from 'next';\nexport default async function handler(req: NextApiRequest, res: NextApiResponse) {\n  if (req.method === 'GET') return res.json([]);\n  if (req.method === 'POST') {\n    await res.revalidate('/quotes');\n    return res.status(201).end();\n  }\n}\n`,
      filename: 'src/pages/api/quotes/index.ts',
    },
    {
      name: 'a Pages API route without a method check that changes nothing is a read',
      code: `import type { NextApiRequest, NextApiResponse } from 'next';\nexport default function health(_req: NextApiRequest, res: NextApiResponse) {\n  res.json({ ok: true });\n}\n`,
      filename: 'pages/api/health.ts',
    },
    {
      name: 'a tRPC query that reads through the cache is a read',
      code: `import { initTRPC } from '@trpc/server';\nconst t = initTRPC.create();\nexport const quotesRouter = t.router({\n  list: t.procedure.query(async () => cache.getOrSet('quotesList', { tenantId: 't', hash: 'h' }, async () => [])),\n});\n`,
    },
    {
      name: 'a route module loader that reads is no mutation',
      code: `export async function loader({ params }: { params: { id: string } }) {\n  return cache.getOrSet('quotesList', { tenantId: params.id, hash: 'h' }, async () => []);\n}\n`,
      filename: 'app/routes/quotes.$id.tsx',
    },
    {
      name: 'a GraphQL Query resolver of a resolver map is a read',
      code: `export const resolvers = {\n  Query: {\n    quotes: async () => [],\n  },\n};\n`,
    },
    {
      name: 'an object with a Mutation key that is no resolver map',
      code: `export const labels = { Mutation: { createQuote: () => 'Create' } };\n`,
    },
    {
      name: 'a SvelteKit GET endpoint and page load are reads',
      code: `export const GET = async () => new Response('[]');\n`,
      filename: 'src/routes/quotes/+server.ts',
    },
    {
      name: 'a NestJS message handler that changes nothing is no mutation',
      code: `import { Controller } from '@nestjs/common';\nimport { MessagePattern } from '@nestjs/microservices';\n@Controller()\nexport class QuotesEvents {\n  @MessagePattern('quotes.count')\n  count() { return 0; }\n}\n`,
    },
    {
      name: 'a graphql-shield permission map is no resolver map',
      code: `import { rule, shield } from 'graphql-shield';\nconst isAuthenticated = rule()(async () => true);\nexport const permissions = shield({ Mutation: { createQuote: isAuthenticated } });\n`,
    },
    {
      name: 'a tRPC query stays a read when it writes a model on the way (a view recorded)',
      code: `import { PrismaClient } from '@prisma/client';\nimport { authedProcedure, router } from '../trpc';\nconst prisma = new PrismaClient();\nexport const quotesRouter = router({\n  current: authedProcedure.query(async () => {\n    await prisma.quote.update({ where: { id: 1 }, data: { viewedAt: new Date() } });\n    return null;\n  }),\n});\n`,
      filename: 'src/server/routers/quotes.ts',
    },
    {
      name: 'a route module loader stays a read when it writes a model on the way',
      code: `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nexport async function loader() {\n  await prisma.quote.update({ where: { id: 1 }, data: { viewedAt: new Date() } });\n  return null;\n}\n`,
      filename: 'app/routes/quotes.$id.tsx',
    },
    {
      name: 'Apollo Client local-state resolvers run in the browser',
      code: `import { InMemoryCache } from '@apollo/client/core';\nexport const clientResolvers = {\n  Mutation: {\n    setQuoteFilter: (_: unknown, args: object, { cache }: { cache: InMemoryCache }) => args,\n  },\n};\n`,
      filename: 'src/quotes/client-resolvers.ts',
    },
    {
      name: 'a Pages API route whose code after the method branches only answers 405',
      code: `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nexport default async function handler(req: { method?: string }, res: { setHeader(k: string, v: string): void; status(n: number): { end(): void } }) {\n  if (req.method === 'GET') return res.status(200).end();\n  res.setHeader('Allow', 'GET');\n  return res.status(405).end();\n}\n`,
      filename: 'pages/api/quotes/index.ts',
    },
    {
      name: 'a route module action whose code after its branches only answers 405 has no other handler',
      code: `export async function action({ request }: { request: Request }) {\n  if (request.method === 'PATCH') {\n    await cache.deletePattern('quotes:*');\n    return null;\n  }\n  return new Response(null, { status: 405 });\n}\n`,
      filename: 'app/routes/quotes.$id.tsx',
    },
    {
      name: 'a route.ts outside app/ serves nothing until a route file re-exports it',
      code: `export async function POST() {\n  return new Response(null, { status: 201 });\n}\n`,
      filename: 'modules/quotes/api/route.ts',
    },
    {
      name: 'a Map is not a router',
      code: `import express from 'express';\nconst seen = new Map<string, number>();\nexport function forget(key: string) { seen.delete(key); }\nexport const app = express();\n`,
    },
  ],
  invalid: [
    {
      name: 'an aliased import and a namespace import of @nestjs/common',
      code: `import * as Nest from '@nestjs/common';\nimport { Delete as HttpDelete } from '@nestjs/common';\n@Nest.Controller('quotes')\nexport class C {\n  @Nest.Post()\n  create() {}\n  @HttpDelete(':id')\n  remove() {}\n}\n`,
      errors: [
        {
          messageId: 'missing',
          line: 6,
          column: 3,
          endLine: 6,
          endColumn: 9,
          data: { handler: 'C.create', exception: "`@NoCacheInvalidation('reason')`" },
        },
        {
          messageId: 'missing',
          line: 8,
          column: 3,
          endLine: 8,
          endColumn: 9,
          data: { handler: 'C.remove', exception: "`@NoCacheInvalidation('reason')`" },
        },
      ],
    },
    {
      name: 'NestJS decorators imported from a subpath of @nestjs/common',
      code: `import { Controller, Delete, Post } from '@nestjs/common/decorators';\n@Controller({ path: '/workflows', version: '2' })\nexport class WorkflowController {\n  @Post('')\n  create() {}\n  @Delete(':workflowId')\n  removeWorkflow() {}\n}\n`,
      errors: [
        {
          messageId: 'missing',
          line: 5,
          column: 3,
          endLine: 5,
          endColumn: 9,
          data: { handler: 'WorkflowController.create', exception: "`@NoCacheInvalidation('reason')`" },
        },
        {
          messageId: 'missing',
          line: 7,
          column: 3,
          endLine: 7,
          endColumn: 17,
          data: { handler: 'WorkflowController.removeWorkflow', exception: "`@NoCacheInvalidation('reason')`" },
        },
      ],
    },
    {
      name: 'a GraphQL mutation',
      code: `import { Mutation, Resolver } from '@nestjs/graphql';\n@Resolver()\nexport class QuotesResolver {\n  @Mutation()\n  archiveQuote() { return true; }\n}\n`,
      errors: [
        {
          messageId: 'missing',
          line: 5,
          column: 3,
          endLine: 5,
          endColumn: 15,
          data: { handler: 'QuotesResolver.archiveQuote', exception: "`@NoCacheInvalidation('reason')`" },
        },
      ],
    },
    {
      name: 'routing-controllers',
      code: `import { JsonController, Post } from 'routing-controllers';\n@JsonController('/quotes')\nexport class Q {\n  @Post('/')\n  create() { return {}; }\n}\n`,
      errors: [
        {
          messageId: 'missing',
          line: 5,
          column: 3,
          endLine: 5,
          endColumn: 9,
          data: { handler: 'Q.create', exception: "`@NoCacheInvalidation('reason')`" },
        },
      ],
    },
    {
      name: 'Fastify route() with several methods reports each',
      code: `import Fastify from 'fastify';\nconst fastify = Fastify();\nfastify.route({ method: ['PUT', 'PATCH'], url: '/quotes/:id', handler: async () => ({}) });\n`,
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 14,
          data: { handler: 'PUT /quotes/:id', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
        {
          messageId: 'missing',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 14,
          data: { handler: 'PATCH /quotes/:id', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
      ],
    },
    {
      name: 'a Fastify plugin typed by a plugin package (fastify-zod-openapi)',
      code: `import type { FastifyPluginAsyncZodOpenApi } from 'fastify-zod-openapi';\nconst profileRouter: FastifyPluginAsyncZodOpenApi = async (fastify) => {\n  fastify.route({ method: 'POST', url: '/increment', handler: async () => ({}) });\n};\nexport default profileRouter;\n`,
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 11,
          endLine: 3,
          endColumn: 16,
          data: { handler: 'POST /increment', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
      ],
    },
    {
      name: 'a Pages API route: one handler per case of switch (req.method), cases that share a body included',
      code: `import type { NextApiRequest, NextApiResponse } from 'next';\nexport default async function handler(req: NextApiRequest, res: NextApiResponse) {\n  switch (req.method) {\n    case 'GET':\n      return res.json({});\n    case 'PUT':\n    case 'PATCH':\n      return res.json({});\n  }\n}\n`,
      filename: 'src/pages/api/quotes/[quoteId].ts',
      errors: [
        {
          messageId: 'missing',
          line: 6,
          column: 10,
          endLine: 6,
          endColumn: 15,
          data: {
            handler: 'PUT /api/quotes/[quoteId]',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
        {
          messageId: 'missing',
          line: 7,
          column: 10,
          endLine: 7,
          endColumn: 17,
          data: {
            handler: 'PATCH /api/quotes/[quoteId]',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'a wrapped Pages API handler behind a method guard',
      code: `const withAuth = <T,>(h: T) => h;\nasync function handler(req: { method?: string }, res: { status(n: number): { end(): void } }) {\n  if (req.method !== 'DELETE') return res.status(405).end();\n  res.status(204).end();\n}\nexport default withAuth(handler);\n`,
      filename: 'pages/api/quotes/index.ts',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 22,
          endLine: 3,
          endColumn: 30,
          data: {
            handler: 'DELETE /api/quotes',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'a Pages API method map built with createHandler',
      code: `import { createHandler } from '../../lib/handler';\nexport default createHandler({\n  GET: async () => ({}),\n  POST: async () => ({}),\n});\n`,
      filename: 'src/pages/api/quotes/index.ts',
      errors: [
        {
          messageId: 'missing',
          line: 4,
          column: 3,
          endLine: 4,
          endColumn: 7,
          data: { handler: 'POST /api/quotes', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
      ],
    },
    {
      name: 'a Pages API method map whose handlers a route factory makes from its options',
      code: `import { withMiddlewares, createAuthedRoute } from '../../lib/api';\nexport default withMiddlewares({\n  GET: createAuthedRoute({ name: 'list', fn: async () => ({}) }),\n  DELETE: createAuthedRoute({ name: 'remove', querySchema, fn: async () => ({}) }),\n});\n`,
      filename: 'src/pages/api/models/[id].ts',
      errors: [
        {
          messageId: 'missing',
          line: 4,
          column: 3,
          endLine: 4,
          endColumn: 9,
          data: {
            handler: 'DELETE /api/models/[id]',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'tRPC mutations inline in a router, nested keys included, named by their path',
      code: `import { authedProcedure, router } from '../trpc';\nexport const quotesRouter = router({\n  list: authedProcedure.query(async () => []),\n  create: authedProcedure.input(schema).mutation(async ({ input }) => input),\n  lines: {\n    remove: authedProcedure.mutation(async () => null),\n  },\n});\n`,
      filename: 'src/server/routers/quotes.ts',
      errors: [
        {
          messageId: 'missing',
          line: 4,
          column: 3,
          endLine: 4,
          endColumn: 9,
          data: { handler: 'trpc create', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
        {
          messageId: 'missing',
          line: 6,
          column: 5,
          endLine: 6,
          endColumn: 11,
          data: { handler: 'trpc lines.remove', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
      ],
    },
    {
      name: 'tRPC builders whose names do not end in Procedure: a suffix after it, a constant made from one',
      code: `import { initTRPC } from '@trpc/server';\nimport { protectedProcedureWithoutTracing, router } from '../trpc';\nconst t = initTRPC.create();\nconst authed = t.procedure.use(auth);\nexport const keysRouter = router({\n  reset: protectedProcedureWithoutTracing.mutation(async () => null),\n  rotate: authed.input(schema).mutation(async () => null),\n});\n`,
      filename: 'src/server/routers/keys.ts',
      errors: [
        {
          messageId: 'missing',
          line: 6,
          column: 3,
          endLine: 6,
          endColumn: 8,
          data: { handler: 'trpc reset', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
        {
          messageId: 'missing',
          line: 7,
          column: 3,
          endLine: 7,
          endColumn: 9,
          data: { handler: 'trpc rotate', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
      ],
    },
    {
      name: 'a tRPC procedure in a file of its own, named by its constant',
      code: `import { authedProcedure } from '../trpc';\nexport const archiveQuoteRoute = authedProcedure\n  .input(schema)\n  .mutation(async ({ input }) => input);\n`,
      errors: [
        {
          messageId: 'missing',
          line: 4,
          column: 4,
          endLine: 4,
          endColumn: 12,
          data: {
            handler: 'trpc archiveQuoteRoute',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'a route module action, named by its module',
      code: `import type { ActionFunctionArgs } from 'react-router';\nexport async function loader() {\n  return [];\n}\nexport async function action({ request }: ActionFunctionArgs) {\n  return request.formData();\n}\n`,
      filename: 'app/routes/quotes._index.tsx',
      errors: [
        {
          messageId: 'missing',
          line: 5,
          column: 23,
          endLine: 5,
          endColumn: 29,
          data: {
            handler: 'action routes/quotes._index.tsx',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'a route module action that branches on request.method: one handler per branch',
      code: `export const action = async ({ request }: { request: Request }) => {\n  switch (request.method) {\n    case 'DELETE':\n      return null;\n  }\n};\n`,
      filename: 'app/routes/quotes.$id.tsx',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 10,
          endLine: 3,
          endColumn: 18,
          data: {
            handler: 'action routes/quotes.$id.tsx (DELETE)',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'a GraphQL resolver map: methods, functions and { resolve } entries of Mutation',
      code: `import { ApolloServer } from '@apollo/server';\nconst resolvers = {\n  Mutation: {\n    createQuote(_p: unknown, args: object) { return args; },\n    archiveQuote: { resolve: async () => true },\n  },\n};\nexport const server = new ApolloServer({ typeDefs: '', resolvers });\n`,
      errors: [
        {
          messageId: 'missing',
          line: 4,
          column: 5,
          endLine: 4,
          endColumn: 16,
          data: {
            handler: 'Mutation.createQuote',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
        {
          messageId: 'missing',
          line: 5,
          column: 5,
          endLine: 5,
          endColumn: 17,
          data: {
            handler: 'Mutation.archiveQuote',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'a Pothos mutation field',
      code: `builder.mutationField('createQuote', (t) => t.field({ type: 'Boolean', resolve: async () => true }));\n`,
      errors: [
        {
          messageId: 'missing',
          line: 1,
          column: 23,
          endLine: 1,
          endColumn: 36,
          data: {
            handler: 'Mutation.createQuote',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'SvelteKit endpoint exports and form actions',
      code: `export async function DELETE() {\n  return new Response(null);\n}\n`,
      filename: 'src/routes/(app)/quotes/[id]/+server.ts',
      errors: [
        {
          messageId: 'missing',
          line: 1,
          column: 23,
          endLine: 1,
          endColumn: 29,
          data: {
            handler: 'DELETE /quotes/[id]',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'SvelteKit form actions, the default one named by its page',
      code: `export const load = async () => ({ quotes: [] });\nexport const actions = {\n  default: async () => ({ ok: true }),\n  archive: async () => ({ ok: true }),\n};\n`,
      filename: 'src/routes/quotes/+page.server.ts',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 3,
          endLine: 3,
          endColumn: 10,
          data: { handler: 'action /quotes', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
        {
          messageId: 'missing',
          line: 4,
          column: 3,
          endLine: 4,
          endColumn: 10,
          data: {
            handler: 'action /quotes?/archive',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'Hono registrations chained on new Hono() and on basePath()',
      code: `import { Hono } from 'hono';\nexport const quotesRoute = new Hono()\n  .get('/quotes', (c) => c.json([]))\n  .post('/quotes', async (c) => c.json({}));\nconst app = new Hono().basePath('/api');\napp.delete('/quotes/:id', (c) => c.body(null));\n`,
      errors: [
        {
          messageId: 'missing',
          line: 4,
          column: 4,
          endLine: 4,
          endColumn: 8,
          data: { handler: 'POST /quotes', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
        {
          messageId: 'missing',
          line: 6,
          column: 5,
          endLine: 6,
          endColumn: 11,
          data: {
            handler: 'DELETE /quotes/:id',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'Koa routers handed over as init arguments, and as a parameter of a type constrained to a router',
      code: `import type { ManagementApiRouter, RouterInitArgs } from './types.js';\nexport default function userRoutes<T extends ManagementApiRouter>(...[router, { queries }]: RouterInitArgs<T>) {\n  router.patch('/users/:id', async (ctx, next) => next());\n}\nexport function roleRoutes<T extends ManagementApiRouter>(router: T) {\n  router.delete('/roles/:id', async (ctx, next) => next());\n}\n`,
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 10,
          endLine: 3,
          endColumn: 15,
          data: { handler: 'PATCH /users/:id', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
        {
          messageId: 'missing',
          line: 6,
          column: 10,
          endLine: 6,
          endColumn: 16,
          data: { handler: 'DELETE /roles/:id', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
      ],
    },
    {
      name: 'a Hono app handed over as a parameter typed with the project’s own alias',
      code: `import { createRoute } from '@hono/zod-openapi';\nimport type { App } from './app.js';\nconst route = createRoute({ method: 'post', path: '/v1/keys.deleteKey', responses: {} });\nexport const registerDeleteKey = (app: App) => app.openapi(route, async (c) => c.json({}));\n`,
      errors: [
        {
          messageId: 'missing',
          line: 4,
          column: 52,
          endLine: 4,
          endColumn: 59,
          data: {
            handler: 'POST /v1/keys.deleteKey',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: '@hono/zod-openapi routes, in place and through a constant',
      code: `import { OpenAPIHono, createRoute } from '@hono/zod-openapi';\nconst app = new OpenAPIHono();\nconst update = createRoute({ method: 'patch', path: '/users/{id}', responses: {} });\napp.openapi(update, async (c) => c.json({}));\napp.openapi(createRoute({ method: 'get', path: '/users/{id}', responses: {} }), async (c) => c.json({}));\n`,
      errors: [
        {
          messageId: 'missing',
          line: 4,
          column: 5,
          endLine: 4,
          endColumn: 12,
          data: { handler: 'PATCH /users/{id}', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
      ],
    },
    {
      name: 'a Pages API guard that lets two methods through: the checks after it split nothing new',
      code: `export default async function handler(req: { method?: string }, res: { status(n: number): { end(): void } }) {\n  if (req.method !== 'POST' && req.method !== 'GET') return res.status(405).end();\n  if (req.method === 'GET') return res.status(200).end();\n  res.status(201).end();\n}\n`,
      filename: 'pages/api/quotes/index.ts',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 22,
          endLine: 2,
          endColumn: 28,
          data: { handler: 'POST /api/quotes', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
      ],
    },
    {
      name: 'the same write in a tRPC mutation is a mutation',
      code: `import { PrismaClient } from '@prisma/client';\nimport { authedProcedure, router } from '../trpc';\nconst prisma = new PrismaClient();\nexport const quotesRouter = router({\n  touch: authedProcedure.mutation(async () => prisma.quote.upsert({ where: { id: 1 }, create: {}, update: {} })),\n});\n`,
      filename: 'src/server/routers/quotes.ts',
      errors: [
        {
          messageId: 'missing',
          line: 5,
          column: 3,
          endLine: 5,
          endColumn: 8,
          data: { handler: 'trpc touch', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
      ],
    },
    {
      name: 'a Pages API route that answers the preflight and then serves every other method',
      code: `import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nexport default async function handler(req: { method?: string }, res: { status(n: number): { end(): void } }) {\n  if (req.method === 'OPTIONS') return res.status(204).end();\n  await prisma.quote.update({ where: { id: 1 }, data: { seen: true } });\n  res.status(200).end();\n}\n`,
      filename: 'pages/api/quotes/index.ts',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 31,
          endLine: 3,
          endColumn: 38,
          data: { handler: 'ALL /api/quotes', exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)' },
        },
      ],
    },
    {
      name: 'Next.js wrapped handlers and aliases',
      code: `const withAuth = <T,>(h: T) => h;\nexport const PATCH = withAuth(async () => new Response(null));\nexport const PUT = PATCH;\n`,
      filename: 'app/api/quotes/[id]/route.ts',
      errors: [
        {
          messageId: 'missing',
          line: 2,
          column: 14,
          endLine: 2,
          endColumn: 19,
          data: {
            handler: 'PATCH /api/quotes/[id]',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
        {
          messageId: 'missing',
          line: 3,
          column: 14,
          endLine: 3,
          endColumn: 17,
          data: {
            handler: 'PUT /api/quotes/[id]',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
  ],
});

const eventHandler = (patterns: string): string =>
  `import { Controller } from '@nestjs/common';\nimport { EventPattern } from '@nestjs/microservices';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n@Controller()\nexport class QuotesEvents {\n  @EventPattern('quote.expired')\n  ${patterns}\n  expired() {}\n}\n`;

/** A NestJS event handler that invalidates is a mutation: what it leaves stale is reported. */
ruleTester().run('require-dependent-invalidation (NestJS message handlers)', dependentRule, {
  valid: [
    {
      name: 'an event handler that invalidates every dependent key',
      code: eventHandler("@InvalidateCachePattern('quotes:*', 'dashboard:*')"),
    },
  ],
  invalid: [
    {
      name: 'an event handler that forgets the dashboard',
      code: eventHandler("@InvalidateCachePattern('quotes:*', 'dashboard:kpis:*')"),
      filename: 'src/quotes/quotes.events.controller.ts',
      errors: [
        {
          messageId: 'stale',
          line: 8,
          column: 3,
          endLine: 8,
          endColumn: 10,
          data: {
            handler: 'QuotesEvents.expired',
            count: 'a cached family',
            families: '`dashboardTopClients`',
            details:
              '\n- `dashboardTopClients` (dashboard:top_clients:{tenantId}:{hash}) depends on quotes: invalidate `dashboard:top_clients:*`.',
            them: 'it',
            they: 'it',
            exception: "`@NoCacheInvalidation('reason')`",
          },
          suggestions: [
            {
              messageId: 'addPattern',
              data: { pattern: 'dashboard:top_clients:*' },
              output: eventHandler(
                "@InvalidateCachePattern('quotes:*', 'dashboard:kpis:*')\n  @InvalidateCachePattern('dashboard:top_clients:*')",
              ),
            },
          ],
        },
      ],
    },
  ],
});
