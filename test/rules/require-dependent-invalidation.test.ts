import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rules } from '../../src/eslint.js';
import { controller, ruleTester } from './tester.js';

const rule = rules['require-dependent-invalidation'];

const EXCEPTION = 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)';
const DECORATOR_EXCEPTION = "`@NoCacheInvalidation('reason')`";

/** The data of a finding that names the given families, one detail line each. */
function staleData(handler: string, exception: string, names: readonly string[], details: readonly string[]) {
  const one = names.length === 1;
  return {
    handler,
    count: one ? 'a cached family' : `${String(names.length)} cached families`,
    families: names.map((n) => `\`${n}\``).join(', '),
    details: details.map((d) => `\n- ${d}`).join(''),
    them: one ? 'it' : 'them',
    they: one ? 'it' : 'they',
    exception,
  };
}

/** A registry finding: the names are the first words of the details. */
function registryStale(handler: string, exception: string, details: readonly string[]) {
  return staleData(
    handler,
    exception,
    details.map((d) => /^`([^`]+)`/.exec(d)?.[1] ?? ''),
    details,
  );
}

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
          messageId: 'stale',
          line: 8,
          column: 3,
          endLine: 8,
          endColumn: 9,
          data: registryStale('QuotesController.update', DECORATOR_EXCEPTION, [
            '`dashboardKpis` (dashboard:kpis:{tenantId}:{hash}) depends on expenses: invalidate `dashboard:kpis:*`.',
          ]),
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
          messageId: 'stale',
          line: 9,
          column: 3,
          endLine: 9,
          endColumn: 9,
          data: registryStale('QuotesController.create', DECORATOR_EXCEPTION, [
            '`dashboardTopClients` (dashboard:top_clients:{tenantId}:{hash}) depends on clients: invalidate `dashboard:top_clients:*`.',
          ]),
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
          messageId: 'stale',
          line: 3,
          column: 8,
          endLine: 3,
          endColumn: 12,
          data: registryStale('POST /clients', EXCEPTION, [
            '`dashboardKpis` (dashboard:kpis:{tenantId}:{hash}) depends on clients: invalidate `dashboard:kpis:*`.',
          ]),
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

/** The families of `postsApp`, as a finding's details name them. */
const FAMILIES = {
  byId: { name: 'post:{id}', holds: 'looked up by key; read at file.ts:8, filled at file.ts:11, ttl 600 s' },
  published: { name: 'posts:published', holds: 'a list, count or aggregate; read at file.ts:15, filled at file.ts:18, ttl 30 s' },
};

/** The finding of a route of `postsApp` (on line 21, its write on line 22): its method name spans `endColumn`. */
function familyError(handler: string, change: string, families: readonly (keyof typeof FAMILIES)[], endColumn: number) {
  const details = families.map(
    (f) =>
      `\`${FAMILIES[f].name}\` holds Post (${FAMILIES[f].holds}); it writes Post (${change}) at file.ts:22: delete \`${FAMILIES[f].name}\`.`,
  );
  return {
    messageId: 'stale' as const,
    line: 21,
    column: 5,
    endLine: 21,
    endColumn,
    data: staleData(
      handler,
      EXCEPTION,
      families.map((f) => FAMILIES[f].name),
      details,
    ),
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
      name: 'an id-only lookup of a parent beside the rows the entry holds is a guard: deleting the parent does not stale it',
      code: `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
async function billing(organizationId: string) {
  const hit = await redis.get(\`org:\${organizationId}:billing\`);
  if (hit) return JSON.parse(hit);
  let found = await prisma.organizationBilling.findUnique({ where: { organizationId }, select: { plan: true } });
  if (!found) {
    const organization = await prisma.organization.findUnique({ where: { id: organizationId }, select: { id: true } });
    if (!organization) return null;
    found = await prisma.organizationBilling.create({ data: { organizationId, plan: 'free' }, select: { plan: true } });
  }
  await redis.set(\`org:\${organizationId}:billing\`, JSON.stringify(found), 'EX', 300);
  return found;
}
app.get('/orgs/:id/billing', async (req, res) => {
  res.json(await billing(req.params.id));
});
app.delete('/orgs/:id', async (req, res) => {
  await prisma.organization.delete({ where: { id: req.params.id } });
  res.end();
});
`,
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
      errors: [familyError('POST /posts', 'create', ['published'], 9)],
    },
    {
      name: 'an update of a field the list filters on, with the entry by id invalidated',
      code: postsApp(
        `app.put('/posts/:id/publish', async (req, res) => {\n  await prisma.post.update({ where: { id: req.params.id }, data: { published: true } });\n  await redis.del(\`post:\${req.params.id}\`);\n  res.end();\n});\n`,
        { select: ', select: { id: true, body: true }' },
      ),
      errors: [familyError('PUT /posts/:id/publish', 'update', ['published'], 8)],
    },
    {
      name: 'a delete leaves both families stale',
      code: postsApp(
        `app.delete('/posts/:id', async (req, res) => {\n  await prisma.post.delete({ where: { id: req.params.id } });\n  res.end();\n});\n`,
      ),
      errors: [familyError('DELETE /posts/:id', 'delete', ['byId', 'published'], 11)],
    },
    {
      name: 'a delete changes an existence check by id',
      code: postsApp(
        `app.delete('/posts/:id', async (req, res) => {\n  await prisma.post.delete({ where: { id: req.params.id } });\n  await redis.del('posts:published');\n  res.end();\n});\n`,
        { select: ', select: { id: true }' },
      ),
      errors: [familyError('DELETE /posts/:id', 'delete', ['byId'], 11)],
    },
    {
      name: 'an update that names the id can move the row under an existence check',
      code: postsApp(
        `app.put('/posts/:id', async (req, res) => {\n  await prisma.post.update({ where: { id: req.params.id }, data: { id: req.body.id } });\n  await redis.del('posts:published');\n  res.end();\n});\n`,
        { select: ', select: { id: true }' },
      ),
      errors: [familyError('PUT /posts/:id', 'update', ['byId'], 8)],
    },
  ],
});

/** A registry of `postsApp`'s two families, as `cache-audit init` writes it for that app. */
const POSTS_REGISTRY = join(mkdtempSync(join(tmpdir(), 'cache-audit-rule-')), 'keys.json');
writeFileSync(
  POSTS_REGISTRY,
  JSON.stringify({
    keys: {
      post: { template: 'post:{id}', ttl: 600, dependsOn: ['Post'] },
      postsPublished: { template: 'posts:published', ttl: 30, dependsOn: ['Post'] },
    },
  }),
);

ruleTester({ registry: POSTS_REGISTRY }).run('require-dependent-invalidation (a registry, the loaders in the linted file)', rule, {
  valid: [
    {
      name: 'a create cannot make an entry looked up by the new row’s id stale, as without the registry',
      code: postsApp(
        `app.post('/posts', async (req, res) => {\n  await prisma.post.create({ data: req.body });\n  await redis.del('posts:published');\n  res.end();\n});\n`,
      ),
    },
  ],
  invalid: [
    {
      name: 'an update leaves the entry by id stale',
      code: postsApp(
        `app.put('/posts/:id', async (req, res) => {\n  await prisma.post.update({ where: { id: req.params.id }, data: req.body });\n  await redis.del('posts:published');\n  res.end();\n});\n`,
      ),
      errors: [
        {
          messageId: 'stale',
          line: 21,
          column: 5,
          endLine: 21,
          endColumn: 8,
          data: registryStale('PUT /posts/:id', EXCEPTION, [
            '`post` (post:{id}) depends on Post; it writes Post (update) at file.ts:22: invalidate `post:*`.',
          ]),
        },
      ],
    },
  ],
});

/** A registry whose templates have no `:` in their first words. */
const DASHED_REGISTRY = join(mkdtempSync(join(tmpdir(), 'cache-audit-rule-')), 'keys.json');
writeFileSync(
  DASHED_REGISTRY,
  JSON.stringify({
    keys: {
      post: { template: 'post-{id}', ttl: 600, dependsOn: ['Post'] },
      tenantPosts: { template: '{tenantId}-posts', ttl: 600, dependsOn: ['Post'] },
    },
  }),
);

ruleTester({ registry: DASHED_REGISTRY }).run('require-dependent-invalidation (templates with no `:`)', rule, {
  valid: [],
  invalid: [
    {
      name: 'the pattern to invalidate keeps the template’s words: never `*`',
      code: controller(`  @Put(':id')\n  @Mutates('Post')\n  update() {}`, 'posts'),
      errors: [
        {
          messageId: 'stale',
          line: 8,
          column: 3,
          endLine: 8,
          endColumn: 9,
          data: registryStale('QuotesController.update', DECORATOR_EXCEPTION, [
            '`post` (post-{id}) depends on Post: invalidate `post-*`.',
            '`tenantPosts` ({tenantId}-posts) depends on Post: invalidate `*-posts`.',
          ]),
          suggestions: [
            {
              messageId: 'addPattern',
              data: { pattern: "post-*', '*-posts" },
              output: controller(
                `  @Put(':id')\n  @Mutates('Post')\n  @InvalidateCachePattern('post-*', '*-posts')\n  update() {}`,
                'posts',
              ),
            },
          ],
        },
      ],
    },
  ],
});

/** Families told apart by their literal segments: the entry by id is not the latest one. */
ruleTester({ registry: undefined }).run('require-dependent-invalidation (literal segments)', rule, {
  valid: [],
  invalid: [
    {
      name: 'deleting post:{id} does not clear post:latest',
      code: `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
async function latest() {
  const hit = await redis.get('post:latest');
  if (hit) return JSON.parse(hit);
  const found = await prisma.post.findFirst({ orderBy: { createdAt: 'desc' } });
  await redis.set('post:latest', JSON.stringify(found), 'EX', 600);
  return found;
}
app.put('/posts/:id', async (req, res) => {
  await prisma.post.update({ where: { id: req.params.id }, data: { title: req.body.title } });
  await redis.del(\`post:\${req.params.id}\`);
  res.end();
});
`,
      errors: [
        {
          messageId: 'stale',
          line: 14,
          column: 5,
          endLine: 14,
          endColumn: 8,
          data: staleData(
            'PUT /posts/:id',
            EXCEPTION,
            ['post:latest'],
            [
              '`post:latest` holds Post (a list, count or aggregate; read at file.ts:8, filled at file.ts:11, ttl 600 s); it writes Post (update) at file.ts:15: delete `post:latest`.',
            ],
          ),
        },
      ],
    },
  ],
});

/** A family whose fill writes the row it caches on a miss (a hash migrated while authenticating). */
const apiKeysApp = (routes: string): string => `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
async function apiKeyOf(hash: string) {
  const hit = await redis.get(\`api-key:\${hash}\`);
  if (hit) return JSON.parse(hit);
  const found = await prisma.apiKey.findUnique({ where: { hash } });
  if (found && !found.fastHash) await prisma.apiKey.update({ where: { id: found.id }, data: { fastHash: hash } });
  await redis.set(\`api-key:\${hash}\`, JSON.stringify(found), 'EX', 300);
  return found;
}
${routes}`;

ruleTester({ registry: undefined }).run('require-dependent-invalidation (writes made while filling)', rule, {
  valid: [
    {
      name: 'a route whose only write is the one its cached lookup makes on a miss',
      code: apiKeysApp(`app.post('/ingest', async (req, res) => {\n  await apiKeyOf(req.header('x-key'));\n  res.end();\n});\n`),
    },
  ],
  invalid: [
    {
      name: 'a route that writes the row itself, besides looking it up',
      code: apiKeysApp(
        `app.put('/api-keys/:id', async (req, res) => {\n  await apiKeyOf(req.header('x-key'));\n  await prisma.apiKey.update({ where: { id: req.params.id }, data: { note: req.body.note } });\n  res.end();\n});\napp.get('/api-key', async (req, res) => {\n  res.json(await apiKeyOf(req.header('x-key')));\n});\n`,
      ),
      errors: [
        {
          messageId: 'stale',
          line: 15,
          column: 5,
          endLine: 15,
          endColumn: 8,
          data: staleData(
            'PUT /api-keys/:id',
            EXCEPTION,
            ['api-key:{hash}'],
            [
              '`api-key:{hash}` holds ApiKey (looked up by key; read at file.ts:8, filled at file.ts:12, ttl 300 s); it writes ApiKey (update) at file.ts:17: delete `api-key:{hash}`.',
            ],
          ),
        },
      ],
    },
  ],
});

/** A handler whose whole code is one call: the call runs, as it does in a block. */
ruleTester({ registry: undefined }).run('require-dependent-invalidation (a handler that is one call)', rule, {
  valid: [],
  invalid: [
    {
      name: 'a server action whose expression body calls the helper that writes',
      code: `'use server';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export async function getPost(id: string) {
  const hit = await redis.get(\`post:\${id}\`);
  if (hit) return JSON.parse(hit);
  const found = await prisma.post.findUnique({ where: { id } });
  await redis.set(\`post:\${id}\`, JSON.stringify(found), 'EX', 600);
  return found;
}
async function removePost(id: string) {
  await prisma.post.delete({ where: { id } });
}
export const deletePostAction = async (id: string) => removePost(id);
`,
      filename: 'app/posts/actions.ts',
      errors: [
        {
          messageId: 'stale',
          line: 16,
          column: 14,
          endLine: 16,
          endColumn: 30,
          data: staleData(
            'server action deletePostAction',
            EXCEPTION,
            ['post:{id}'],
            [
              '`post:{id}` holds Post (looked up by key; read at actions.ts:7, filled at actions.ts:10, ttl 600 s); it writes Post (delete) at actions.ts:14: delete `post:{id}`.',
            ],
          ),
        },
      ],
    },
  ],
});
