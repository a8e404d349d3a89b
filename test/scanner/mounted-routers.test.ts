import { resolve } from 'node:path';
import * as eslint10 from 'eslint';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scanner/scan.js';
import { lintedLines } from '../eslint/lint-fixture.js';

const APP = 'mounted-routers-app';

/** What both front ends report on the app: its routes named by their full paths, under the prefixes other files mount them at. */
const FINDINGS = [
  'src/express/clients.ts:21:9 error require-dependent-invalidation DELETE /api/clients/:id leaves a cached family stale: `client:{id}`.',
  'src/hono/quotes.ts:26:8 error require-dependent-invalidation POST /quotes/:id/accept leaves a cached family stale: `quote:{id}`.',
  'src/koa/expenses.ts:18:10 error require-dependent-invalidation PATCH /expenses/:id leaves a cached family stale: `expense:{id}`.',
];

describe('routers mounted under a prefix in another file', () => {
  it('names each route by the prefixes of every router it is mounted on, in the CLI', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures', APP) });
    expect(result.matrix.rows.map((r) => `${r.handler} ${r.status}`).sort()).toEqual(
      [
        'DELETE /api/clients/:id none',
        'DELETE /invoices/:id invalidates',
        'GET /api/clients/:id read',
        'GET /expenses/:id read',
        'GET /invoices/:id read',
        'GET /quotes/{id} read',
        'PATCH /expenses/:id none',
        'PATCH /quotes/{id} invalidates',
        'POST /quotes/:id/accept none',
        'PUT /api/clients/:id invalidates',
        // CommonJS TypeScript: `export =` mounted by `import x = require(…)`, `module.exports =` by `const x = require(…)`.
        'GET /receipts/:id read',
        'PUT /receipts/:id invalidates',
        'GET /vendors/:id read',
        'DELETE /vendors/:id invalidates',
      ].sort(),
    );
    expect(
      result.findings.map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId} ${f.message}`).sort(),
    ).toEqual(FINDINGS);
  });

  it('names them so in ESLint too (its messages go on with the details)', async () => {
    expect(await lintedLines(eslint10, APP)).toEqual(FINDINGS);
  });

  it('names them so in ESLint with type information too', async () => {
    expect(await lintedLines(eslint10, APP, { typed: true })).toEqual(FINDINGS);
  });
});
