import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';

const root = resolve(import.meta.dirname, '../..');

describe('cache-audit command line', () => {
  it('audits the quotes app through the real bin: clean, with the coverage matrix', () => {
    const stdout = execFileSync(process.execPath, ['bin/cache-audit.js', 'fixtures/quotes-app', '--matrix'], { cwd: root, encoding: 'utf8' });
    expect(stdout).toContain('QuotesController.create    ● ● ● ● ●');
    expect(stdout).toContain('ClientsController.rename   · · ● · ·');
    expect(stdout.trim().split('\n').at(-1)).toBe('0 errors, 0 warnings, 0 notes, 9 files, coverage 100.0 % (9/9 mutation handlers invalidate or state an exception)');
  });

  it('exits 1 on the defects, with code frames, and the summary', async () => {
    const result = await run(['fixtures/quotes-app-defects']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `src/quotes/quotes.controller.ts\n  44:27  error  The pattern \`qoutes:*\` matches no key of the registry. Did you mean \`quotes:*\`?  pattern-in-registry\n    44 |   @InvalidateCachePattern('qoutes:*', 'dashboard:*')\n${' '.repeat(35)}^^^^^^^^^^\n`,
    );
    expect(result.stdout).toContain('8 errors, 0 warnings, 0 notes, 9 files, coverage 88.9 % (8/9 mutation handlers invalidate or state an exception)');
  });

  it('gates on --max-severity and --min-coverage', async () => {
    expect((await run(['fixtures/quotes-app', '--min-coverage', '100'])).code).toBe(0);
    const below = await run(['fixtures/quotes-app-defects', '--min-coverage', '95', '--max-severity', 'error', '--format', 'json', '--output', join(tmpdir(), 'ca-cov.json')]);
    expect(below.code).toBe(1);
    expect(below.stderr).toBe('cache-audit: coverage 88.9 % is below --min-coverage 95 %.\n');
  });

  it('writes several formats, each to its output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-out-'));
    const result = await run(['fixtures/quotes-app-defects', '--format', 'sarif', '--output', join(dir, 'r.sarif'), '--format', 'github']);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')[0]).toMatch(/^::error file=src\/cache\/cache.service.ts,line=13,endLine=13,col=46,endColumn=54,title=cache-audit\/no-unescaped-pattern-interpolation::/);
  });

  it('exits 2 with one clear line on usage and configuration errors, the stack only with --debug', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-cli-'));
    const missing = await run([dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^cache-audit: No source files to audit in .*: none was found below it\. Point cache-audit at the project's directory/);
    expect(missing.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(await run(['--format', 'xml', 'fixtures/quotes-app'])).toMatchObject({ code: 2, stderr: 'cache-audit: Unknown --format xml: use text, json, sarif, markdown, html, github.\n' });
    expect((await run(['--min-coverage', 'lots'])).stderr).toBe('cache-audit: --min-coverage takes a percentage from 0 to 100, not lots.\n');
    const bin = spawnSync(process.execPath, ['bin/cache-audit.js', '--bogus'], { cwd: root, encoding: 'utf8' });
    expect(bin.status).toBe(2);
    expect(bin.stderr).toBe("cache-audit: Unknown option '--bogus': see cache-audit --help.\n");
  });

  it('prints the registry table with the registry command', async () => {
    const result = await run(['registry', 'fixtures/quotes-app']);
    expect(result.stdout).toContain('quotesList                quotes:list:{tenantId}:{hash}                 60s   quotes');
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-cli-'));
    writeFileSync(join(dir, 'cache-audit.config.json'), JSON.stringify({ registry: 'keys.ts' }));
    writeFileSync(join(dir, 'keys.ts'), `export default { keys: { a: { template: 'a:{x}', ttl: -5 } } };\n`);
    const broken = await run(['registry', dir]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('keys.ts:1:55  error  The ttl of `a` must be a positive number of seconds, not number -5.');
  });

  it('shows no progress in pipes or CI', async () => {
    const result = await run(['fixtures/quotes-app'], root, { CI: 'true' });
    expect(result.stderr).toBe('');
  });
});
