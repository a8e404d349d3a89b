import { rules } from '../../src/eslint.js';
import { ruleTester } from './tester.js';

const rule = rules['no-unescaped-pattern-interpolation'];

const service = (body: string, imports = "import { getCache } from 'cache-audit/runtime';") =>
  `${imports}\nexport async function drop(tenantId: string, page: number) {\n${body}\n}\n`;

ruleTester().run('no-unescaped-pattern-interpolation', rule, {
  valid: [
    {
      code: service(
        '  await getCache().deletePattern(`quotes:list:${escapeGlob(tenantId)}:*`);',
        "import { escapeGlob, getCache } from 'cache-audit/runtime';",
      ),
    },
    {
      name: 'placeholders are escaped by the runtime',
      code: service("  await getCache().invalidate(['quotes:list:{tenantId}:*'], { tenantId });"),
    },
    {
      name: 'an exact key takes no glob',
      code: `import Redis from 'ioredis';\nconst redis = new Redis();\nexport const drop = (id: string) => redis.del(\`quotes:list:\${id}:x\`);\n`,
    },
    {
      name: 'constants of the file are text, not values',
      code: `import { getCache } from 'cache-audit/runtime';\nconst NS = 'quotes';\nexport const drop = () => getCache().deletePattern(\`\${NS}:*\`);\n`,
    },
    { name: 'a number literal', code: service('  await getCache().deletePattern(`quotes:v${2}:*`);') },
    {
      name: 'a call known by its name only, given an exact key',
      code: `import { cacheService } from './cache';\nexport const drop = (id: string) => cacheService.invalidate(\`user:\${id}\`);\n`,
    },
  ],
  invalid: [
    {
      name: 'a call known by its name only, given a pattern with a wildcard',
      code: `import { cacheService } from './cache';\nexport const drop = (id: string) => cacheService.invalidate(\`user:\${id}:*\`);\n`,
      errors: [
        {
          messageId: 'unescaped',
          line: 2,
          column: 69,
          endLine: 2,
          endColumn: 71,
          suggestions: [
            {
              messageId: 'escape',
              output: `import { escapeGlob } from '@cache-audit/runtime';\nimport { cacheService } from './cache';\nexport const drop = (id: string) => cacheService.invalidate(\`user:\${escapeGlob(id)}:*\`);\n`,
            },
          ],
        },
      ],
    },
    {
      name: 'a tenant id straight into the pattern, with the escape as a fix',
      code: service('  await getCache().deletePattern(`quotes:list:${tenantId}:*`);'),
      errors: [
        {
          messageId: 'unescaped',
          line: 3,
          column: 49,
          endLine: 3,
          endColumn: 57,
          data: { expression: 'tenantId', pattern: 'quotes:list:{tenantId}:*', escape: 'escapeGlob' },
          suggestions: [
            {
              messageId: 'escape',
              output: `import { escapeGlob } from 'cache-audit/runtime';\n${service('  await getCache().deletePattern(`quotes:list:${escapeGlob(tenantId)}:*`);')}`,
            },
          ],
        },
      ],
    },
    {
      name: 'string concatenation',
      code: service(
        "  await getCache().deletePattern('quotes:list:' + tenantId + ':*');",
        "import { escapeGlob, getCache } from 'cache-audit/runtime';",
      ),
      errors: [
        {
          messageId: 'unescaped',
          line: 3,
          column: 51,
          endLine: 3,
          endColumn: 59,
          suggestions: [
            {
              messageId: 'escape',
              output: service(
                "  await getCache().deletePattern('quotes:list:' + escapeGlob(tenantId) + ':*');",
                "import { escapeGlob, getCache } from 'cache-audit/runtime';",
              ),
            },
          ],
        },
      ],
    },
    {
      name: "the import goes after 'use server', which must stay the first statement",
      code: `'use server';\n\n${service('  await getCache().deletePattern(`quotes:list:${tenantId}:*`);')}`,
      errors: [
        {
          messageId: 'unescaped',
          line: 5,
          column: 49,
          endLine: 5,
          endColumn: 57,
          suggestions: [
            {
              messageId: 'escape',
              data: { escape: 'escapeGlob' },
              output: `'use server';\nimport { escapeGlob } from 'cache-audit/runtime';\n\n${service('  await getCache().deletePattern(`quotes:list:${escapeGlob(tenantId)}:*`);')}`,
            },
          ],
        },
      ],
    },
    {
      name: 'the escape function the configuration names, without an import of ours',
      code: service('  await getCache().deletePattern(`quotes:list:${tenantId}:*`);'),
      settings: { 'cache-audit': { escapeFunctions: ['escapeRedisKey'] } },
      errors: [
        {
          messageId: 'unescaped',
          line: 3,
          column: 49,
          endLine: 3,
          endColumn: 57,
          data: { expression: 'tenantId', pattern: 'quotes:list:{tenantId}:*', escape: 'escapeRedisKey' },
          suggestions: [
            {
              messageId: 'escape',
              data: { escape: 'escapeRedisKey' },
              output: service('  await getCache().deletePattern(`quotes:list:${escapeRedisKey(tenantId)}:*`);'),
            },
          ],
        },
      ],
    },
    {
      name: 'an escape function the file already imports is used as it is',
      code: service(
        '  await getCache().deletePattern(`quotes:list:${tenantId}:*`);',
        "import { getCache } from 'cache-audit/runtime';\nimport { escapePattern } from './escape';",
      ),
      errors: [
        {
          messageId: 'unescaped',
          line: 4,
          column: 49,
          endLine: 4,
          endColumn: 57,
          suggestions: [
            {
              messageId: 'escape',
              data: { escape: 'escapePattern' },
              output: service(
                '  await getCache().deletePattern(`quotes:list:${escapePattern(tenantId)}:*`);',
                "import { getCache } from 'cache-audit/runtime';\nimport { escapePattern } from './escape';",
              ),
            },
          ],
        },
      ],
    },
  ],
});
