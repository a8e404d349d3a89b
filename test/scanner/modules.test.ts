import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scanner/scan.js';
import { writeProject } from '../support/project.js';

const REGISTRY = `import { defineCacheRegistry } from 'cache-audit/runtime';
export const cacheKeys = defineCacheRegistry({
  keys: { quotesList: { template: 'quotes:list:{tenantId}:{hash}', ttl: 60, dependsOn: ['quotes'] } },
});
`;

/** A helper whose name says nothing: only following the call shows that it invalidates. */
const HELPER = `import { getCache } from 'cache-audit/runtime';
export async function forgetQuotes(): Promise<void> {
  await getCache().deletePattern('quotes:*');
}
`;

const routes = (specifier: string): string => `import { Router } from 'express';
import { forgetQuotes } from '${specifier}';
export const router = Router();
router.post('/quotes', async (req, res) => {
  await forgetQuotes();
  res.sendStatus(201);
});
`;

const project = (files: Record<string, string>): string => writeProject('modules', files);

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** What the audit makes of POST /quotes: its quotesList cell and the per-file findings of its file. */
async function verdict(
  root: string,
  file = 'src/routes.ts',
): Promise<{ cell: string | undefined; findings: string[]; diagnostics: string[] }> {
  const result = await scan({ root });
  const row = result.matrix.rows.find((r) => r.handler === 'POST /quotes');
  return {
    cell: row?.cells[result.matrix.keys.indexOf('quotesList')],
    findings: result.findings.filter((f) => f.file === file).map((f) => f.ruleId),
    diagnostics: result.diagnostics.map((d) => `${d.file}:${String(d.line)} ${d.message}`),
  };
}

const config = { 'cache-audit.config.json': json({ registry: 'src/keys.ts' }), 'src/keys.ts': REGISTRY };

describe('imports of the project through every alias are followed', () => {
  it.each([
    [
      'a tsconfig `paths` alias of any shape (@server/*)',
      {
        'tsconfig.json': json({ compilerOptions: { paths: { '@server/*': ['./src/server/*'] } }, include: ['src'] }),
        'src/server/cache/forget.ts': HELPER,
        'src/routes.ts': routes('@server/cache/forget'),
      },
    ],
    [
      'a `baseUrl` import',
      {
        'tsconfig.json': json({ compilerOptions: { baseUrl: './src', ignoreDeprecations: '6.0' }, include: ['src'] }),
        'src/helpers/forget.ts': HELPER,
        'src/routes.ts': routes('helpers/forget'),
      },
    ],
    [
      'paths from a tsconfig extended through a package path',
      {
        'node_modules/@acme/tsconfig/package.json': json({ name: '@acme/tsconfig', version: '1.0.0' }),
        'node_modules/@acme/tsconfig/base.json': json({ compilerOptions: { strict: true, paths: { '@app/*': ['${configDir}/src/*'] } } }),
        'tsconfig.json': json({ extends: '@acme/tsconfig/base.json', include: ['src'] }),
        'src/lib/forget.ts': HELPER,
        'src/routes.ts': routes('@app/lib/forget'),
      },
    ],
    [
      'a solution-style tsconfig (files: [] and references, each project with its own paths)',
      {
        'tsconfig.json': json({ files: [], references: [{ path: './tsconfig.server.json' }, { path: './tsconfig.tools.json' }] }),
        'tsconfig.server.json': json({ compilerOptions: { composite: true, paths: { '@api/*': ['./src/*'] } }, include: ['src'] }),
        'tsconfig.tools.json': json({ compilerOptions: { composite: true, paths: { '@api/*': ['./elsewhere/*'] } }, include: ['tools'] }),
        'tools/seed.ts': 'export const seed = 1;\n',
        'src/helpers/forget.ts': HELPER,
        'src/routes.ts': routes('@api/helpers/forget'),
      },
    ],
    [
      "a package's own tsconfig under a root tsconfig of shared options that lists every file",
      {
        'tsconfig.json': json({ compilerOptions: { strict: true } }),
        'apps/web/tsconfig.json': json({ files: [], references: [{ path: './tsconfig.app.json' }] }),
        'apps/web/tsconfig.app.json': json({ compilerOptions: { paths: { '@/*': ['./src/*'] } }, include: ['src'] }),
        'apps/web/src/lib/forget.ts': HELPER,
        'src/routes.ts': 'export {};\n',
        'apps/web/src/routes.ts': routes('@/lib/forget'),
      },
    ],
    [
      'an npm workspace package, to its source through `main` (dist/ not built, no node_modules)',
      {
        'package.json': json({ name: 'root', private: true, workspaces: ['packages/*'] }),
        'tsconfig.json': json({ include: ['src'] }),
        'packages/lib/package.json': json({ name: '@org/lib', main: 'dist/index.js' }),
        'packages/lib/src/index.ts': HELPER,
        'src/routes.ts': routes('@org/lib'),
      },
    ],
    [
      'a package named by a `workspace:` dependency that the listed workspaces miss',
      {
        'package.json': json({ name: 'root', private: true, workspaces: ['apps/*'] }),
        'tsconfig.json': json({ include: ['src'] }),
        'apps/web/package.json': json({ name: '@org/web', dependencies: { '@org/lib': 'workspace:^' } }),
        'internal/lib/package.json': json({ name: '@org/lib', main: './src/index.ts', dependencies: { '@org/cache': 'workspace:*' } }),
        'internal/lib/src/index.ts': "export { forgetQuotes } from '@org/cache';\n",
        'internal/cache/package.json': json({ name: '@org/cache', main: './src/index.ts' }),
        'internal/cache/src/index.ts': HELPER,
        'src/routes.ts': routes('@org/lib'),
      },
    ],
    [
      'a pnpm workspace package subpath, through `exports`',
      {
        'pnpm-workspace.yaml': "packages:\n  - 'libs/*' # every library\n  - '!libs/legacy'\n",
        'tsconfig.json': json({ include: ['src'] }),
        'libs/cache/package.json': json({
          name: 'cache',
          exports: { '.': './dist/index.js', './*': { types: './dist/*.d.ts', default: './dist/*.js' } },
        }),
        'libs/cache/src/forget.ts': HELPER,
        'libs/legacy/package.json': json({ name: 'cache-legacy' }),
        'src/routes.ts': routes('cache/forget'),
      },
    ],
  ])('%s', async (_shape, files) => {
    const routesFile = 'apps/web/src/routes.ts' in files ? 'apps/web/src/routes.ts' : 'src/routes.ts';
    const { cell, findings, diagnostics } = await verdict(project({ ...config, ...files }), routesFile);
    expect(diagnostics).toEqual([]);
    expect(cell).toBe('full');
    expect(findings).toEqual([]);
  });

  it('a `paths` alias imported from several directories, and one whose candidate is missing, there and in a package', async () => {
    const root = project({
      ...config,
      'tsconfig.json': json({ compilerOptions: { paths: { '@server/*': ['./src/server/*'] } }, include: ['src'] }),
      'src/server/cache/forget.ts': HELPER,
      'src/routes.ts': routes('@server/cache/forget'),
      'src/admin/routes.ts': routes('@server/cache/forget').replace("'/quotes'", "'/admin/quotes'"),
      'src/admin/more/routes.ts': routes('@server/cache/forgotten').replace("'/quotes'", "'/more/quotes'"),
      'src/tools/routes.ts': routes('@server/cache/forgotten').replace("'/quotes'", "'/tools/quotes'"),
      'src/tools/node_modules/@server/cache/package.json': json({ name: '@server/cache', types: 'forgotten.d.ts' }),
      'src/tools/node_modules/@server/cache/forgotten.d.ts': 'export declare function forgetQuotes(): Promise<void>;\n',
    });
    const result = await scan({ root });
    const quotes = result.matrix.keys.indexOf('quotesList');
    expect(result.matrix.rows.map((r) => `${r.handler} ${String(r.cells[quotes])}`).sort()).toEqual([
      'POST /admin/quotes full',
      'POST /more/quotes none',
      'POST /quotes full',
      'POST /tools/quotes none',
    ]);
    // What no candidate holds is a package's, whether a directory's node_modules has it or not.
    expect(result.findings.map((f) => `${f.file} ${f.ruleId}`).sort()).toEqual([
      'src/admin/more/routes.ts require-dependent-invalidation',
      'src/tools/routes.ts require-dependent-invalidation',
    ]);
  });

  it('a root without tsconfig.json whose workspace packages hold the code, one of them without a tsconfig', async () => {
    const root = project({
      'cache-audit.config.json': json({ registry: 'apps/api/src/keys.ts' }),
      'package.json': json({ name: 'root', private: true, workspaces: { packages: ['apps/*', 'libs/*'] } }),
      'apps/api/package.json': json({ name: '@org/api' }),
      'apps/api/tsconfig.json': json({ include: ['src'] }),
      'apps/api/src/keys.ts': REGISTRY,
      'apps/api/src/routes.ts': routes('@org/cache'),
      'libs/cache/package.json': json({ name: '@org/cache', types: 'dist/index.d.ts' }),
      'libs/cache/src/index.ts': HELPER,
      'libs/cache/src/other.ts':
        "import { getCache } from 'cache-audit/runtime';\nexport const flush = () => getCache().deletePattern('qoutes:*');\n",
    });
    const result = await scan({ root });
    expect(result.matrix.rows.find((r) => r.handler === 'POST /quotes')?.cells).toEqual(['full']);
    // The package without a tsconfig is audited too.
    expect(result.findings.map((f) => `${f.file} ${f.ruleId}`)).toContain('libs/cache/src/other.ts pattern-in-registry');
  });

  it('a module of the project that resolves to nothing is a blind spot, never "invalidates nothing"', async () => {
    const root = project({ ...config, 'tsconfig.json': json({ include: ['src'] }), 'src/routes.ts': routes('./not-written-yet') });
    const result = await scan({ root });
    const findings = result.findings.filter((f) => f.file === 'src/routes.ts');
    expect(findings.map((f) => `${String(f.line)} ${f.ruleId}`)).toEqual(['4 unresolved']);
    expect(findings[0]?.message).toContain('forgetQuotes');
  });

  it('a package of node_modules is never followed, however its name is spelled', async () => {
    const { cell, findings } = await verdict(
      project({
        ...config,
        'tsconfig.json': json({ include: ['src'] }),
        'node_modules/src/package.json': json({ name: 'src', types: 'index.d.ts', main: 'index.js' }),
        'node_modules/src/index.d.ts': 'export declare function forgetQuotes(): Promise<void>;\n',
        'node_modules/src/index.js':
          "exports.forgetQuotes = async () => require('cache-audit/runtime').getCache().deletePattern('quotes:*');\n",
        'src/routes.ts': routes('src'),
      }),
    );
    expect(cell).toBe('none');
    expect(findings).toEqual(['require-dependent-invalidation']);
  });
});

describe('CommonJS', () => {
  it('follows require() into module.exports of every shape', async () => {
    const root = project({
      'cache-audit.config.json': json({ registry: 'src/keys.js' }),
      'src/keys.js':
        "const { defineCacheRegistry } = require('cache-audit/runtime');\nmodule.exports = defineCacheRegistry({ keys: { quotesList: { template: 'quotes:list:{tenantId}', ttl: 60, dependsOn: ['quotes'] } } });\n",
      'src/forget.js':
        "const { getCache } = require('cache-audit/runtime');\nmodule.exports = async function forget() {\n  await getCache().deletePattern('quotes:*');\n};\n",
      'src/service.js':
        "const forget = require('./forget');\nclass QuotesService {\n  async remove(id) {\n    await forget();\n  }\n}\nmodule.exports = new QuotesService();\n",
      'src/index.js': "module.exports = require('./service');\n",
      'src/app.js': [
        "const express = require('express');",
        "const forget = require('./forget');",
        "const quotes = require('./index');",
        'const app = express();',
        "app.post('/quotes', async (req, res) => {",
        '  await forget();',
        '  res.sendStatus(201);',
        '});',
        "app.delete('/quotes/:id', async (req, res) => {",
        '  await quotes.remove(req.params.id);',
        '  res.sendStatus(204);',
        '});',
        "app.put('/quotes/:id', async (req, res) => {",
        '  res.sendStatus(204);',
        '});',
        'module.exports = app;',
        '',
      ].join('\n'),
    });
    const result = await scan({ root });
    expect(result.matrix.rows.map((r) => `${r.handler} ${r.cells.join(',')}`)).toEqual([
      'POST /quotes full',
      'DELETE /quotes/:id full',
      'PUT /quotes/:id none',
    ]);
    expect(result.findings.filter((f) => f.file === 'src/app.js').map((f) => `${String(f.line)} ${f.ruleId}`)).toEqual([
      '13 require-dependent-invalidation',
    ]);
  });

  it('finds routers made from an unbound require, and follows `import x = require()`', async () => {
    const root = project({
      ...config,
      'src/forget.ts': HELPER,
      'src/quotes.ts':
        "import forget = require('./forget');\nimport express = require('express');\nexport const router = express.Router();\nrouter.post('/quotes', async (req, res) => {\n  await forget.forgetQuotes();\n  res.sendStatus(201);\n});\n",
      'src/clients.js':
        "var router = require('express').Router();\n\nrouter.delete('/quotes/:id', function (req, res) {\n  res.sendStatus(204);\n});\n\nmodule.exports = router;\n",
    });
    const result = await scan({ root });
    expect(result.matrix.rows.map((r) => `${r.handler} ${r.cells.join(',')}`).sort()).toEqual([
      'DELETE /quotes/:id none',
      'POST /quotes full',
    ]);
    expect(result.findings.filter((f) => f.file !== 'src/keys.ts').map((f) => `${f.file}:${String(f.line)} ${f.ruleId}`)).toEqual([
      'src/clients.js:3 require-dependent-invalidation',
    ]);
  });
});
