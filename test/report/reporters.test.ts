import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPORTERS } from '../../src/report/index.js';
import type { ReportContext } from '../../src/report/index.js';
import type { ScanResult } from '../../src/scanner/result.js';
import { scan } from '../../src/scanner/scan.js';

const root = resolve(import.meta.dirname, '../..');
const artifacts = join(root, 'test/artifacts');
const context: ReportContext = { color: false, baselined: 0, sourceLine: () => null };
const hasChromium = existsSync('/usr/bin/chromium');
if (!hasChromium) {
  if (process.env['CI'] === 'true') throw new Error('CI=true and /usr/bin/chromium is missing: apt-get install -y chromium.');
  console.warn('[HTML report] browser test skipped: /usr/bin/chromium is not installed (apt-get install -y chromium)');
}

let result: ScanResult;
beforeAll(async () => {
  const scanned = await scan({ root: join(root, 'fixtures/quotes-app-defects') });
  // Machine-specific values out, so that the snapshots can be reviewed and compared.
  result = { ...scanned, root: '/project', durationMs: 0 };
  mkdirSync(artifacts, { recursive: true });
});

describe('reporters', () => {
  it.each(['text', 'markdown', 'github', 'json'] as const)('%s output is stable (reviewable snapshot)', async (name) => {
    const render = REPORTERS[name];
    const output = render(result, context);
    expect(render(result, context)).toBe(output);
    await expect(output).toMatchFileSnapshot(
      `__snapshots__/quotes-app-defects.${name === 'json' ? 'json' : name === 'markdown' ? 'md' : 'txt'}${name === 'github' ? '.github' : ''}`,
    );
  });

  it('writes JSON that its documented schema (schema/result.schema.json) accepts', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schema/result.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const report = JSON.parse(REPORTERS.json(result, context)) as unknown;
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it('names a cell of the request’s keys by the request, not its tenant: `quote:{id}` is per id', () => {
    const matrix = {
      keys: ['quote'],
      rows: [{ ...result.matrix.rows[0], handler: 'QuotesController.remove', cells: ['tenant'], exception: null, status: 'invalidates' }],
      reads: {},
    } as unknown as ScanResult['matrix'];
    const text = REPORTERS.text({ ...result, matrix }, { ...context, matrix: true });
    expect(text).toContain("Coverage matrix  ● every key  ◐ the request's keys ({tenantId}, {id})  ◔ some keys  · none");
    const html = REPORTERS.html({ ...result, matrix }, context);
    expect(html).toContain('title="quote: the request&#39;s keys (its tenant, its id)"');
    expect(html).not.toContain('tenant&#39;s keys');
  });

  it('colours text only when asked, and keeps the order file, line, column, rule', () => {
    const text = REPORTERS.text(result, { ...context, color: true });
    expect(text).toContain('\u001b[31merror\u001b[39m');
    expect(REPORTERS.text(result, context)).not.toContain('\u001b[');
    const order = result.findings.map(
      (f) => `${f.file}:${String(f.line).padStart(5, '0')}:${String(f.column).padStart(5, '0')}:${f.ruleId}`,
    );
    expect(order).toEqual([...order].sort());
  });

  it('writes SARIF 2.1.0 that the SARIF Multitool validates without errors or warnings', () => {
    const file = join(artifacts, 'quotes-app-defects.sarif');
    writeFileSync(file, REPORTERS.sarif(result, context));
    const bin = join(root, 'node_modules/.bin/sarif-multitool');
    const output = join(artifacts, 'sarif-validation.sarif');
    const validation = spawnSync(bin, ['validate', file, '--output', output, '--log', 'ForceOverwrite'], {
      encoding: 'utf8',
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
    });
    expect(validation.status, validation.stdout + validation.stderr).toBe(0);
    expect(validation.stdout).toContain('Analysis completed successfully.');
    expect(validation.stdout).not.toMatch(/: (warning|error) SARIF/);
    const report = JSON.parse(readFileSync(output, 'utf8')) as {
      runs: { results?: { level?: string; ruleId?: string; message?: { text?: string } }[] }[];
    };
    const problems = (report.runs[0]?.results ?? []).filter((r) => r.level === 'error' || r.level === 'warning' || r.level === undefined);
    expect(
      problems.map((p) => `${p.ruleId ?? ''} ${p.message?.text ?? ''}`),
      validation.stdout,
    ).toEqual([]);
  });

  it.skipIf(!hasChromium)(
    'renders the HTML report in headless Chromium without console errors',
    async () => {
      const file = join(artifacts, 'quotes-app-defects.html');
      const sources = new Map<string, string[]>();
      const withFrames: ReportContext = {
        ...context,
        sourceLine: (f, line) => {
          if (!sources.has(f)) sources.set(f, readFileSync(join(root, 'fixtures/quotes-app-defects', f), 'utf8').split('\n'));
          return sources.get(f)?.[line - 1] ?? null;
        },
      };
      const html = REPORTERS.html(result, { ...withFrames, rootLabel: 'fixtures/quotes-app-defects' });
      expect(html.length).toBeLessThan(40_000);
      writeFileSync(file, html);
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        const errors: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(message.text());
        });
        page.on('pageerror', (error) => errors.push(error.message));
        page.on('request', (request) => {
          if (!request.url().startsWith('file:')) errors.push(`external request: ${request.url()}`);
        });
        await page.goto(`file://${file}`);
        const groups = new Set(result.findings.map((f) => `${f.ruleId} ${f.file}:${String(f.line)}:${String(f.column)}`));
        expect(await page.locator('.finding').count()).toBe(groups.size);
        expect(await page.locator('.finding .also li').count()).toBe(result.findings.length - groups.size);
        // The families a handler leaves stale are one entry, each on a line of its own below the message.
        const details = result.findings.flatMap((f) => f.details ?? []);
        expect(details.filter((d) => d.startsWith('- '))).toHaveLength(5);
        expect(await page.locator('.finding ul.details li').count()).toBe(details.length);
        expect(await page.locator('.finding ul.details li', { hasText: 'dashboard:kpis:*' }).count()).toBe(2);
        // The way out is code too: the decorator to add, as the message names it.
        expect(await page.locator('.finding ul.details li code', { hasText: "@NoCacheInvalidation('reason')" }).count()).toBe(3);
        expect(await page.locator('.finding').first().getAttribute('data-severity')).toBe('error');
        expect(await page.locator('.finding pre.frame mark').count()).toBe(groups.size);
        // The handler that flushes everything with `*` is not drawn as the healthiest row.
        const flushAll = page.locator('.matrix tr', { hasText: 'ClientsController.remove' });
        expect(await flushAll.getAttribute('class')).toBe('error');
        expect(await flushAll.locator('.cell.full').count()).toBe(5);
        expect(
          await flushAll
            .locator('.cell.full')
            .first()
            .evaluate(
              (cell) =>
                (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundImage: string } }).getComputedStyle(cell)
                  .backgroundImage,
            ),
        ).toContain('gradient');
        expect(await page.locator('.matrix tr', { hasText: 'QuotesController.create' }).getAttribute('class')).toBe('ok');
        // Rows with nothing in them are not drawn.
        expect(await page.locator('.matrix tbody tr').count()).toBe(
          result.matrix.rows.filter((r) => r.status !== 'read' && (r.cells.some((c) => c !== 'none') || r.exception !== null)).length,
        );
        expect(await page.locator('.matrix tbody tr').count()).toBeLessThan(result.matrix.rows.length);
        expect(await page.locator('.tile').first().innerText()).toContain(
          String(result.findings.filter((f) => f.severity === 'error').length),
        );
        // Filters by rule and level, and collapse by file.
        await page.locator('input[data-filter="rule"][value="require-dependent-invalidation"]').uncheck();
        expect(await page.locator('.finding:visible').count()).toBe(
          new Set([...groups].filter((g) => !g.startsWith('require-dependent-invalidation'))).size,
        );
        await page.locator('input[data-filter="severity"][value="error"]').uncheck();
        expect(await page.locator('.finding:visible').count()).toBe(0);
        expect(await page.locator('details.file:visible').count()).toBe(0);
        await page.locator('input[data-filter="severity"][value="error"]').check();
        await page.locator('input[data-filter="rule"][value="require-dependent-invalidation"]').check();
        await page.locator('button[data-files="close"]').click();
        expect(await page.locator('.finding:visible').count()).toBe(0);
        await page.locator('button[data-files="open"]').click();
        expect(await page.locator('.finding:visible').count()).toBe(groups.size);
        // Long messages wrap: no horizontal scrolling at 1,400 px or on a narrow window.
        for (const width of [1400, 700]) {
          await page.setViewportSize({ width, height: 900 });
          const overflow = await page.evaluate(() => {
            const { documentElement } = (
              globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
            ).document;
            return documentElement.scrollWidth - documentElement.clientWidth;
          });
          expect(overflow, `at ${String(width)} px`).toBe(0);
        }
        await page.setViewportSize({ width: 1400, height: 900 });
        await page.screenshot({ path: join(artifacts, 'quotes-app-defects.html.png'), fullPage: true });
        // The header names the directory as the user did, never the scanning machine's path.
        expect(await page.locator('h1 + p').innerText()).toMatch(/^fixtures\/quotes-app-defects · 9 files · cache-audit /);
        // What a message quotes in backticks is code, and no backtick is left showing.
        const typo = page.locator('.finding', { hasText: 'qoutes:*' }).first();
        expect(await typo.locator('p code').allInnerTexts()).toEqual(['qoutes:*', 'quotes:*']);
        expect(await page.locator('.finding > p').allInnerTexts()).not.toContainEqual(expect.stringContaining('`'));
        expect(await page.locator('.finding ul.details li code').count()).toBeGreaterThan(0);
        expect(await page.locator('.finding ul.details li').allInnerTexts()).not.toContainEqual(expect.stringContaining('`'));
        expect(errors).toEqual([]);

        // Without a registry, the matrix lists the handlers with what they invalidate, as the coverage counts them.
        const bare = await scan({ root: join(root, 'fixtures/nextjs-prisma-app') });
        expect(bare.matrix.keys).toEqual([]);
        const bareFile = join(artifacts, 'nextjs-prisma-app.html');
        writeFileSync(bareFile, REPORTERS.html(bare, { ...context, rootLabel: 'fixtures/nextjs-prisma-app' }));
        await page.goto(`file://${bareFile}`);
        const body = await page.locator('body').innerText();
        expect(body).not.toMatch(/no handler invalidates|No mutation handler invalidates/i);
        expect(body).toContain(`coverage (${String(bare.coverage.covered)}/${String(bare.coverage.mutations)})`);
        const handlers = page.locator('table.handlers tbody tr');
        expect(await handlers.count()).toBe(bare.coverage.mutations);
        expect(
          await page
            .locator('table.handlers tbody tr[data-status="invalidates"], table.handlers tbody tr[data-status="exception"]')
            .count(),
        ).toBe(bare.coverage.covered);
        expect(bare.coverage.covered).toBeGreaterThan(0);
        expect(await handlers.filter({ hasText: 'DELETE /api/posts/[id]' }).locator('td code').allInnerTexts()).toEqual([
          'post:{id}',
          'post:slug:{slug}',
          'posts:latest',
        ]);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
