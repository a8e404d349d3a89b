import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scanner/scan.js';

describe('the hooks a class decorator of the app adds to a model', () => {
  it('are the hooks of the models it decorates: a create and an instance destroy invalidate, a bulk destroy does not', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures/sequelize-hooks-app') });
    const visits = result.matrix.rows.filter((r) => r.handler.includes('visits'));
    expect(visits.map((r) => `${r.handler} ${r.status}`)).toEqual([
      'POST /websites/:id/visits invalidates',
      'DELETE /visits/:id invalidates',
      'DELETE /websites/:id/visits none',
    ]);
    expect(
      result.findings
        .filter((f) => f.ruleId === 'require-dependent-invalidation')
        .map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.message}`),
    ).toEqual([
      'src/routes.ts:47:8 error POST /tags leaves a cached family stale: `tagsList`.',
      'src/routes.ts:51:8 error POST /tags/:id/relabel leaves a cached family stale: `tagsList`.',
      'src/routes.ts:67:8 error DELETE /websites/:id/visits leaves a cached family stale: `visitsCount`.',
    ]);
  });
});
