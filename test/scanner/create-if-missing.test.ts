import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('create-if-missing');

/** A team's settings, cached as the row looked up by its unique team id; the routes under test start at line 14. */
const APP = (routes: string): Record<string, string> => ({
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
app.get('/teams/:teamId/settings', async (req, res) => {
  const hit = await redis.get(\`settings:\${req.params.teamId}\`);
  if (hit) return res.json(JSON.parse(hit));
  const found = await prisma.settings.findUnique({ where: { teamId: req.params.teamId } });
  await redis.set(\`settings:\${req.params.teamId}\`, JSON.stringify(found), 'EX', 3600);
  res.json(found);
});
${routes}`,
});

const findings = async (routes: string): Promise<string[]> =>
  (await scan(APP(routes))).findings
    .filter((f) => f.ruleId === 'require-dependent-invalidation')
    .map((f) => `${String(f.line)}:${String(f.column)}-${String(f.endLine)}:${String(f.endColumn)} ${f.severity} ${f.message}`);

describe('an upsert that updates no field', () => {
  it('only creates the row a lookup by key did not find, as a create does: no finding', async () => {
    expect(
      await findings(`app.post('/teams/:teamId/settings', async (req, res) => {
  await prisma.settings.upsert({ where: { teamId: req.params.teamId }, update: {}, create: { teamId: req.params.teamId } });
  res.end();
});
`),
    ).toEqual([]);
  });

  it('changes the row when its update names fields: an error', async () => {
    expect(
      await findings(`app.put('/teams/:teamId/settings', async (req, res) => {
  await prisma.settings.upsert({ where: { teamId: req.params.teamId }, update: { theme: req.body.theme }, create: { teamId: req.params.teamId } });
  res.end();
});
`),
    ).toEqual(['14:5-14:8 error PUT /teams/:teamId/settings leaves a cached family stale: `settings:{teamId}`.']);
  });
});

describe('a row created in the loader a cache read is given', () => {
  it('is part of filling that read: no finding', async () => {
    const result = await scan({
      'src/app.ts': `import express from 'express';
import { createCache } from 'cache-manager';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const cache = createCache();
export const app = express();
app.post('/teams/:teamId/limits', async (req, res) => {
  const limits = await cache.wrap(\`limits:\${req.params.teamId}\`, async () => {
    const found = await prisma.limits.findFirst({ where: { teamId: req.params.teamId } });
    return found ?? (await prisma.limits.create({ data: { teamId: req.params.teamId } }));
  });
  res.json(limits);
});
`,
    });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['limits:{teamId}', ['Limits']]]);
    expect(result.findings.map((f) => `${String(f.line)} ${f.severity} ${f.message}`)).toEqual([]);
  });
});
