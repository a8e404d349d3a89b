import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('strongest-write');

/** A project cached with the e-mails of its members, by its id; `routes` change it. */
const PROJECTS = (routes: string): Record<string, string> => ({
  'package.json': JSON.stringify({
    name: 'projects',
    private: true,
    dependencies: { express: '4.21.0', ioredis: '5.4.0', '@prisma/client': '6.0.0' },
  }),
  'prisma/schema.prisma': `model Project {\n  id String @id\n  name String\n  members Member[]\n}\nmodel Member {\n  id String @id\n  email String\n  projectId String\n  project Project @relation(fields: [projectId], references: [id])\n}\n`,
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
app.get('/projects/:id', async (req, res) => {
  const hit = await redis.get(\`project:\${req.params.id}\`);
  if (hit) return res.json(JSON.parse(hit));
  const project = await prisma.project.findUnique({ where: { id: req.params.id }, include: { members: { select: { email: true } } } });
  await redis.set(\`project:\${req.params.id}\`, JSON.stringify(project));
  res.json(project);
});
${routes}`,
});

const judged = async (routes: string): Promise<string[]> =>
  (await scan(PROJECTS(routes))).findings
    .filter((f) => f.ruleId === 'require-dependent-invalidation' || f.ruleId === 'possibly-stale-family')
    .map((f) => `${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId} ${(f.details ?? [])[0] ?? ''}`);

describe('the write a finding names', () => {
  it('is one that proves the entry stale, where a milder one comes first', async () => {
    expect(
      await judged(`app.post('/projects/:id/members', async (req, res) => {
  await prisma.member.create({ data: { projectId: req.params.id, email: req.body.email } });
  await prisma.project.update({ where: { id: req.params.id }, data: { name: req.body.name } });
  res.sendStatus(204);
});
`),
    ).toEqual([
      '14:5 error require-dependent-invalidation - `project:{id}` holds Project (looked up by key; read at src/app.ts:8, filled at src/app.ts:11); it writes Project (update) at src/app.ts:16: delete `project:{id}`.',
    ]);
  });

  it('is the milder one where no other proves it, as a warning', async () => {
    expect(
      await judged(`app.post('/projects/:id/members', async (req, res) => {
  await prisma.member.create({ data: { projectId: req.params.id, email: req.body.email } });
  res.sendStatus(204);
});
`),
    ).toEqual([
      '14:5 warning possibly-stale-family - `project:{id}` holds Member (a list, count or aggregate; read at src/app.ts:8, filled at src/app.ts:11); it writes Member (create) at src/app.ts:15: delete `project:{id}`.',
    ]);
  });
});
