import { rules } from '../../src/eslint.js';
import { controller, ruleTester } from './tester.js';

const rule = rules['no-broad-pattern'];

ruleTester().run('no-broad-pattern', rule, {
  valid: [
    { code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*', 'dashboard:kpis:{tenantId}:*')\n  create() {}`) },
    {
      name: 'tenant-first layouts skip the leading hole',
      code: `import { getCache } from 'cache-audit/runtime';\nexport const flush = (tenantId: string) => getCache().deletePattern(\`\${tenantId}:quotes:*\`);\n`,
    },
    {
      name: 'an allowed exception',
      code: `import { getCache } from 'cache-audit/runtime';\nexport const flushAll = () => getCache().deletePattern('*');\n`,
      options: [{ allow: ['*'] }],
    },
    {
      name: 'every key cleared by a function named for it',
      code: `import { Injectable } from '@nestjs/common';\nimport { getCache } from 'cache-audit/runtime';\n@Injectable()\nexport class CacheStorage {\n  constructor(private readonly cache: { reset(): Promise<void> }) {}\n  async flush() {\n    return this.cache.reset();\n  }\n}\nexport const clearAllCaches = () => getCache().deletePattern('*');\n`,
    },
    {
      name: 'an exact key is never broad',
      code: `import Redis from 'ioredis';\nconst redis = new Redis();\nexport const drop = () => redis.del('settings');\n`,
    },
  ],
  invalid: [
    {
      code: controller(`  @Delete(':id')\n  @InvalidateCachePattern('*')\n  remove() {}`),
      errors: [
        { messageId: 'broad', line: 7, column: 27, endLine: 7, endColumn: 30, data: { pattern: '*', reason: 'it matches every key' } },
      ],
    },
    {
      name: 'an incomplete namespace',
      code: `import { getCache } from 'cache-audit/runtime';\nexport const flush = () => getCache().deletePattern('quotes*');\n`,
      errors: [
        {
          messageId: 'broad',
          line: 2,
          column: 53,
          endLine: 2,
          endColumn: 62,
          data: {
            pattern: 'quotes*',
            reason: 'its namespace `quotes*` is not complete literal text followed by `:`, so it also matches other namespaces',
          },
        },
      ],
    },
    {
      name: 'a leading wildcard, and a cache flush',
      code: `import { Injectable } from '@nestjs/common';\n@Injectable()\nexport class Ops {\n  constructor(private readonly cacheManager: { reset(): Promise<void> }) {}\n  async run() {\n    await cache.deletePattern('*:kpis:*');\n    await this.cacheManager.reset();\n  }\n}\n`,
      errors: [
        {
          messageId: 'broad',
          line: 6,
          column: 31,
          endLine: 6,
          endColumn: 41,
          data: { pattern: '*:kpis:*', reason: 'it starts with a wildcard, so it spans every namespace' },
        },
        { messageId: 'broad', line: 7, column: 11, endLine: 7, endColumn: 36, data: { pattern: '*', reason: 'it matches every key' } },
      ],
    },
  ],
});
