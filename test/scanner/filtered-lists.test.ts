import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('filtered-lists');

/** The featured templates, a list its filter holds to `isFeatured: true`, cached for an hour. */
const APP = (routes: string): Record<string, string> => ({
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
app.get('/templates/featured', async (req, res) => {
  const hit = await redis.get('templates:featured');
  if (hit) return res.json(JSON.parse(hit));
  const found = await prisma.template.findMany({ where: { isFeatured: true } });
  await redis.set('templates:featured', JSON.stringify(found), 'EX', 3600);
  res.json(found);
});
${routes}`,
});

const severities = async (routes: string): Promise<string[]> =>
  (await scan(APP(routes))).findings.filter((f) => f.ruleId !== 'unresolved').map((f) => `${String(f.line)} ${f.severity}`);

describe('a list its filter holds to a value written in the code', () => {
  it('is surely changed by a write of the filtered field: an error', async () => {
    expect(
      await severities(
        `app.put('/templates/:id/feature', async (req, res) => {\n  await prisma.template.update({ where: { id: req.params.id }, data: { isFeatured: true } });\n  res.end();\n});\n`,
      ),
    ).toEqual(['14 error']);
  });

  it('may not hold the row an update of other fields, a create or a delete writes: a warning', async () => {
    expect(
      await severities(
        `app.put('/templates/:id', async (req, res) => {\n  await prisma.template.update({ where: { id: req.params.id }, data: { name: req.body.name } });\n  res.end();\n});\napp.post('/templates', async (req, res) => {\n  await prisma.template.create({ data: { name: req.body.name } });\n  res.end();\n});\napp.delete('/templates/:id', async (req, res) => {\n  await prisma.template.delete({ where: { id: req.params.id } });\n  res.end();\n});\n`,
      ),
    ).toEqual(['14 warning', '18 warning', '22 warning']);
  });
});
