import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('prisma-relations');

/**
 * An environment's project cached by the environment's id: the loader selects fields of the
 * related project (`select: { project: { select: { id, name } } }`). The projects are renamed by a
 * service that keeps its client in an ES private field (`#client`).
 */
const APP = (routes: string): Record<string, string> => ({
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
class ProjectSettings {
  #client: PrismaClient;
  constructor(client: PrismaClient = prisma) {
    this.#client = client;
  }
  update(id: string, data: { name?: string; description?: string }) {
    return this.#client.project.update({ where: { id }, data });
  }
}
app.get('/environments/:id/project', async (req, res) => {
  const hit = await redis.get(\`env-project:\${req.params.id}\`);
  if (hit) return res.json(JSON.parse(hit));
  const { project } = await prisma.environment.findUniqueOrThrow({ where: { id: req.params.id }, select: { id: true, project: { select: { id: true, name: true } } } });
  await redis.set(\`env-project:\${req.params.id}\`, JSON.stringify({ id: project.id, name: project.name }), 'EX', 86400);
  res.json(project);
});
${routes}`,
});

const judged = async (routes: string): Promise<string[]> =>
  (await scan(APP(routes))).findings
    .filter((f) => f.ruleId !== 'unresolved')
    .map((f) => `${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId} ${[f.message, ...(f.details ?? [])].join(' ')}`);

describe('an entry that holds fields of a related row', () => {
  it('is the related model’s too: a rename of the project, through a client in a private field, stales it', async () => {
    const result = await scan(APP(''));
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['env-project:{id}', ['Environment', 'Project']]]);
    expect(
      await judged(`app.put('/projects/:id/name', async (req, res) => {
  await new ProjectSettings().update(req.params.id, { name: req.body.name });
  res.end();
});
`),
    ).toEqual([
      '23:5 error require-dependent-invalidation PUT /projects/:id/name leaves a cached family stale: `env-project:{id}`. - `env-project:{id}` holds Project (looked up by key; read at src/app.ts:17, filled at src/app.ts:20, ttl 86400 s); it writes Project (update) at src/app.ts:13: delete `env-project:{id}`. Invalidate it, or a disable comment with the reason (or `readOnlyRoutes` in the configuration) if it need not be fresh.',
    ]);
  });

  it('is not changed by a write of the related row’s other fields', async () => {
    expect(
      await judged(`app.put('/projects/:id/description', async (req, res) => {
  await prisma.project.update({ where: { id: req.params.id }, data: { description: req.body.description } });
  res.end();
});
`),
    ).toEqual([]);
  });
});
