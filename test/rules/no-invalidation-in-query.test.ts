import rule from '../../rules/no-invalidation-in-query.js';
import { controller, ruleTester } from './tester.js';

ruleTester().run('no-invalidation-in-query', rule, {
  valid: [
    { code: controller(`  @Get()\n  list() {}\n\n  @Post()\n  @InvalidateCachePattern('quotes:*')\n  create() {}`) },
    {
      name: 'a class-level invalidation applies to the mutations only',
      code: `import { Controller, Get, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n@Controller('quotes')\n@InvalidateCachePattern('quotes:*')\nexport class QuotesController {\n  @Get()\n  list() {}\n  @Post()\n  create() {}\n}\n`,
    },
  ],
  invalid: [
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
