import { rules } from '../../src/eslint.js';
import { controller, ruleTester } from './tester.js';

const rule = rules['no-redundant-invalidation'];

ruleTester().run('no-redundant-invalidation', rule, {
  valid: [
    { code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*', 'dashboard:*')\n  create() {}`) },
    {
      name: 'a narrower pattern beside a conditional broader one is not redundant',
      code: controller(
        `  @Post()\n  @InvalidateCachePattern('quotes:list:*')\n  async create(all: boolean) { if (all) await cache.deletePattern('quotes:*'); }`,
      ),
    },
  ],
  invalid: [
    {
      name: 'the same pattern twice',
      code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*')\n  @InvalidateCachePattern('quotes:*')\n  create() {}`),
      errors: [
        {
          messageId: 'duplicate',
          line: 8,
          column: 27,
          endLine: 8,
          endColumn: 37,
          data: { handler: 'QuotesController.create', pattern: 'quotes:*' },
        },
      ],
    },
    {
      name: 'a pattern another one covers',
      code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*', 'quotes:list:{tenantId}:*')\n  create() {}`),
      errors: [
        {
          messageId: 'covered',
          line: 7,
          column: 39,
          endLine: 7,
          endColumn: 65,
          data: { pattern: 'quotes:list:{tenantId}:*', by: 'quotes:*' },
        },
      ],
    },
  ],
});
