import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/scanner/result.js';
import { cacheFile, summariesFile } from '../../src/scanner/incremental/cache-files.js';
import { scan } from '../../src/scanner/scan.js';
import type { ScanOptions } from '../../src/scanner/scan-options.js';
import { run } from '../support/cli.js';

const fixtures = resolve(import.meta.dirname, '../../fixtures');

/** A copy of the quotes app with its planted defects, in a temporary directory. */
function app(): string {
  const base = mkdtempSync(join(tmpdir(), 'cache-audit-cache-'));
  cpSync(join(fixtures, 'tsconfig.fixtures.json'), join(base, 'tsconfig.fixtures.json'));
  cpSync(join(fixtures, 'quotes-app-defects'), join(base, 'app'), { recursive: true });
  return join(base, 'app');
}

/** What a result says, without the time it took. */
function findings(result: ScanResult): Omit<ScanResult, 'durationMs'> {
  const { durationMs: _, ...rest } = result;
  return rest;
}

/** A scan with the cache, counting the files it read (none when the cache answered). */
async function cachedScan(
  root: string,
  file: string,
  more: Partial<ScanOptions> = {},
): Promise<{ result: ScanResult; filesRead: number; warnings: string[] }> {
  let filesRead = 0;
  const warnings: string[] = [];
  const result = await scan({
    root,
    onProgress: () => filesRead++,
    cache: { file, onWarning: (message) => warnings.push(message) },
    ...more,
  });
  return { result, filesRead, warnings };
}

const QUOTES = 'src/quotes/quotes.controller.ts';

describe('the persistent cache', () => {
  it('a warm run answers from the cache, with the same result as a run without it', async () => {
    const root = app();
    const file = join(root, '.cache-audit', 'scan.json');
    const uncached = await scan({ root });
    const cold = await cachedScan(root, file);
    expect(cold.filesRead).toBeGreaterThan(0);
    expect(cold.warnings).toEqual([]);
    expect(findings(cold.result)).toEqual(findings(uncached));
    expect(uncached.findings.length).toBeGreaterThan(0);
    const warm = await cachedScan(root, file);
    expect(warm.filesRead).toBe(0);
    expect(findings(warm.result)).toEqual(findings(uncached));
  });

  it('an edited, an added and a removed file change the result as a run without the cache sees it', async () => {
    const root = app();
    const file = join(root, '.cache-audit', 'scan.json');
    await cachedScan(root, file);
    const quotes = join(root, QUOTES);
    writeFileSync(quotes, readFileSync(quotes, 'utf8').replace("'qoutes:*'", "'quotes:*'"));
    const edited = await cachedScan(root, file);
    expect(edited.filesRead).toBeGreaterThan(0);
    expect(edited.result.findings.some((f) => f.message.includes('qoutes'))).toBe(false);
    expect(findings(edited.result)).toEqual(findings(await scan({ root })));

    // A new file in a new directory: noticed without a walk, by its parent's mtime.
    mkdirSync(join(root, 'src/archive'));
    writeFileSync(
      join(root, 'src/archive/archive.controller.ts'),
      "import { Controller, Delete } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n@Controller('archive')\nexport class ArchiveController {\n  @Delete()\n  @InvalidateCachePattern('*')\n  purge() {}\n}\n",
    );
    const added = await cachedScan(root, file);
    expect(added.result.findings.filter((f) => f.file === 'src/archive/archive.controller.ts').map((f) => f.ruleId)).toContain(
      'no-broad-pattern',
    );
    expect(findings(added.result)).toEqual(findings(await scan({ root })));
    expect((await cachedScan(root, file)).filesRead).toBe(0);
  });

  it('a configuration or registry change is a new result', async () => {
    const root = app();
    const file = join(root, '.cache-audit', 'scan.json');
    const before = await cachedScan(root, file);
    const keys = join(root, 'src/cache/keys.ts');
    writeFileSync(keys, readFileSync(keys, 'utf8').replace(/quotesList:/, 'quotesIndex:'));
    const after = await cachedScan(root, file);
    expect(after.filesRead).toBeGreaterThan(0);
    expect(findings(after.result)).not.toEqual(findings(before.result));
    expect(findings(after.result)).toEqual(findings(await scan({ root })));
  });

  it('a corrupt, foreign or other-version cache is a warning and a rebuild', async () => {
    const root = app();
    const file = join(root, '.cache-audit', 'scan.json');
    const expected = findings(await scan({ root }));
    mkdirSync(join(root, '.cache-audit'));
    for (const [content, warning] of [
      ['{"format":1,"tool":"0.1.0","key":"', /is not valid JSON \(corrupt\?\): rebuilding it/],
      ['[1, 2, 3]', /is not a cache-audit cache: rebuilding it/],
      ['{"format":0,"tool":"0.0.1","key":"","files":{},"runs":{}}', /was written by cache-audit 0\.0\.1 \(format 0\).*rebuilding it/],
    ] as const) {
      writeFileSync(file, content);
      const rebuilt = await cachedScan(root, file);
      expect(rebuilt.warnings).toHaveLength(1);
      expect(rebuilt.warnings[0]).toMatch(warning);
      expect(findings(rebuilt.result)).toEqual(expected);
      // Rebuilt: the next run answers from it, quietly.
      const next = await cachedScan(root, file);
      expect(next).toMatchObject({ filesRead: 0, warnings: [] });
    }
    // Writes are atomic: nothing but the cache and its per-file summaries is left in its directory.
    expect(readdirSync(join(root, '.cache-audit')).sort()).toEqual(['scan.json', basename(summariesFile(file, root))]);
  });

  it('the content strategy sees an edit that kept the size and the mtime', async () => {
    const root = app();
    const file = join(root, '.cache-audit', 'scan.json');
    const quotes = join(root, QUOTES);
    // Whole seconds, which utimes restores exactly.
    const time = new Date(Math.floor(statSync(quotes).mtimeMs / 1000) * 1000);
    utimesSync(quotes, time, time);
    await cachedScan(root, file, { cache: { file, strategy: 'content' } });
    writeFileSync(quotes, readFileSync(quotes, 'utf8').replace("'qoutes:*'", "'quotez:*'"));
    utimesSync(quotes, time, time);
    const metadata = await cachedScan(root, file);
    // metadata trusts size and mtime, as ESLint's default does
    expect(metadata.result.findings.some((f) => f.message.includes('quotez'))).toBe(false);
    const content = await cachedScan(root, file, { cache: { file, strategy: 'content' } });
    expect(content.result.findings.some((f) => f.message.includes('quotez'))).toBe(true);
  });

  it('--cache through the command line: the default location, --cache-location, warnings on stderr', async () => {
    const root = app();
    // No node_modules: the user's cache directory, never the project's tree.
    const env = { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'cache-audit-xdg-')), HOME: mkdtempSync(join(tmpdir(), 'cache-audit-home-')) };
    const first = await run([root, '--cache', '--format', 'json'], root, env);
    expect(first.code).toBe(1);
    const defaultFile = cacheFile(root, null, root, env);
    if (process.platform === 'linux') expect(defaultFile.startsWith(join(env.XDG_CACHE_HOME, 'cache-audit') + sep)).toBe(true);
    expect(defaultFile.startsWith(root)).toBe(false);
    expect(existsSync(defaultFile)).toBe(true);
    expect(readdirSync(root)).not.toContain('.cache-audit');
    const second = await run([root, '--cache', '--format', 'json'], root, env);
    expect(second).toMatchObject({ code: 1, stderr: '' });

    // With node_modules (the project's, or its workspace's above it): node_modules/.cache/cache-audit/.
    mkdirSync(join(root, 'node_modules'));
    expect(cacheFile(root, null, root, env).startsWith(join(root, 'node_modules/.cache/cache-audit') + sep)).toBe(true);
    expect((await run([root, '--cache', '--format', 'json'], root, env)).code).toBe(1);
    expect(readdirSync(join(root, 'node_modules/.cache/cache-audit')).filter((f) => /^scan-[0-9a-f]{8}\.json$/.test(f))).toHaveLength(1);
    const workspace = mkdtempSync(join(tmpdir(), 'cache-audit-workspace-'));
    mkdirSync(join(workspace, '.git'));
    mkdirSync(join(workspace, 'node_modules'));
    mkdirSync(join(workspace, 'apps/api'), { recursive: true });
    expect(
      cacheFile(join(workspace, 'apps/api'), null, workspace, env).startsWith(join(workspace, 'node_modules/.cache/cache-audit') + sep),
    ).toBe(true);
    expect(findings(JSON.parse(second.stdout) as ScanResult)).toEqual(findings(JSON.parse(first.stdout) as ScanResult));

    const location = join(root, '..', 'caches') + '/';
    expect((await run([root, '--cache', '--cache-location', location, '--format', 'json'])).code).toBe(1);
    const [written] = readdirSync(location);
    expect(written).toMatch(/^scan-[0-9a-f]{8}\.json$/);
    writeFileSync(join(location, written ?? ''), 'not json');
    const corrupt = await run([root, '--cache', '--cache-location', location, '--format', 'json']);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/^cache-audit: the cache .* is not valid JSON \(corrupt\?\): rebuilding it\.\n$/);
    expect(findings(JSON.parse(corrupt.stdout) as ScanResult)).toEqual(findings(JSON.parse(first.stdout) as ScanResult));
  });
});

describe('--staged follows the change', () => {
  it('reads the staged file, what it imports and what imports it; the findings are those of a whole-project run', async () => {
    const root = app();
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', ...args], { cwd: root, encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    const quotes = join(root, QUOTES);
    writeFileSync(quotes, `${readFileSync(quotes, 'utf8')}\n`);
    git('add', QUOTES);
    const staged = new Set([quotes]);
    const followed = await scan({ root, onlyFiles: staged, followChange: true });
    const whole = await scan({ root, onlyFiles: staged });
    expect(followed.findings).toEqual(whole.findings);
    expect(followed.findings.map((f) => f.ruleId)).toContain('pattern-in-registry');
    // The controller, the service it imports, what that imports, the module that imports it: not the other controllers.
    expect(followed.filesScanned).toBeLessThan(whole.filesScanned);
    const cli = await run([root, '--staged', '--format', 'json']);
    expect((JSON.parse(cli.stdout) as ScanResult).findings).toEqual(whole.findings);
    const cached = await run([root, '--staged', '--cache', '--format', 'json']);
    const warm = await run([root, '--staged', '--cache', '--format', 'json']);
    expect((JSON.parse(cached.stdout) as ScanResult).findings).toEqual(whole.findings);
    expect((JSON.parse(warm.stdout) as ScanResult).findings).toEqual(whole.findings);
  });

  it('a staged registry is audited against the whole project', async () => {
    const root = app();
    const keys = join(root, 'src/cache/keys.ts');
    const followed = await scan({ root, onlyFiles: new Set([keys]), followChange: true });
    const whole = await scan({ root, onlyFiles: new Set([keys]) });
    expect(followed.filesScanned).toBe(whole.filesScanned);
    expect(followed.findings).toEqual(whole.findings);
  });
});

describe('the persistent cache at a monorepo root', () => {
  it('keeps the result made of the applications’ runs under the command line’s key, and recomputes it when an application changes', async () => {
    const base = mkdtempSync(join(tmpdir(), 'cache-audit-cache-monorepo-'));
    cpSync(join(fixtures, 'tsconfig.fixtures.json'), join(base, 'tsconfig.fixtures.json'));
    cpSync(join(fixtures, 'monorepo-app'), join(base, 'repo'), { recursive: true });
    const root = join(base, 'repo');
    const args = ['.', '--format', 'json', '--cache', '--cache-location', '.cache-audit/scan.json'];
    const cold = JSON.parse((await run(args, root)).stdout) as ScanResult;
    expect(cold.apps?.length).toBe(2);
    expect(cold.findings.length).toBeGreaterThan(0);
    // The combined entry is what the next run answers with: mark it, and see the mark come back.
    const file = join(root, '.cache-audit/scan.json');
    const data = JSON.parse(readFileSync(file, 'utf8')) as { runs: Record<string, { result: ScanResult }> };
    const combined = Object.values(data.runs).filter((r) => r.result.apps !== undefined);
    expect(combined).toHaveLength(1);
    for (const entry of combined) entry.result = { ...entry.result, findings: [] };
    writeFileSync(file, JSON.stringify(data));
    const warm = JSON.parse((await run(args, root)).stdout) as ScanResult;
    expect(warm.findings).toEqual([]);
    // An edit in one application: computed again, with that application's findings.
    const route = join(root, 'apps/web/src/app/api/documents/[id]/route.ts');
    writeFileSync(route, `${readFileSync(route, 'utf8')}\n// edited\n`);
    const edited = JSON.parse((await run(args, root)).stdout) as ScanResult;
    expect(edited.findings.map((f) => f.file)).toEqual(cold.findings.map((f) => f.file));
  });
});
