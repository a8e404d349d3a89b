import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plantedApp } from '../support/planted-app.js';

/**
 * Every package of the repository packed as npm would publish it, and installed from the tarballs
 * into a fresh project outside the workspace (no links back to it): what a user gets from
 * `npm i -D cache-audit` and `npm i @cache-audit/runtime`. The peers are the versions this
 * repository develops with, so that the install is served from the npm cache.
 */
const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'cache-audit-install-'));
const app = join(work, 'app');
/** A NestJS app compiled to CommonJS, caching with @nestjs/cache-manager, its controller and service in separate files. */
const nest = join(work, 'nest');
const NEST_FIXTURE = join(root, 'fixtures/nest-cache-manager-app');
const NEST_FILES = ['package.json', 'tsconfig.json', 'src/prisma.ts', 'src/quotes/quotes.controller.ts', 'src/quotes/quotes.service.ts'];
/**
 * An Express app in CommonJS TypeScript: an ioredis client exported with `module.exports`, a router
 * that caches the list and each quote by id, and a PUT that forgets the quote's own entry.
 */
const express = join(work, 'express');
const EXPRESS_FILES: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'quotes-express', version: '1.0.0', private: true })}\n`,
  'tsconfig.json': `${JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true, moduleDetection: 'force', outDir: 'dist' }, include: ['src'] })}\n`,
  'src/redis.ts': `const Redis = require('ioredis');\n\nconst redis = new Redis(process.env.REDIS_URL);\n\nmodule.exports = redis;\n`,
  'src/db.ts': `const { Pool } = require('pg');\n\nmodule.exports = new Pool({ connectionString: process.env.DATABASE_URL });\n`,
  'src/routes/quotes.ts': `const express = require('express');
const redis = require('../redis');
const pool = require('../db');

const router = express.Router();

router.get('/', async (req: any, res: any) => {
  const cached = await redis.get('quotes:all');
  if (cached) return res.json(JSON.parse(cached));
  const { rows } = await pool.query('SELECT id, author, text FROM quotes ORDER BY id');
  await redis.set('quotes:all', JSON.stringify(rows), 'EX', 60);
  res.json(rows);
});

router.get('/:id', async (req: any, res: any) => {
  const cached = await redis.get(\`quote:\${req.params.id}\`);
  if (cached) return res.json(JSON.parse(cached));
  const { rows } = await pool.query('SELECT id, author, text FROM quotes WHERE id = $1', [req.params.id]);
  await redis.set(\`quote:\${req.params.id}\`, JSON.stringify(rows[0]), 'EX', 60);
  res.json(rows[0]);
});

router.post('/', async (req: any, res: any) => {
  const { rows } = await pool.query('INSERT INTO quotes (author, text) VALUES ($1, $2) RETURNING *', [req.body.author, req.body.text]);
  await redis.del('quotes:all');
  res.status(201).json(rows[0]);
});

router.put('/:id', async (req: any, res: any) => {
  const { rows } = await pool.query('UPDATE quotes SET text = $1 WHERE id = $2 RETURNING *', [req.body.text, req.params.id]);
  await redis.del('quotes:all');
  res.json(rows[0]);
});

router.delete('/:id', async (req: any, res: any) => {
  await pool.query('DELETE FROM quotes WHERE id = $1', [req.params.id]);
  await redis.del('quotes:all', \`quote:\${req.params.id}\`);
  res.sendStatus(204);
});

module.exports = router;
`,
  'src/server.ts': `const express = require('express');\nconst quotesRouter = require('./routes/quotes');\n\nconst app = express();\napp.use('/quotes', quotesRouter);\napp.listen(3000);\n`,
};

/** The README's ESLint setup, untyped. */
const README_CONFIG = `import tsParser from '@typescript-eslint/parser';
import cacheAudit from 'cache-audit/eslint';

export default [
  { files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tsParser } },
  cacheAudit.configs.recommended,
];
`;

const APP_FILES: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'quotes-api', version: '1.0.0', private: true })}\n`,
  ...plantedApp(),
  'eslint.config.mjs': `import tsParser from '@typescript-eslint/parser';
import cacheAudit from 'cache-audit/eslint';

export default [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, cacheAudit.configs.recommended];
`,
  'eslint.config.cjs': `const tsParser = require('@typescript-eslint/parser');
const cacheAudit = require('cache-audit/eslint');

module.exports = [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, cacheAudit.configs.recommended];
`,
};

/** The planted bug, as both front ends name it. */
/** The planted bug's finding: its first line, and the line below it that proves it. */
const FINDING = /POST \/quotes leaves a cached family stale: `quotes:list`\.[\s\S]*`quotes:list` holds Quote \(a list, count or aggregate/;

function versionOf(name: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

function pack(dir: string): string {
  // No prepack: the build is there already (npm test builds first), and the tarball is made from it.
  const name = execFileSync('npm', ['pack', '--pack-destination', work, '--ignore-scripts', '--silent'], { cwd: dir, encoding: 'utf8' })
    .trim()
    .split('\n')
    .at(-1);
  if (!name) throw new Error(`npm pack in ${dir} named no tarball`);
  return join(work, name);
}

function run(command: string, args: string[], cwd = app): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const bin = (name: string): string => join(app, 'node_modules/.bin', name);

beforeAll(() => {
  for (const entry of ['dist/esm/src/index.js', 'dist/cjs/src/index.js', 'packages/runtime/dist/esm/runtime/index.js']) {
    if (!existsSync(join(root, entry))) throw new Error(`${entry} is missing: run npm run build first.`);
  }
  const tarballs = [pack(root), pack(join(root, 'packages/runtime'))];
  for (const [path, text] of Object.entries(APP_FILES)) {
    mkdirSync(dirname(join(app, path)), { recursive: true });
    writeFileSync(join(app, path), text);
  }
  const peers = ['eslint', '@typescript-eslint/parser', 'typescript'].map((name) => `${name}@${versionOf(name)}`);
  execFileSync('npm', ['install', ...tarballs, ...peers, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: app,
    stdio: 'pipe',
  });
  // The NestJS app is a project of its own beside it, with the same installed packages.
  for (const path of NEST_FILES) {
    mkdirSync(dirname(join(nest, path)), { recursive: true });
    writeFileSync(join(nest, path), readFileSync(join(NEST_FIXTURE, path), 'utf8').replace('"extends": "../tsconfig.fixtures.json",', ''));
  }
  writeFileSync(join(nest, 'eslint.config.mjs'), README_CONFIG);
  symlinkSync(join(app, 'node_modules'), join(nest, 'node_modules'), 'dir');
  for (const [path, text] of Object.entries({ ...EXPRESS_FILES, 'eslint.config.mjs': README_CONFIG })) {
    mkdirSync(dirname(join(express, path)), { recursive: true });
    writeFileSync(join(express, path), text);
  }
  symlinkSync(join(app, 'node_modules'), join(express, 'node_modules'), 'dir');
}, 110_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the packed packages, installed into a fresh project', () => {
  it('are real copies, not links into the workspace', () => {
    const installed = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(installed.dependencies['cache-audit']).toMatch(/^file:.*\.tgz$/);
    expect(installed.dependencies['@cache-audit/runtime']).toMatch(/^file:.*\.tgz$/);
    const lock = readFileSync(join(app, 'package-lock.json'), 'utf8');
    expect(lock).not.toContain('"link": true');
    expect(lock).not.toContain(root);
  });

  it('the CLI finds the planted bug and exits 1', () => {
    const result = run(bin('cache-audit'), ['--no-color']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(FINDING);
    expect(result.stdout).toContain('src/app.ts\n  16:5  error  ');
    expect(result.stdout).toContain('require-dependent-invalidation');
  });

  it.each(['eslint.config.mjs', 'eslint.config.cjs'])('ESLint with %s reports the same finding at the same severity', (config) => {
    const result = run(bin('eslint'), ['--config', config, '--format', 'json', 'src']);
    expect(result.status).toBe(1);
    const files = JSON.parse(result.stdout) as {
      filePath: string;
      messages: { ruleId: string; line: number; severity: number; message: string }[];
    }[];
    const messages = files.flatMap((f) => f.messages.map((m) => ({ file: f.filePath.slice(app.length + 1), ...m })));
    expect(messages.map((m) => `${m.file}:${String(m.line)} ${m.ruleId} ${String(m.severity)}`)).toEqual([
      'src/app.ts:16 cache-audit/require-dependent-invalidation 2',
    ]);
    expect(messages[0]?.message).toMatch(FINDING);
  });

  it('on a NestJS CommonJS app with cache-manager, ESLint (untyped, as the README sets it up) and the CLI report the service’s forgotten invalidation alike', () => {
    const cli = run(bin('cache-audit'), ['--no-color', '--format', 'json'], nest);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(1);
    const found = (
      JSON.parse(cli.stdout) as { findings: { file: string; line: number; ruleId: string; severity: string; message: string }[] }
    ).findings;
    const eslint = run(bin('eslint'), ['--format', 'json', 'src'], nest);
    expect(eslint.status).toBe(1);
    const linted = (
      JSON.parse(eslint.stdout) as { filePath: string; messages: { ruleId: string; line: number; severity: number; message: string }[] }[]
    ).flatMap((f) => f.messages.map((m) => ({ file: f.filePath.slice(nest.length + 1), ...m })));
    const expected = ['src/quotes/quotes.controller.ts:19 require-dependent-invalidation error'];
    expect(found.map((f) => `${f.file}:${String(f.line)} ${f.ruleId} ${f.severity}`)).toEqual(expected);
    expect(
      linted.map((m) => `${m.file}:${String(m.line)} ${m.ruleId.replace('cache-audit/', '')} ${m.severity === 2 ? 'error' : 'warning'}`),
    ).toEqual(expected);
    expect(found[0]?.message).toBe('QuotesController.update leaves a cached family stale: `quotes:list`.');
    expect(linted[0]?.message.split('\n')[0]).toBe(found[0]?.message);
  });

  it('on an Express CommonJS app, ESLint and the CLI report the forgotten entry by id alike, before and after init', () => {
    const both = (): { cli: string[]; eslint: string[] } => {
      const cli = run(bin('cache-audit'), ['--no-color', '--format', 'json'], express);
      expect(cli.stderr).toBe('');
      const eslint = run(bin('eslint'), ['--format', 'json', 'src'], express);
      const found = (
        JSON.parse(cli.stdout) as { findings: { file: string; line: number; ruleId: string; severity: string; message: string }[] }
      ).findings;
      const linted = (
        JSON.parse(eslint.stdout) as { filePath: string; messages: { ruleId: string; line: number; severity: number; message: string }[] }[]
      ).flatMap((f) => f.messages.map((m) => ({ file: f.filePath.slice(express.length + 1), ...m })));
      return {
        cli: found.map((f) => `${String(cli.status)} ${f.file}:${String(f.line)} ${f.ruleId} ${f.severity} ${f.message}`),
        eslint: linted.map(
          (m) =>
            `${String(eslint.status)} ${m.file}:${String(m.line)} ${m.ruleId.replace('cache-audit/', '')} ${m.severity === 2 ? 'error' : 'warning'} ${m.message.split('\n')[0] ?? ''}`,
        ),
      };
    };
    const before = both();
    expect(before.cli).toEqual([
      '1 src/routes/quotes.ts:29 require-dependent-invalidation error PUT /quotes/:id leaves a cached family stale: `quote:{id}`.',
    ]);
    expect(before.eslint).toEqual(before.cli);
    expect(run(bin('cache-audit'), ['init'], express).status).toBe(0);
    // With the registry init writes, the create beside the entry per id is no more stale than before.
    const after = both();
    expect(after.cli).toEqual([
      '1 src/routes/quotes.ts:29 require-dependent-invalidation error PUT /quotes/:id leaves a cached family stale: `quote`.',
    ]);
    expect(after.eslint).toEqual(after.cli);
  });

  it('the runtime loads from ESM and CommonJS: a registry and the in-memory store', () => {
    const script = `const registry = runtime.defineCacheRegistry({ keys: { q: { template: 'quotes:{tenantId}', ttl: 60 } } });
      const cache = runtime.createCache({ registry, store: new runtime.MemoryStore(), global: false });
      cache.getOrSet('q', { tenantId: 't' }, () => 41 + 1).then((v) => console.log(v, registry.pattern('q', { tenantId: 'a*' })));`;
    const esm = run(process.execPath, ['--input-type=module', '-e', `import * as runtime from '@cache-audit/runtime'; ${script}`]);
    const cjs = run(process.execPath, ['-e', `const runtime = require('@cache-audit/runtime'); ${script}`]);
    expect([esm.stdout.trim(), esm.stderr]).toEqual(['42 quotes:a\\*', '']);
    expect([cjs.stdout.trim(), cjs.stderr]).toEqual(['42 quotes:a\\*', '']);
  });

  it('init writes a registry that imports the runtime package, and the next run reads it', () => {
    const init = run(bin('cache-audit'), ['init']);
    expect(init.status).toBe(0);
    const registry = readFileSync(join(app, 'src/cache/keys.ts'), 'utf8');
    expect(registry).toContain("import { defineCacheRegistry } from '@cache-audit/runtime';");
    expect(registry).toContain("template: 'quotes:list'");
    const next = run(bin('cache-audit'), ['--no-color', '--format', 'json']);
    const result = JSON.parse(next.stdout) as { configuration: string | null; diagnostics: unknown[] };
    expect(next.stderr).toBe('');
    expect(result.configuration).toBe('cache-audit.config.json');
    expect(result.diagnostics).toEqual([]);
  });
});
