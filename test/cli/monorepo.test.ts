import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/scanner/result.js';
import { root as repoRoot, run } from '../support/cli.js';
import { writeProject } from '../support/project.js';

const FIXTURE = resolve(repoRoot, 'fixtures/monorepo-app');

/** A handler that flushes everything: an error with or without a registry. */
const BROAD = (name: string): string =>
  `import { Controller, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n\n@Controller('${name}')\nexport class ${name}Controller {\n  @Post()\n  @InvalidateCachePattern('*')\n  create() {}\n}\n`;
/** A handler that invalidates what it changes. */
const CLEAN = (name: string): string =>
  `import { Controller, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n\n@Controller('${name}')\nexport class ${name}Controller {\n  @Post()\n  @InvalidateCachePattern('${name}:*')\n  create() {}\n}\n`;
const json = (value: unknown): string => `${JSON.stringify(value)}\n`;

const project = (files: Record<string, string>): string => writeProject('monorepo', files);

/** A workspace root with two packages holding handlers and one shared package without any. */
const workspace = (api: string, admin: string): Record<string, string> => ({
  'package.json': json({ name: 'root', private: true, workspaces: ['apps/*', 'packages/*'] }),
  'apps/api/package.json': json({ name: '@acme/api' }),
  'apps/api/src/quotes.controller.ts': api,
  'apps/admin/package.json': json({ name: '@acme/admin' }),
  'apps/admin/src/users.controller.ts': admin,
  'packages/shared/package.json': json({ name: '@acme/shared' }),
  'packages/shared/src/index.ts': 'export const answer = 42;\n',
});

const parse = (stdout: string): ScanResult => JSON.parse(stdout) as ScanResult;

interface Expected {
  readonly findings: readonly { file: string; line: number; rule: string }[];
}

describe('a monorepo root', () => {
  it('audits each application, grouped, with one exit code; the shared package is read, not audited', async () => {
    const text = await run([FIXTURE]);
    expect(text.code).toBe(1);
    const lines = text.stdout.split('\n');
    const sections = lines.filter((l) => l.startsWith('▸ '));
    expect(sections).toEqual(['▸ @acme/quotes-api  apps/quotes-api/', '▸ @acme/web  apps/web/']);
    expect(text.stdout).not.toContain('packages/cache');
    // Each application says whether it has a configuration; the web application has none.
    const web = text.stdout.slice(text.stdout.indexOf('▸ @acme/web'));
    // Its families are those read in its code and in the shared package it depends on (@acme/catalog).
    expect(web).toMatch(/^No configuration: audited with the defaults and 2 cache families read in the code/m);
    expect(text.stdout.slice(0, text.stdout.indexOf('▸ @acme/web'))).not.toContain('No configuration');
    expect(lines.filter(Boolean).at(-1)).toBe(
      '2 applications: 4 errors, 0 warnings, 0 notes, 5 files, coverage 50.0 % (3/6 mutation handlers)',
    );
  });

  it('reports per application exactly its expected findings, files from the monorepo root, in the documented JSON', async () => {
    const result = await run([FIXTURE, '--format', 'json']);
    const report = parse(result.stdout);
    expect(report.apps?.map((a) => [a.name, a.path, a.foundBy])).toEqual([
      ['@acme/quotes-api', 'apps/quotes-api', 'configuration'],
      ['@acme/web', 'apps/web', 'workspace'],
    ]);
    const expected = (app: string): string[] =>
      (JSON.parse(readFileSync(join(FIXTURE, app, 'expected-findings.json'), 'utf8')) as Expected).findings.map(
        (f) => `${app}/${f.file}:${String(f.line)} ${f.rule}`,
      );
    const found = report.findings.map((f) => `${f.file}:${String(f.line)} ${f.ruleId}`);
    expect(found).toEqual([...expected('apps/quotes-api'), ...expected('apps/web')].sort());
    expect(report.apps?.[0]?.registry?.file).toBe('apps/quotes-api/src/keys.ts');
    expect(report.apps?.[0]?.configuration).toBe('apps/quotes-api/cache-audit.config.json');
    expect(report.apps?.[1]?.configuration).toBeNull();
    expect(report.apps?.[1]?.families.map((f) => f.key)).toEqual(['catalog:products:{tenantId}', 'document:{id}']);
    // The places a message names are from the monorepo root too, as the findings' files are.
    expect(report.findings.find((f) => f.file.startsWith('apps/web/'))?.details?.[0]).toContain(
      'read at apps/web/src/app/api/documents/[id]/route.ts:7, filled at apps/web/src/app/api/documents/[id]/route.ts:10',
    );
    // Where a family is read and where it is filled, both from the monorepo root.
    expect(report.families.map((f) => [f.key, f.reads.map((r) => r.file), f.fills.map((r) => r.file)])).toEqual([
      ['quotes:list:{tenantId}', ['apps/quotes-api/src/routes.ts'], ['apps/quotes-api/src/routes.ts']],
      // Filled in the shared package the web application depends on by name, not in the application.
      ['catalog:products:{tenantId}', ['packages/catalog/src/index.ts'], ['packages/catalog/src/index.ts']],
      ['document:{id}', ['apps/web/src/app/api/documents/[id]/route.ts'], ['apps/web/src/app/api/documents/[id]/route.ts']],
    ]);
    expect(report.matrix.keys).toEqual(['@acme/quotes-api › quotesList', '@acme/quotes-api › dashboardKpis']);
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schema/result.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it('--no-monorepo audits the root as one project, in the single-project shape', async () => {
    const result = await run([FIXTURE, '--no-monorepo', '--format', 'json']);
    const report = parse(result.stdout);
    expect(report.apps).toBeUndefined();
    expect(report.configuration).toBeNull();
  });

  it('gives paths from the monorepo root to SARIF, GitHub annotations and Markdown', async () => {
    const sarif = JSON.parse((await run([FIXTURE, '--format', 'sarif'])).stdout) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    const uris = sarif.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('apps/web/src/app/api/documents/%5Bid%5D/route.ts');
    expect((await run([FIXTURE, '--format', 'github'])).stdout).toContain('::error file=apps/quotes-api/src/routes.ts,line=16');
    const html = (await run([FIXTURE, '--format', 'html'])).stdout;
    expect(html).toContain('<h2>Applications</h2>');
    expect(html).toContain('<tr><td>@acme/web</td><td><code>apps/web/</code></td><td>3</td><td>2</td><td>0</td><td>33.3 %</td></tr>');
    const markdown = (await run([FIXTURE, '--format', 'markdown'])).stdout;
    expect(markdown.split('\n').filter((l) => l.startsWith('#'))).toEqual([
      '## cache-audit',
      '### @acme/quotes-api (`apps/quotes-api/`)',
      '### @acme/web (`apps/web/`)',
    ]);
  });

  it('exits 0 when every application is clean, 1 when one is not; fingerprints stay apart across applications', async () => {
    const clean = project(workspace(CLEAN('Quotes'), CLEAN('Users')));
    const result = await run(['.'], clean);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 applications: 0 errors');
    const failing = project(workspace(CLEAN('Quotes'), BROAD('Users')));
    const report = parse((await run(['.', '--format', 'json'], failing)).stdout);
    expect(report.apps?.map((a) => a.name)).toEqual(['@acme/admin', '@acme/api']);
    // Nothing in these small apps reads `Quotes:*`: a dead-family warning, which leaves the exit code alone.
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => `${f.file} ${f.ruleId}`)).toEqual([
      'apps/admin/src/users.controller.ts no-broad-pattern',
    ]);
    expect((await run(['.'], failing)).code).toBe(1);
    // The same file and line in two applications: two findings, two fingerprints; a baseline of one leaves the other.
    const twins = project(workspace(BROAD('Quotes'), BROAD('Quotes')));
    writeFileSync(join(twins, 'apps/admin/src/quotes.controller.ts'), BROAD('Quotes'));
    const both = parse((await run(['.', '--format', 'json'], twins)).stdout).findings;
    expect(new Set(both.map((f) => f.fingerprint)).size).toBe(both.length);
  });

  it('is one project when the root holds handlers of its own, unless --monorepo', async () => {
    const dir = project({ ...workspace(BROAD('Quotes'), CLEAN('Users')), 'src/health.controller.ts': CLEAN('Health') });
    expect(parse((await run(['.', '--format', 'json'], dir)).stdout).apps).toBeUndefined();
    const forced = parse((await run(['.', '--monorepo', '--format', 'json'], dir)).stdout);
    expect(forced.apps?.map((a) => a.path)).toEqual(['apps/admin', 'apps/api']);
  });

  it('--monorepo where no application can be found: exit 2 with the reason', async () => {
    const dir = project({ 'src/quotes.controller.ts': CLEAN('Quotes') });
    const result = await run(['.', '--monorepo'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^cache-audit: No applications found in .*: no cache-audit configuration below it/);
    expect((await run(['.', '--monorepo', '--tsconfig', 'tsconfig.json'], dir)).stderr).toContain(
      '--monorepo and --tsconfig cannot be combined',
    );
  });

  it('finds the applications of an Nx layout (apps/*) whose tsconfig only references tsconfig.app.json', async () => {
    const nx = {
      'nx.json': '{}\n',
      'package.json': json({ name: 'nx-root', private: true }),
      'apps/api/project.json': json({ name: 'api' }),
      'apps/api/tsconfig.json': json({
        files: [],
        include: [],
        references: [{ path: './tsconfig.app.json' }, { path: './tsconfig.spec.json' }],
      }),
      'apps/api/tsconfig.app.json': json({ extends: './tsconfig.json', include: ['src/**/*.ts'], exclude: ['src/**/*.spec.ts'] }),
      'apps/api/tsconfig.spec.json': json({ extends: './tsconfig.json', include: ['src/**/*.spec.ts'] }),
      'apps/api/src/quotes.controller.ts': BROAD('Quotes'),
      'apps/api/src/quotes.controller.spec.ts': 'export {};\n',
      'libs/util/project.json': json({ name: 'util' }),
      'libs/util/src/index.ts': 'export const id = (x: string) => x;\n',
    };
    const dir = project(nx);
    const report = parse((await run(['.', '--format', 'json'], dir)).stdout);
    expect(report.apps?.map((a) => [a.path, a.foundBy, a.filesScanned])).toEqual([['apps/api', 'layout', 1]]);
    expect(report.apps?.[0]?.tsconfigs).toEqual(['apps/api/tsconfig.json', 'apps/api/tsconfig.app.json', 'apps/api/tsconfig.spec.json']);
    // The package alone reads the application's files through the references too.
    const alone = parse((await run(['apps/api', '--format', 'json'], dir)).stdout);
    expect([alone.filesScanned, alone.findings.map((f) => f.ruleId)]).toEqual([1, ['no-broad-pattern']]);
  });
});

describe('a scan that reads next to nothing is an error with the reason', () => {
  it('a tsconfig that lists only tests', async () => {
    const dir = project({
      'src/quotes.controller.spec.ts': CLEAN('Quotes'),
      'tsconfig.spec.json': json({ include: ['src/**/*.spec.ts'] }),
    });
    const result = await run(['.', '--tsconfig', 'tsconfig.spec.json'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^cache-audit: No source files to audit in .*: the tsconfig .*tsconfig\.spec\.json lists none to audit \(1 test or ignored files only\)\./,
    );
  });

  it('a --tsconfig that lists far fewer files than the project', async () => {
    const files: Record<string, string> = {
      'tsconfig.json': json({ include: ['src'] }),
      'tsconfig.main.json': json({ files: ['src/main.ts'] }),
      'src/main.ts': 'export {};\n',
    };
    for (let i = 0; i < 30; i++) files[`src/quotes${String(i)}.controller.ts`] = CLEAN(`Quotes${String(i)}`);
    const dir = project(files);
    const result = await run(['.', '--tsconfig', 'tsconfig.main.json'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^cache-audit: The tsconfig tsconfig\.main\.json lists 1 source file to audit in .*, the project's tsconfigs 31: a wrong --tsconfig\?/,
    );
    expect((await run(['.'], dir)).code).toBe(0);
  });

  it('a root tsconfig that leaves the packages out', async () => {
    const files: Record<string, string> = {
      'tsconfig.json': json({ files: ['jest.setup.ts'] }),
      'jest.setup.ts': 'export {};\n',
      'packages/api/tsconfig.json': json({ include: ['src'] }),
    };
    for (let i = 0; i < 30; i++) files[`packages/api/src/quotes${String(i)}.controller.ts`] = CLEAN(`Quotes${String(i)}`);
    const dir = project(files);
    const result = await run(['.', '--no-monorepo'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^cache-audit: The root tsconfig\.json of .* lists 1 source file to audit, the tsconfigs of its packages 31/,
    );
    // Without --no-monorepo, packages/api is the application.
    const report = parse((await run(['.', '--format', 'json'], dir)).stdout);
    expect(report.apps?.map((a) => [a.path, a.foundBy, a.filesScanned])).toEqual([['packages/api', 'layout', 30]]);
  });
});

describe('test files', () => {
  it('are neither audited nor reported, whatever the test runner names them; `tests: true` audits them', async () => {
    const files = {
      'tsconfig.json': json({ include: ['src', 'test'] }),
      'cache-audit.config.json': json({}),
      'src/quotes.controller.ts': CLEAN('Quotes'),
      'src/__e2e__/api.servertest.ts': BROAD('E2e'),
      'src/__tests__/quotes.ts': BROAD('Unit'),
      'src/users.int-test.ts': BROAD('Int'),
      'test/app.e2e-spec.ts': BROAD('Nest'),
      'src/latest.controller.ts': CLEAN('Latest'),
    };
    const report = parse((await run(['.', '--format', 'json'], project(files))).stdout);
    const isTest = (file: string): boolean => !file.endsWith('.controller.ts');
    expect([report.filesScanned, report.findings.filter((f) => isTest(f.file))]).toEqual([2, []]);
    const withTests = { ...files, 'cache-audit.config.json': json({ tests: true }) };
    const all = parse((await run(['.', '--format', 'json'], project(withTests))).stdout);
    expect(
      all.findings
        .filter((f) => isTest(f.file))
        .map((f) => `${f.file} ${f.ruleId}`)
        .sort(),
    ).toEqual([
      'src/__e2e__/api.servertest.ts no-broad-pattern',
      'src/__tests__/quotes.ts no-broad-pattern',
      'src/users.int-test.ts no-broad-pattern',
      'test/app.e2e-spec.ts no-broad-pattern',
    ]);
  });
});
