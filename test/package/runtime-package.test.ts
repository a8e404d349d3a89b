import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The runtime is its own package, `@cache-audit/runtime`, with no dependencies. These tests pack
 * it as npm would publish it (npm test builds first) and look at it from an application's side.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const runtimeDir = join(root, 'packages/runtime');
const attw = join(root, 'node_modules/.bin/attw');
const app = mkdtempSync(join(tmpdir(), 'cache-audit-app-'));

afterAll(() => {
  rmSync(app, { recursive: true, force: true });
});

interface AttwReport {
  readonly analysis: { readonly problems: readonly unknown[]; readonly entrypoints: Record<string, unknown> };
}

function typesReport(dir: string, excluded: readonly string[] = []): AttwReport {
  const args = ['--pack', dir, '--format', 'json', ...(excluded.length > 0 ? ['--exclude-entrypoints', ...excluded] : [])];
  // attw exits 1 when it finds a problem; the report says which. Its `npm pack` runs no prepack:
  // the build is there already (npm test builds first), and building again took most of a minute.
  const env = { ...process.env, npm_config_ignore_scripts: 'true' };
  try {
    return JSON.parse(execFileSync(attw, args, { cwd: root, encoding: 'utf8', env })) as AttwReport;
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? '';
    if (output.startsWith('{')) return JSON.parse(output) as AttwReport;
    throw error;
  }
}

describe('@cache-audit/runtime as a package', () => {
  it('has types that resolve for require and import under node10, node16 and bundler (arethetypeswrong)', () => {
    const report = typesReport(runtimeDir);
    expect(Object.keys(report.analysis.entrypoints)).toEqual(['.', './patterns', './registry', './package.json']);
    expect(report.analysis.problems).toEqual([]);
  });

  it('keeps cache-audit itself, and its cache-audit/runtime re-export, as sound', () => {
    // The JSON schemas are data files for editors, not modules with types.
    const report = typesReport(root, ['registry.schema.json', 'config.schema.json', 'result.schema.json']);
    expect(Object.keys(report.analysis.entrypoints)).toEqual(['.', './eslint', './runtime', './package.json']);
    expect(report.analysis.problems).toEqual([]);
  });

  it('installs alone into an application: nothing else comes with it, and it loads both ways', () => {
    const tarball =
      execFileSync('npm', ['pack', '--pack-destination', app, '--silent'], { cwd: runtimeDir, encoding: 'utf8' })
        .trim()
        .split('\n')
        .at(-1) ?? '';
    writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'app', version: '1.0.0', private: true })}\n`);
    execFileSync('npm', ['install', join(app, tarball), '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: app,
      stdio: 'pipe',
    });
    expect(readdirSync(join(app, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['@cache-audit']);
    expect(readdirSync(join(app, 'node_modules/@cache-audit'))).toEqual(['runtime']);
    const tree = JSON.parse(execFileSync('npm', ['ls', '--all', '--json'], { cwd: app, encoding: 'utf8' })) as {
      dependencies: Record<string, { version: string; dependencies?: Record<string, { version?: string }> }>;
    };
    expect(Object.keys(tree.dependencies)).toEqual(['@cache-audit/runtime']);
    // npm lists the optional peers (ioredis, prom-client) it did not install, without a version.
    const below = Object.entries(tree.dependencies['@cache-audit/runtime']?.dependencies ?? {});
    expect(below.map(([name, d]) => [name, d.version])).toEqual([
      ['ioredis', undefined],
      ['prom-client', undefined],
    ]);
    const script = `const registry = runtime.defineCacheRegistry({ keys: { q: { template: 'quotes:{tenantId}' } } });
      const cache = runtime.createCache({ registry, store: new runtime.MemoryStore(), global: false });
      cache.getOrSet('q', { tenantId: 't' }, () => 1).then((v) => console.log(v, registry.pattern('q', { tenantId: 'a*' })));`;
    const run = (args: string[]): string => execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8' }).trim();
    expect(run(['-e', `const runtime = require('@cache-audit/runtime'); ${script}`])).toBe('1 quotes:a\\*');
    expect(run(['--input-type=module', '-e', `import * as runtime from '@cache-audit/runtime'; ${script}`])).toBe('1 quotes:a\\*');
  });
});
