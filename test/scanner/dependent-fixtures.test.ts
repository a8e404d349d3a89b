import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scanner/scan.js';

interface Expected {
  readonly findings: readonly { file: string; line: number; rule: string; severity: 'error' | 'warning' }[];
}

const APPS = ['nextjs-prisma-app', 'nest-prisma-properties-app', 'koa-sequelize-app'];

describe('the fixture apps without configuration, in the CLI', () => {
  it.each(APPS)('reports the dependent invalidations %s forgets, each at its severity', async (app) => {
    const root = resolve(import.meta.dirname, '../../fixtures', app);
    const expected = JSON.parse(readFileSync(resolve(root, 'expected-findings.json'), 'utf8')) as Expected;
    const result = await scan({ root });
    expect(result.configuration).toBeNull();
    const found = result.findings
      .filter((f) => f.ruleId !== 'unresolved')
      .map((f) => `${f.file}:${String(f.line)} ${f.ruleId} ${f.severity}`)
      .sort();
    expect(found).toEqual(expected.findings.map((f) => `${f.file}:${String(f.line)} ${f.rule} ${f.severity}`).sort());
  });

  it('names the model, the family, its row of the property table, and where the family is read and filled', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures/nest-prisma-properties-app') });
    expect(result.findings.map((f) => f.message)).toEqual([
      "AdminController.addFeaturedClient writes Property (upsert), and the cached `clients:featured` is loaded from Property (its row where key is 'FEATURED_CLIENTS'; read at src/clients/featured-clients.service.ts:19, filled at src/clients/featured-clients.service.ts:23), but it does not invalidate `clients:featured`: the entry stays stale for up to its 21600 s ttl. Invalidate it, or @NoCacheInvalidation('reason') if it need not be fresh.",
    ]);
  });
});
