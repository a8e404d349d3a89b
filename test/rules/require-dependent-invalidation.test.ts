import rule from '../../rules/require-dependent-invalidation.js';
import { controller, ruleTester } from './tester.js';

ruleTester().run('require-dependent-invalidation', rule, {
  valid: [
    {
      name: 'every dependent key covered',
      code: controller(`  @Post()\n  @InvalidateCachePattern('quotes:*', 'dashboard:*')\n  create() {}`),
    },
    {
      name: 'covered per tenant through a placeholder',
      code: controller(
        `  @Post()\n  @InvalidateCachePattern('quotes:list:{tenantId}:*', 'quotes:summary:{tenantId}:*', 'dashboard:kpis:{tenantId}:*', 'dashboard:top_clients:*')\n  create() {}`,
      ),
    },
    {
      name: 'an explicit resource that nothing depends on',
      code: controller(`  @Post('audit')\n  @Mutates('audit')\n  @InvalidateCachePattern('quotes:list:*')\n  audit() {}`),
    },
    {
      name: 'a pattern that cannot be read statically is not judged',
      code: controller(`  @Post()\n  async create(pattern: string) { await cache.deletePattern(pattern); }`),
    },
    {
      name: 'a conditional invalidation counts: a deliberate strategy',
      code: controller(
        `  @Patch(':id')\n  async update(changed: boolean) { if (changed) { await cache.deletePattern('quotes:*'); await cache.deletePattern('dashboard:*'); } }`,
      ),
    },
    {
      name: 'resources from configuration',
      code: controller(`  @Post()\n  @InvalidateCachePattern('dashboard:expenses_monthly:*', 'dashboard:kpis:*')\n  create() {}`, 'spend'),
      settings: { 'cache-audit': { routeResources: { '/spend/**': ['expenses'], '/spend': ['expenses'] } } },
    },
  ],
  invalid: [
    {
      name: 'an update that forgets a key depending on its resource',
      code: controller(`  @Put(':id')\n  @InvalidateCachePattern('dashboard:expenses_monthly:*')\n  update() {}`, 'expenses'),
      errors: [
        {
          messageId: 'missing',
          line: 8,
          column: 3,
          endLine: 8,
          endColumn: 9,
          data: {
            handler: 'QuotesController.update',
            resource: 'expenses',
            key: 'dashboardKpis',
            template: 'dashboard:kpis:{tenantId}:{hash}',
            pattern: 'dashboard:kpis:*',
          },
          suggestions: [
            {
              messageId: 'addPattern',
              data: { pattern: 'dashboard:kpis:*' },
              output: controller(
                `  @Put(':id')\n  @InvalidateCachePattern('dashboard:expenses_monthly:*')\n  @InvalidateCachePattern('dashboard:kpis:*')\n  update() {}`,
                'expenses',
              ),
            },
          ],
        },
      ],
    },
    {
      name: 'a pattern for one tenant does not cover every tenant',
      code: controller(
        `  @Post()\n  @Mutates('clients')\n  @InvalidateCachePattern('dashboard:top_clients:acme:*', 'dashboard:kpis:*')\n  create() {}`,
      ),
      errors: [
        {
          messageId: 'missing',
          line: 9,
          column: 3,
          endLine: 9,
          endColumn: 9,
          data: {
            handler: 'QuotesController.create',
            resource: 'clients',
            key: 'dashboardTopClients',
            template: 'dashboard:top_clients:{tenantId}:{hash}',
            pattern: 'dashboard:top_clients:*',
          },
          suggestions: [
            {
              messageId: 'addPattern',
              data: { pattern: 'dashboard:top_clients:*' },
              output: controller(
                `  @Post()\n  @Mutates('clients')\n  @InvalidateCachePattern('dashboard:top_clients:acme:*', 'dashboard:kpis:*')\n  @InvalidateCachePattern('dashboard:top_clients:*')\n  create() {}`,
              ),
            },
          ],
        },
      ],
    },
    {
      name: 'an Express route with the resource in its path',
      code: `import { Router } from 'express';\nconst router = Router();\nrouter.post('/clients', async (req, res) => {\n  await cache.deletePattern('dashboard:top_clients:*');\n  res.sendStatus(201);\n});\n`,
      errors: [
        {
          messageId: 'missing',
          line: 3,
          column: 8,
          endLine: 3,
          endColumn: 12,
          data: {
            handler: 'POST /clients',
            resource: 'clients',
            key: 'dashboardKpis',
            template: 'dashboard:kpis:{tenantId}:{hash}',
            pattern: 'dashboard:kpis:*',
          },
        },
      ],
    },
  ],
});
