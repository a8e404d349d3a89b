import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkSources } from '../../src/project/files.js';
import { scan } from '../../src/scanner/scan.js';
import { run } from '../support/cli.js';

const REGISTRY = `import { defineCacheRegistry } from 'cache-audit/runtime';
export const cacheKeys = defineCacheRegistry({
  keys: {
    quotesList: { template: 'quotes:list:{tenantId}:{hash}', ttl: 60, dependsOn: ['quotes'] },
    settings: { template: 'settings:global', dependsOn: ['settings'] },
    reportsDaily: { template: 'reports:daily:{tenantId}', ttl: 3600 },
    legacy: { template: 'legacy:{id}' },
  },
});
`;

const CONTROLLER = `import { Controller, Get, Post } from '@nestjs/common';
import { Cacheable, InvalidateCachePattern } from 'cache-audit/runtime';

@Controller('quotes')
export class QuotesController {
  @Get()
  @Cacheable('quotesList')
  list() { return []; }

  @Get('settings')
  @Cacheable('settings')
  settings() { return {}; }

  @Get('report')
  @Cacheable('reportsDaily')
  report() { return {}; }

  @Post()
  @InvalidateCachePattern('quotes:*')
  create() {}
}
`;

function project(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cache-audit-project-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const base = {
  'cache-audit.config.json': JSON.stringify({ registry: 'src/keys.ts' }),
  'src/keys.ts': REGISTRY,
  'src/quotes.controller.ts': CONTROLLER,
};

describe('whole-project findings', () => {
  it('reports stale keys (by ttl), unused keys, at the registry', async () => {
    const result = await scan({ root: project(base) });
    const summary = result.findings.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.ruleId}`);
    expect(summary).toEqual(['src/keys.ts:5 error stale-key', 'src/keys.ts:6 warning stale-key', 'src/keys.ts:7 warning unused-key']);
    expect(result.findings[0]?.message).toBe(
      'No mutation invalidates `settings` (settings:global), and it has no ttl: its cached values never change.',
    );
    expect(result.matrix.reads['quotesList']).toEqual([{ file: 'src/quotes.controller.ts', line: 7 }]);
  });

  it('lists where a registry key is read by a key of its template, not only by its name', async () => {
    const result = await scan({
      root: project({
        'cache-audit.config.json': JSON.stringify({ registry: 'src/keys.ts' }),
        'src/keys.ts': `import { defineCacheRegistry } from '@cache-audit/runtime';
export const cacheKeys = defineCacheRegistry({
  keys: {
    quote: { template: 'quote:{id}', ttl: 60, dependsOn: ['Quote'] },
    quotesAll: { template: 'quotes:{tenantId}:all', ttl: 60, dependsOn: ['Quote'] },
  },
});
`,
        'src/quotes.service.ts': `import { Inject, Injectable } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
import { PrismaClient } from '@prisma/client';

const prisma = new PrismaClient();

@Injectable()
export class QuotesService {
  constructor(@Inject(CACHE_MANAGER) private cacheManager: Cache) {}

  async findAll(tenantId: string) {
    const cached = await this.cacheManager.get(\`quotes:\${tenantId}:all\`);
    if (cached) return cached;
    const quotes = await prisma.quote.findMany({ where: { tenantId } });
    await this.cacheManager.set(\`quotes:\${tenantId}:all\`, quotes, 60_000);
    return quotes;
  }

  findOne(id: string) {
    return this.cacheManager.wrap(\`quote:\${id}\`, () => prisma.quote.findUnique({ where: { id } }), 60_000);
  }
}
`,
      }),
    });
    expect(result.matrix.reads).toEqual({
      quotesAll: [{ file: 'src/quotes.service.ts', line: 13 }],
      quote: [{ file: 'src/quotes.service.ts', line: 21 }],
    });
  });

  it('counts a Next.js tag as clearing the registry entry of a tag, as init writes them for use cache', async () => {
    const result = await scan({
      root: project({
        'cache-audit.config.json': JSON.stringify({ registry: 'cache-keys.ts' }),
        'cache-keys.ts': `import { defineCacheRegistry } from '@cache-audit/runtime';
export const cacheKeys = defineCacheRegistry({
  keys: {
    quote: { template: 'quote-{id}', ttl: 900, dependsOn: ['Quote'] },
    quotes: { template: 'quotes', ttl: 3600, dependsOn: ['Quote'] },
  },
});
`,
        'lib/quotes.ts': `import { cacheTag } from 'next/cache';
import { db } from './db';

export async function getQuotes() {
  'use cache';
  cacheTag('quotes');
  return db.quote.findMany();
}

export async function getQuote(id: string) {
  'use cache';
  cacheTag(\`quote-\${id}\`);
  return db.quote.findUnique({ where: { id } });
}
`,
        'lib/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
        'app/actions.ts': `'use server';
import { updateTag } from 'next/cache';
import { db } from '../lib/db';

export async function deleteQuote(id: string) {
  await db.quote.delete({ where: { id } });
  updateTag('quotes');
  updateTag(\`quote-\${id}\`);
}
`,
      }),
    });
    expect(result.matrix.keys).toEqual(['quote', 'quotes']);
    expect(result.matrix.rows.map((row) => `${row.handler} ${row.cells.join(',')}`)).toEqual(['server action deleteQuote tenant,full']);
    expect(result.findings.map((f) => `${f.file}:${String(f.line)} ${f.ruleId}`)).toEqual([]);
  });

  it('counts a tag entry as cleared where every function giving it gives a tag a mutation clears', async () => {
    const result = await scan({
      root: project({
        'cache-audit.config.json': JSON.stringify({ registry: 'cache-keys.ts' }),
        'cache-keys.ts': `import { defineCacheRegistry } from '@cache-audit/runtime';
export const cacheKeys = defineCacheRegistry({
  keys: {
    quote: { template: 'quote-{id}', ttl: 3600, dependsOn: ['Quote'] },
    quotes: { template: 'quotes', ttl: 3600, dependsOn: ['Quote'] },
  },
});
`,
        'lib/quotes.ts': `import { cacheTag } from 'next/cache';
import { db } from './db';

export async function getQuotes() {
  'use cache';
  cacheTag('quotes');
  return db.quote.findMany();
}

export async function getQuote(id: string) {
  'use cache';
  cacheTag('quotes', \`quote-\${id}\`);
  return db.quote.findUnique({ where: { id } });
}
`,
        'lib/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
        'app/actions.ts': `'use server';
import { updateTag } from 'next/cache';
import { db } from '../lib/db';

export async function editQuote(id: string, text: string) {
  await db.quote.update({ where: { id }, data: { text } });
  updateTag('quotes');
}
`,
      }),
    });
    // updateTag('quotes') clears getQuote's entries too: they carry both tags.
    expect(result.findings.map((f) => `${f.file}:${String(f.line)} ${f.ruleId}`)).toEqual([]);
    // And the matrix says so, as stale-key does: the column of `quote` is not one no handler invalidates.
    expect(result.matrix.keys).toEqual(['quote', 'quotes']);
    expect(result.matrix.rows.map((row) => `${row.handler} ${row.cells.join(',')}`)).toEqual(['server action editQuote full,full']);
  });

  it('lists the blind spots as notes and then judges no key stale', async () => {
    const result = await scan({
      root: project({
        ...base,
        'src/ops.ts': `import { getCache } from 'cache-audit/runtime';\nexport async function flush(name: string) {\n  await getCache().deletePattern(patternFor(name));\n}\n`,
      }),
    });
    expect(result.findings.filter((f) => f.ruleId === 'unresolved').map((f) => `${f.file}:${String(f.line)} ${f.message}`)).toEqual([
      'src/ops.ts:3 The pattern `patternFor(name)` of deletePattern() cannot be read statically (`patternFor(name)` cannot be read statically): it is not checked.',
    ]);
    expect(result.findings.filter((f) => f.ruleId === 'stale-key')).toEqual([]);
  });

  it('keeps judging the keys an unreadable pattern does not name', async () => {
    const result = await scan({
      root: project({
        ...base,
        'src/ops.ts': `import { getCache } from 'cache-audit/runtime';\nexport async function flush(name: string) {\n  await getCache().deletePattern(reportPattern(name));\n}\n`,
      }),
    });
    // `reportPattern(name)` may be the reports' keys: only reportsDaily is left unjudged.
    expect(result.findings.filter((f) => f.ruleId === 'stale-key').map((f) => `${f.file}:${String(f.line)} ${f.severity}`)).toEqual([
      'src/keys.ts:5 error',
    ]);
  });
});

describe('patterns from other files', () => {
  it('reads pattern constants imported from another file, through a re-export', async () => {
    const result = await scan({
      root: project({
        ...base,
        'src/patterns.ts': "export const PATTERNS = { quotes: 'qoutes:*' } as const;\nexport const ALL_SETTINGS = 'settings:*';\n",
        'src/index.ts': "export { PATTERNS } from './patterns';\n",
        'src/admin.controller.ts': `import { Controller, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\nimport { PATTERNS } from './index';\nimport { ALL_SETTINGS } from './patterns';\n@Controller('admin')\nexport class AdminController {\n  @Post('reset')\n  @InvalidateCachePattern(PATTERNS.quotes, ALL_SETTINGS)\n  reset() {}\n}\n`,
      }),
    });
    expect(
      result.findings
        .filter((f) => f.file === 'src/admin.controller.ts')
        .map((f) => `${String(f.line)}:${String(f.column)} ${f.ruleId} ${f.message}`),
    ).toEqual(['8:27 pattern-in-registry The pattern `qoutes:*` matches no key of the registry. Did you mean `quotes:*`?']);
    // settings:* is read through the imported constant, so `settings` is invalidated and not stale.
    expect(result.findings.some((f) => f.ruleId === 'stale-key' && f.message.includes('`settings`'))).toBe(false);
  });
});

describe('interceptors registered for the whole application', () => {
  const module = (deletes: string) => ({
    ...base,
    'src/quotes.controller.ts': `import { Controller, Post } from '@nestjs/common';\n@Controller('quotes')\nexport class QuotesController {\n  @Post()\n  create() {}\n}\n`,
    'src/audit.interceptor.ts': `import { Injectable } from '@nestjs/common';\nimport { getCache } from 'cache-audit/runtime';\n@Injectable()\nexport class InvalidateInterceptor {\n  async intercept(context: unknown, next: { handle(): unknown }) {\n    const result = next.handle();\n    await getCache().deletePattern(${deletes});\n    return result;\n  }\n}\n`,
    'src/app.module.ts': `import { Module } from '@nestjs/common';\nimport { APP_INTERCEPTOR } from '@nestjs/core';\nimport { InvalidateInterceptor } from './audit.interceptor';\n@Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: InvalidateInterceptor }] })\nexport class AppModule {}\n`,
  });

  it('count for every mutation when their patterns can be read', async () => {
    const result = await scan({ root: project(module("'quotes:*'")) });
    expect(result.findings.filter((f) => f.file === 'src/quotes.controller.ts')).toEqual([]);
    expect(result.matrix.rows.find((r) => r.handler === 'QuotesController.create')?.cells[0]).toBe('full');
  });

  it('add nothing when they delete what handlers declare', async () => {
    const result = await scan({ root: project(module('(context as { pattern: string }).pattern')) });
    expect(result.findings.filter((f) => f.file === 'src/quotes.controller.ts').map((f) => f.ruleId)).toEqual([
      'require-dependent-invalidation',
    ]);
  });
});

/** The base project, its controller's create() calling `audit` imported from `module`. */
function callingAudit(module: string): Record<string, string> {
  const controller = CONTROLLER.replace('create() {}', 'create() { audit(); }');
  return { ...base, 'src/quotes.controller.ts': `import { audit } from '${module}';\n${controller}` };
}

const BROKEN_AUDIT = 'export function audit() {\n  return [1,\n}\n';

describe('bad input: a diagnostic with its location, and the run goes on', () => {
  it('a syntax error, a file that is not UTF-8, a huge file, a binary file', async () => {
    const dir = project({
      ...base,
      'src/broken.ts': "import Redis from 'ioredis';\nexport const x = {\n  a: 1,\n",
      'src/latin1.ts': Buffer.from([0x2f, 0x2f, 0x20, 0xe9, 0x0a]),
      'src/generated.ts': `export const big = "${'x'.repeat(3 * 1024 * 1024)}";\n`,
      'src/blob.ts': Buffer.from([0x00, 0x01, 0x02]),
    });
    const result = await scan({ root: dir });
    expect(result.diagnostics.map((d) => `${d.file}:${String(d.line)}:${String(d.column)} ${d.message}`)).toEqual([
      'src/blob.ts:1:1 Skipped: a binary file, not source text.',
      "src/broken.ts:4:1 Syntax error: '}' expected; the file is not audited until it parses.",
      'src/generated.ts:1:1 Skipped: 3.0 MB is larger than 2.0 MB (generated code?).',
      'src/latin1.ts:1:1 Skipped: the file is not valid UTF-8; save it as UTF-8.',
    ]);
    // The rest of the project is still audited.
    expect(result.findings.some((f) => f.ruleId === 'stale-key')).toBe(true);
  });

  it('a syntax error is said in the files that are parsed: those that can matter, and those their calls reach', async () => {
    const dir = project({
      ...callingAudit('./audit'),
      'src/audit.ts': BROKEN_AUDIT,
      'src/notes.ts': 'export const notes = {\n  a: 1,\n',
    });
    const result = await scan({ root: dir });
    // notes.ts cannot hold anything the audit looks for and nothing reaches it: it is never parsed.
    expect(result.diagnostics.map((d) => `${d.file}:${String(d.line)}:${String(d.column)} ${d.message}`)).toEqual([
      'src/audit.ts:3:1 Syntax error: Expression or comma expected; the file is not audited until it parses.',
    ]);
    expect(result.filesScanned).toBe(3);
  });

  it('through a barrel, only the modules that can export the name are parsed', async () => {
    const dir = project({
      ...callingAudit('./lib'),
      'src/lib/index.ts': "export * from './dates';\nexport * from './audit';\n",
      // Never parsed: it cannot export `audit`, so its syntax error is not said.
      'src/lib/dates.ts': 'export function today() {\n  return [1,\n}\n',
      'src/lib/audit.ts': BROKEN_AUDIT,
    });
    const result = await scan({ root: dir });
    expect(result.diagnostics.map((d) => d.file)).toEqual(['src/lib/audit.ts']);
  });

  it('a symbolic link loop is not followed; a broken link is said', async () => {
    const dir = project(base);
    symlinkSync(join(dir, 'src'), join(dir, 'src', 'loop'));
    symlinkSync(join(dir, 'src', 'gone.ts'), join(dir, 'src', 'dangling.ts'));
    const result = await scan({ root: dir });
    expect(result.diagnostics.map((d) => `${d.file} ${d.message}`)).toEqual(['src/dangling.ts A broken symbolic link: skipped.']);
    expect(result.filesScanned).toBe(1);
  });

  it('a symbolic link out of the project is not followed, one inside it is read', async () => {
    const outside = project({ 'secret.ts': CONTROLLER.replace("'quotes:*'", "'*'") });
    const dir = project(base);
    symlinkSync(join(outside, 'secret.ts'), join(dir, 'src', 'outside.ts'));
    symlinkSync(join(dir, 'src', 'quotes.controller.ts'), join(dir, 'src', 'again.ts'));
    const listed = walkSources(dir, []).map((file) => relative(dir, file).split(sep).join('/'));
    expect(listed).toEqual(['src/again.ts', 'src/keys.ts', 'src/quotes.controller.ts']);
    const result = await scan({ root: dir });
    expect(result.diagnostics.map((d) => `${d.file} ${d.message}`)).toEqual([
      'src/outside.ts A symbolic link out of the project: not followed.',
    ]);
    expect(result.findings.filter((f) => f.file === 'src/outside.ts')).toEqual([]);
  });

  it('honours .gitignore files without a tsconfig, at the root and below', () => {
    const dir = project({
      ...base,
      '.gitignore': 'generated/\n*.gen.ts\n',
      'src/generated/client.ts': 'export const x = 1;\n',
      'src/api.gen.ts': 'export const y = 1;\n',
      'src/legacy/.gitignore': 'old.ts\n',
      'src/legacy/old.ts': 'export const z = 1;\n',
      'src/legacy/kept.ts': 'export const w = 1;\n',
    });
    const listed = walkSources(dir, []).map((file) => relative(dir, file).split(sep).join('/'));
    expect(listed).toContain('src/legacy/kept.ts');
    expect(listed).not.toContain('src/generated/client.ts');
    expect(listed).not.toContain('src/api.gen.ts');
    expect(listed).not.toContain('src/legacy/old.ts');
  });

  it('a broken tsconfig, and a missing one given with --tsconfig', async () => {
    const dir = project({ ...base, 'tsconfig.json': '{ "extends": "./missing-base.json", "include": ["src"] }' });
    const result = await scan({ root: dir });
    expect(result.diagnostics).toEqual([
      { file: 'tsconfig.json', line: 1, column: 1, message: `tsconfig: Cannot read file '${join(dir, 'missing-base.json')}'.` },
    ]);
    expect(result.filesScanned).toBe(1);
    const garbled = await scan({ root: project({ ...base, 'tsconfig.json': '{ "include": ["src"], "compilerOptions": { "strict": tru' }) });
    expect(garbled.diagnostics[0]).toMatchObject({ file: 'tsconfig.json', line: 1 });
    expect(garbled.diagnostics[0]?.message).toMatch(/^tsconfig: /);
    expect(garbled.filesScanned).toBe(1);
    // A missing --tsconfig stops the scan: a run that read nothing must not pass.
    await expect(scan({ root: project(base), tsconfig: 'nope/tsconfig.json' })).rejects.toThrow(
      /the tsconfig nope\/tsconfig\.json does not exist/,
    );
  });

  it('a broken registry', async () => {
    const result = await scan({ root: project({ ...base, 'src/keys.ts': "export default { keys: { a: { template: 'a:{x' } } };\n" }) });
    expect(result.diagnostics).toEqual([
      {
        file: 'src/keys.ts',
        line: 1,
        column: 41,
        message: 'Malformed template `a:{x` of `a`: A `{` without `}`: write parameters as `{name}`.',
      },
    ]);
  });
});

describe('baseline, changed files, staged content, init', () => {
  it('a baseline leaves out known findings, and survives moved lines', async () => {
    const dir = project(base);
    const baseline = join(dir, '.cache-audit-baseline.json');
    expect((await run([dir, '--update-baseline', '--baseline', baseline])).code).toBe(0);
    expect((JSON.parse(readFileSync(baseline, 'utf8')) as { fingerprints: string[] }).fingerprints).toHaveLength(3);
    // Lines move: the same findings stay known.
    writeFileSync(join(dir, 'src/keys.ts'), `// a comment that moves every line\n\n${REGISTRY}`);
    const after = await run([dir, '--baseline', baseline, '--format', 'json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout) as { findings: unknown[]; baselined: number }).toMatchObject({ findings: [], baselined: 3 });
    // A baseline of another format version is refused, not read as if it matched.
    const recorded = JSON.parse(readFileSync(baseline, 'utf8')) as { version: number; fingerprints: string[] };
    writeFileSync(baseline, JSON.stringify({ ...recorded, version: 2 }));
    const other = await run([dir, '--baseline', baseline]);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(
      `cache-audit: The baseline ${baseline} has version 2, this cache-audit reads version 1: recreate it with --update-baseline.\n`,
    );
  });

  it('--staged audits the staged content of staged files, the project as context', async () => {
    const dir = project(base);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', ...args], { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    // The working tree is fixed, but the staged version forgets to invalidate.
    writeFileSync(join(dir, 'src/quotes.controller.ts'), CONTROLLER.replace("  @InvalidateCachePattern('quotes:*')\n", ''));
    git('add', 'src/quotes.controller.ts');
    writeFileSync(join(dir, 'src/quotes.controller.ts'), CONTROLLER);
    // The family the staged handler leaves stale lives 60 s: a warning, which this gate fails on.
    const staged = await run([dir, '--staged', '--format', 'json', '--max-severity', 'warning']);
    const findings = (JSON.parse(staged.stdout) as { findings: { file: string; ruleId: string }[] }).findings;
    expect(findings.map((f) => `${f.file} ${f.ruleId}`)).toEqual(['src/quotes.controller.ts require-dependent-invalidation']);
    expect(staged.code).toBe(1);
    // The working tree equals HEAD: nothing changed since, so nothing is reported.
    const changed = await run([dir, '--changed-since', 'HEAD', '--format', 'json']);
    expect((JSON.parse(changed.stdout) as { findings: unknown[] }).findings).toEqual([]);
    expect(changed.stderr).toBe('cache-audit: no files changed since HEAD.\n');
    writeFileSync(join(dir, 'src/quotes.controller.ts'), CONTROLLER.replace("'quotes:*'", "'qoutes:*'"));
    const edited = await run([dir, '--changed-since', 'HEAD', '--format', 'json']);
    expect((JSON.parse(edited.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId)).toEqual([
      'pattern-in-registry',
      'require-dependent-invalidation',
    ]);
  });

  it('--changed-since takes a revision only: an option in its place makes git write nothing', async () => {
    const dir = project(base);
    execFileSync('git', ['-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', 'init', '-q'], { cwd: dir });
    execFileSync('git', ['add', '.'], { cwd: dir });
    execFileSync('git', ['-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', 'commit', '-qm', 'base'], { cwd: dir });
    const written = join(dir, 'written-by-git.txt');
    for (const args of [[`--changed-since=--output=${written}`], ['--changed-since', `--output=${written}`]]) {
      const result = await run([dir, ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`cache-audit: --changed-since takes a git revision, not "--output=${written}".\n`);
      expect(existsSync(written)).toBe(false);
    }
    // A revision git does not know is git's error, and still exit 2.
    const unknown = await run([dir, '--changed-since', 'no-such-revision']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^cache-audit: git diff .* failed: .*no-such-revision/);
  });

  it('init writes a configuration and a registry of the families the code reads, never of patterns it only deletes', async () => {
    const dir = project({
      'src/a.ts': `import { Controller, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n@Controller('q')\nexport class A {\n  @Post()\n  @InvalidateCachePattern('quotes:list:{tenantId}:*', 'dashboard:kpis:*')\n  create() {}\n}\n`,
    });
    const result = await run(['init', dir]);
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'cache-audit.config.json'), 'utf8'))).toMatchObject({ registry: 'src/cache/keys.ts' });
    const registry = readFileSync(join(dir, 'src/cache/keys.ts'), 'utf8');
    expect(registry).toContain('keys: {\n    // No cached read found in the code: add the keys the application caches.\n  },');
    expect(registry).not.toMatch(/quotes|dashboard/);
    expect((await run(['init', dir])).code).toBe(2);
    // What init writes, the audit reads.
    expect((await run([dir, '--format', 'json'])).code).toBeLessThan(2);
  });
});
