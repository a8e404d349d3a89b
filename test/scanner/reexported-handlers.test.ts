import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('reexported-handlers');

describe('a Pages API route that re-exports its handler', () => {
  it('is judged by the code of the module it re-exports, at the export', async () => {
    const result = await scan({
      'lib/redis.ts': `import Redis from 'ioredis';\nexport const redis = new Redis();\n`,
      'lib/prisma.ts': `import { PrismaClient } from '@prisma/client';\nexport default new PrismaClient();\n`,
      'lib/templates.ts': `import prisma from './prisma';
import { redis } from './redis';
export async function templatesOf(teamId: string) {
  const hit = await redis.get(\`templates:\${teamId}\`);
  if (hit) return JSON.parse(hit);
  const found = await prisma.template.findMany({ where: { teamId } });
  await redis.set(\`templates:\${teamId}\`, JSON.stringify(found), 'EX', 600);
  return found;
}
`,
      'ee/features/templates/apply.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import prisma from '../../../lib/prisma';
export default async function handle(req: NextApiRequest, res: NextApiResponse) {
  await prisma.template.create({ data: { teamId: req.query.teamId as string } });
  res.status(201).end();
}
`,
      'pages/api/teams/templates.ts': `export { default } from '../../../ee/features/templates/apply';\n`,
    });
    expect(result.findings.filter((f) => f.ruleId === 'unresolved')).toEqual([]);
    expect(result.findings.map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.message}`)).toEqual([
      'pages/api/teams/templates.ts:1:10 error ALL /api/teams/templates leaves a cached family stale: `templates:{teamId}`.',
    ]);
  });
});
