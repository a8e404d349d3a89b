import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as eslint10 from 'eslint';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.js';
import { auditProject } from '../../src/scanner/apps.js';
import { scan } from '../../src/scanner/scan.js';
import { lintFixture } from '../eslint/lint-fixture.js';
import { AUDITED_APPS } from '../support/fixture-apps.js';

const APPS = ['quotes-app', ...AUDITED_APPS];
const perFile = new Set<string>(RULES.map((rule) => rule.id));
const key = (f: { file: string; line: number; rule?: string; ruleId?: string; severity?: string }): string => {
  const rule = f.rule ?? f.ruleId ?? '';
  // A listed finding without a severity has its rule's level in the recommended config.
  const severity = f.severity ?? (RULES.find((r) => r.id === rule)?.meta.type === 'problem' ? 'error' : 'warning');
  return `${f.file}:${String(f.line)} ${rule} ${severity}`;
};

describe('the CLI and ESLint agree', () => {
  it.each(APPS)('on %s, to the line and the severity, for the per-file rules', async (app) => {
    const root = resolve(import.meta.dirname, '../../fixtures', app);
    const expectedFile = resolve(root, 'expected-findings.json');
    const expected =
      app === 'quotes-app'
        ? { findings: [], typed: false }
        : (JSON.parse(readFileSync(expectedFile, 'utf8')) as {
            findings: { file: string; line: number; rule: string; severity?: string }[];
            typed?: boolean;
          });
    // An application of a monorepo is audited with its workspace as context, as from its own directory.
    const result = await auditProject({ root, mode: 'single' });
    const cliFindings = result.findings.filter((f) => perFile.has(f.ruleId));
    const cli = [...new Set(cliFindings.map(key))].sort();
    // ESLint follows calls across files as the CLI does, with type information or without.
    const linted = await lintFixture(eslint10, app, { typed: expected.typed ?? false });
    const eslint = [...new Set(linted.map(key))].sort();
    expect(cli).toEqual(eslint);
    expect(cli).toEqual([...new Set(expected.findings.map(key))].sort());
    // The same message too: its first line, then the lines that prove it.
    const said = (f: { message: string; details?: readonly string[] }): string => [f.message, ...(f.details ?? [])].join('\n');
    expect(new Set(linted.map((m) => `${key(m)} ${m.message}`))).toEqual(new Set(cliFindings.map((f) => `${key(f)} ${said(f)}`)));
  });

  it('counts invalidation in a composed decorator of another file, an interceptor and an event listener', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures/nest-services-app') });
    const cell = (handler: string, key: string) => {
      const row = result.matrix.rows.find((r) => r.handler === handler);
      return row?.cells[result.matrix.keys.indexOf(key)];
    };
    expect(cell('QuotesController.duplicate', 'quotesList')).toBe('full');
    expect(cell('ExpensesController.import', 'dashboardKpis')).toBe('full');
    expect(cell('ClientsController.create', 'dashboardTopClients')).toBe('full');
    expect(cell('ClientsController.remove', 'quotesList')).toBe('full');
    expect(cell('ExpensesController.remove', 'dashboardKpis')).toBe('none');
  });

  it('shows each hop of a finding reached through services', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures/nest-services-app') });
    const query = result.findings.find((f) => f.ruleId === 'no-invalidation-in-query');
    expect(query?.message).toBe(
      'DashboardController.refresh is a read-only GET handler, but it invalidates `dashboard:*` (through DashboardService.refresh → CacheService.deletePattern): reads must not change the cache. Move the invalidation to the mutation that changes the data.',
    );
    expect(result.findings.find((f) => f.ruleId === 'require-dependent-invalidation' && f.file.includes('expenses'))?.via).toEqual([
      'ExpensesService.update',
      'CacheService.deletePattern',
    ]);
  });
});
