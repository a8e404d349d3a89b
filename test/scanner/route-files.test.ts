import { resolve } from 'node:path';
import * as eslint10 from 'eslint';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scanner/scan.js';
import { lintedLines } from '../eslint/lint-fixture.js';

const APP = 'express-route-files-app';

/** What both front ends report: the handlers' own files read, the routes named under the prefixes of the routers they are handed. */
const FINDINGS = [
  'src/routes/admin/clients/index.ts:13:9 error require-dependent-invalidation DELETE /admin/clients/:id leaves a cached family stale: `client:{id}`.',
  'src/routes/admin/quotes/index.ts:14:9 error require-dependent-invalidation DELETE /admin/quotes/:id leaves a cached family stale: `quote:{id}`.',
  'src/routes/admin/quotes/index.ts:16:9 error require-dependent-invalidation POST /admin/quotes/:id/accept leaves a cached family stale: `quote:{id}`.',
];

describe('Express handlers in files of their own, on routers handed to functions, with services from a container', () => {
  it('reads the function a wrapper is given and the prefixes of the routers, in the CLI', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures', APP) });
    expect(result.matrix.rows.map((r) => `${r.handler} ${r.status} ${r.file}:${String(r.line)}`).sort()).toEqual([
      'DELETE /admin/clients/:id none src/routes/admin/clients/index.ts:13',
      'DELETE /admin/quotes/:id none src/routes/admin/quotes/index.ts:14',
      'GET /admin/clients/:id read src/routes/admin/clients/index.ts:9',
      'GET /admin/quotes/:id read src/routes/admin/quotes/index.ts:10',
      'POST /admin/clients/:id invalidates src/routes/admin/clients/index.ts:11',
      'POST /admin/clients/:id/notify unknown src/routes/admin/clients/index.ts:15',
      'POST /admin/quotes/:id invalidates src/routes/admin/quotes/index.ts:12',
      'POST /admin/quotes/:id/accept none src/routes/admin/quotes/index.ts:16',
    ]);
    const findings = result.findings.map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId} ${f.message}`);
    expect(findings.filter((f) => !f.includes(' note ')).sort()).toEqual(FINDINGS);
    // A service the container resolves by a name no single class of the project has is said, not passed over.
    expect(findings.filter((f) => f.includes(' note '))).toEqual([
      'src/routes/admin/clients/index.ts:15:9 note unresolved POST /admin/clients/:id/notify calls code this audit cannot follow (notifier.send): whether it invalidates is unknown.',
    ]);
  });

  it('reports the same in ESLint', async () => {
    expect(await lintedLines(eslint10, APP)).toEqual(FINDINGS);
  });
});
