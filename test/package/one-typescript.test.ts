import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs an ES module script in a fresh Node process from the package root; parses its JSON output. */
function runModule(script: string): unknown {
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }));
}

const LOADED = `Object.keys(createRequire(import.meta.url).cache)`;

describe('one TypeScript per process', () => {
  it('audits with the typescript package alone, loaded once', () => {
    const result = runModule(`import { createRequire } from 'node:module';
import { main } from './dist/esm/src/cli/main.js';
const io = { stdout: { write() {} }, stderr: { write() {} }, cwd: process.cwd(), env: {} };
const code = await main(['fixtures/quotes-app-defects', '--format', 'json'], io);
console.log(JSON.stringify({ code, copies: ${LOADED}.filter((f) => /[\\\\/](typescript[\\\\/]lib[\\\\/]typescript|ts-morph)/.test(f)) }));`);
    expect(result).toEqual({ code: 1, copies: [join(root, 'node_modules/typescript/lib/typescript.js')] });
  });

  it('loads typescript with require: no built ES module imports it', () => {
    const importers: string[] = [];
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (/\.js$/.test(entry.name) && /\bfrom ['"](typescript|ts-morph)['"]/.test(readFileSync(path, 'utf8'))) importers.push(path);
      }
    };
    visit(join(root, 'dist/esm'));
    expect(importers).toEqual([]);
    expect(readFileSync(join(root, 'dist/esm/src/ts/require-package.cjs'), 'utf8')).toContain('require(name)');
  });

  it('says in one line what to do when typescript cannot be found (exit 2)', () => {
    // An installation of the built package whose dependencies are all there but typescript.
    const install = mkdtempSync(join(tmpdir(), 'cache-audit-no-ts-'));
    try {
      const pkg = join(install, 'node_modules/cache-audit');
      for (const part of ['dist', 'bin', 'package.json']) cpSync(join(root, part), join(pkg, part), { recursive: true });
      for (const entry of readdirSync(join(root, 'node_modules'))) {
        if (entry === 'typescript' || entry.startsWith('.')) continue;
        const target = entry === '@cache-audit' ? null : join(root, 'node_modules', entry);
        if (target) symlinkSync(target, join(install, 'node_modules', entry));
      }
      mkdirSync(join(install, 'node_modules/@cache-audit'));
      symlinkSync(join(root, 'packages/runtime'), join(install, 'node_modules/@cache-audit/runtime'));
      const result = spawnSync(process.execPath, [join(pkg, 'bin/cache-audit.js'), join(root, 'fixtures/quotes-app')], {
        cwd: install,
        encoding: 'utf8',
      });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'cache-audit: the typescript package (a peer dependency) cannot be found: install it with `npm install --save-dev typescript`.\n',
      );
    } finally {
      rmSync(install, { recursive: true, force: true });
    }
  });
});

describe('loading the ESLint plugin', () => {
  // TypeScript comes with the parser, when a rule first needs it; ESLint's own lib (what the root of
  // @typescript-eslint/utils loads) never.
  const HEAVY = /node_modules[\\/](typescript|eslint|ts-morph)[\\/]|@typescript-eslint[\\/]utils[\\/]dist[\\/](index|ts-eslint)/;

  it('loads neither TypeScript nor ESLint, as an ES module', () => {
    const result = runModule(`import { createRequire } from 'node:module';
import plugin from 'cache-audit/eslint';
console.log(JSON.stringify({ rules: Object.keys(plugin.rules).length, heavy: ${LOADED}.filter((f) => ${String(HEAVY)}.test(f)) }));`);
    expect(result).toEqual({ rules: RULES.length, heavy: [] });
  });

  it('loads neither TypeScript nor ESLint, with require', () => {
    const output = execFileSync(
      process.execPath,
      [
        '-e',
        `const plugin = require('cache-audit/eslint');
console.log(JSON.stringify({ rules: Object.keys(plugin.rules).length, heavy: Object.keys(require.cache).filter((f) => ${String(HEAVY)}.test(f)) }));`,
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(JSON.parse(output)).toEqual({ rules: RULES.length, heavy: [] });
  });
  it("with --cache, keeps V8's compiled TypeScript beside the cache: the next process loads it, one copy, the same result", () => {
    const location = mkdtempSync(join(tmpdir(), 'cache-audit-code-cache-'));
    try {
      // Each run audits a new project (a file added), so that the result is computed, not read from the cache.
      const project = join(location, 'app');
      cpSync(join(root, 'fixtures/quotes-app-defects'), project, { recursive: true });
      cpSync(join(root, 'fixtures/tsconfig.fixtures.json'), join(location, 'tsconfig.fixtures.json'));
      const audit = (round: number, cacheLocation = `${location}/caches/`): unknown => {
        writeFileSync(join(project, `src/round-${String(round)}.ts`), `export const round = ${String(round)};\n`);
        return runModule(`import { createRequire } from 'node:module';
import { main } from './dist/esm/src/cli/main.js';
let stdout = '', stderr = '';
const io = { stdout: { write(t) { stdout += t; } }, stderr: { write(t) { stderr += t; } }, cwd: process.cwd(), env: {} };
const code = await main([${JSON.stringify(project)}, '--cache', '--cache-location', ${JSON.stringify(cacheLocation)}, '--format', 'json'], io);
const { durationMs, ...result } = JSON.parse(stdout);
console.log(JSON.stringify({ code, stderr, findings: result.findings.length, copies: ${LOADED}.filter((f) => /[\\\\/]typescript[\\\\/]lib[\\\\/]typescript/.test(f)).length }));`);
      };
      const first = audit(1);
      const kept = readdirSync(join(location, 'caches')).filter((f) => f.endsWith('.v8'));
      expect(kept).toHaveLength(1);
      const written = statSync(join(location, 'caches', kept[0] ?? '')).mtimeMs;
      const second = audit(2);
      expect(second).toEqual(first);
      expect(first).toMatchObject({ code: 1, stderr: '', copies: 1 });
      // Loaded, not written again.
      expect(statSync(join(location, 'caches', kept[0] ?? '')).mtimeMs).toBe(written);
      // Code V8 refuses (another build of Node, a damaged file) is compiled again and replaced.
      writeFileSync(join(location, 'caches', kept[0] ?? ''), 'not code');
      expect(audit(3)).toEqual(first);
      expect(readFileSync(join(location, 'caches', kept[0] ?? '')).length).toBeGreaterThan(1000);
      // Code the tool did not write is never run, even code V8 would take: it is compiled again and replaced.
      const typescriptFile = join(root, 'node_modules/typescript/lib/typescript.js');
      const planted = new Script(
        `(function (exports, require, module, __filename, __dirname) {${readFileSync(typescriptFile, 'utf8')}\n})`,
        {
          filename: typescriptFile,
        },
      ).createCachedData();
      writeFileSync(join(location, 'caches', kept[0] ?? ''), planted);
      expect(audit(5)).toEqual(first);
      const rewritten = readFileSync(join(location, 'caches', kept[0] ?? ''));
      expect(rewritten.equals(planted)).toBe(false);
      expect(rewritten.subarray(32).length).toBeGreaterThan(1000);
      // A --cache-location that names a file (at the project's root, say) gets no compiled code beside it.
      mkdirSync(join(location, 'named'));
      expect(audit(4, join(location, 'named', 'audit-cache.json'))).toEqual(first);
      const named = readdirSync(join(location, 'named'));
      expect(named).toContain('audit-cache.json');
      expect(named.filter((f) => f.endsWith('.v8'))).toEqual([]);
    } finally {
      rmSync(location, { recursive: true, force: true });
    }
  });
});
