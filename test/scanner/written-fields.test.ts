import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('written-fields');

/** An account's e-mail cached by the account (its `select` takes `email` alone); `routes` update accounts. */
const ACCOUNTS = (routes: string): Record<string, string> => ({
  'package.json': JSON.stringify({
    name: 'accounts',
    private: true,
    dependencies: { express: '4.21.0', ioredis: '5.4.0', '@prisma/client': '6.0.0' },
  }),
  'prisma/schema.prisma': `model Account {\n  id String @id\n  userId String\n  email String\n  note String?\n  digest Boolean @default(true)\n}\n`,
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
export async function emailOf(userId: string, id: string): Promise<string | null> {
  const key = \`account:\${userId}:\${id}\`;
  const hit = await redis.get(key);
  if (hit !== null) return hit;
  const row = await prisma.account.findUnique({ where: { id, userId }, select: { email: true } });
  await redis.set(key, row?.email ?? '', 'EX', 3600);
  return row?.email ?? null;
}
${routes}`,
});

const judged = async (routes: string): Promise<string[]> =>
  (await scan(ACCOUNTS(routes))).findings
    .filter((f) => f.ruleId === 'require-dependent-invalidation' || f.ruleId === 'possibly-stale-family')
    .map((f) => `${String(f.line)}:${String(f.column)} ${f.severity} ${f.message}`);

describe('the fields an update writes, through the documents it chooses between', () => {
  it('leaves the entry alone where no spread choice, chosen document or payload built beside it names a field it holds', async () => {
    expect(
      await judged(`app.put('/accounts/:id', async (req, res) => {
  await prisma.account.update({ where: { id: req.params.id }, data: { note: req.body.note, ...(process.env.DIGEST_OFF ? {} : { digest: false }) } });
  res.sendStatus(204);
});
app.put('/accounts/:id/digest', async (req, res) => {
  await prisma.account.update({ where: { id: req.params.id }, data: req.body.off ? { digest: false } : { note: null } });
  res.sendStatus(204);
});
app.put('/accounts/:id/settings', async (req, res) => {
  const data: { note?: string; digest?: boolean } = { note: req.body.note };
  if (req.body.quiet) data.digest = false;
  await prisma.account.update({ where: { id: req.params.id }, data });
  res.sendStatus(204);
});
`),
    ).toEqual([]);
  });

  it('reports one where a spread names a field it holds on one side', async () => {
    expect(
      await judged(`app.put('/accounts/:id', async (req, res) => {
  await prisma.account.update({ where: { id: req.params.id }, data: { note: req.body.note, ...(req.body.email !== undefined && { email: req.body.email }) } });
  res.sendStatus(204);
});
`),
    ).toEqual(['15:5 error PUT /accounts/:id leaves a cached family stale: `account:{userId}:{id}`.']);
  });
});
