import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/scanner/result.js';
import { root as repoRoot, run } from '../support/cli.js';

/**
 * The audit as a cached task of Turborepo and of Nx, with the configuration docs/monorepos-and-ci.md
 * gives, run by the real engines offline: a cached pass must not outlive a change to the shared
 * package the handlers' service lives in, nor to the registry.
 */
const FIXTURE = resolve(repoRoot, 'fixtures/task-runner-monorepo');
const SERVICE = 'packages/quotes/src/quotes.service.ts';
const REGISTRY = 'cache-keys.ts';
/** The line whose removal leaves `POST /quotes` without its invalidation. */
const INVALIDATION = '    rows.set(String(rows.size + 1), quote);\n    await invalidateQuotes(tenantId);\n';
const STALE = 'POST /quotes leaves a cached family stale: `quotesList`.';

/** No telemetry, no daemon, no cloud, no update check, no colour: the engines stay on this machine. */
const ENGINE_ENV: Record<string, string> = {
  CI: 'true',
  TURBO_TELEMETRY_DISABLED: '1',
  TURBO_NO_UPDATE_NOTIFIER: '1',
  DO_NOT_TRACK: '1',
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_SKIP_NX_CACHE: 'false',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
};
const REMOTE = ['TURBO_TOKEN', 'TURBO_TEAM', 'TURBO_API', 'NX_CLOUD_ACCESS_TOKEN', 'NX_CLOUD_AUTH_TOKEN'];

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** The fixture in a directory of its own, with the engines and `cache-audit` where a workspace's install puts them. */
function workspace(engine: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cache-audit-${engine}-`));
  copies.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  symlinkSync(join(repoRoot, 'bin/cache-audit.js'), join(dir, 'node_modules/.bin/cache-audit'));
  symlinkSync(join(repoRoot, 'node_modules', engine), join(dir, 'node_modules', engine));
  return dir;
}

const ENGINES = {
  turbo: {
    command: [process.execPath, 'node_modules/turbo/bin/turbo', 'run', 'cache-audit', '--filter=@acme/api'],
    isHit: (output: string): boolean => output.includes('@acme/api:cache-audit: cache hit'),
    isMiss: (output: string): boolean => output.includes('@acme/api:cache-audit: cache miss'),
  },
  nx: {
    command: [process.execPath, 'node_modules/nx/dist/bin/nx.js', 'run', '@acme/api:cache-audit'],
    isHit: (output: string): boolean => /Cache: +1\/1 hit/.test(output),
    isMiss: (output: string): boolean =>
      /Cache: +0\/1 hit/.test(output) || output.includes('Running target cache-audit for project @acme/api failed'),
  },
} as const;

function runEngine(engine: keyof typeof ENGINES, dir: string): { code: number | null; output: string } {
  const local = Object.entries(process.env).filter(([name]) => !REMOTE.includes(name));
  const env = { ...Object.fromEntries(local), ...ENGINE_ENV };
  const [command = '', ...args] = ENGINES[engine].command;
  const result = spawnSync(command, args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

function edit(dir: string, file: string, change: (text: string) => string): () => void {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  return () => {
    writeFileSync(path, before);
  };
}

describe.each(['turbo', 'nx'] as const)('the audit as a %s task', (engine) => {
  it('is a cache hit when nothing changed, a miss when the shared service or the registry changes', { timeout: 120_000 }, () => {
    const dir = workspace(engine);
    const { isHit, isMiss } = ENGINES[engine];
    const first = runEngine(engine, dir);
    expect(first.code, first.output).toBe(0);
    expect(isMiss(first.output), first.output).toBe(true);

    const second = runEngine(engine, dir);
    expect(second.code, second.output).toBe(0);
    expect(isHit(second.output), second.output).toBe(true);

    // The handler's service, in a shared workspace package, stops invalidating: the audit runs again and fails.
    const restoreService = edit(dir, SERVICE, (text) => text.replace(INVALIDATION, '    rows.set(String(rows.size + 1), quote);\n'));
    const planted = runEngine(engine, dir);
    expect(isMiss(planted.output), planted.output).toBe(true);
    expect(planted.output).toContain(STALE);
    expect(planted.code).not.toBe(0);
    restoreService();

    // The registry, a file of the workspace root that no package holds, changes: the audit runs again.
    edit(dir, REGISTRY, (text) => text.replace('ttl: 300', 'ttl: 600'));
    const registry = runEngine(engine, dir);
    expect(registry.code, registry.output).toBe(0);
    expect(isMiss(registry.output), registry.output).toBe(true);
  });
});

describe('the task runners fixture', () => {
  it('is documented as it is tested: docs/monorepos-and-ci.md shows its turbo.json and nx.json', () => {
    const docs = readFileSync(join(repoRoot, 'docs/monorepos-and-ci.md'), 'utf8');
    for (const file of ['turbo.json', 'nx.json', 'apps/api/package.json', 'apps/api/cache-audit.config.json'])
      expect(docs, file).toContain(readFileSync(join(FIXTURE, file), 'utf8'));
  });

  it('--monorepo lists the package that holds handlers as the application, not the docs site nor the playground', async () => {
    const result = await run([FIXTURE, '--monorepo', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ScanResult;
    expect(report.apps?.map((app) => [app.name, app.path, app.foundBy])).toEqual([['@acme/api', 'apps/api', 'configuration']]);
    expect(report.apps?.[0]?.registry?.file).toBe('cache-keys.ts');
    expect(report.matrix.rows.map((row) => row.handler)).toEqual(['GET /quotes', 'POST /quotes', 'DELETE /quotes/:id']);
  });
});
