import { rules } from '../../src/eslint.js';
import { controller, REGISTRY, ruleTester } from './tester.js';

const rule = rules['pattern-in-registry'];

ruleTester().run('pattern-in-registry', rule, {
  valid: [
    { code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*', 'dashboard:kpis:{tenantId}:*')\n  create() {}`) },
    {
      name: 'a registry reference',
      code: `import { cacheKeys } from './keys';\nimport { getCache } from 'cache-audit/runtime';\nexport const drop = (tenantId: string) => getCache().deletePattern(cacheKeys.pattern('quotesList', { tenantId }));\n`,
    },
    {
      name: 'a Next.js tag that names a family, or none at all (tags need not be registry families)',
      code: `import { revalidateTag } from 'next/cache';\nexport async function POST() {\n  revalidateTag('quotes');\n  revalidateTag('quotesList');\n  revalidateTag('invoices');\n  return new Response(null);\n}\n`,
      filename: 'app/api/quotes/route.ts',
    },
    {
      name: 'an unreadable pattern is not judged',
      code: `import { getCache } from 'cache-audit/runtime';\nexport const drop = (p: string) => getCache().deletePattern(p);\n`,
    },
  ],
  invalid: [
    {
      name: 'a Next.js tag one letter off a registry family is a typo',
      code: `import { revalidateTag } from 'next/cache';\nexport async function POST() {\n  revalidateTag('qoutes');\n  return new Response(null);\n}\n`,
      filename: 'app/api/quotes/route.ts',
      errors: [
        {
          messageId: 'unknownTag',
          line: 3,
          column: 17,
          endLine: 3,
          endColumn: 25,
          data: { tag: 'qoutes', closest: 'quotes' },
          suggestions: [
            {
              messageId: 'useClosest',
              data: { suggestion: 'quotes' },
              output: `import { revalidateTag } from 'next/cache';\nexport async function POST() {\n  revalidateTag('quotes');\n  return new Response(null);\n}\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'a typo, with the closest registered pattern as the fix',
      code: controller(`  @Post()\n  @InvalidateCachePattern('qoutes:*')\n  create() {}`),
      errors: [
        {
          messageId: 'unknown',
          line: 7,
          column: 27,
          endLine: 7,
          endColumn: 37,
          data: { pattern: 'qoutes:*', closest: ' Did you mean `quotes:*`?' },
          suggestions: [
            {
              messageId: 'useClosest',
              data: { suggestion: 'quotes:*' },
              output: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*')\n  create() {}`),
            },
          ],
        },
      ],
    },
    {
      name: 'a key family the registry does not have',
      code: `import { cacheKeys } from './keys';\nimport { getCache } from 'cache-audit/runtime';\nexport const drop = () => getCache().deletePattern(cacheKeys.pattern('quoteList'));\n`,
      errors: [{ messageId: 'unknownName', line: 3, column: 52, endLine: 3, endColumn: 82 }],
    },
    {
      name: 'a registry that cannot be read is reported once, with its location',
      code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*')\n  create() {}`),
      settings: { 'cache-audit': { registry: `${REGISTRY}.missing.ts` } },
      errors: [{ messageId: 'setup', line: 1, column: 1 }],
    },
  ],
});
