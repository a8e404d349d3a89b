import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.js';
import { VERSION } from '../../src/version.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  exports: Record<string, unknown>;
};

/** Runs a script in a fresh Node process from the package root, so `cache-audit/…` resolves to dist. */
function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

const FORBIDDEN =
  /node_modules[\\/](typescript|eslint|@typescript-eslint|ts-morph|@ts-morph|zod)[\\/]|[\\/]dist[\\/]\w+[\\/](src[\\/])?(analysis|scanner|cli|report|config|eslint)[\\/]|[\\/]rules[\\/]|[\\/]registry[\\/]load\.js$/;

describe('package entries', () => {
  it('is built (npm test builds first; run `npm run build` before vitest alone)', () => {
    expect(existsSync(join(root, 'dist/esm/src/runtime.js'))).toBe(true);
    expect(existsSync(join(root, 'dist/cjs/src/runtime.js'))).toBe(true);
    expect(existsSync(join(root, 'packages/runtime/dist/esm/runtime/index.js'))).toBe(true);
    expect(existsSync(join(root, 'packages/runtime/dist/cjs/runtime/index.js'))).toBe(true);
  });

  it('keeps the version constant equal to package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('loads cache-audit/runtime with require and loads nothing heavy', () => {
    const output = node([
      '-e',
      `const runtime = require('cache-audit/runtime');
       const registry = runtime.defineCacheRegistry({ keys: { q: { template: 'quotes:list:{tenantId}' } } });
       console.log(JSON.stringify({ key: registry.key('q', { tenantId: 't' }), loaded: Object.keys(require.cache) }));`,
    ]);
    const { key, loaded } = JSON.parse(output) as { key: string; loaded: string[] };
    expect(key).toBe('quotes:list:t');
    expect(loaded.some((file) => file.includes(`packages/runtime/dist/cjs/runtime`))).toBe(true);
    expect(loaded.filter((file) => FORBIDDEN.test(file))).toEqual([]);
  });

  it('loads cache-audit/runtime with import, and its module graph holds nothing heavy', () => {
    const output = node([
      '--input-type=module',
      '-e',
      `import { defineCacheRegistry, matches } from 'cache-audit/runtime';
       const registry = defineCacheRegistry({ keys: { q: { template: 'quotes:list:{tenantId}' } } });
       console.log(matches(registry.pattern('q'), 'quotes:list:t'));`,
    ]);
    expect(output.trim()).toBe('true');
    // The static import graph of the ES module entry: the runtime package, its relative files and
    // node: built-ins only.
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
        const specifier = match[1] ?? '';
        const isAllowed = specifier.startsWith('.') || specifier.startsWith('node:') || specifier === '@cache-audit/runtime';
        expect(isAllowed, `${file} imports ${specifier}`).toBe(true);
        if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
        if (specifier === '@cache-audit/runtime') visit(join(root, 'packages/runtime/dist/esm/runtime/index.js'));
      }
    };
    visit(join(root, 'dist/esm/src/runtime.js'));
    expect([...seen].filter((file) => FORBIDDEN.test(file))).toEqual([]);
    expect(seen.size).toBeGreaterThan(3);
  });

  it('loads the main entry both ways', () => {
    expect(node(['-e', `console.log(require('cache-audit').covers('quotes:*', 'quotes:list:{t}'))`]).trim()).toBe('true');
    expect(node(['--input-type=module', '-e', `import { isBroad } from 'cache-audit'; console.log(isBroad('*'))`]).trim()).toBe('true');
  });

  it('loads the ESLint plugin both ways, with its rules and configs', () => {
    const script = `console.log(JSON.stringify([Object.keys(plugin.rules).length, Object.keys(plugin.configs.recommended.rules).length, plugin.meta.name]))`;
    const cjs = node(['-e', `const plugin = require('cache-audit/eslint'); ${script}`]);
    expect(node(['-e', `const p = require('cache-audit/eslint'); console.log(p.default === p, Object.keys(p).join())`]).trim()).toBe(
      'true meta,rules,configs',
    );
    const esm = node(['--input-type=module', '-e', `import plugin from 'cache-audit/eslint'; ${script}`]);
    const counts = [RULES.length, RULES.filter((rule) => rule.meta.recommended).length, 'cache-audit'];
    expect(JSON.parse(cjs)).toEqual(counts);
    expect(JSON.parse(esm)).toEqual(counts);
  });

  it('exports types first for every entry, CommonJS types to require', () => {
    for (const [entry, target] of Object.entries(pkg.exports)) {
      if (typeof target !== 'object' || target === null) continue;
      for (const [condition, files] of Object.entries(target as Record<string, Record<string, string>>)) {
        expect(Object.keys(files)[0], `${entry} ${condition}`).toBe('types');
        expect(files['types'], `${entry} ${condition}`).toContain(condition === 'require' ? 'dist/cjs/' : 'dist/esm/');
      }
    }
  });

  it('lints with a CommonJS ESLint configuration that requires the plugin and the parser', () => {
    const app = join(root, 'test/artifacts/commonjs-app');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(
      join(app, 'eslint.config.cjs'),
      `const cacheAudit = require('cache-audit/eslint');
const tsParser = require('@typescript-eslint/parser');

module.exports = [
  { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
  cacheAudit.configs.recommended,
];
`,
    );
    writeFileSync(
      join(app, 'src/quotes.controller.ts'),
      `import { Controller, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n\n@Controller('quotes')\nexport class QuotesController {\n  @Post()\n  @InvalidateCachePattern('*')\n  create() {}\n}\n`,
    );
    const result = spawnSync(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', 'src'], {
      cwd: app,
      encoding: 'utf8',
    });
    const [file] = JSON.parse(result.stdout) as { messages: { ruleId: string; line: number }[] }[];
    expect(file?.messages.map((m) => `${String(m.line)} ${m.ruleId}`)).toEqual(['7 cache-audit/no-broad-pattern']);
  });

  it('has types that resolve for CommonJS, ES modules and node10 alike (@arethetypeswrong/cli on the packed tarball)', () => {
    const out = mkdtempSync(join(tmpdir(), 'cache-audit-pack-'));
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: root, encoding: 'utf8' }),
    ) as { filename: string }[];
    const attw = spawnSync(
      process.execPath,
      [join(root, 'node_modules/@arethetypeswrong/cli/dist/index.js'), join(out, packed?.filename ?? ''), '--format', 'json'],
      { cwd: root, encoding: 'utf8' },
    );
    const report = JSON.parse(attw.stdout) as { analysis: { problems: unknown[]; entrypoints: Record<string, unknown> } };
    expect(report.analysis.problems).toEqual([]);
    expect(Object.keys(report.analysis.entrypoints)).toEqual(expect.arrayContaining(['.', './eslint', './runtime']));
    expect(attw.status).toBe(0);
  });
});
