import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as eslint9 from 'eslint9';
import * as eslint10 from 'eslint';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { clearConfigCache } from '../../src/config/load-config.js';
import { scan } from '../../src/scanner/scan.js';
import { lintFixture } from '../eslint/lint-fixture.js';
import { writeProject } from '../support/project.js';

/**
 * Quotes are cached for a minute and nothing clears them; clients are cached for ten minutes and
 * cleared where they are created. The team leaves the quotes to expire: only the client update
 * that forgets its family is a finding.
 */
const CONTROLLER = `import { Body, Controller, Get, Inject, Param, Post, Put } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
import { prisma } from './db';

@Controller()
export class AppController {
  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  @Get('quotes')
  quotes() {
    return this.cache.wrap('quotes:list', () => prisma.quote.findMany(), 60_000);
  }

  @Put('quotes/:id')
  async updateQuote(@Param('id') id: string, @Body() body: { title: string }) {
    return prisma.quote.update({ where: { id }, data: body });
  }

  @Get('clients')
  clients() {
    return this.cache.wrap('clients:list', () => prisma.client.findMany(), 600_000);
  }

  @Post('clients')
  async createClient(@Body() body: { name: string }) {
    const client = await prisma.client.create({ data: body });
    await this.cache.del('clients:list');
    return client;
  }

  @Put('clients/:id')
  async updateClient(@Param('id') id: string, @Body() body: { name: string }) {
    return prisma.client.update({ where: { id }, data: body });
  }
}
`;

/** A module of the project that deletes a key it cannot name: from a \`Map\` of the process, or from the shared cache. */
const memo = (receiver: 'map' | 'cache'): string =>
  receiver === 'map'
    ? `const modelCache = new Map<string, unknown>();\nexport function forget(raw: string): void {\n  const key = JSON.parse(raw) as string;\n  modelCache.delete(key);\n}\n`
    : `import type { Cache } from 'cache-manager';\nexport async function forget(cache: Cache, raw: string): Promise<void> {\n  const key = JSON.parse(raw) as string;\n  await cache.del(key);\n}\n`;

const root = writeProject('expiring', {
  'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, experimentalDecorators: true }, include: ['src'] }),
  'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
  'src/app.controller.ts': CONTROLLER,
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function configure(rules: Record<string, unknown> | null, files: Record<string, string | null> = {}): void {
  const file = join(root, 'cache-audit.config.json');
  if (rules === null) rmSync(file, { force: true });
  else writeFileSync(file, JSON.stringify({ rules }));
  for (const [path, text] of Object.entries(files)) {
    if (text === null) rmSync(join(root, path), { force: true });
    else writeFileSync(join(root, path), text);
  }
  clearConfigCache();
}

async function cliFindings(): Promise<string[]> {
  const result = await scan({ root });
  return result.findings.filter((f) => f.ruleId !== 'unresolved').map((f) => `${f.file}:${String(f.line)} ${f.ruleId} ${f.severity}`);
}

/** The findings of ESLint 9 and 10, untyped and typed, each as the CLI writes them: all four must agree. */
async function eslintFindings(): Promise<string[][]> {
  const runs: string[][] = [];
  for (const module of [eslint9, eslint10]) {
    for (const typed of [false, true]) {
      const messages = await lintFixture(module, root, { typed });
      runs.push(messages.map((m) => `${m.file}:${String(m.line)} ${m.rule} ${m.severity}`));
    }
  }
  return runs;
}

const UPDATE_QUOTE = 'src/app.controller.ts:16 require-dependent-invalidation error';
const UPDATE_CLIENT = 'src/app.controller.ts:33 require-dependent-invalidation error';

/** Offers kept a minute under a tag, cleared by that tag where they are created. */
const OFFERS = `import express from 'express';
import { BentoCache } from 'bentocache';
import { prisma } from './db';
const bento = new BentoCache({ default: 'memory', stores: {} });
export const offers = express.Router();
offers.get('/offers', async (_req, res) => {
  res.json(await bento.getOrSet({ key: 'offers:open', ttl: 60_000, tags: ['offers'], factory: () => prisma.offer.findMany() }));
});
offers.post('/offers', async (req, res) => {
  res.json(await prisma.offer.create({ data: req.body }));
  await bento.deleteByTag({ tags: ['offers'] });
});
offers.put('/offers/:id', async (req, res) => {
  res.json(await prisma.offer.update({ where: { id: req.params.id }, data: req.body }));
});
`;

describe('a family the team leaves to expire', () => {
  beforeEach(() => {
    configure(null, { 'src/memo.ts': null, 'src/offers.ts': null, 'src/app.controller.ts': CONTROLLER });
  });

  it('is not reported where nothing clears it and it lives a minute, in the CLI and in ESLint alike', async () => {
    expect(await cliFindings()).toEqual([UPDATE_CLIENT]);
    expect(await eslintFindings()).toEqual([[UPDATE_CLIENT], [UPDATE_CLIENT], [UPDATE_CLIENT], [UPDATE_CLIENT]]);
  });

  it('is judged again with `expiryByDesignSeconds: 0`, or a bound below its ttl', async () => {
    configure({ 'require-dependent-invalidation': { expiryByDesignSeconds: 0 } });
    expect(await cliFindings()).toEqual([UPDATE_QUOTE, UPDATE_CLIENT]);
    configure({ 'require-dependent-invalidation': { expiryByDesignSeconds: 59 } });
    expect(await cliFindings()).toEqual([UPDATE_QUOTE, UPDATE_CLIENT]);
    expect((await eslintFindings())[1]).toEqual([UPDATE_QUOTE, UPDATE_CLIENT]);
  });

  it('is judged where the project clears no key at all: there is no choice to read', async () => {
    configure(null, { 'src/app.controller.ts': CONTROLLER.replace("    await this.cache.del('clients:list');\n", '') });
    // One line fewer: the client update is on line 32, and the create now forgets its family too.
    const all = [
      UPDATE_QUOTE,
      'src/app.controller.ts:26 require-dependent-invalidation error',
      'src/app.controller.ts:32 require-dependent-invalidation error',
    ];
    expect(await cliFindings()).toEqual(all);
    expect(await eslintFindings()).toEqual([all, all, all, all]);
  });

  it('is left to expire beside a key deleted from a Map of the process, not beside a shared-cache delete of a key it cannot read', async () => {
    configure(null, { 'src/memo.ts': memo('map') });
    expect(await cliFindings()).toEqual([UPDATE_CLIENT]);
    configure(null, { 'src/memo.ts': memo('cache') });
    expect(await cliFindings()).toEqual([UPDATE_QUOTE, UPDATE_CLIENT]);
    // Untyped ESLint: the typed program of this process may still hold the file as first written (no watcher sees the edit).
    expect((await eslintFindings())[2]).toEqual([UPDATE_QUOTE, UPDATE_CLIENT]);
  });

  it('is judged where a tag its entries carry is cleared elsewhere, and the tag is no dead family', async () => {
    configure(null, { 'src/offers.ts': OFFERS });
    // The update (line 13) forgets the offers; the delete by tag (line 11) clears the tag the read gives its entry.
    expect(await cliFindings()).toEqual([UPDATE_CLIENT, 'src/offers.ts:13 require-dependent-invalidation error']);
  });
});
