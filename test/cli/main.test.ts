import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const root = resolve(import.meta.dirname, '../..');

async function run(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd,
    env: {},
  });
  return { code, stdout, stderr };
}

describe('cache-audit command line', () => {
  it('prints the quotes app registry through the real bin', () => {
    const stdout = execFileSync(process.execPath, ['bin/cache-audit.js', 'fixtures/quotes-app'], { cwd: root, encoding: 'utf8' });
    expect(stdout).toContain('quotesList                quotes:list:{tenantId}:{hash}                 60s   quotes');
    expect(stdout).toContain('A change to expenses must invalidate: dashboard:kpis:{tenantId}:{hash}, dashboard:expenses_monthly:{tenantId}:{hash}');
    expect(stdout).toContain('5 key families, 0 problems');
  });

  it('reports registry problems with file:line:column and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-cli-'));
    writeFileSync(join(dir, 'cache-audit.config.json'), JSON.stringify({ registry: 'keys.ts' }));
    writeFileSync(join(dir, 'keys.ts'), `export default { keys: { a: { template: 'a:{x}', ttl: -5 } } };\n`);
    const result = await run([dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('keys.ts:1:55  error  The ttl of `a` must be a positive number of seconds, not number -5.');
  });

  it('exits 2 with one clear line on a usage or configuration error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-cli-'));
    const missing = await run([dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^cache-audit: No cache-audit configuration found in .* add cache-audit\.config\.json/);
    expect(missing.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const format = await run(['--format', 'xml', 'fixtures/quotes-app']);
    expect(format).toMatchObject({ code: 2, stderr: 'cache-audit: Unknown --format xml: use text or json.\n' });
    const bin = spawnSync(process.execPath, ['bin/cache-audit.js', '--bogus'], { cwd: root, encoding: 'utf8' });
    expect(bin.status).toBe(2);
    expect(bin.stderr).toMatch(/^cache-audit: Unknown option '--bogus'/);
    expect(bin.stderr).not.toContain('    at ');
  });

  it('prints the registry as JSON', async () => {
    const result = await run(['--format', 'json', 'fixtures/quotes-app']);
    const report = JSON.parse(result.stdout) as { keys: { name: string }[]; prefix: string };
    expect(report.prefix).toBe('onquota:');
    expect(report.keys.map((k) => k.name)).toContain('dashboardKpis');
  });
});
