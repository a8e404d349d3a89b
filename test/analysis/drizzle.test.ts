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
 * A workspace package that holds the tables and passes drizzle-orm on (`export * from
 * 'drizzle-orm'`), as `@unkey/db` does: the application imports the client, the schema and the
 * operators (`eq`, `and`) from it, never from drizzle-orm.
 */
const DB_PACKAGE = {
  'packages/db/package.json': json({ name: '@acme/db', main: './src/index.ts', dependencies: { 'drizzle-orm': '0.45.1' } }),
  'packages/db/src/schema.ts': `import { relations } from 'drizzle-orm';
import { pgTable, text } from 'drizzle-orm/pg-core';
export const clients = pgTable('clients', { id: text('id').primaryKey(), name: text('name') });
export const quotes = pgTable('quotes', { id: text('id').primaryKey(), clientId: text('client_id'), total: text('total'), note: text('note') });
export const quotesRelations = relations(quotes, ({ one }) => ({ client: one(clients, { fields: [quotes.clientId], references: [clients.id] }) }));
`,
  'packages/db/src/index.ts': `import { drizzle } from 'drizzle-orm/node-postgres';
import * as schema from './schema';
export { schema };
export * from 'drizzle-orm';
export const db = drizzle(process.env.DATABASE_URL!, { schema });
`,
};

const APP = {
  'package.json': json({ name: 'acme', private: true, workspaces: ['apps/*', 'packages/*'] }),
  'apps/api/package.json': json({ name: '@acme/api', dependencies: { '@acme/db': 'workspace:*' } }),
  'apps/api/tsconfig.json': json({ include: ['src'] }),
  'apps/api/src/quotes.ts': `import Redis from 'ioredis';
import { db } from '@acme/db';
export const redis = new Redis();
export async function quote(id: string) {
  const hit = await redis.get(\`quote:\${id}\`);
  if (hit) return JSON.parse(hit);
  const row = await db.query.quotes.findFirst({
    where: (table, { eq }) => eq(table.id, id),
    columns: { id: true, total: true },
    with: { client: true },
  });
  await redis.set(\`quote:\${id}\`, JSON.stringify(row), 'EX', 600);
  return row;
}
`,
  'apps/api/src/routes.ts': `import { Router } from 'express';
import { and, db, eq, schema } from '@acme/db';
import { quote, redis } from './quotes';
export const router = Router();
router.get('/quotes/:id', async (req, res) => {
  res.json(await quote(req.params.id));
});
router.post('/quotes/:id/total', async (req, res) => {
  await db.update(schema.quotes).set({ total: req.body.total }).where(eq(schema.quotes.id, req.params.id));
  await redis.del(\`quote:\${req.params.id}\`);
  res.sendStatus(204);
});
router.post('/quotes/:id/note', async (req, res) => {
  await db.update(schema.quotes).set({ note: req.body.note }).where(eq(schema.quotes.id, req.params.id));
  res.sendStatus(204);
});
router.post('/clients/:id/name', async (req, res) => {
  await db.update(schema.clients).set({ name: req.body.name }).where(eq(schema.clients.id, req.params.id));
  res.sendStatus(204);
});
router.delete('/quotes/:id', async (req, res) => {
  await db.transaction(async (tx) => {
    await tx.delete(schema.quotes).where(and(eq(schema.quotes.id, req.params.id), eq(schema.quotes.clientId, req.body.clientId)));
  });
  res.sendStatus(204);
});
`,
};

describe('Drizzle through a workspace package that passes drizzle-orm on', () => {
  // POST /quotes/:id/note sets a column the cached query does not return: nothing to clear.
  it('reads its writes and the reads of cached loaders, its operators inert', async () => {
    const root = writeProject('drizzle', { ...DB_PACKAGE, ...APP });
    roots.push(root);
    // The application audited from its own directory, as a monorepo's application is.
    const result = await scan({ root: join(root, 'apps/api'), workspaceRoot: root });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['quote:{id}', ['Clients', 'Quotes']]]);
    expect(result.findings.map((f) => [f.file, f.line, f.column, f.endLine, f.endColumn, f.ruleId, f.severity, f.message])).toEqual([
      [
        'src/routes.ts',
        17,
        8,
        17,
        12,
        'require-dependent-invalidation',
        'error',
        'POST /clients/:id/name leaves a cached family stale: `quote:{id}`.',
      ],
      [
        'src/routes.ts',
        21,
        8,
        21,
        14,
        'require-dependent-invalidation',
        'error',
        'DELETE /quotes/:id leaves a cached family stale: `quote:{id}`.',
      ],
    ]);
  });
});

/** A Next.js app whose `'use cache'` functions read with Drizzle's select builder: the list, and one quote by its id. */
const NEXT_APP = {
  'package.json': json({ name: 'quotes-next', private: true, dependencies: { 'drizzle-orm': '0.45.1', next: '16.0.0' } }),
  'db/schema.ts': `import { pgTable, serial, text } from 'drizzle-orm/pg-core';
export const quotes = pgTable('quotes', { id: serial('id').primaryKey(), text: text('text').notNull() });
`,
  'db/index.ts': `import { drizzle } from 'drizzle-orm/node-postgres';
export const db = drizzle(process.env.DATABASE_URL!);
`,
  'app/quotes/data.ts': `import { cacheTag } from 'next/cache';
import { eq } from 'drizzle-orm';
import { db } from '../../db';
import { quotes } from '../../db/schema';
export async function getQuotes() {
  'use cache';
  cacheTag('quotes');
  return db.select().from(quotes);
}
export async function getQuote(id: number) {
  'use cache';
  cacheTag(\`quote-\${id}\`);
  const [quote] = await db.select().from(quotes).where(eq(quotes.id, id));
  return quote;
}
`,
  'app/quotes/actions.ts': `'use server';
import { updateTag } from 'next/cache';
import { eq } from 'drizzle-orm';
import { db } from '../../db';
import { quotes } from '../../db/schema';
export async function createQuote(text: string) {
  await db.insert(quotes).values({ text });
  updateTag('quotes');
}
export async function editQuote(id: number, text: string) {
  await db.update(quotes).set({ text }).where(eq(quotes.id, id));
  updateTag('quotes');
}
`,
};

describe("Drizzle's select builder", () => {
  it('reads a select whose where pins the id as a lookup by key: a create cannot make it stale', async () => {
    const root = writeProject('drizzle-select', NEXT_APP);
    roots.push(root);
    const result = await scan({ root });
    const found = result.findings.filter((f) => f.ruleId === 'require-dependent-invalidation');
    expect(found.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.message}`)).toEqual([
      'app/quotes/actions.ts:10 error server action editQuote leaves a cached family stale: `quote-{id}`.',
    ]);
    expect(found[0]?.details?.[0]).toBe(
      "- `quote-{id}` holds Quotes (looked up by key; read at app/quotes/data.ts:10, filled at app/quotes/data.ts:10, ttl 900 s); it writes Quotes (update) at app/quotes/actions.ts:11: call `updateTag('quote-{id}')`.",
    );
  });
});
