import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('first-row');

const BASE = {
  'lib/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
  'lib/redis.ts': `import Redis from 'ioredis';\nexport const redis = new Redis();\n`,
  // A user found by a filter that is not its key: the first row `findFirst` finds.
  'lib/users.ts': `import { prisma } from './db';
import { redis } from './redis';
export async function userByEmail(email: string) {
  const hit = await redis.get(\`user:email:\${email}\`);
  if (hit) return JSON.parse(hit);
  const user = await prisma.user.findFirst({ where: { email } });
  await redis.set(\`user:email:\${email}\`, JSON.stringify(user), 'EX', 600);
  return user;
}
`,
  'server.ts': `import express from 'express';
import { prisma } from './lib/db';
import { userByEmail } from './lib/users';
export const app = express();
app.get('/users/by-email/:email', async (req, res) => {
  res.json(await userByEmail(req.params.email));
});
app.post('/users', async (req, res) => {
  res.json(await prisma.user.create({ data: { email: req.body.email, name: req.body.name } }));
});
app.put('/users/:id', async (req, res) => {
  res.json(await prisma.user.update({ where: { id: req.params.id }, data: { name: req.body.name } }));
});
`,
};

/** The findings other than blind spots, as `file:line severity rule` and the first detail. */
function judged(result: Awaited<ReturnType<typeof scan>>) {
  return result.findings
    .filter((f) => f.ruleId !== 'unresolved')
    .map((f) => [`${f.file}:${String(f.line)} ${f.severity} ${f.ruleId}`, f.details?.[0]]);
}

describe('an entry that holds the first row a filter finds', () => {
  it('is stale after an update of the row (an error), and only maybe after a create (a warning)', async () => {
    const result = await scan(BASE);
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['user:email:{email}', ['User']]]);
    expect(judged(result)).toEqual([
      [
        'server.ts:8 warning possibly-stale-family',
        '- `user:email:{email}` holds User (the first row a filter finds; read at lib/users.ts:4, filled at lib/users.ts:7, ttl 600 s); it writes User (create) at server.ts:9: delete `user:email:{email}`.',
      ],
      [
        'server.ts:11 error require-dependent-invalidation',
        '- `user:email:{email}` holds User (the first row a filter finds; read at lib/users.ts:4, filled at lib/users.ts:7, ttl 600 s); it writes User (update) at server.ts:12: delete `user:email:{email}`.',
      ],
    ]);
  });

  it('is a list when the read orders the rows: a create changes which row comes first', async () => {
    const result = await scan({
      ...BASE,
      'lib/users.ts': BASE['lib/users.ts'].replace(
        'findFirst({ where: { email } })',
        "findFirst({ where: { email }, orderBy: { createdAt: 'desc' } })",
      ),
    });
    expect(judged(result)).toEqual([
      [
        'server.ts:8 error require-dependent-invalidation',
        '- `user:email:{email}` holds User (a list, count or aggregate; read at lib/users.ts:4, filled at lib/users.ts:7, ttl 600 s); it writes User (create) at server.ts:9: delete `user:email:{email}`.',
      ],
      [
        'server.ts:11 error require-dependent-invalidation',
        '- `user:email:{email}` holds User (a list, count or aggregate; read at lib/users.ts:4, filled at lib/users.ts:7, ttl 600 s); it writes User (update) at server.ts:12: delete `user:email:{email}`.',
      ],
    ]);
  });

  it('is a point lookup when the filter is the row id alone: a create finds no entry', async () => {
    const result = await scan({
      ...BASE,
      'lib/users.ts': BASE['lib/users.ts'].replace('findFirst({ where: { email } })', 'findFirst({ where: { id: email } })'),
    });
    expect(judged(result)).toEqual([
      [
        'server.ts:11 error require-dependent-invalidation',
        '- `user:email:{email}` holds User (looked up by key; read at lib/users.ts:4, filled at lib/users.ts:7, ttl 600 s); it writes User (update) at server.ts:12: delete `user:email:{email}`.',
      ],
    ]);
  });

  it.each([
    [
      'under `if (user && …)`',
      `  if (user && process.env.REDIS_ENABLED) await redis.set(\`user:email:\${email}\`, JSON.stringify(user), 'EX', 600);`,
    ],
    [
      'after `if (!user) return null`',
      `  if (!user) return null;\n  await redis.set(\`user:email:\${email}\`, JSON.stringify(user), 'EX', 600);`,
    ],
  ])('keeps no miss when it is filled only where the read found a row (%s): a create cannot stale it', async (_, fill) => {
    const users = BASE['lib/users.ts'].replace("  await redis.set(`user:email:${email}`, JSON.stringify(user), 'EX', 600);", fill);
    expect(users).not.toBe(BASE['lib/users.ts']);
    const result = await scan({ ...BASE, 'lib/users.ts': users });
    expect(judged(result).map(([where]) => where)).toEqual(['server.ts:11 error require-dependent-invalidation']);
  });
});
