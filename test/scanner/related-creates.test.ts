import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('related-creates');

/** What a scan of the project with `routes` reports, one line per finding, position and severity first. */
const judged = async (files: Record<string, string>): Promise<string[]> =>
  (await scan(files)).findings
    .filter((f) => f.ruleId !== 'unresolved')
    .map((f) => `${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId} ${f.message}`);

/**
 * A project's notification rules cached with the ids of their integrations (a many-to-many
 * relation), by the project's id.
 */
const RULES = (routes: string): Record<string, string> => ({
  'prisma/schema.prisma': `model Project {\n  id String @id\n  rules Rule[]\n}\nmodel Rule {\n  id String @id\n  projectId String\n  project Project @relation(fields: [projectId], references: [id])\n  integrations Integration[]\n}\nmodel Integration {\n  id String @id\n  name String\n  organizationId String\n  rules Rule[]\n}\n`,
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
app.get('/projects/:id/rules', async (req, res) => {
  const hit = await redis.get(\`rules:\${req.params.id}\`);
  if (hit) return res.json(JSON.parse(hit));
  const rules = await prisma.rule.findMany({ where: { projectId: req.params.id }, select: { id: true, integrations: { select: { id: true } } } });
  await redis.set(\`rules:\${req.params.id}\`, JSON.stringify(rules), 'EX', 3600);
  res.json(rules);
});
${routes}`,
});

describe('a row created in a related list', () => {
  it('joins no cached list where its data sets none of the fields the schema joins it by', async () => {
    expect(
      await judged(
        RULES(`app.post('/integrations', async (req, res) => {
  res.json(await prisma.integration.create({ data: { name: req.body.name, organizationId: req.body.organizationId } }));
});
`),
      ),
    ).toEqual([]);
  });

  it('may join one where its data connects it to a parent row', async () => {
    expect(
      await judged(
        RULES(`app.post('/rules/:id/integrations', async (req, res) => {
  res.json(await prisma.integration.create({ data: { name: req.body.name, organizationId: req.body.organizationId, rules: { connect: { id: req.params.id } } } }));
});
`),
      ),
    ).toEqual(['14:5 warning possibly-stale-family POST /rules/:id/integrations may leave a cached family stale: `rules:{id}`.']);
  });
});

/** A key cached by its hash with its rate limits (Drizzle's `with`), where it is found, and two ways to add rate limits. */
const KEYS = (routes: string): Record<string, string> => ({
  'src/schema.ts': `import { relations } from 'drizzle-orm';
import { int, mysqlTable, varchar } from 'drizzle-orm/mysql-core';
export const keys = mysqlTable('keys', { id: varchar('id', { length: 256 }).primaryKey(), hash: varchar('hash', { length: 256 }) });
export const ratelimits = mysqlTable('ratelimits', { id: varchar('id', { length: 256 }).primaryKey(), keyId: varchar('key_id', { length: 256 }), limit: int('limit') });
export const keysRelations = relations(keys, ({ many }) => ({ ratelimits: many(ratelimits) }));
export const ratelimitsRelations = relations(ratelimits, ({ one }) => ({ key: one(keys, { fields: [ratelimits.keyId], references: [keys.id] }) }));
`,
  'src/app.ts': `import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import Redis from 'ioredis';
import { drizzle } from 'drizzle-orm/mysql2';
import * as schema from './schema';
const db = drizzle(process.env.DATABASE_URL!, { schema, mode: 'default' });
const redis = new Redis();
export const app = new Hono();
app.get('/keys/:hash', async (c) => {
  const hit = await redis.get(\`key:\${c.req.param('hash')}\`);
  if (hit) return c.json(JSON.parse(hit));
  const key = await db.query.keys.findFirst({ where: (t, { eq }) => eq(t.hash, c.req.param('hash')), with: { ratelimits: true } });
  if (key) await redis.set(\`key:\${c.req.param('hash')}\`, JSON.stringify(key), 'EX', 3600);
  return c.json(key);
});
${routes}`,
});

describe('a row created under a parent the handler has just created', () => {
  it('joins the list of no cached entry: its key to the parent is new', async () => {
    expect(
      await judged(
        KEYS(`app.post('/keys', async (c) => {
  const keyId = randomUUID();
  await db.transaction(async (tx) => {
    await tx.insert(schema.keys).values({ id: keyId, hash: 'h' });
    const limits = c.req.query('burst') ? [{ limit: 10 }, { limit: 100 }] : [];
    await tx.insert(schema.ratelimits).values(limits.map((l) => ({ id: randomUUID(), keyId, limit: l.limit })));
  });
  return c.json({ keyId });
});
`),
      ),
    ).toEqual([]);
  });

  it('may join a cached list where the parent is one the request names', async () => {
    expect(
      await judged(
        KEYS(`app.post('/keys/:id/ratelimits', async (c) => {
  await db.insert(schema.ratelimits).values({ id: randomUUID(), keyId: c.req.param('id'), limit: 10 });
  return c.json({});
});
`),
      ),
    ).toEqual(['16:5 warning possibly-stale-family POST /keys/:id/ratelimits may leave a cached family stale: `key:{value}`.']);
  });
});
