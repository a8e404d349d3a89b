import { rules } from '../../src/eslint.js';
import { ruleTester } from './tester.js';

const rule = rules['require-dependent-invalidation'];

const EXCEPTION = 'a disable comment with the reason (or readOnlyRoutes in the configuration)';

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
