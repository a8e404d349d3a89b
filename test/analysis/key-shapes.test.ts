import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scanner/scan.js';
import type { MatrixRow, ScanResult } from '../../src/scanner/result.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** Writes a small project with no configuration (families inferred from the code) and scans it. */
async function project(files: Record<string, string>): Promise<ScanResult> {
  const root = mkdtempSync(join(tmpdir(), 'cache-audit-key-shapes-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return scan({ root });
}

function row(result: ScanResult, handler: string): MatrixRow {
  const found = result.matrix.rows.find((r) => r.handler === handler);
  if (!found) throw new Error(`no row ${handler} in ${result.matrix.rows.map((r) => r.handler).join(', ')}`);
  return found;
}

function errors(result: ScanResult): string[] {
  return result.findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${f.file}:${String(f.line)}:${String(f.column)}`);
}

const DB = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;

describe('keys built from arrays', () => {
  it('reads a key joined from a rest parameter, through a checked builder and a nested object of builders', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/cache/key.ts': `export const makeCacheKey = (...parts: [first: string, ...rest: string[]]): string => {
  if (parts.some((part) => part.length === 0)) {
    console.error('empty part');
    throw new Error('Invalid cache key: parts cannot be empty');
  }
  const key = \`app:\${parts.join(':')}\`;
  if (!/^app:/.test(key)) throw new Error('Invalid cache key');
  return key;
};
`,
      'src/cache/keys.ts': `import { makeCacheKey } from './key';
export const cacheKeys = {
  website: {
    byId: (websiteId: string) => makeCacheKey('website', websiteId),
    list(teamId: string) { return makeCacheKey('team', teamId, 'websites'); },
  },
  report: (reportId: string) => ['report', reportId, 'summary'].join(':'),
};
`,
      'src/routes.ts': `import express from 'express';
import { createClient } from 'redis';
import { prisma } from './db';
import { cacheKeys } from './cache/keys';
const redis = createClient();
export const app = express();
app.get('/websites/:id', async (req, res) => {
  const hit = await redis.get(cacheKeys.website.byId(req.params.id));
  if (hit) return res.json(JSON.parse(hit));
  const website = await prisma.website.findUnique({ where: { id: req.params.id } });
  await redis.set(cacheKeys.website.byId(req.params.id), JSON.stringify(website));
  res.json(website);
});
app.get('/teams/:id/websites', async (req, res) => {
  const hit = await redis.get(cacheKeys.website.list(req.params.id));
  if (hit) return res.json(JSON.parse(hit));
  const websites = await prisma.website.findMany({ where: { teamId: req.params.id } });
  await redis.set(cacheKeys.website.list(req.params.id), JSON.stringify(websites));
  res.json(websites);
});
app.get('/reports/:id', async (req, res) => {
  const hit = await redis.get(cacheKeys.report(req.params.id));
  if (hit) return res.json(JSON.parse(hit));
  const report = await prisma.report.findUnique({ where: { id: req.params.id } });
  await redis.set(cacheKeys.report(req.params.id), JSON.stringify(report));
  res.json(report);
});
app.put('/websites/:id', async (req, res) => {
  const website = await prisma.website.update({ where: { id: req.params.id }, data: req.body });
  await redis.del([cacheKeys.website.byId(website.id), cacheKeys.website.list(website.teamId)]);
  res.status(204).end();
});
app.delete('/reports/:id', async (req, res) => {
  await prisma.report.delete({ where: { id: req.params.id } });
  res.status(204).end();
});
`,
    });
    expect(result.families.map((f) => [f.key, f.models, f.reads])).toEqual([
      ['app:team:{teamId}:websites', ['Website'], [{ file: 'src/routes.ts', line: 15 }]],
      ['app:website:{websiteId}', ['Website'], [{ file: 'src/routes.ts', line: 8 }]],
      ['report:{reportId}:summary', ['Report'], [{ file: 'src/routes.ts', line: 22 }]],
    ]);
    expect(row(result, 'PUT /websites/:id').invalidations.map((i) => [i.pattern, i.kind])).toEqual([
      ['app:website:{websiteId}', 'key'],
      ['app:team:{teamId}:websites', 'key'],
    ]);
    expect(errors(result)).toEqual(['require-invalidation src/routes.ts:33:5']);
  });
});
