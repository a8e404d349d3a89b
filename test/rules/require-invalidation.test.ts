import { rules } from '../../src/eslint.js';
import { controller, ruleTester } from './tester.js';

const rule = rules['require-invalidation'];

/** By default, a mutation is judged by what it leaves stale (require-dependent-invalidation): this rule says only what throws or is empty. */
ruleTester().run('require-invalidation', rule, {
  valid: [
    { name: 'a decorator invalidates', code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*')\n  create() {}`) },
    {
      name: 'a call in the body invalidates',
      code: controller(
        `  constructor(private readonly cache: CacheService) {}\n  @Delete(':id')\n  async remove() { await this.cache.deletePattern('quotes:*'); }`,
      ),
    },
    {
      name: 'a same-file helper invalidates',
      code: controller(
        `  @Put(':id')\n  async update() { await this.flush(); }\n  private async flush() { await redis.unlink('quotes:list:t:h'); }`,
      ),
    },
    {
      name: 'a reasoned exception',
      code: controller(`  @Post('preview')\n  @NoCacheInvalidation('computes a preview, stores nothing')\n  preview() {}`),
    },
    { name: 'reads are not mutations', code: controller(`  @Get()\n  list() {}`) },
    {
      name: 'an injected service may invalidate: without type information that is not a guess to make',
      code: controller(`  constructor(private readonly quotes: QuotesService) {}\n  @Post()\n  create() { return this.quotes.create(); }`),
    },
    {
      name: 'a configured read-only route served over POST',
      code: `import express from 'express';\nconst router = express.Router();\nrouter.post('/documents.list', (req, res) => res.json([]));\n`,
      settings: { 'cache-audit': { readOnlyRoutes: ['/documents.*'] } },
    },
    {
      name: 'a mutation that invalidates nothing: require-dependent-invalidation names what it leaves stale',
      code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*')\n  create() {}\n\n  @Delete(':id')\n  remove() {}`),
    },
    {
      name: 'with a registry, a mutation of nothing cached is not judged (a login)',
      code: controller(`  @Post('login')\n  login() { return { token: 't' }; }`, 'auth'),
    },
    {
      name: 'HTTP clients are not routes',
      code: `import axios from 'axios';\nimport request from 'supertest';\nexport async function sync(app: unknown) {\n  await axios.post('/quotes', {});\n  await request(app).post('/quotes');\n}\n`,
    },
    {
      name: 'Next.js revalidateTag counts',
      code: `import { revalidateTag } from 'next/cache';\nexport async function POST() {\n  revalidateTag('quotes');\n  return new Response(null);\n}\n`,
      filename: 'app/api/quotes/route.ts',
    },
  ],
  invalid: [
    {
      name: 'updateTag in a Next.js route handler throws at run time',
      code: `import { updateTag } from 'next/cache';\nexport async function POST() {\n  updateTag('quotes');\n  return new Response(null);\n}\n`,
      filename: 'app/api/quotes/route.ts',
      errors: [
        {
          messageId: 'updateTagInRoute',
          line: 3,
          column: 3,
          endLine: 3,
          endColumn: 22,
          data: { handler: 'POST /api/quotes', through: '' },
        },
      ],
    },
    {
      name: 'an empty reason is no exception',
      code: controller(`  @Post()\n  @NoCacheInvalidation('')\n  create() {}`),
      errors: [{ messageId: 'emptyReason', line: 7, column: 4, endLine: 7, endColumn: 27 }],
    },
  ],
});

/** The policy a team opts into: every mutation invalidates something or states its exception. */
ruleTester({ mode: 'policy' }).run('require-invalidation (policy)', rule, {
  valid: [
    { name: 'a decorator invalidates', code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*')\n  create() {}`) },
    {
      name: 'a mutation whose stale families require-dependent-invalidation names is not reported twice',
      code: controller(`  @Delete(':id')\n  remove() {}`),
    },
    {
      name: 'a reasoned exception',
      code: controller(
        `  @Post('login')\n  @NoCacheInvalidation('issues a token, changes nothing cached')\n  login() { return { token: 't' }; }`,
        'auth',
      ),
    },
  ],
  invalid: [
    {
      name: 'a mutation of nothing the registry names',
      code: controller(`  @Post('login')\n  login() { return { token: 't' }; }`, 'auth'),
      errors: [
        {
          messageId: 'missing',
          line: 7,
          column: 3,
          endLine: 7,
          endColumn: 8,
          data: { handler: 'QuotesController.login', exception: "`@NoCacheInvalidation('reason')`" },
        },
      ],
    },
    {
      name: 'an Express route whose handler is a function of the file',
      code: `import { Router } from 'express';\nconst router = Router();\nasync function endSession(req: unknown, res: { sendStatus(n: number): void }) {\n  res.sendStatus(204);\n}\nrouter.delete('/sessions/:id', endSession);\n`,
      errors: [
        {
          messageId: 'missing',
          line: 6,
          column: 8,
          endLine: 6,
          endColumn: 14,
          data: {
            handler: 'DELETE /sessions/:id',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'a mutation whose only delete is a read clearing the corrupt entry it found: no invalidation of its own',
      code: `import { Router } from 'express';\nimport Redis from 'ioredis';\nconst redis = new Redis();\nasync function apiKeyOf(hash: string) {\n  const cached = await redis.get(\`api-key:\${hash}\`);\n  if (cached === 'corrupt') await redis.del(\`api-key:\${hash}\`);\n  return cached;\n}\nconst router = Router();\nrouter.post('/projects', async (req: { header(n: string): string }) => {\n  await apiKeyOf(req.header('x-key'));\n});\n`,
      errors: [
        {
          messageId: 'missing',
          line: 10,
          column: 8,
          endLine: 10,
          endColumn: 12,
          data: {
            handler: 'POST /projects',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
    {
      name: 'a server action',
      code: `'use server';\nimport { db } from './db';\nexport async function archiveNote(id: string) {\n  await db.archive(id);\n}\nexport async function listNotes() {\n  return [];\n}\n`,
      filename: 'app/notes/actions.ts',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 23,
          endLine: 3,
          endColumn: 34,
          data: {
            handler: 'server action archiveNote',
            exception: 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)',
          },
        },
      ],
    },
  ],
});
