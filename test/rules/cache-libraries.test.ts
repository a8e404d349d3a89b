import { rules } from '../../src/eslint.js';
import { ruleTester } from './tester.js';

const rule = rules['require-dependent-invalidation'];

const EXCEPTION = 'a disable comment with the reason (or `readOnlyRoutes` in the configuration)';

/** The data of a finding that names one stale family. */
function staleData(handler: string, name: string, detail: string) {
  return {
    handler,
    count: 'a cached family',
    families: `\`${name}\``,
    details: `\n- ${detail}`,
    them: 'it',
    they: 'it',
    exception: EXCEPTION,
  };
}

/** An Express app whose users are cached by BentoCache in the `users` namespace (tagged `users`), its posts in the root cache. */
const bentoApp = (routes: string): string => `import express from 'express';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const bento = new BentoCache({ default: 'memory', stores: { memory: bentostore().useL1Layer(memoryDriver()) } });
const users = bento.namespace('users');
export const app = express();
app.get('/users/:id', async (req, res) => {
  res.json(await users.getOrSet({ key: \`user:\${req.params.id}\`, factory: () => prisma.user.findUnique({ where: { id: req.params.id } }), ttl: 60_000, tags: ['users'] }));
});
app.get('/posts', async (req, res) => {
  res.json(await bento.getOrSet('posts:all', () => prisma.post.findMany(), { ttl: '5m' }));
});
${routes}`;

ruleTester({ registry: undefined }).run('require-dependent-invalidation (BentoCache)', rule, {
  valid: [
    {
      name: 'a delete of the key in its namespace',
      code: bentoApp(
        `app.put('/users/:id', async (req, res) => {\n  await prisma.user.update({ where: { id: req.params.id }, data: req.body });\n  await users.delete({ key: \`user:\${req.params.id}\` });\n  res.end();\n});\n`,
      ),
    },
    {
      name: 'a delete by the tag the entry was given',
      code: bentoApp(
        `app.delete('/users/:id', async (req, res) => {\n  await prisma.user.delete({ where: { id: req.params.id } });\n  await users.deleteByTag({ tags: ['users'] });\n  res.end();\n});\n`,
      ),
    },
    {
      name: 'the clear of the namespace',
      code: bentoApp(
        `app.patch('/users/:id', async (req, res) => {\n  await prisma.user.update({ where: { id: req.params.id }, data: req.body });\n  await users.clear();\n  res.end();\n});\n`,
      ),
    },
    {
      name: 'the older positional delete, and expire',
      code: bentoApp(
        `app.post('/posts', async (req, res) => {\n  await prisma.post.create({ data: req.body });\n  await bento.delete('posts:all');\n  res.end();\n});\napp.put('/posts/:id', async (req, res) => {\n  await prisma.post.update({ where: { id: req.params.id }, data: req.body });\n  await bento.expire({ key: 'posts:all' });\n  res.end();\n});\n`,
      ),
    },
    {
      name: 'deleteMany of both keys',
      code: bentoApp(
        `app.put('/users/:id/posts', async (req, res) => {\n  await prisma.post.deleteMany({ where: { userId: req.params.id } });\n  await prisma.user.update({ where: { id: req.params.id }, data: { posts: 0 } });\n  await bento.deleteMany({ keys: ['posts:all', \`users:user:\${req.params.id}\`] });\n  res.end();\n});\n`,
      ),
    },
  ],
  invalid: [
    {
      name: 'a delete of the key outside its namespace clears another entry',
      code: bentoApp(
        `app.patch('/users/:id', async (req, res) => {\n  await prisma.user.update({ where: { id: req.params.id }, data: req.body });\n  await bento.delete({ key: \`user:\${req.params.id}\` });\n  res.end();\n});\n`,
      ),
      errors: [
        {
          messageId: 'stale',
          line: 15,
          column: 5,
          endLine: 15,
          endColumn: 10,
          data: staleData(
            'PATCH /users/:id',
            'users:user:{id}',
            '`users:user:{id}` holds User (looked up by key; read at file.ts:10, filled at file.ts:10, ttl 60 s); it writes User (update) at file.ts:16: delete `users:user:{id}`.',
          ),
        },
      ],
    },
    {
      name: 'a delete that forgets the posts',
      code: bentoApp(
        `app.delete('/posts/:id', async (req, res) => {\n  await prisma.post.delete({ where: { id: req.params.id } });\n  await users.deleteByTag({ tags: ['posts'] });\n  res.end();\n});\n`,
      ),
      errors: [
        {
          messageId: 'stale',
          line: 15,
          column: 5,
          endLine: 15,
          endColumn: 11,
          data: staleData(
            'DELETE /posts/:id',
            'posts:all',
            '`posts:all` holds Post (a list, count or aggregate; read at file.ts:13, filled at file.ts:13); it writes Post (delete) at file.ts:16: delete `posts:all`.',
          ),
        },
      ],
    },
  ],
});

/** A Hono app on Drizzle with Upstash's cache: the open quotes cached under a tag (auto-invalidated), the clients under their table. */
const drizzleApp = (routes: string): string => `import { Hono } from 'hono';
import { drizzle } from 'drizzle-orm/node-postgres';
import { upstashCache } from 'drizzle-orm/cache/upstash';
import { eq } from 'drizzle-orm';
import { pgTable, text } from 'drizzle-orm/pg-core';
const quotes = pgTable('quotes', { id: text('id'), status: text('status') });
const clients = pgTable('clients', { id: text('id'), name: text('name') });
const db = drizzle(process.env.DATABASE_URL!, { cache: upstashCache({ global: false }) });
export const app = new Hono();
app.get('/quotes', async (c) => c.json(await db.select().from(quotes).where(eq(quotes.status, 'open')).$withCache({ tag: 'open-quotes', config: { ex: 60 } })));
app.get('/clients', async (c) => c.json(await db.select().from(clients).$withCache()));
app.get('/report', async (c) => c.json(await db.select().from(clients).$withCache({ tag: 'report', autoInvalidate: false })));
${routes}`;

ruleTester({ registry: undefined }).run('require-dependent-invalidation (Drizzle cache)', rule, {
  valid: [
    {
      name: 'a write through Drizzle clears the cached queries of its table',
      code: drizzleApp(
        `app.post('/quotes', async (c) => {\n  await db.insert(quotes).values(await c.req.json());\n  return c.body(null, 201);\n});\n`,
      ),
    },
    {
      name: 'a write in a transaction with the tables invalidated after it',
      code: drizzleApp(
        `app.put('/quotes/:id', async (c) => {\n  await db.transaction(async (tx) => {\n    await tx.update(quotes).set({ status: 'sent' }).where(eq(quotes.id, c.req.param('id')));\n  });\n  await db.$cache.invalidate({ tables: quotes });\n  return c.body(null, 204);\n});\n`,
      ),
    },
    {
      name: 'a tag invalidated for a query that is not auto-invalidated',
      code: drizzleApp(
        `app.patch('/clients/:id', async (c) => {\n  await db.update(clients).set(await c.req.json()).where(eq(clients.id, c.req.param('id')));\n  await db.$cache.invalidate({ tags: ['report'] });\n  return c.body(null, 204);\n});\n`,
      ),
    },
  ],
  invalid: [
    {
      name: 'a write in a transaction is not seen by the cache',
      code: drizzleApp(
        `app.post('/quotes/:id/accept', async (c) => {\n  await db.transaction(async (tx) => {\n    await tx.update(quotes).set({ status: 'accepted' }).where(eq(quotes.id, c.req.param('id')));\n  });\n  return c.body(null, 204);\n});\n`,
      ),
      errors: [
        {
          messageId: 'stale',
          line: 13,
          column: 5,
          endLine: 13,
          endColumn: 9,
          data: staleData(
            'POST /quotes/:id/accept',
            'open-quotes',
            "`open-quotes` holds Quotes (a list, count or aggregate; read at file.ts:10, filled at file.ts:10, ttl 60 s); it writes Quotes (update) at file.ts:15: call `db.$cache.invalidate({ tags: ['open-quotes'] })`.",
          ),
        },
      ],
    },
    {
      name: 'a query with autoInvalidate: false is left by the write',
      code: drizzleApp(
        `app.delete('/clients/:id', async (c) => {\n  await db.delete(clients).where(eq(clients.id, c.req.param('id')));\n  return c.body(null, 204);\n});\n`,
      ),
      errors: [
        {
          messageId: 'stale',
          line: 13,
          column: 5,
          endLine: 13,
          endColumn: 11,
          data: staleData(
            'DELETE /clients/:id',
            'report',
            "`report` holds Clients (a list, count or aggregate; read at file.ts:12, filled at file.ts:12); it writes Clients (delete) at file.ts:14: call `db.$cache.invalidate({ tags: ['report'] })`.",
          ),
        },
      ],
    },
  ],
});

/**
 * A Hono app whose keys are cached by `@unkey/cache` in two namespaces: each key by its id and by
 * its hash, each loaded from the database on a miss (`swr`). The key is written `namespace:key`.
 */
const unkeyApp = (routes: string): string => `import { Hono } from 'hono';
import { createCache, Namespace } from '@unkey/cache';
import { MemoryStore } from '@unkey/cache/stores';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const ctx = { waitUntil: (p: Promise<unknown>) => void p };
const opts = { stores: [new MemoryStore({ persistentMap: new Map() })], fresh: 60_000, stale: 300_000 };
const cache = createCache({ keyById: new Namespace(ctx, opts), keyByHash: new Namespace(ctx, opts) });
export const app = new Hono();
app.get('/keys/:id', async (c) => c.json((await cache.keyById.swr(c.req.param('id'), (id) => prisma.key.findUnique({ where: { id } }))).val));
app.post('/verify', async (c) => {
  const { hash } = await c.req.json();
  const { val } = await cache.keyByHash.swr(hash, () => prisma.key.findUnique({ where: { hash } }));
  return c.json({ valid: val !== null && (val.expires === null || val.expires > new Date()) });
});
${routes}`;

ruleTester({ registry: undefined }).run('require-dependent-invalidation (unkey cache)', rule, {
  valid: [
    {
      name: 'a remove of the key in each namespace that holds it',
      code: unkeyApp(
        `app.post('/keys/:id/disable', async (c) => {\n  const key = await prisma.key.update({ where: { id: c.req.param('id') }, data: { enabled: false } });\n  await Promise.all([cache.keyById.remove(key.id), cache.keyByHash.remove(key.hash)]);\n  return c.body(null, 204);\n});\n`,
      ),
    },
    {
      name: 'an update of a field that no reader of the entry uses (the verify route reads `expires` of it)',
      code: unkeyApp(
        `app.post('/keys/:id/rename', async (c) => {\n  const key = await prisma.key.update({ where: { id: c.req.param('id') }, data: { name: 'renamed' } });\n  await cache.keyById.remove(key.id);\n  return c.json(key);\n});\n`,
      ),
    },
    {
      name: 'a set of the written value replaces the entry, and a remove takes an array of keys',
      code: unkeyApp(
        `app.post('/keys/:id/rename', async (c) => {\n  const key = await prisma.key.update({ where: { id: c.req.param('id') }, data: await c.req.json() });\n  await cache.keyById.set(key.id, key);\n  await cache.keyByHash.remove([key.hash]);\n  return c.json(key);\n});\n`,
      ),
    },
  ],
  invalid: [
    {
      name: 'a remove in one namespace leaves the other',
      code: unkeyApp(
        `app.post('/keys/:id/expire', async (c) => {\n  const key = await prisma.key.update({ where: { id: c.req.param('id') }, data: { expires: new Date() } });\n  await cache.keyById.remove(key.id);\n  return c.body(null, 204);\n});\n`,
      ),
      errors: [
        {
          messageId: 'stale',
          line: 16,
          column: 5,
          endLine: 16,
          endColumn: 9,
          data: staleData(
            'POST /keys/:id/expire',
            'keyByHash:{hash}',
            '`keyByHash:{hash}` holds Key (looked up by key; read at file.ts:13, filled at file.ts:13); it writes Key (update) at file.ts:17: delete `keyByHash:{hash}`.',
          ),
        },
      ],
    },
  ],
});

/**
 * Identities cached by their external id and read in three ways: renamed out of the result
 * (`{ val: identity }`), handed to a `let` declared before, and read through the result
 * (`found.val.id`). Every reader uses the identity's `id` or `name`, none its `meta`.
 */
const identityApp = (routes: string): string => `import { Hono } from 'hono';
import { createCache, Namespace } from '@unkey/cache';
import { MemoryStore } from '@unkey/cache/stores';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const ctx = { waitUntil: (p: Promise<unknown>) => void p };
const cache = createCache({ identityByExternalId: new Namespace(ctx, { stores: [new MemoryStore({ persistentMap: new Map() })], fresh: 60_000, stale: 300_000 }) });
export const app = new Hono();
app.get('/identities/:externalId/id', async (c) => {
  const externalId = c.req.param('externalId');
  const { val: identity, err } = await cache.identityByExternalId.swr(externalId, async () => {
    return (await prisma.identity.findFirst({ where: { externalId } })) ?? null;
  });
  if (err || !identity) return c.body(null, 404);
  return c.json({ id: identity.id });
});
app.get('/identities/:externalId/name', async (c) => {
  const externalId = c.req.param('externalId');
  let identity: { id: string; name: string } | undefined = undefined;
  const { val } = await cache.identityByExternalId.swr(externalId, () => prisma.identity.findFirst({ where: { externalId } }));
  if (val) identity = val;
  return c.json({ name: identity ? identity.name : null });
});
app.get('/identities/:externalId/keys', async (c) => {
  const externalId = c.req.param('externalId');
  const found = await cache.identityByExternalId.swr(externalId, () => prisma.identity.findFirst({ where: { externalId } }));
  if (found.err) throw found.err;
  return c.json(found.val ? await prisma.key.findMany({ where: { identityId: found.val.id } }) : []);
});
${routes}`;

ruleTester({ registry: undefined }).run('require-dependent-invalidation (the fields readers use)', rule, {
  valid: [
    {
      name: 'an update of a field that none of the readers uses',
      code: identityApp(
        `app.post('/identities/:id/meta', async (c) => {\n  await prisma.identity.update({ where: { id: c.req.param('id') }, data: { meta: await c.req.json() } });\n  return c.body(null, 204);\n});\n`,
      ),
    },
  ],
  invalid: [
    {
      name: 'an update of a field one reader uses',
      code: identityApp(
        `app.post('/identities/:id/name', async (c) => {\n  await prisma.identity.update({ where: { id: c.req.param('id') }, data: { name: 'renamed' } });\n  return c.body(null, 204);\n});\n`,
      ),
      errors: [
        {
          messageId: 'stale',
          line: 30,
          column: 5,
          endLine: 30,
          endColumn: 9,
          data: staleData(
            'POST /identities/:id/name',
            'identityByExternalId:{externalId}',
            '`identityByExternalId:{externalId}` holds Identity (the first row a filter finds; read at file.ts:11, filled at file.ts:11); it writes Identity (update) at file.ts:31: delete `identityByExternalId:{externalId}`.',
          ),
        },
      ],
    },
    {
      name: 'a reader that hands the entry on may use any field',
      code: identityApp(
        `app.get('/identities/:externalId', async (c) => {\n  const { val } = await cache.identityByExternalId.swr(c.req.param('externalId'), () => prisma.identity.findFirst({ where: { externalId: c.req.param('externalId') } }));\n  return c.json(val);\n});\napp.post('/identities/:id/meta', async (c) => {\n  await prisma.identity.update({ where: { id: c.req.param('id') }, data: { meta: await c.req.json() } });\n  return c.body(null, 204);\n});\n`,
      ),
      errors: [
        {
          messageId: 'stale',
          line: 34,
          column: 5,
          endLine: 34,
          endColumn: 9,
          data: staleData(
            'POST /identities/:id/meta',
            'identityByExternalId:{externalId}',
            '`identityByExternalId:{externalId}` holds Identity (the first row a filter finds; read at file.ts:11, filled at file.ts:11); it writes Identity (update) at file.ts:35: delete `identityByExternalId:{externalId}`.',
          ),
        },
      ],
    },
  ],
});
