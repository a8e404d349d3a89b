import { rules } from '../../src/eslint.js';
import { controller, ruleTester } from './tester.js';

const rule = rules['no-invalidation-in-query'];

/** A Hono app that keeps resolved snapshots in a module's `Map` for a minute; `prune` runs on line 5, before every read. */
const SNAPSHOTS = (prune: string): string => `import { Hono } from 'hono';
const snapshotCache = new Map<string, { url: string; expiresAt: number }>();
const app = new Hono();
function prune(now = Date.now()) {
  ${prune}
}
app.get('/snapshots/:id', async (c) => {
  prune();
  const hit = snapshotCache.get(c.req.param('id'));
  if (hit) return c.json(hit);
  const url = await fetch('https://example.com/' + c.req.param('id')).then((r) => r.text());
  snapshotCache.set(c.req.param('id'), { url, expiresAt: Date.now() + 60_000 });
  return c.json({ url });
});
`;

ruleTester().run('no-invalidation-in-query', rule, {
  valid: [
    { code: controller(`  @Get()\n  list() {}\n\n  @Post()\n  @InvalidateCachePattern('quotes:*')\n  create() {}`) },
    {
      name: 'a class-level invalidation applies to the mutations only',
      code: `import { Controller, Get, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n@Controller('quotes')\n@InvalidateCachePattern('quotes:*')\nexport class QuotesController {\n  @Get()\n  list() {}\n  @Post()\n  create() {}\n}\n`,
    },
    {
      name: 'a read that deletes the session it found expired',
      code: `import { Hono } from 'hono';\nimport Redis from 'ioredis';\nconst redis = new Redis();\nasync function verifySession(token: string) {\n  const session = await redis.get(\`session:\${token}\`);\n  if (session === 'expired') {\n    await redis.del(\`session:\${token}\`);\n    return null;\n  }\n  return session;\n}\nconst app = new Hono();\napp.get('/me', async (c) => c.json(await verifySession(c.req.header('x-token') ?? '')));\n`,
    },
    {
      name: 'a read whose failed fill clears its own entry',
      code: `import { Hono } from 'hono';\nimport Redis from 'ioredis';\nconst redis = new Redis();\nfunction clear(id: string) {\n  return redis.del(\`kpis:\${id}\`);\n}\nfunction kpis(id: string) {\n  return redis.get(\`kpis:\${id}\`).then((v) => JSON.parse(v ?? '{}')).catch(() => clear(id));\n}\nconst app = new Hono();\napp.get('/kpis/:id', async (c) => c.json(await kpis(c.req.param('id'))));\n`,
    },
    {
      name: 'an on-demand revalidation endpoint served over GET',
      code: `import { Hono } from 'hono';\nimport { revalidatePath, revalidateTag } from 'next/cache';\nconst app = new Hono();\napp.get('/revalidate', (c) => {\n  revalidatePath('/posts');\n  revalidateTag('posts');\n  return c.json({ revalidated: true });\n});\n`,
    },
    {
      name: 'a read whose in-memory cache prunes its expired entries and evicts the oldest',
      code: SNAPSHOTS(
        'for (const [key, value] of snapshotCache) if (value.expiresAt <= now) snapshotCache.delete(key);\n  for (const key of snapshotCache.keys()) { if (snapshotCache.size <= 100) break; snapshotCache.delete(key); }',
      ),
    },
  ],
  invalid: [
    {
      name: 'a read that deletes keys it did not meet in its cache',
      code: SNAPSHOTS('for (const key of ["a", "b"]) snapshotCache.delete(key);'),
      errors: [
        {
          messageId: 'query',
          line: 5,
          column: 33,
          endLine: 5,
          endColumn: 58,
          data: { handler: 'GET /snapshots/:id', method: 'GET', what: '`key`' },
        },
      ],
    },
    {
      name: 'a read that always empties the entry it then reads',
      code: `import { Hono } from 'hono';\nimport Redis from 'ioredis';\nconst redis = new Redis();\nconst app = new Hono();\napp.get('/kpis/:id', async (c) => {\n  const id = c.req.param('id');\n  await redis.del(\`kpis:\${id}\`);\n  return c.json(await redis.get(\`kpis:\${id}\`));\n});\n`,
      errors: [
        {
          messageId: 'query',
          line: 7,
          column: 9,
          endLine: 7,
          endColumn: 32,
          data: { handler: 'GET /kpis/:id', method: 'GET', what: '`kpis:{id}`' },
        },
      ],
    },
    {
      name: 'a GET with a decorator',
      code: controller(`  @Get('refresh')\n  @InvalidateCachePattern('dashboard:*')\n  refresh() {}`),
      errors: [
        {
          messageId: 'query',
          line: 7,
          column: 4,
          endLine: 7,
          endColumn: 41,
          data: { handler: 'QuotesController.refresh', method: 'GET', what: '`dashboard:*`' },
        },
      ],
    },
    {
      name: 'a Hono GET with a call in its body, and a GraphQL query',
      code: `import { Hono } from 'hono';\nimport { getCache } from 'cache-audit/runtime';\nconst app = new Hono();\napp.get('/kpis', async (c) => {\n  await getCache().deletePattern('dashboard:kpis:*');\n  return c.json({});\n});\n`,
      errors: [
        {
          messageId: 'query',
          line: 5,
          column: 9,
          endLine: 5,
          endColumn: 53,
          data: { handler: 'GET /kpis', method: 'GET', what: '`dashboard:kpis:*`' },
        },
      ],
    },
    {
      name: 'a GraphQL query',
      code: `import { Query, Resolver } from '@nestjs/graphql';\nimport { getCache } from 'cache-audit/runtime';\n@Resolver()\nexport class QuotesResolver {\n  @Query()\n  async quotes() {\n    await getCache().deletePattern('quotes:*');\n    return [];\n  }\n}\n`,
      errors: [
        {
          messageId: 'query',
          line: 7,
          column: 11,
          endLine: 7,
          endColumn: 47,
          data: { handler: 'QuotesResolver.quotes', method: 'QUERY', what: '`quotes:*`' },
        },
      ],
    },
  ],
});

ruleTester({ registry: undefined }).run('no-invalidation-in-query (families from the code)', rule, {
  valid: [
    {
      name: 'a query that deletes the rows a family holds, and clears the family',
      code: `import { initTRPC } from '@trpc/server';\nimport { PrismaClient } from '@prisma/client';\nimport Redis from 'ioredis';\nconst prisma = new PrismaClient();\nconst redis = new Redis();\nconst t = initTRPC.create();\nasync function apiKeyOf(hash: string) {\n  const cached = await redis.get(\`api-key:\${hash}\`);\n  if (cached) return JSON.parse(cached);\n  const key = await prisma.apiKey.findUnique({ where: { hash } });\n  await redis.set(\`api-key:\${hash}\`, JSON.stringify(key));\n  return key;\n}\nasync function removeExpiredKey(id: string, hash: string) {\n  await prisma.apiKey.delete({ where: { id } });\n  await redis.del(\`api-key:\${hash}\`);\n}\nexport const agentRouter = t.router({\n  conversation: t.procedure.query(async ({ input }: { input: { id: string; hash: string } }) => {\n    await removeExpiredKey(input.id, input.hash);\n    return apiKeyOf(input.hash);\n  }),\n});\n`,
    },
  ],
  invalid: [
    {
      name: 'a query that writes one model and clears a family of another',
      code: `import { initTRPC } from '@trpc/server';\nimport { PrismaClient } from '@prisma/client';\nimport Redis from 'ioredis';\nconst prisma = new PrismaClient();\nconst redis = new Redis();\nconst t = initTRPC.create();\nasync function apiKeyOf(hash: string) {\n  const cached = await redis.get(\`api-key:\${hash}\`);\n  if (cached) return JSON.parse(cached);\n  const key = await prisma.apiKey.findUnique({ where: { hash } });\n  await redis.set(\`api-key:\${hash}\`, JSON.stringify(key));\n  return key;\n}\nasync function touch(id: string, hash: string) {\n  await prisma.conversation.update({ where: { id }, data: { seenAt: new Date() } });\n  await redis.del(\`api-key:\${hash}\`);\n}\nexport const agentRouter = t.router({\n  conversation: t.procedure.query(async ({ input }: { input: { id: string; hash: string } }) => {\n    await touch(input.id, input.hash);\n    return apiKeyOf(input.hash);\n  }),\n});\n`,
      errors: [
        {
          messageId: 'query',
          line: 16,
          column: 9,
          endLine: 16,
          endColumn: 37,
          data: { handler: 'trpc conversation', method: 'QUERY', what: '`api-key:{hash}`' },
        },
      ],
    },
  ],
});
