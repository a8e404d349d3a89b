import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scanner/scan.js';
import { writeProject } from '../support/project.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/**
 * A workspace package that passes a cache library on by name, renaming its type
 * (`export { createCache, Namespace, type Cache as AppCache } from '@unkey/cache'`), and a service
 * of the application that types its cache by that name.
 */
const PROJECT = (reexport: string) => ({
  'package.json': json({ name: 'acme', private: true, workspaces: ['apps/*', 'packages/*'] }),
  'packages/cache/package.json': json({ name: '@acme/cache', main: './src/index.ts', dependencies: { '@unkey/cache': '1.5.0' } }),
  'packages/cache/src/index.ts': reexport,
  'apps/api/package.json': json({ name: '@acme/api', dependencies: { '@acme/cache': 'workspace:*' } }),
  'apps/api/tsconfig.json': json({ include: ['src'] }),
  'apps/api/src/teams.ts': `import { PrismaClient } from '@prisma/client';
import { createCache, Namespace, type AppCache } from '@acme/cache';
const prisma = new PrismaClient();
export class Teams {
  private readonly cache: AppCache<{ teams: { id: string; name: string } | null }>;
  constructor() {
    const ctx = { waitUntil: (p: Promise<unknown>) => void p };
    this.cache = createCache({ teams: new Namespace(ctx, { stores: [], fresh: 60_000, stale: 300_000 }) });
  }
  async team(id: string) {
    const result = await this.cache.teams.swr(id, () => prisma.team.findUnique({ where: { id } }));
    return result.val;
  }
}
`,
  'apps/api/src/routes.ts': `import { Router } from 'express';
import { PrismaClient } from '@prisma/client';
import { Teams } from './teams';
const prisma = new PrismaClient();
const teams = new Teams();
export const router = Router();
router.get('/teams/:id', async (req, res) => {
  res.json(await teams.team(req.params.id));
});
router.put('/teams/:id', async (req, res) => {
  await prisma.team.update({ where: { id: req.params.id }, data: { name: req.body.name } });
  res.sendStatus(204);
});
`,
});

describe('a cache library a workspace package passes on by name', () => {
  it.each([
    ['exported from it', `export { createCache, Namespace, type Cache as AppCache } from '@unkey/cache';\n`],
    [
      'imported and exported',
      `import { createCache, Namespace, type Cache as AppCache } from '@unkey/cache';\nexport { createCache, Namespace, type AppCache };\n`,
    ],
  ])('is the library, %s: its namespaces are families', async (_, reexport) => {
    const root = writeProject('reexported-library', PROJECT(reexport));
    roots.push(root);
    const result = await scan({ root: join(root, 'apps/api'), workspaceRoot: root });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['teams:{id}', ['Team']]]);
    expect(result.findings.map((f) => [f.file, f.line, f.column, f.ruleId, f.severity, f.message])).toEqual([
      ['src/routes.ts', 10, 8, 'require-dependent-invalidation', 'error', 'PUT /teams/:id leaves a cached family stale: `teams:{id}`.'],
    ]);
  });

  it('is the project where the package declares the name itself', async () => {
    const root = writeProject(
      'reexported-library',
      PROJECT(
        `export { createCache, Namespace } from '@unkey/cache';\nexport interface AppCache<T> { teams: { swr(id: string, load: () => Promise<unknown>): Promise<{ val: T }> } }\n`,
      ),
    );
    roots.push(root);
    const result = await scan({ root: join(root, 'apps/api'), workspaceRoot: root });
    expect(result.families).toEqual([]);
  });
});
