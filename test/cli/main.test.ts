import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasColor } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { run } from '../support/cli.js';

const root = resolve(import.meta.dirname, '../..');

describe('cache-audit command line', () => {
  it('audits the quotes app through the real bin: clean, with the coverage matrix', () => {
    const stdout = execFileSync(process.execPath, ['bin/cache-audit.js', 'fixtures/quotes-app', '--matrix'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(stdout).toContain('QuotesController.create    ● ● ● ● ●');
    expect(stdout).toContain('ClientsController.rename   · · ● · ·');
    expect(stdout.trim().split('\n').at(-1)).toBe(
      '0 errors, 0 warnings, 0 notes, 9 files, coverage 100.0 % (9/9 mutation handlers invalidate or state an exception)',
    );
  });

  it('names the verdict the matrix cells cannot show', async () => {
    const result = await run(['fixtures/quotes-app-defects', '--matrix', '--no-color']);
    expect(result.stdout).toContain('ExpensesController.remove  · · · · ·  invalidates nothing');
    expect(result.stdout).toContain('ExpensesController.update  · ● · · ·\n');
  });

  it('exits 1 on the defects, with code frames, and the summary', async () => {
    const result = await run(['fixtures/quotes-app-defects']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `src/quotes/quotes.controller.ts\n  44:27  error  The pattern \`qoutes:*\` matches no key of the registry. Did you mean \`quotes:*\`?  pattern-in-registry\n    44 |   @InvalidateCachePattern('qoutes:*', 'dashboard:*')\n${' '.repeat(35)}^^^^^^^^^^\n`,
    );
    expect(result.stdout).toContain(
      '7 errors, 0 warnings, 0 notes, 9 files, coverage 88.9 % (8/9 mutation handlers invalidate or state an exception)',
    );
  });

  it('gates on --max-severity and --min-coverage', async () => {
    expect((await run(['fixtures/quotes-app', '--min-coverage', '100'])).code).toBe(0);
    const below = await run([
      'fixtures/quotes-app-defects',
      '--min-coverage',
      '95',
      '--max-severity',
      'error',
      '--format',
      'json',
      '--output',
      join(tmpdir(), 'ca-cov.json'),
    ]);
    expect(below.code).toBe(1);
    expect(below.stderr).toBe(
      `cache-audit: wrote the json report to ${join(tmpdir(), 'ca-cov.json')}.\ncache-audit: coverage 88.9 % is below --min-coverage 95 %.\n`,
    );
  });

  it('writes several formats, each to its output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-out-'));
    const result = await run(['fixtures/quotes-app-defects', '--format', 'sarif', '--output', join(dir, 'r.sarif'), '--format', 'github']);
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')[0]).toMatch(
      /^::error file=src\/cache\/cache.service.ts,line=13,endLine=13,col=46,endColumn=54,title=cache-audit\/no-unescaped-pattern-interpolation::/,
    );
    // Outside the working directory the path is absolute, as the user named it.
    expect(result.stderr).toBe(`cache-audit: wrote the sarif report to ${join(dir, 'r.sarif')}.\n`);
  });

  it('says what --output wrote, relative to where it ran, and names the scanned directory so in HTML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-out-'));
    cpSync(join(root, 'fixtures/quotes-app-defects'), join(dir, 'app'), { recursive: true });
    cpSync(join(root, 'fixtures/tsconfig.fixtures.json'), join(dir, 'tsconfig.fixtures.json'));
    const result = await run(
      ['app', '--format', 'html', '--output', 'reports/audit.html', '--format', 'markdown', '--output', 'audit.md'],
      dir,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'cache-audit: wrote the html report to reports/audit.html.\ncache-audit: wrote the markdown report to audit.md.\n',
    );
    const html = readFileSync(join(dir, 'reports/audit.html'), 'utf8');
    expect(html).toContain('<p><code>app</code> · 9 files · cache-audit ');
    expect(html).not.toContain(dir);
  });

  it('exits 2 with one clear line on usage and configuration errors, the stack only with --debug', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-cli-'));
    const missing = await run([dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^cache-audit: No source files to audit in .*: none was found below it\. Point cache-audit at the project's directory/,
    );
    expect(missing.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    // Paths as the user ran the command: relative to where it ran, never the machine's absolute root.
    expect(missing.stderr).toContain(`in '${relative(root, dir).split(sep).join('/')}':`);
    expect(await run(['--format', 'xml', 'fixtures/quotes-app'])).toMatchObject({
      code: 2,
      stderr: 'cache-audit: Unknown --format xml: use text, json, sarif, markdown, html, github.\n',
    });
    expect((await run(['--min-coverage', 'lots'])).stderr).toBe(
      'cache-audit: --min-coverage takes a percentage from 0 to 100, not lots.\n',
    );
    const bin = spawnSync(process.execPath, ['bin/cache-audit.js', '--bogus'], { cwd: root, encoding: 'utf8' });
    expect(bin.status).toBe(2);
    expect(bin.stderr).toBe("cache-audit: unknown option '--bogus' (see cache-audit --help)\n");
  });

  it('prints the registry table with the registry command', async () => {
    const result = await run(['registry', 'fixtures/quotes-app']);
    expect(result.stdout).toContain('quotesList                quotes:list:{tenantId}:{hash}                 60s   quotes');
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-cli-'));
    writeFileSync(join(dir, 'cache-audit.config.json'), JSON.stringify({ registry: 'keys.ts' }));
    writeFileSync(join(dir, 'keys.ts'), `export default { keys: { a: { template: 'a:{x}', ttl: -5 } } };\n`);
    const broken = await run(['registry', dir]);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toContain('keys.ts:1:55  error  The ttl of `a` must be a positive number of seconds, not number -5.');
  });

  it('shows no progress in pipes or CI', async () => {
    const result = await run(['fixtures/quotes-app'], root, { CI: 'true' });
    expect(result.stderr).toBe('');
  });

  it('has help for each command, and a help command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-help-'));
    const init = await run(['init', '--help'], dir);
    expect(init).toMatchObject({ code: 0, stderr: '' });
    expect(init.stdout).toMatch(/^Usage: cache-audit init \[options\] \[dir\]/);
    expect(readdirSync(dir)).toEqual([]);
    const registry = await run(['registry', '--help']);
    expect(registry.stdout).toMatch(/^Usage: cache-audit registry \[options\] \[path\]/);
    expect(registry.stdout).toContain('--format <name>');
    expect(registry.stdout).not.toContain('parseArgs');
    const help = await run(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: cache-audit \[options\] \[command\] \[paths\.\.\.\]/);
    expect(help.stdout).toContain('Exit codes: 0 clean');
    expect((await run(['help', 'inspect'])).stdout).toMatch(/^Usage: cache-audit inspect \[options\] \[path\]/);
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('pairs --output with its --format in either order, and reads a lone --output by its extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-out-'));
    const first = await run(['fixtures/quotes-app-defects', '--output', join(dir, 'a.json'), '--format', 'json']);
    expect(first.stdout).toBe('');
    expect((JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as { version: number }).version).toBe(2);
    await run(['fixtures/quotes-app-defects', '--output', join(dir, 'b.sarif')]);
    expect((JSON.parse(readFileSync(join(dir, 'b.sarif'), 'utf8')) as { version: string }).version).toBe('2.1.0');
    const both = await run(['fixtures/quotes-app-defects', '--format', 'markdown', '--output', join(dir, 'c.md'), '--format', 'text']);
    expect(readFileSync(join(dir, 'c.md'), 'utf8')).toMatch(/^## cache-audit|^# cache-audit/);
    expect(both.stdout).toContain('pattern-in-registry');
  });

  it('writes the summary in good grammar', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-audit-one-'));
    writeFileSync(join(dir, 'cache-audit.config.json'), '{}\n');
    writeFileSync(
      join(dir, 'a.controller.ts'),
      `import { Controller, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n@Controller('quotes')\nexport class A {\n  @Post()\n  @InvalidateCachePattern('*')\n  create() {}\n}\n`,
    );
    const result = await run([dir]);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(
      /^1 error, 0 warnings, 0 notes, 1 file, coverage 100\.0 % \(1\/1 mutation handlers/,
    );
  });

  it('colours per no-color.org and FORCE_COLOR, an explicit flag first', () => {
    const io = (env: Record<string, string>, isTTY: boolean) => ({
      stdout: { write: () => true, isTTY },
      stderr: { write: () => true },
      cwd: root,
      env,
    });
    expect(hasColor(undefined, io({}, true))).toBe(true);
    expect(hasColor(undefined, io({}, false))).toBe(false);
    expect(hasColor(undefined, io({ NO_COLOR: '' }, true))).toBe(true);
    expect(hasColor(undefined, io({ NO_COLOR: '1' }, true))).toBe(false);
    expect(hasColor(undefined, io({ FORCE_COLOR: '1' }, false))).toBe(true);
    expect(hasColor(undefined, io({ FORCE_COLOR: '0' }, true))).toBe(false);
    expect(hasColor(false, io({ FORCE_COLOR: '1' }, true))).toBe(false);
  });

  it('colours the report with FORCE_COLOR, and clears its progress line', async () => {
    let stdout = '';
    let stderr = '';
    const code = await main(['fixtures/quotes-app-defects'], {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t), isTTY: true },
      cwd: root,
      env: { FORCE_COLOR: '1' },
    });
    expect(code).toBe(1);
    expect(stdout).toContain('\u001b[31merror\u001b[39m');
    expect(stderr).toMatch(/cache-audit: \d+\/\d+ files/);
    expect(stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(stderr).not.toContain('\n');
  });

  it('answers --version without loading the analysis', () => {
    const script = `import { main } from './dist/esm/src/cli/main.js';
import { createRequire } from 'node:module';
const out = [];
await main(['--version'], { stdout: { write: (t) => out.push(t) }, stderr: { write: (t) => out.push(t) }, cwd: process.cwd(), env: {} });
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /node_modules\\/(typescript|ts-morph)\\//.test(k));
console.log(JSON.stringify({ out: out.join(''), loaded: loaded.length }));`;
    const result = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as {
      out: string;
      loaded: number;
    };
    expect(result.out).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(result.loaded).toBe(0);
    expect(existsSync(join(root, 'dist/esm/src/cli/audit.js'))).toBe(true);
  });
});
