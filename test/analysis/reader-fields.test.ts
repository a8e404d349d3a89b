import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/scanner/result.js';
import { projects } from '../support/project.js';

const scanProject = projects('reader-fields');

const json = (value: unknown): string => JSON.stringify(value, null, 2);

const stale = (result: ScanResult): string[] =>
  result.findings
    .filter((f) => f.ruleId === 'require-dependent-invalidation' || f.ruleId === 'possibly-stale-family')
    .map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.message}`);

/**
 * APIs cached with the key space a Drizzle `with` loads beside each (`@unkey/cache`'s `swr`), as
 * unkey caches `apiById`. `reader` is the code that uses the cached API.
 */
const apiApp = (reader: string, routes: string): Record<string, string> => ({
  'package.json': json({ name: 'keys', private: true, dependencies: { 'drizzle-orm': '0.45.1', '@unkey/cache': '1.5.0', hono: '4.7.0' } }),
  'src/schema.ts': `import { relations } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
export const apis = pgTable('apis', { id: text('id').primaryKey(), name: text('name'), keyAuthId: text('key_auth_id') });
export const keyAuth = pgTable('key_auth', { id: text('id').primaryKey(), defaultPrefix: text('default_prefix'), sizeApprox: integer('size_approx') });
export const apisRelations = relations(apis, ({ one }) => ({ keyAuth: one(keyAuth, { fields: [apis.keyAuthId], references: [keyAuth.id] }) }));
`,
  'src/db.ts': `import { drizzle } from 'drizzle-orm/node-postgres';
import * as schema from './schema';
export const db = drizzle(process.env.DATABASE_URL!, { schema });
`,
  'src/routes.ts': `import { Hono } from 'hono';
import { createCache, Namespace } from '@unkey/cache';
import { MemoryStore } from '@unkey/cache/stores';
import { eq } from 'drizzle-orm';
import { db } from './db';
import { keyAuth } from './schema';
const ctx = { waitUntil: (p: Promise<unknown>) => void p };
const cache = createCache({ apiById: new Namespace(ctx, { stores: [new MemoryStore({ persistentMap: new Map() })], fresh: 60_000, stale: 300_000 }) });
export const app = new Hono();
app.post('/apis/:id/keys', async (c) => {
  const { val: api, err } = await cache.apiById.swr(c.req.param('id'), async () => {
    return (await db.query.apis.findFirst({ where: (table, { eq }) => eq(table.id, c.req.param('id')), with: { keyAuth: true } })) ?? null;
  });
  if (err || !api || !api.keyAuth) return c.body(null, 404);
${reader}
});
${routes}`,
});

const WRITES = `app.post('/key-spaces/:id/count', async (c) => {
  await db.update(keyAuth).set({ sizeApprox: 3 }).where(eq(keyAuth.id, c.req.param('id')));
  return c.body(null, 204);
});
app.post('/key-spaces/:id/prefix', async (c) => {
  await db.update(keyAuth).set({ defaultPrefix: 'sk' }).where(eq(keyAuth.id, c.req.param('id')));
  return c.body(null, 204);
});
`;

describe('the fields readers use of a relation a cached row is loaded with', () => {
  it('reports an update of a field a reader uses of the relation, not one of a field none uses', async () => {
    const result = await scanProject(apiApp(`  return c.json({ id: api.id, prefix: api.keyAuth.defaultPrefix ?? 'key' });`, WRITES));
    expect(stale(result)).toEqual([
      'src/routes.ts:21:5 error POST /key-spaces/:id/prefix leaves a cached family stale: `apiById:{value}`.',
    ]);
  });

  it('counts every field of a relation a reader hands on', async () => {
    const result = await scanProject(apiApp(`  return c.json({ id: api.id, keyAuth: api.keyAuth });`, WRITES));
    expect(stale(result)).toEqual([
      'src/routes.ts:17:5 error POST /key-spaces/:id/count leaves a cached family stale: `apiById:{value}`.',
      'src/routes.ts:21:5 error POST /key-spaces/:id/prefix leaves a cached family stale: `apiById:{value}`.',
    ]);
  });

  it('reads the fields of a relation a reader destructures', async () => {
    const result = await scanProject(
      apiApp(`  const { keyAuth: space } = api;\n  return c.json({ prefix: space.defaultPrefix });`, WRITES),
    );
    expect(stale(result)).toEqual([
      'src/routes.ts:22:5 error POST /key-spaces/:id/prefix leaves a cached family stale: `apiById:{value}`.',
    ]);
  });
});
