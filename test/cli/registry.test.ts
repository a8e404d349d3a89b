import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as eslint from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/registry/load.js';
import { scan } from '../../src/scanner/scan.js';
import { lintFixture } from '../eslint/lint-fixture.js';
import { run } from '../support/cli.js';
import { writeProject } from '../support/project.js';

const fixtures = resolve(import.meta.dirname, '../../fixtures');
const fixture = join(fixtures, 'inferred-registry-app');
const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** A copy of a fixture app to write into. */
function copy(app = fixture): string {
  const dir = mkdtempSync(join(tmpdir(), 'cache-audit-init-'));
  copies.push(dir);
  cpSync(app, dir, { recursive: true });
  return dir;
}

const WRITTEN = `import { defineCacheRegistry } from '@cache-audit/runtime';

/**
 * The cache keys of the application, inferred from the code by \`cache-audit init\`: templates,
 * ttls, and the models each key is loaded from. Review the names and templates, then keep it
 * up to date by hand (\`cache-audit registry\` shows what the code says beside it).
 */
export const cacheKeys = defineCacheRegistry({
  keys: {
    // Read at src/websites.ts:28; filled at src/websites.ts:28.
    members: { template: 'members:{teamId}', ttl: 3600, dependsOn: ['Membership'] },
    // Read at src/websites.ts:10; filled at src/websites.ts:13.
    website: { template: 'website:{id}', ttl: 600, dependsOn: ['Website'] },
    // Read at src/websites.ts:23; filled at src/websites.ts:23.
    websitesTeam: { template: 'websites:team:{teamId}', ttl: 300, dependsOn: ['Website'] },
  },
});
`;

describe('cache-audit registry without a registry', () => {
  it('prints the families inferred from the code: template, ttl, models, where read and filled; no lock, counter or misspelt key', async () => {
    const result = await run(['registry', '.'], fixture);
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: `No registry: the key families below are inferred from the code (\`cache-audit init\` writes them as one).

key           template                ttl    depends on  read at             filled at
members       members:{teamId}        3600s  Membership  src/websites.ts:28  src/websites.ts:28
website       website:{id}            600s   Website     src/websites.ts:10  src/websites.ts:13
websitesTeam  websites:team:{teamId}  300s   Website     src/websites.ts:23  src/websites.ts:23

3 key families inferred from the code
`,
    });
  });

  it('prints them as JSON with --format json', async () => {
    const result = await run(['registry', '.', '--format', 'json'], fixture);
    expect(result.code).toBe(0);
    const data = JSON.parse(result.stdout) as {
      registry: unknown;
      declared: unknown[];
      inferred: {
        name: string;
        template: string;
        ttl: number | null;
        dependsOn: string[];
        fills: { line: number; ttl: number | null }[];
      }[];
    };
    expect(data.registry).toBeNull();
    expect(data.declared).toEqual([]);
    expect(data.inferred.map((f) => [f.name, f.template, f.ttl, f.dependsOn, f.fills.map((x) => [x.line, x.ttl])])).toEqual([
      ['members', 'members:{teamId}', 3600, ['Membership'], [[28, 3600]]],
      ['website', 'website:{id}', 600, ['Website'], [[13, 600]]],
      ['websitesTeam', 'websites:team:{teamId}', 300, ['Website'], [[23, 300]]],
    ]);
  });

  it('the audit says in one line how many families it inferred, and where to see them', async () => {
    const result = await run(['.', '--no-color'], fixture);
    expect(result.stdout.trim().split('\n').at(-1)).toBe(
      'No configuration: audited with the defaults and 3 cache families read in the code (`cache-audit registry` lists them).',
    );
  });
});

describe('cache-audit init', () => {
  it('writes the inferred registry and a configuration naming it, and overwrites nothing without --force', async () => {
    const dir = copy();
    const first = await run(['init'], dir);
    expect(first).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'Wrote src/cache/keys.ts and cache-audit.config.json: 3 key families inferred from the code (3 with a ttl, 3 with the models they are loaded from). Review the registry, then run cache-audit.\n',
    });
    const registryFile = join(dir, 'src/cache/keys.ts');
    const written = readFileSync(registryFile, 'utf8');
    expect(written).toBe(WRITTEN);
    expect(written).not.toMatch(/lock|rate|webiste/);
    expect(JSON.parse(readFileSync(join(dir, 'cache-audit.config.json'), 'utf8'))).toEqual({
      $schema: './node_modules/cache-audit/schema/config.schema.json',
      registry: 'src/cache/keys.ts',
    });

    writeFileSync(registryFile, '// edited by hand\n');
    const again = await run(['init'], dir);
    expect(again).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cache-audit: src/cache/keys.ts exists already: run cache-audit init --force to overwrite.\n',
    });
    expect(readFileSync(registryFile, 'utf8')).toBe('// edited by hand\n');
    const forced = await run(['init', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toBe(
      'Wrote src/cache/keys.ts: 3 key families inferred from the code (3 with a ttl, 3 with the models they are loaded from). Review the registry, then run cache-audit.\n',
    );
    expect(readFileSync(registryFile, 'utf8')).toBe(WRITTEN);
  });

  it('takes keys that differ only by the names of their holes for one family, which init writes once', async () => {
    const reader = (name: string, param: string): string =>
      `export async function ${name}(${param}: string) {\n  const hit = await redis.get(\`user:\${${param}}\`);\n  if (hit) return JSON.parse(hit);\n  const found = await prisma.user.findUnique({ where: { id: ${param} } });\n  await redis.set(\`user:\${${param}}\`, JSON.stringify(found), 'EX', 600);\n  return found;\n}\n`;
    const dir = writeProject('holes', {
      'src/users.ts': `import express from 'express';\nimport Redis from 'ioredis';\nimport { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\nconst redis = new Redis();\nexport const app = express();\n${reader('userById', 'id')}${reader('userForSession', 'userId')}app.put('/users/:id', async (req, res) => {\n  await prisma.user.update({ where: { id: req.params.id }, data: req.body });\n  res.end();\n});\n`,
    });
    const before = await scan({ root: dir });
    expect(before.families.map((f) => [f.key, f.reads.map((r) => r.line)])).toEqual([['user:{id}', [8, 15]]]);
    expect(before.findings.map((f) => `${String(f.line)} ${f.ruleId} ${f.message}`)).toEqual([
      '21 require-dependent-invalidation PUT /users/:id leaves a cached family stale: `user:{id}`.',
    ]);
    expect((await run(['init'], dir)).code).toBe(0);
    const after = await run([dir, '--format', 'json']);
    expect(after.code).toBe(1);
    const findings = (JSON.parse(after.stdout) as { findings: { line: number; ruleId: string }[] }).findings;
    expect(findings.map((f) => `${f.ruleId} ${String(f.line)}`)).toEqual(['stale-key 11', 'require-dependent-invalidation 21']);
  });

  it('writes a registry that loads, with which the audit reads the same families and finds the misspelt key', async () => {
    const dir = copy();
    const before = await scan({ root: dir });
    expect((await run(['init'], dir)).code).toBe(0);
    const loaded = loadRegistry(join(dir, 'src/cache/keys.ts'), { recheckMs: 0 });
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.registry?.entries.map((e) => [e.name, e.template, e.ttl, e.dependsOn])).toEqual([
      ['members', 'members:{teamId}', 3600, ['Membership']],
      ['website', 'website:{id}', 600, ['Website']],
      ['websitesTeam', 'websites:team:{teamId}', 300, ['Website']],
    ]);
    const after = await scan({ root: dir });
    expect(after.configuration).toBe('cache-audit.config.json');
    expect(after.families).toEqual(before.families);
    expect(after.registry?.keys.map((k) => k.template)).toEqual(before.families.map((f) => f.key));
    expect(after.findings.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.ruleId}`)).toEqual([
      'src/cache/keys.ts:11 warning stale-key',
      'src/jobs.ts:7 error require-dependent-invalidation',
      'src/websites.ts:37 error require-dependent-invalidation',
      'src/websites.ts:40 error pattern-in-registry',
      'src/websites.ts:45 error require-dependent-invalidation',
    ]);
    expect(after.findings.find((f) => f.ruleId === 'pattern-in-registry')?.message).toBe(
      'The pattern `webiste:{id}` matches no key of the registry. Did you mean `website:{id}`?',
    );
  });

  it('writes a registry with which the next run, of the CLI and of ESLint, gives the verdicts of the run before it', async () => {
    // Each quote is cached under its id: a create saves a row no entry holds yet; the update is the planted bug.
    const dir = copy(join(fixtures, 'nest-typeorm-crud-app'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      '{ "compilerOptions": { "module": "commonjs", "experimentalDecorators": true }, "include": ["src"] }\n',
    );
    const verdicts = async (): Promise<{ cli: string[]; eslint: string[] }> => ({
      cli: (await scan({ root: dir })).findings.map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId}`),
      eslint: (await lintFixture(eslint, dir)).map((m) => `${m.file}:${String(m.line)}:${String(m.column)} ${m.severity} ${m.rule}`),
    });
    const planted = ['src/quotes/quotes.controller.ts:24:3 error require-dependent-invalidation'];
    expect(await verdicts()).toEqual({ cli: planted, eslint: planted });
    expect((await run(['init'], dir)).code).toBe(0);
    expect(readFileSync(join(dir, 'src/cache/keys.ts'), 'utf8')).toContain(
      "quote: { template: 'quote:{id}', ttl: 60, dependsOn: ['Quote'] },",
    );
    expect(await verdicts()).toEqual({ cli: planted, eslint: planted });
  });

  it('leaves a configuration it cannot read as it is, and says where it is broken (exit 2)', async () => {
    const dir = copy();
    const broken = '{\n  "ignores": ["src/app.ts"],\n}\n';
    writeFileSync(join(dir, 'cache-audit.config.json'), broken);
    expect(await run(['init', '--force'], dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cache-audit: cache-audit.config.json:2:28: A comma after the last item, which JSON does not allow: remove it.\n',
    });
    expect(readFileSync(join(dir, 'cache-audit.config.json'), 'utf8')).toBe(broken);
  });

  it('sets `registry` in an existing JSON configuration only with --force, keeping its other options', async () => {
    const dir = copy();
    writeFileSync(join(dir, 'cache-audit.config.json'), JSON.stringify({ ignores: ['src/app.ts'] }));
    const refused = await run(['init'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('cache-audit: cache-audit.config.json exists already: run cache-audit init --force to overwrite.\n');
    const forced = await run(['init', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'cache-audit.config.json'), 'utf8'))).toEqual({
      ignores: ['src/app.ts'],
      registry: 'src/cache/keys.ts',
    });
  });
});

describe('cache-audit registry with a registry', () => {
  const REGISTRY = `import { defineCacheRegistry } from 'cache-audit/runtime';
export const cacheKeys = defineCacheRegistry({
  keys: {
    website: { template: 'website:{id}', ttl: 600, dependsOn: ['teams'] },
    websitesTeam: { template: 'websites:team:{teamId}', ttl: 300, dependsOn: ['websites'] },
  },
});
`;

  function withRegistry(): string {
    const dir = copy();
    writeFileSync(join(dir, 'cache-audit.config.json'), JSON.stringify({ registry: 'src/keys.ts' }));
    writeFileSync(join(dir, 'src/keys.ts'), REGISTRY);
    return dir;
  }

  it('prints the declared entries beside the code, the dependencies the code adds marked as suggestions, and the families only in the code', async () => {
    const result = await run(['registry', '.'], withRegistry());
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Registry src/keys.ts

key           template                ttl   depends on                   read at             filled at
website       website:{id}            600s  teams + Website (suggested)  src/websites.ts:10  src/websites.ts:13
websitesTeam  websites:team:{teamId}  300s  websites                     src/websites.ts:23  src/websites.ts:23

A change to teams must invalidate: website:{id}
A change to websites must invalidate: websites:team:{teamId}

Read in the code, in no registry entry:

key      template          ttl    depends on  read at             filled at
members  members:{teamId}  3600s  Membership  src/websites.ts:28  src/websites.ts:28

2 key families, 1 suggested dependency, 1 family only in the code, 0 problems
`);
    const json = JSON.parse((await run(['registry', '.', '--format', 'json'], withRegistry())).stdout) as {
      declared: { name: string; suggestedDependsOn: string[]; inferred: string[] }[];
      inferred: { key: string }[];
    };
    expect(json.declared.map((e) => [e.name, e.suggestedDependsOn, e.inferred])).toEqual([
      ['website', ['Website'], ['website:{id}']],
      ['websitesTeam', [], ['websites:team:{teamId}']],
    ]);
    expect(json.inferred.map((f) => f.key)).toEqual(['members:{teamId}']);
  });

  it('the audit reports the dependency the code shows beyond dependsOn once, at the registry entry, as a note', async () => {
    const result = await scan({ root: withRegistry() });
    const notes = result.findings.filter((f) => f.ruleId === 'undeclared-dependency');
    expect(notes.map((f) => ({ file: f.file, line: f.line, column: f.column, severity: f.severity, message: f.message }))).toEqual([
      {
        file: 'src/keys.ts',
        line: 4,
        column: 5,
        severity: 'note',
        message:
          "The code loads `website` (website:{id}) from Website (read at src/websites.ts:10), but its dependsOn names teams: a change to Website leaves it stale unless something else invalidates it. Add them (`dependsOn: ['teams', 'Website']`) if the key shows their data.",
      },
    ]);
  });
});
