import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('sibling-branches');

/** A team's templates, cached as one list, cleared by a helper (line 16); the flags come from a module out of sight (generated at build time). The routes start at line 18. */
const APP = (routes: string): Record<string, string> => ({
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
import { isOn } from './generated/flags';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
app.get('/teams/:teamId/templates', async (req, res) => {
  const hit = await redis.get(\`templates:\${req.params.teamId}\`);
  if (hit) return res.json(JSON.parse(hit));
  const found = await prisma.template.findMany({ where: { teamId: req.params.teamId } });
  await redis.set(\`templates:\${req.params.teamId}\`, JSON.stringify(found), 'EX', 3600);
  res.json(found);
});
async function clearTemplates(teamId: string) {
  await redis.del(\`templates:\${teamId}\`);
}
${routes}`,
});

const findings = async (routes: string): Promise<string[]> =>
  (await scan(APP(routes))).findings
    .filter((f) => f.ruleId === 'require-dependent-invalidation' || f.ruleId === 'possibly-stale-family')
    .map(
      (f) =>
        `${String(f.line)}:${String(f.column)}-${String(f.endLine)}:${String(f.endColumn)} ${f.severity} ${f.ruleId} ${[f.message, ...(f.details ?? [])].join(' ')}`,
    );

describe('a family cleared on one branch of a mutation and written on another', () => {
  it('is left stale by the write of the other branch, through an if/else and a loop over other rows: a warning', async () => {
    const result = await findings(`app.put('/teams/:teamId/templates', async (req, res) => {
  const existing = await prisma.template.findFirst({ where: { id: req.body.id } });
  if (existing) {
    await prisma.template.update({ where: { id: existing.id }, data: { name: req.body.name } });
    await clearTemplates(req.params.teamId);
  } else {
    await prisma.template.create({ data: { name: req.body.name, teamId: req.params.teamId } });
  }
  const others = await prisma.template.findMany({ where: { name: req.body.name } });
  await Promise.all(others.map((t) => clearTemplates(t.teamId)));
  res.end();
});
`);
    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(
      /^18:5-18:8 warning possibly-stale-family PUT \/teams\/:teamId\/templates may leave a cached family stale: `templates:\{teamId\}`\./,
    );
    expect(result[0]).toContain(
      'it writes Template (create) at src/app.ts:24, on a path that does not clear it (cleared at src/app.ts:16 on another): delete `templates:{teamId}`.',
    );
  });

  it('is left stale by a branch that returns before the clearing: a warning', async () => {
    const result = await findings(`app.delete('/teams/:teamId/templates/:id', async (req, res) => {
  const count = await prisma.template.count({ where: { id: req.params.id } });
  if (count === 0) {
    await prisma.template.deleteMany({ where: { id: req.params.id } });
    return res.end();
  }
  await clearTemplates(req.params.teamId);
  await prisma.template.update({ where: { id: req.params.id }, data: { archived: true } });
  res.end();
});
`);
    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(
      /^18:5-18:11 warning possibly-stale-family DELETE \/teams\/:teamId\/templates\/:id may leave a cached family stale: `templates:\{teamId\}`\./,
    );
    expect(result[0]).toContain(
      'it writes Template (delete) at src/app.ts:21, on a path that does not clear it (cleared at src/app.ts:16 on another): delete `templates:{teamId}`.',
    );
  });

  it('is fresh when every branch clears it, or the clearing follows the branches', async () => {
    expect(
      await findings(`app.put('/teams/:teamId/templates', async (req, res) => {
  const existing = await prisma.template.findFirst({ where: { id: req.body.id } });
  if (existing) {
    await prisma.template.update({ where: { id: existing.id }, data: { name: req.body.name } });
    await clearTemplates(req.params.teamId);
  } else {
    await prisma.template.create({ data: { name: req.body.name, teamId: req.params.teamId } });
    await clearTemplates(req.params.teamId);
  }
  res.end();
});
app.post('/teams/:teamId/templates', async (req, res) => {
  if (req.body.id) {
    await prisma.template.update({ where: { id: req.body.id }, data: { name: req.body.name } });
  } else {
    await prisma.template.create({ data: { name: req.body.name, teamId: req.params.teamId } });
  }
  await clearTemplates(req.params.teamId);
  res.end();
});
`),
    ).toEqual([]);
  });
});

describe('a mutation that calls code the audit cannot follow', () => {
  it('leaves stale, likely, a family it clears on another branch than a write: a warning that names the call', async () => {
    expect(
      await findings(`app.put('/teams/:teamId/templates', async (req, res) => {
  if (!(await isOn('templates'))) return res.status(404).end();
  if (req.body.id) {
    await prisma.template.update({ where: { id: req.body.id }, data: { name: req.body.name } });
    await redis.del(\`templates:\${req.params.teamId}\`);
  } else {
    await prisma.template.create({ data: { name: req.body.name, teamId: req.params.teamId } });
  }
  res.end();
});
`),
    ).toEqual([
      '18:5-18:8 warning possibly-stale-family PUT /teams/:teamId/templates may leave a cached family stale: `templates:{teamId}`. - `templates:{teamId}` holds Template (a list, count or aggregate; read at src/app.ts:9, filled at src/app.ts:12, ttl 3600 s); it writes Template (create) at src/app.ts:24, on a path that does not clear it (cleared at src/app.ts:22 on another); it calls code the audit cannot follow (`isOn`), which may clear it: delete `templates:{teamId}`. Invalidate it, or a disable comment with the reason (or `readOnlyRoutes` in the configuration) if it need not be fresh.',
    ]);
  });

  it('is not judged on a family it clears nowhere, which the code out of sight may clear', async () => {
    expect(
      await findings(`app.post('/teams/:teamId/templates', async (req, res) => {
  if (!(await isOn('templates'))) return res.status(404).end();
  await prisma.template.create({ data: { name: req.body.name, teamId: req.params.teamId } });
  res.end();
});
`),
    ).toEqual([]);
  });

  it('tells the cases of a switch apart where each leaves it: a write in one, the clearing in another', async () => {
    const route = (rename: string) => `app.post('/teams/:teamId/templates/:id', async (req, res) => {
  switch (req.body.action) {
    case 'rename':
      await prisma.template.update({ where: { id: req.params.id }, data: { name: req.body.name } });
${rename}
    case 'delete':
      await prisma.template.delete({ where: { id: req.params.id } });
      await clearTemplates(req.params.teamId);
      return res.end();
  }
});
`;
    const result = await findings(route('      return res.end();'));
    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(/^18:5-18:9 warning possibly-stale-family POST \/teams\/:teamId\/templates\/:id may leave/);
    expect(result[0]).toContain(
      'it writes Template (update) at src/app.ts:21, on a path that does not clear it (cleared at src/app.ts:16 on another)',
    );
    // A case that falls through runs the next one's clearing too.
    expect(await findings(route(''))).toEqual([]);
  });

  it('judges a write on another branch than an invalidation it cannot read', async () => {
    const result = await findings(`app.post('/teams/:teamId/templates/:id', async (req, res) => {
  if (req.body.archive) {
    await prisma.template.delete({ where: { id: req.params.id } });
    await invalidateEverything(req.params.id);
    return res.end();
  }
  await prisma.template.update({ where: { id: req.params.id }, data: { name: req.body.name } });
  res.end();
});
async function invalidateEverything(key: string) {
  await fetch(\`https://cache.internal/purge/\${key}\`, { method: 'POST' });
}
`);
    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(
      /^18:5-18:9 error require-dependent-invalidation POST \/teams\/:teamId\/templates\/:id leaves a cached family stale/,
    );
    expect(result[0]).toContain('it writes Template (update) at src/app.ts:24: delete `templates:{teamId}`.');
  });
});
