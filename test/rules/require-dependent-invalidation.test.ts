import rule from '../../rules/require-dependent-invalidation.js';
import { controller, ruleTester } from './tester.js';

ruleTester().run('require-dependent-invalidation', rule, {
  valid: [
    {
      name: 'every dependent key covered',
      code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*', 'dashboard:*')\n  create() {}`),
    },
    {
      name: 'covered per tenant through a placeholder',
      code: controller(
        `  @Post()\n  @InvalidateCachePattern('quotes:list:{tenantId}:*', 'quotes:summary:{tenantId}:*', 'dashboard:kpis:{tenantId}:*', 'dashboard:top_clients:*')\n  create() {}`,
      ),
    },
    {
      name: 'an explicit resource that nothing depends on',
      code: controller(`  @Post('audit')\n  @Mutates('audit')\n  @InvalidateCachePattern('quotes:list:*')\n  audit() {}`),
    },
    {
      name: 'a pattern that cannot be read statically is not judged',
      code: controller(`  @Post()\n  async create(pattern: string) { await cache.deletePattern(pattern); }`),
    },
    {
      name: 'a conditional invalidation counts: a deliberate strategy',
      code: controller(
        `  @Patch(':id')\n  async update(changed: boolean) { if (changed) { await cache.deletePattern('quotes:*'); await cache.deletePattern('dashboard:*'); } }`,
      ),
    },
    {
      name: 'resources from configuration',
      code: controller(`  @Post()\n  @InvalidateCachePattern('dashboard:expenses_monthly:*', 'dashboard:kpis:*')\n  create() {}`, 'spend'),
      settings: { 'cache-audit': { routeResources: { '/spend/**': ['expenses'], '/spend': ['expenses'] } } },
    },
  ],
  invalid: [
    {
      name: 'an update that forgets a key depending on its resource',
      code: controller(`  @Put(':id')\n  @InvalidateCachePattern('dashboard:expenses_monthly:*')\n  update() {}`, 'expenses'),
      errors: [
        {
          messageId: 'missing',
          line: 8,
          column: 3,
          endLine: 8,
          endColumn: 9,
          data: {
            handler: 'QuotesController.update',
            resource: 'expenses',
            key: 'dashboardKpis',
            template: 'dashboard:kpis:{tenantId}:{hash}',
            pattern: 'dashboard:kpis:*',
          },
          suggestions: [
            {
              messageId: 'addPattern',
              data: { pattern: 'dashboard:kpis:*' },
              output: controller(
                `  @Put(':id')\n  @InvalidateCachePattern('dashboard:expenses_monthly:*')\n  @InvalidateCachePattern('dashboard:kpis:*')\n  update() {}`,
                'expenses',
              ),
            },
          ],
        },
      ],
    },
    {
      name: 'a pattern for one tenant does not cover every tenant',
      code: controller(
        `  @Post()\n  @Mutates('clients')\n  @InvalidateCachePattern('dashboard:top_clients:acme:*', 'dashboard:kpis:*')\n  create() {}`,
      ),
      errors: [
        {
          messageId: 'missing',
          line: 9,
          column: 3,
          endLine: 9,
          endColumn: 9,
          data: {
            handler: 'QuotesController.create',
            resource: 'clients',
            key: 'dashboardTopClients',
            template: 'dashboard:top_clients:{tenantId}:{hash}',
            pattern: 'dashboard:top_clients:*',
          },
          suggestions: [
            {
              messageId: 'addPattern',
              data: { pattern: 'dashboard:top_clients:*' },
              output: controller(
                `  @Post()\n  @Mutates('clients')\n  @InvalidateCachePattern('dashboard:top_clients:acme:*', 'dashboard:kpis:*')\n  @InvalidateCachePattern('dashboard:top_clients:*')\n  create() {}`,
              ),
            },
          ],
        },
      ],
    },
    {
      name: 'an Express route with the resource in its path',
      code: `import { Router } from 'express';\nconst router = Router();\nrouter.post('/clients', async (req, res) => {\n  await cache.deletePattern('dashboard:top_clients:*');\n  res.sendStatus(201);\n});\n`,
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 8,
          endLine: 3,
          endColumn: 12,
          data: {
            handler: 'POST /clients',
            resource: 'clients',
            key: 'dashboardKpis',
            template: 'dashboard:kpis:{tenantId}:{hash}',
            pattern: 'dashboard:kpis:*',
          },
        },
      ],
    },
  ],
});

/** An Express app with Prisma and ioredis, and cached posts: by id (a point lookup) and a list of the published ones. */
function postsApp(routes: string, { select = '' } = {}): string {
  return `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
async function post(id: string) {
  const hit = await redis.get(\`post:\${id}\`);
  if (hit) return JSON.parse(hit);
  const found = await prisma.post.findUnique({ where: { id }${select} });
  await redis.set(\`post:\${id}\`, JSON.stringify(found), 'EX', 600);
  return found;
}
async function published() {
  const hit = await redis.get('posts:published');
  if (hit) return JSON.parse(hit);
  const found = await prisma.post.findMany({ where: { published: true }, select: { id: true, title: true } });
  await redis.set('posts:published', JSON.stringify(found), 'EX', 30);
  return found;
}
${routes}`;
}

const EXCEPTION = 'a disable comment with the reason (or readOnlyRoutes in the configuration)';

/** The families of `postsApp`, as a finding names them. */
const FAMILIES = {
  byId: {
    family: 'post:{id}',
    lookup: 'looked up by key',
    read: 'file.ts:8',
    fill: ', filled at file.ts:11',
    ttl: ' for up to its 600 s ttl',
  },
  published: {
    family: 'posts:published',
    lookup: 'a list, count or aggregate',
    read: 'file.ts:15',
    fill: ', filled at file.ts:18',
    ttl: ' for up to its 30 s ttl',
  },
};

/** A finding of a route of `postsApp` (on line 21): its method name spans `endColumn`. */
function familyError(handler: string, change: string, family: keyof typeof FAMILIES, endColumn: number) {
  return {
    messageId: 'missingFamily' as const,
    line: 21,
    column: 5,
    endLine: 21,
    endColumn,
    data: { handler, model: 'Post', change, ...FAMILIES[family], exception: EXCEPTION },
  };
}

ruleTester({ registry: undefined }).run('require-dependent-invalidation (families from the code)', rule, {
  valid: [
    {
      name: 'an update that invalidates both families it can change',
      code: postsApp(
        `app.put('/posts/:id', async (req, res) => {\n  await prisma.post.update({ where: { id: req.params.id }, data: { title: req.body.title } });\n  await redis.del(\`post:\${req.params.id}\`, 'posts:published');\n  res.end();\n});\n`,
      ),
    },
    {
      name: 'a create cannot make an entry looked up by the new row’s id stale; it invalidates the list',
      code: postsApp(
        `app.post('/posts', async (req, res) => {\n  await prisma.post.create({ data: req.body });\n  await redis.del('posts:published');\n  res.end();\n});\n`,
      ),
    },
    {
      name: 'an update of fields neither loader reads',
      code: postsApp(
        `app.put('/posts/:id/views', async (req, res) => {\n  await prisma.post.update({ where: { id: req.params.id }, data: { views: 1 } });\n  res.end();\n});\n`,
        { select: ', select: { id: true, body: true }' },
      ),
    },
    {
      name: 'an update, of fields the code does not name, cannot change an existence check by id (the list is invalidated)',
      code: postsApp(
        `app.put('/posts/:id', async (req, res) => {\n  await prisma.post.update({ where: { id: req.params.id }, data: req.body });\n  await redis.del('posts:published');\n  res.end();\n});\n`,
        { select: ', select: { id: true }' },
      ),
    },
    {
      name: 'a model no family is loaded from',
      code: postsApp(
        `app.put('/users/:id', async (req, res) => {\n  await prisma.user.update({ where: { id: req.params.id }, data: req.body });\n  res.end();\n});\n`,
      ),
    },
    {
      name: 'a handler that calls code it cannot follow is not judged',
      code: postsApp(
        `import { refresh } from './refresh';\napp.post('/posts', async (req, res) => {\n  await prisma.post.create({ data: req.body });\n  await refresh();\n  res.end();\n});\n`,
      ),
    },
  ],
  invalid: [
    {
      name: 'a create leaves the list stale (an error although its ttl is 30 s: no bound is configured)',
      code: postsApp(`app.post('/posts', async (req, res) => {\n  await prisma.post.create({ data: req.body });\n  res.end();\n});\n`),
      errors: [familyError('POST /posts', 'create', 'published', 9)],
    },
    {
      name: 'an update of a field the list filters on, with the entry by id invalidated',
      code: postsApp(
        `app.put('/posts/:id/publish', async (req, res) => {\n  await prisma.post.update({ where: { id: req.params.id }, data: { published: true } });\n  await redis.del(\`post:\${req.params.id}\`);\n  res.end();\n});\n`,
        { select: ', select: { id: true, body: true }' },
      ),
      errors: [familyError('PUT /posts/:id/publish', 'update', 'published', 8)],
    },
    {
      name: 'a delete leaves both families stale',
      code: postsApp(
        `app.delete('/posts/:id', async (req, res) => {\n  await prisma.post.delete({ where: { id: req.params.id } });\n  res.end();\n});\n`,
      ),
      errors: [familyError('DELETE /posts/:id', 'delete', 'byId', 11), familyError('DELETE /posts/:id', 'delete', 'published', 11)],
    },
    {
      name: 'a delete changes an existence check by id',
      code: postsApp(
        `app.delete('/posts/:id', async (req, res) => {\n  await prisma.post.delete({ where: { id: req.params.id } });\n  await redis.del('posts:published');\n  res.end();\n});\n`,
        { select: ', select: { id: true }' },
      ),
      errors: [familyError('DELETE /posts/:id', 'delete', 'byId', 11)],
    },
    {
      name: 'an update that names the id can move the row under an existence check',
      code: postsApp(
        `app.put('/posts/:id', async (req, res) => {\n  await prisma.post.update({ where: { id: req.params.id }, data: { id: req.body.id } });\n  await redis.del('posts:published');\n  res.end();\n});\n`,
        { select: ', select: { id: true }' },
      ),
      errors: [familyError('PUT /posts/:id', 'update', 'byId', 8)],
    },
  ],
});
