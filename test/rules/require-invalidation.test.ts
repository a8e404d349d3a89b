import rule from '../../rules/require-invalidation.js';
import { controller, ruleTester } from './tester.js';

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
      name: 'a NestJS mutation that invalidates nothing, with the fix derived from the registry',
      code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*')\n  create() {}\n\n  @Delete(':id')\n  remove() {}`),
      errors: [
        {
          messageId: 'missing',
          line: 11,
          column: 3,
          endLine: 11,
          endColumn: 9,
          data: { handler: 'QuotesController.remove', exception: "@NoCacheInvalidation('reason')" },
          suggestions: [
            {
              messageId: 'addInvalidation',
              data: {
                patterns: "'dashboard:kpis:*', 'dashboard:top_clients:*', 'quotes:list:*', 'quotes:summary:*'",
                resource: 'quotes',
              },
              output: controller(
                `  @Post()\n  @InvalidateCachePattern('quotes:*')\n  create() {}\n\n  @Delete(':id')\n  @InvalidateCachePattern('dashboard:kpis:*', 'dashboard:top_clients:*', 'quotes:list:*', 'quotes:summary:*')\n  remove() {}`,
              ),
            },
          ],
        },
      ],
    },
    {
      name: 'an Express route whose handler is a function of the file',
      code: `import { Router } from 'express';\nconst router = Router();\nasync function removeQuote(req: unknown, res: { sendStatus(n: number): void }) {\n  res.sendStatus(204);\n}\nrouter.delete('/quotes/:id', removeQuote);\n`,
      errors: [
        {
          messageId: 'missing',
          line: 6,
          column: 8,
          endLine: 6,
          endColumn: 14,
          data: { handler: 'DELETE /quotes/:id', exception: 'a disable comment with the reason (or readOnlyRoutes in the configuration)' },
        },
      ],
    },
    {
      name: 'an empty reason is no exception',
      code: controller(`  @Post()\n  @NoCacheInvalidation('')\n  create() {}`),
      errors: [{ messageId: 'emptyReason', line: 7, column: 4, endLine: 7, endColumn: 27 }],
    },
    {
      name: 'a Next.js route handler and a server action',
      code: `'use server';\nimport { db } from './db';\nexport async function archiveQuote(id: string) {\n  await db.archive(id);\n}\nexport async function listQuotes() {\n  return [];\n}\n`,
      filename: 'app/quotes/actions.ts',
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 23,
          endLine: 3,
          endColumn: 35,
          data: {
            handler: 'server action archiveQuote',
            exception: 'a disable comment with the reason (or readOnlyRoutes in the configuration)',
          },
        },
      ],
    },
  ],
});
