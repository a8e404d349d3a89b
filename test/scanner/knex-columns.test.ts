import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const project = projects('knex-columns');

/**
 * Two entries over the users table: whether any user exists (its `id` only) and a user's e-mail
 * (`id` and `email`). A profile update writes other columns, through a spread of an object made
 * beside it; an e-mail change writes the one column the second entry holds.
 */
const APP = {
  'package.json': '{ "name": "users", "dependencies": { "express": "^4", "ioredis": "^5", "knex": "^3" } }\n',
  'src/db.ts': `import knex from 'knex';\nimport Redis from 'ioredis';\nexport const db = knex({ client: 'pg' });\nexport const redis = new Redis();\n`,
  'src/users.ts': `import { db, redis } from './db';
export async function anyUser(): Promise<boolean> {
  if (await redis.get('any-user')) return true;
  const row = await db('users').select('id').first();
  if (row) await redis.set('any-user', '1', 'EX', 300);
  return row !== undefined;
}
export async function userEmail(id: string) {
  const hit = await redis.get(\`user:\${id}:email\`);
  if (hit) return JSON.parse(hit);
  const row = await db('users').where({ id }).first('id', 'email as address');
  await redis.set(\`user:\${id}:email\`, JSON.stringify(row), 'EX', 300);
  return row;
}
`,
  'src/app.ts': `import express from 'express';
import { db, redis } from './db';
import { anyUser, userEmail } from './users';
export const app = express();
app.get('/setup', async (_req, res) => res.json({ done: await anyUser() }));
app.get('/users/:id/email', async (req, res) => res.json(await userEmail(req.params.id)));
app.patch('/users/:id', async (req, res) => {
  const data = { name: req.body.name, ...(req.body.bio && { bio: req.body.bio }) };
  await db('users').where({ id: req.params.id }).update({ ...data, updated_at: new Date() });
  res.status(204).end();
});
app.put('/users/:id/email', async (req, res) => {
  await db('users').where({ id: req.params.id }).update({ email: req.body.email });
  res.status(204).end();
});
app.delete('/users/:id', async (req, res) => {
  await db('users').where({ id: req.params.id }).del();
  await redis.del(\`user:\${req.params.id}:email\`);
  res.status(204).end();
});
`,
};

describe('the columns of a Knex read and of an update', () => {
  it('reports only the writes of a column an entry holds, through `select`, `first` and an object spread', async () => {
    const result = await project(APP);
    expect(result.families.map((f) => [f.key, f.models])).toEqual([
      ['any-user', ['Users']],
      ['user:{id}:email', ['Users']],
    ]);
    const findings = result.findings.filter((f) => f.ruleId !== 'unresolved');
    // The profile update (line 7) writes no column either entry holds; the e-mail change writes one; the delete of a
    // user may delete the last one, which `any-user` says exists.
    expect(findings.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.ruleId} ${f.message}`)).toEqual([
      'src/app.ts:12 error require-dependent-invalidation PUT /users/:id/email leaves a cached family stale: `user:{id}:email`.',
      'src/app.ts:16 error require-dependent-invalidation DELETE /users/:id leaves a cached family stale: `any-user`.',
    ]);
  });
});
