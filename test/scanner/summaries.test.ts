import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { auditProject } from '../../src/scanner/apps.js';
import { stampOf } from '../../src/scanner/incremental/build-stamp.cjs';
import type { ScanResult } from '../../src/scanner/result.js';
import { summariesFile } from '../../src/scanner/incremental/cache-files.js';
import { decodeValue, encodeValue } from '../../src/scanner/incremental/store.js';
import { textPositions } from '../../src/scanner/incremental/kept-texts.js';
import { typescript } from '../../src/ts/typescript.js';
import { scan } from '../../src/scanner/scan.js';
import { AUDITED_APPS } from '../support/fixture-apps.js';
import { writeProject } from '../support/project.js';

const fixtures = resolve(import.meta.dirname, '../../fixtures');
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A copy of a fixture app in a temporary directory. */
function copyOf(name: string): string {
  const base = mkdtempSync(join(tmpdir(), 'cache-audit-summaries-'));
  roots.push(base);
  cpSync(join(fixtures, 'tsconfig.fixtures.json'), join(base, 'tsconfig.fixtures.json'));
  cpSync(join(fixtures, name), join(base, 'app'), { recursive: true });
  return join(base, 'app');
}

/** What a result says, without the time it took. */
function withoutTime(result: ScanResult): Omit<ScanResult, 'durationMs'> {
  const { durationMs: _, ...rest } = result;
  return rest;
}

/** A run with the cache at `file`, with the files it parsed (relative to the root). */
async function cachedRun(root: string, file: string): Promise<{ result: ScanResult; parsed: string[] }> {
  const parsed = new Map<string, ts.SourceFile>();
  const result = await scan({ root, parsed, cache: { file } });
  return { result, parsed: [...parsed.keys()].map((path) => relative(root, path).split('\\').join('/')).sort() };
}

/**
 * Fills the cache, applies `edit`, and runs again with it: the second run's result and what it
 * parsed, and the result of a run without any cache on the edited files.
 */
async function editBetweenRuns(
  root: string,
  edit: () => void,
): Promise<{ first: ScanResult; cached: ScanResult; cold: ScanResult; parsed: string[]; firstParsed: string[] }> {
  const file = join(root, '.cache-audit', 'scan.json');
  const first = await cachedRun(root, file);
  edit();
  const second = await cachedRun(root, file);
  return { first: first.result, cached: second.result, cold: await scan({ root }), parsed: second.parsed, firstParsed: first.parsed };
}

function replaceIn(root: string, path: string, from: string | RegExp, to: string): void {
  const file = join(root, path);
  const text = readFileSync(file, 'utf8');
  const edited = text.replace(from, to);
  expect(edited).not.toBe(text);
  writeFileSync(file, edited);
}

describe('per-file summaries in the cache', () => {
  it('an edited service is extracted again with the controller that calls it; the other files keep their facts', async () => {
    const root = copyOf('nest-services-app');
    const run = await editBetweenRuns(root, () => {
      replaceIn(root, 'src/quotes/quotes.service.ts', "'qoutes:*'", "'quotez:*'");
    });
    expect(withoutTime(run.cached)).toEqual(withoutTime(run.cold));
    expect(run.cached.findings.some((f) => f.message.includes('quotez'))).toBe(true);
    expect(run.first.findings.some((f) => f.message.includes('qoutes'))).toBe(true);
    expect(run.parsed).toContain('src/quotes/quotes.service.ts');
    expect(run.parsed).toContain('src/quotes/quotes.controller.ts');
    // A controller that calls nothing of the quotes is neither parsed nor extracted again.
    expect(run.firstParsed).toContain('src/expenses/expenses.controller.ts');
    expect(run.parsed).not.toContain('src/expenses/expenses.controller.ts');
    expect(run.parsed.length).toBeLessThan(run.firstParsed.length);
  });

  it('an edited listener changes the facts of the file whose emit runs it', async () => {
    const root = copyOf('nest-services-app');
    const run = await editBetweenRuns(root, () => {
      replaceIn(
        root,
        'src/clients/clients.listener.ts',
        "deletePattern('dashboard:top_clients:*')",
        "deletePattern('dashbord:top_clients:*')",
      );
    });
    expect(withoutTime(run.cached)).toEqual(withoutTime(run.cold));
    expect(withoutTime(run.cached)).not.toEqual(withoutTime(run.first));
    expect(run.parsed).toContain('src/clients/clients.service.ts');
  });

  it('an edited key builder, a file that is not relevant itself, changes the invalidations built with it', async () => {
    const files = {
      'package.json': '{ "name": "builders" }',
      'src/keys.ts': 'export const listKey = (tenant: string): string => `quotes:list:${tenant}:*`;\n',
      'src/quotes.service.ts': [
        "import { Injectable } from '@nestjs/common';",
        "import Redis from 'ioredis';",
        "import { listKey } from './keys';",
        '@Injectable()',
        'export class QuotesService {',
        '  constructor(private readonly redis: Redis) {}',
        '  async create(tenant: string): Promise<void> {',
        '    await this.redis.del(listKey(tenant));',
        '  }',
        '  async list(tenant: string): Promise<string | null> {',
        '    return this.redis.get(`quotes:list:${tenant}:all`);',
        '  }',
        '}',
        '',
      ].join('\n'),
      'src/quotes.controller.ts': [
        "import { Controller, Get, Post, Param } from '@nestjs/common';",
        "import { QuotesService } from './quotes.service';",
        "@Controller('quotes')",
        'export class QuotesController {',
        '  constructor(private readonly quotes: QuotesService) {}',
        "  @Post(':tenant')",
        "  create(@Param('tenant') tenant: string) {",
        '    return this.quotes.create(tenant);',
        '  }',
        "  @Get(':tenant')",
        "  list(@Param('tenant') tenant: string) {",
        '    return this.quotes.list(tenant);',
        '  }',
        '}',
        '',
      ].join('\n'),
      'src/clients.controller.ts': [
        "import { Controller, Delete } from '@nestjs/common';",
        "import { InvalidateCachePattern } from 'cache-audit/runtime';",
        "@Controller('clients')",
        'export class ClientsController {',
        '  @Delete()',
        "  @InvalidateCachePattern('clients:*')",
        '  remove() {}',
        '}',
        '',
      ].join('\n'),
    };
    const root = writeProject('summaries-builder', files);
    roots.push(root);
    const run = await editBetweenRuns(root, () => {
      replaceIn(root, 'src/keys.ts', '`quotes:list:${tenant}:*`', '`qoutes:list:${tenant}:*`');
    });
    expect(withoutTime(run.cached)).toEqual(withoutTime(run.cold));
    expect(withoutTime(run.cached)).not.toEqual(withoutTime(run.first));
    expect(run.parsed).toEqual(expect.arrayContaining(['src/keys.ts', 'src/quotes.service.ts', 'src/quotes.controller.ts']));
    expect(run.parsed).not.toContain('src/clients.controller.ts');
  });

  it('a router renamed in another file renames the tRPC procedures it mounts', async () => {
    const root = copyOf('trpc-app');
    const run = await editBetweenRuns(root, () => {
      replaceIn(root, 'src/server/root.ts', 'quotes: quotesRouter', 'quote: quotesRouter');
    });
    expect(withoutTime(run.cached)).toEqual(withoutTime(run.cold));
    expect(withoutTime(run.cached)).not.toEqual(withoutTime(run.first));
    expect(JSON.stringify(run.cached.matrix)).toContain('trpc quote.');
  });

  it('a prefix changed in the file that mounts a router renames the routes of the router’s file', async () => {
    const root = copyOf('mounted-routers-app');
    const run = await editBetweenRuns(root, () => {
      replaceIn(root, 'src/express/app.ts', "app.use('/api', api)", "app.use('/v2', api)");
    });
    expect(withoutTime(run.cached)).toEqual(withoutTime(run.cold));
    expect(withoutTime(run.cached)).not.toEqual(withoutTime(run.first));
    expect(run.cached.matrix.rows.map((r) => r.handler)).toContain('DELETE /v2/clients/:id');
  });

  it('a file added anywhere drops the summaries (module resolution may find it); the result is a cold run’s', async () => {
    const root = copyOf('nest-services-app');
    const run = await editBetweenRuns(root, () => {
      writeFileSync(join(root, 'src/quotes/extra.ts'), "export const extra = 'quotes:extra';\n");
    });
    expect(withoutTime(run.cached)).toEqual(withoutTime(run.cold));
    expect(run.parsed).toEqual(run.firstParsed);
  });

  it('an unchanged file whose mtime moved keeps its summary; the summaries live beside the cache', async () => {
    const root = copyOf('nest-services-app');
    const controller = join(root, 'src/expenses/expenses.controller.ts');
    const run = await editBetweenRuns(root, () => {
      replaceIn(root, 'src/quotes/quotes.service.ts', "'qoutes:*'", "'quotez:*'");
      utimesSync(controller, new Date(), new Date(Date.now() + 5000));
    });
    expect(withoutTime(run.cached)).toEqual(withoutTime(run.cold));
    expect(run.parsed).not.toContain('src/expenses/expenses.controller.ts');
    const kept = JSON.parse(readFileSync(summariesFile(join(root, '.cache-audit', 'scan.json'), root), 'utf8')) as {
      files: Record<string, unknown>;
    };
    expect(Object.keys(kept.files)).toContain(controller);
  });
});

describe('per-file summaries on every audited fixture app', () => {
  const base = mkdtempSync(join(tmpdir(), 'cache-audit-summaries-apps-'));
  roots.push(base);
  cpSync(fixtures, join(base, 'fixtures'), { recursive: true });

  it.each(AUDITED_APPS)(
    '%s: with its first, then its last source file edited, a cached run gives a run without the cache’s result',
    async (app) => {
      const root = join(base, 'fixtures', app);
      const file = join(base, 'cache', `${app.replaceAll('/', '-')}.json`);
      const audit = async (isCached: boolean): Promise<Omit<ScanResult, 'durationMs'>> =>
        withoutTime(await auditProject({ root, mode: 'single', ...(isCached ? { cache: { file } } : {}) }));
      expect(await audit(true)).toEqual(await audit(false));
      const sources = readdirSync(root, { recursive: true, encoding: 'utf8' })
        .filter((path) => /\.(c|m)?[jt]sx?$/.test(path) && !path.includes('node_modules'))
        .sort();
      expect(sources.length).toBeGreaterThan(0);
      for (const source of new Set([sources[0], sources.at(-1)])) {
        if (source === undefined) continue;
        // A comment: the file's hash changes, its facts do not; the other files keep theirs.
        appendFileSync(join(root, source), '\n// edited between two cached runs\n');
        expect(await audit(true)).toEqual(await audit(false));
      }
    },
  );
});

describe('what the cache keeps', () => {
  it('plain data with byte sets and numbers JSON cannot say comes back equal', () => {
    const value = { set: new Uint8Array([0, 1, 255]), ttl: Infinity, none: -Infinity, list: [1, 'a', null], nested: { on: true } };
    expect(decodeValue(encodeValue(value))).toEqual(value);
    expect(decodeValue(encodeValue(value))).not.toEqual({ ...value, set: new Uint8Array([0, 1, 254]) });
  });

  it('the positions in a kept file’s text are those of its parsed tree, whatever its line breaks', () => {
    const ts = typescript();
    const text = "const a = 1;\r\nconst b = 'x';\rconst c = 2;\u2028const d = 3;\n\n  export const e = `\r\n`;\u2029x";
    const parsed = ts.createSourceFile('kept.ts', text, ts.ScriptTarget.Latest, true);
    const kept = textPositions(text);
    for (let offset = 0; offset <= text.length; offset++)
      expect(kept.getLineAndCharacterOfPosition(offset)).toEqual(parsed.getLineAndCharacterOfPosition(offset));
    expect(kept.getLineAndCharacterOfPosition(text.length).line).toBe(7);
  });

  it('the build stamp changes when a code file of the build changes, not when a declaration does', () => {
    const dir = writeProject('summaries-stamp', { 'a.js': 'export const a = 1;\n', 'sub/b.cjs': 'exports.b = 2;\n', 'a.d.ts': '' });
    roots.push(dir);
    const before = stampOf(dir);
    expect(before).toHaveLength(2);
    writeFileSync(join(dir, 'a.d.ts'), 'export declare const a: number;\n');
    expect(stampOf(dir)).toEqual(before);
    writeFileSync(join(dir, 'sub/b.cjs'), 'exports.b = 3; // changed\n');
    expect(stampOf(dir)).not.toEqual(before);
  });
});
