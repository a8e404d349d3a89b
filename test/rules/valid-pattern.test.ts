import { rules } from '../../src/eslint.js';
import { controller, ruleTester } from './tester.js';

const rule = rules['valid-pattern'];

ruleTester().run('valid-pattern', rule, {
  valid: [
    { code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:list:{tenantId}:*', 'dashboard:[kt]*')\n  create() {}`) },
    {
      name: 'interpolations take any name',
      code: `import { getCache, escapeGlob } from 'cache-audit/runtime';\nexport const drop = (user: { org: string }) => getCache().deletePattern(\`quotes:list:\${escapeGlob(user.org)}:*\`);\n`,
    },
  ],
  invalid: [
    {
      name: 'an unclosed placeholder',
      code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:{tenantId:*')\n  create() {}`),
      errors: [
        {
          messageId: 'error',
          line: 7,
          column: 27,
          endLine: 7,
          endColumn: 47,
          data: {
            pattern: 'quotes:{tenantId:*',
            message: 'A `{` without `}`: close the placeholder as `{name}`, or write `\\{` for a literal brace.',
          },
        },
      ],
    },
    {
      name: 'a ${…} in a plain string',
      code: controller("  @Post()\n  @InvalidateCachePattern('quotes:${tenantId}:*')\n  create() {}"),
      errors: [{ messageId: 'error', line: 7, column: 27 }],
    },
    {
      name: 'suspicious but accepted by Redis',
      code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:[abc', 'quotes:\\\\')\n  create() {}`),
      errors: [
        { messageId: 'warning', line: 7, column: 27, endLine: 7, endColumn: 40 },
        { messageId: 'warning', line: 7, column: 42, endLine: 7, endColumn: 53 },
      ],
    },
    {
      name: 'a placeholder the registry does not know',
      code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:list:{tenant}:*')\n  create() {}`),
      errors: [
        {
          messageId: 'unknownPlaceholder',
          line: 7,
          column: 27,
          data: { placeholder: '{tenant}', pattern: 'quotes:list:{tenant}:*', params: '{tenantId}, {hash}' },
        },
      ],
    },
  ],
});
