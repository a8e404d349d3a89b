import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import * as eslint10 from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { clearConfigCache } from '../../src/config/load-config.js';
import plugin from '../../src/eslint.js';
import { scan } from '../../src/scanner/scan.js';
import { run } from '../support/cli.js';
import { writeProject } from '../support/project.js';

/** The NestJS idiom: cache-manager 5+ takes milliseconds, so `60_000` is one minute. */
const CONTROLLER = `import { Body, Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
import { prisma } from './db';

@Controller('quotes')
export class QuotesController {
  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  @Get()
  list() {
    return this.cache.wrap('quotes:list', () => prisma.quote.findMany(), 60_000);
  }

  @Put(':id')
  async update(@Param('id') id: string, @Body() body: { title: string }) {
    return prisma.quote.update({ where: { id }, data: body });
  }
}
`;

const root = writeProject('severity', {
  'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
  'src/quotes.controller.ts': CONTROLLER,
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function configure(rules: Record<string, unknown> | null): void {
  const file = join(root, 'cache-audit.config.json');
  if (rules === null) rmSync(file, { force: true });
  else writeFileSync(file, JSON.stringify({ rules }));
  clearConfigCache();
}

async function cliFindings(): Promise<string[]> {
  const result = await scan({ root });
  return result.findings.filter((f) => f.ruleId !== 'unresolved').map((f) => `${f.file}:${String(f.line)} ${f.ruleId} ${f.severity}`);
}

async function eslintFindings(): Promise<string[]> {
  const eslint = new eslint10.ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, plugin.configs.recommended as never],
  });
  const results = await eslint.lintFiles(['src']);
  return results.flatMap((r) =>
    r.messages.map(
      (m) =>
        `${r.filePath
          .slice(root.length + 1)
          .split('\\')
          .join('/')}:${String(m.line)} ${(m.ruleId ?? '').replace('cache-audit/', '')} ${m.severity === 2 ? 'error' : 'warning'}`,
    ),
  );
}

describe('one verdict on a family with a one-minute ttl', () => {
  it('is an error in the CLI and in ESLint without a configured bound', async () => {
    configure(null);
    const expected = ['src/quotes.controller.ts:16 require-dependent-invalidation error'];
    expect(await cliFindings()).toEqual(expected);
    expect(await eslintFindings()).toEqual(expected);
  });

  it('reads `60_000` of cache-manager as 60 s in the message', async () => {
    configure(null);
    const result = await scan({ root });
    expect(result.findings[0]?.details?.[0]).toContain(', ttl 60 s)');
  });

  it('is a possibly-stale-family warning in the CLI and in ESLint where the team bounds short-lived families at 60 s, and an error below the bound', async () => {
    configure({ 'require-dependent-invalidation': { shortTtlSeconds: 60 } });
    const mild = ['src/quotes.controller.ts:16 possibly-stale-family warning'];
    expect(await cliFindings()).toEqual(mild);
    expect(await eslintFindings()).toEqual(mild);
    configure({ 'require-dependent-invalidation': { shortTtlSeconds: 59 } });
    const proved = ['src/quotes.controller.ts:16 require-dependent-invalidation error'];
    expect(await cliFindings()).toEqual(proved);
    expect(await eslintFindings()).toEqual(proved);
  });

  it('names the option that replaced `shortTtl` when a configuration still uses it: exit 2 with file:line', async () => {
    configure({ 'require-dependent-invalidation': { shortTtl: 60 } });
    const result = await run(['.', '--no-color'], root);
    configure(null);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'cache-audit: cache-audit.config.json:1:45: Invalid configuration: `rules.require-dependent-invalidation`: Unrecognized key: "shortTtl". Rename `shortTtl` to `shortTtlSeconds` (seconds; without it, no family is short-lived and every finding is an error).\n',
    );
  });
});
