import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as eslint9 from 'eslint9';
import * as eslint10 from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint.js';
import { AUDITED_APPS } from '../support/fixture-apps.js';
import { lintFixture } from './lint-fixture.js';

interface Expected {
  readonly typed?: boolean;
  readonly findings: readonly { file: string; line: number; rule: string }[];
}

const APPS = AUDITED_APPS;

function expected(app: string): Expected {
  return JSON.parse(readFileSync(resolve(import.meta.dirname, '../../fixtures', app, 'expected-findings.json'), 'utf8')) as Expected;
}

const key = (f: { file: string; line: number; rule: string }): string => `${f.file}:${String(f.line)} ${f.rule}`;

describe.each([
  ['ESLint 10', eslint10, (eslint10 as { ESLint: { version: string } }).ESLint.version],
  ['ESLint 9', eslint9, (eslint9 as unknown as { ESLint: { version: string } }).ESLint.version],
])('the recommended config with %s', (_name, eslint, version) => {
  it('runs the ESLint it claims to', () => {
    expect(version.split('.')[0]).toBe(_name.split(' ')[1]);
  });

  it('reports nothing on the clean quotes app (a reasoned exception included)', async () => {
    expect(await lintFixture(eslint as never, 'quotes-app')).toEqual([]);
  });

  it.each(APPS)('reports exactly the listed defects of %s', async (app) => {
    const list = expected(app);
    const messages = await lintFixture(eslint, app, { typed: list.typed ?? false });
    expect(messages.filter((m) => m.rule === 'fatal')).toEqual([]);
    expect([...new Set(messages.map(key))].sort()).toEqual([...new Set(list.findings.map(key))].sort());
    // Every message is a whole sentence that names what it is about.
    for (const message of messages) expect(message.message).toMatch(/[.?]$/);
  });
});

describe("plain JavaScript with ESLint's default parser", () => {
  it('parses the file itself and reports as on TypeScript', () => {
    const linter = new eslint10.Linter({ configType: 'flat' });
    const messages = linter.verify(
      "import { Router } from 'express';\nconst router = Router();\nrouter.delete('/quotes/:id', async (req, res) => {\n  res.sendStatus(204);\n});\n",
      [
        {
          files: ['**/*.js'],
          plugins: { 'cache-audit': plugin as never },
          rules: { 'cache-audit/require-dependent-invalidation': 'error' },
        },
      ],
      { filename: resolve(import.meta.dirname, '../../fixtures/express-app/src/routes/extra.js') },
    );
    expect(messages.map((m) => `${String(m.line)}:${String(m.column)} ${m.ruleId ?? ''}`)).toEqual([
      '3:8 cache-audit/require-dependent-invalidation',
    ]);
  });
});

describe('without type information', () => {
  it('reports require-tenant-scope only in the strict config', async () => {
    const strict = await lintFixture(eslint10, 'quotes-app', { config: 'strict' });
    expect(strict.length).toBeGreaterThan(0);
    expect(new Set(strict.map((m) => m.rule))).toEqual(new Set(['require-tenant-scope']));
    expect(strict[0]).toMatchObject({ file: 'src/clients/clients.controller.ts', line: 10 });
    expect(strict[0]?.message).toBe(
      'ClientsController.create has the tenant in scope, but `dashboard:top_clients:*` invalidates `dashboardTopClients` for every tenant. Scope it to the tenant: `dashboard:top_clients:{tenantId}:*`.',
    );
  });
});
