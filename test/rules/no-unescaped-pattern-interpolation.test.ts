import { rules } from '../../src/eslint.js';
import { ruleTester } from './tester.js';

const rule = rules['no-unescaped-pattern-interpolation'];

const service = (body: string, imports = "import { getCache } from 'cache-audit/runtime';") =>
  `${imports}\nexport async function drop(tenantId: string, page: number) {\n${body}\n}\n`;

/** Medusa v1's price selection: the ids of the variants whose prices changed, each into a pattern of its cached prices. */
const MEDUSA_PRICE_SELECTION = `import type { ICacheService } from '@medusajs/types';

export default class PriceSelectionStrategy {
  protected cacheService_: ICacheService;

  public async onVariantsPricesUpdate(variantIds: string[]): Promise<void> {
    await Promise.all(variantIds.map(async (id: string) => await this.cacheService_.invalidate(\`ps:\${id}:*\`)));
  }
}
`;

/** A route that puts an id the client sends into a pattern: `*` would drop every quote's keys. */
const fromRequest = (handler: string) =>
  `import { Router } from 'express';\nimport { getCache } from 'cache-audit/runtime';\nexport const router = Router();\n${handler}\n`;

/**
 * The error on `expression` of `code` (on line `line`, at columns `column` to `endColumn`), with its
 * suggestion: the value escaped, and escapeGlob imported first.
 */
const unescaped = (code: string, line: number, column: number, endColumn: number, expression: string, pattern: string) => ({
  messageId: 'unescaped' as const,
  line,
  column,
  endLine: line,
  endColumn,
  data: { expression, pattern, escape: 'escapeGlob' },
  suggestions: [
    {
      messageId: 'escape' as const,
      output: `import { escapeGlob } from 'cache-audit/runtime';\n${code.replace(`\${${expression}}`, `\${escapeGlob(${expression})}`)}`,
    },
  ],
});

const PARAMS_ID = fromRequest(
  "router.delete('/quotes/:id', async (req, res) => {\n  await getCache().deletePattern(`quotes:${req.params.id}:*`);\n  res.end();\n});",
);
const DESTRUCTURED_IDS = fromRequest(
  "router.post('/quotes/:id', async (req, res) => {\n  const { id } = req.params;\n  await getCache().deletePattern(`quotes:${id}:*`);\n  await Promise.all(req.body.ids.map((quoteId: string) => getCache().deletePattern(`quotes:${quoteId}:*`)));\n  res.end();\n});",
);
const NEST_PARAM =
  "import { Controller, Delete, Param } from '@nestjs/common';\nimport { getCache } from 'cache-audit/runtime';\n@Controller('quotes')\nexport class QuotesController {\n  @Delete(':id')\n  async remove(@Param('id') id: string) {\n    await getCache().deletePattern(`quotes:${id}:*`);\n  }\n}\n";

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
    {
      name: "a record's id the code does not show coming from a client (Medusa's price selection)",
      code: MEDUSA_PRICE_SELECTION,
    },
  ],
  invalid: [
    {
      name: 'a call known by its name only, given a pattern with a wildcard',
      code: `import { cacheService } from './cache';\nexport const drop = (name: string) => cacheService.invalidate(\`user:\${name}:*\`);\n`,
      errors: [
        {
          messageId: 'unescaped',
          line: 2,
          column: 71,
          endLine: 2,
          endColumn: 75,
          suggestions: [
            {
              messageId: 'escape',
              output: `import { escapeGlob } from '@cache-audit/runtime';\nimport { cacheService } from './cache';\nexport const drop = (name: string) => cacheService.invalidate(\`user:\${escapeGlob(name)}:*\`);\n`,
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
      name: "after a shebang and comments, the import still goes after 'use server'",
      code: `#!/usr/bin/env node\n/* License: MIT\n * (c) the authors */\n// actions\n'use server'; // first\n\n${service('  await getCache().deletePattern(`quotes:list:${tenantId}:*`);')}`,
      errors: [
        {
          messageId: 'unescaped',
          line: 9,
          column: 49,
          endLine: 9,
          endColumn: 57,
          suggestions: [
            {
              messageId: 'escape',
              data: { escape: 'escapeGlob' },
              output: `#!/usr/bin/env node\n/* License: MIT\n * (c) the authors */\n// actions\n'use server'; // first\nimport { escapeGlob } from 'cache-audit/runtime';\n\n${service('  await getCache().deletePattern(`quotes:list:${escapeGlob(tenantId)}:*`);')}`,
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
    {
      name: "an id read from the request's params",
      code: PARAMS_ID,
      errors: [unescaped(PARAMS_ID, 5, 44, 57, 'req.params.id', 'quotes:{id}:*')],
    },
    {
      name: 'an id destructured from the request, and the elements of ids the client sends',
      code: DESTRUCTURED_IDS,
      errors: [
        unescaped(DESTRUCTURED_IDS, 6, 44, 46, 'id', 'quotes:{id}:*'),
        unescaped(DESTRUCTURED_IDS, 7, 94, 101, 'quoteId', 'quotes:{quoteId}:*'),
      ],
    },
    {
      name: 'an id a NestJS parameter decorator takes from the request',
      code: NEST_PARAM,
      errors: [unescaped(NEST_PARAM, 7, 46, 48, 'id', 'quotes:{id}:*')],
    },
  ],
});
