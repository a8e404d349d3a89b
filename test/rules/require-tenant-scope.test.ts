import { rules } from '../../src/eslint.js';
import { controller, ruleTester } from './tester.js';

const rule = rules['require-tenant-scope'];

ruleTester().run('require-tenant-scope', rule, {
  valid: [
    { code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:list:{tenantId}:*')\n  create(tenantId: string) {}`) },
    { name: 'no tenant in scope', code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*')\n  create() {}`) },
    {
      name: 'a pattern naming one tenant',
      code: controller(
        `  @Post()\n  async create(tenantId: string) { await cache.deletePattern(\`quotes:list:\${escapeGlob(tenantId)}:*\`); }`,
      ),
    },
  ],
  invalid: [
    {
      code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:list:*')\n  create(tenantId: string) {}`),
      errors: [
        {
          messageId: 'allTenants',
          line: 7,
          column: 27,
          endLine: 7,
          endColumn: 42,
          data: { handler: 'QuotesController.create', pattern: 'quotes:list:*', key: 'quotesList', scoped: 'quotes:list:{tenantId}:*' },
        },
      ],
    },
  ],
});
