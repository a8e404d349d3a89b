import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('shaped-entries');

/** What a scan of the project reports of stale families, one line per finding, position and severity first. */
const judged = async (files: Record<string, string>): Promise<string[]> =>
  (await scan(files)).findings
    .filter((f) => f.ruleId === 'require-dependent-invalidation' || f.ruleId === 'possibly-stale-family')
    .map((f) => `${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId} ${f.message}`);

const SCHEMA = `model Organization {
  id String @id
  name String
  cloudConfig Json?
  apiKeys ApiKey[]
}
model ApiKey {
  id String @id
  note String?
  publicKey String
  hash String @unique
  orgId String
  organization Organization @relation(fields: [orgId], references: [id])
}
`;

/**
 * API keys cached by their hash, as a service verifies them (in a span, `trace`): private methods read the cache, load
 * the key with its organization on a miss, shape it (`toCached`: the row spread, with fields made
 * from its organization) and fill the cache; the caller uses some fields of what it gets.
 */
const KEYS = (
  uses: string,
  slowFill = 'if (!slow) await this.addKeyToRedis(hash, MISSING);',
  shape = 'const { orgId, cloudConfig } = this.organizationOf(row);\n    return CachedKey.parse({ ...row, orgId, plan: planOf(cloudConfig) });',
): Record<string, string> => ({
  'package.json': JSON.stringify({
    name: 'keys',
    private: true,
    dependencies: { express: '4.21.0', ioredis: '5.4.0', '@prisma/client': '6.0.0', zod: '3.23.0' },
  }),
  'prisma/schema.prisma': SCHEMA,
  'src/auth.ts': `import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
import { z } from 'zod';
const CachedKey = z.object({ id: z.string(), note: z.string().nullable(), publicKey: z.string(), orgId: z.string(), plan: z.string() });
type Row = { id: string; note: string | null; publicKey: string; organization: { id: string; cloudConfig: unknown } | null };
const MISSING = 'api-key-non-existent';
const trace = <T>(run: () => Promise<T>): Promise<T> => run();
const planOf = (config: unknown): string => (config ? 'team' : 'free');
export class ApiAuth {
  constructor(private readonly prisma: PrismaClient, private readonly redis: Redis) {}
  async verify(hash: string) {
    return trace(async () => {
      const apiKey = await this.fetchKeyAndAddToRedis(hash);
      if (!apiKey) {
        const slow = await this.prisma.apiKey.findFirst({ where: { hash } });
        ${slowFill}
        throw new Error('Invalid credentials');
      }
      ${uses}
    });
  }
  private async fetchKeyAndAddToRedis(hash: string) {
    const cached = await this.fetchKeyFromRedis(hash);
    if (cached) return cached;
    const row = await this.prisma.apiKey.findUnique({ where: { hash }, include: { organization: { select: { id: true, name: true, cloudConfig: true } } } });
    if (row) await this.addKeyToRedis(hash, this.toCached(row));
    return row ? this.toCached(row) : null;
  }
  private async fetchKeyFromRedis(hash: string) {
    const hit = await this.redis.get(\`api-key:\${hash}\`);
    return hit ? CachedKey.parse(JSON.parse(hit)) : null;
  }
  private async addKeyToRedis(hash: string, value: z.infer<typeof CachedKey> | typeof MISSING) {
    await this.redis.set(\`api-key:\${hash}\`, JSON.stringify(value), 'EX', 3600);
  }
  private toCached(row: Row) {
    ${shape}
  }
  private organizationOf(row: Row) {
    return { orgId: row.organization?.id ?? '', cloudConfig: row.organization?.cloudConfig };
  }
}
`,
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
import { ApiAuth } from './auth';
const prisma = new PrismaClient();
const auth = new ApiAuth(prisma, new Redis());
export const app = express();
app.get('/me', async (req, res) => {
  res.json(await auth.verify(String(req.headers.authorization)));
});
app.put('/keys/:id/note', async (req, res) => {
  await prisma.apiKey.update({ where: { id: req.params.id }, data: { note: req.body.note } });
  res.sendStatus(204);
});
app.put('/keys/:id/public-key', async (req, res) => {
  await prisma.apiKey.update({ where: { id: req.params.id }, data: { publicKey: req.body.publicKey } });
  res.sendStatus(204);
});
app.put('/organizations/:id/name', async (req, res) => {
  await prisma.organization.update({ where: { id: req.params.id }, data: { name: req.body.name } });
  res.sendStatus(204);
});
app.put('/organizations/:id/config', async (req, res) => {
  await prisma.organization.update({ where: { id: req.params.id }, data: { cloudConfig: req.body.config } });
  res.sendStatus(204);
});
`,
});

const USES = `return { keyId: apiKey.id, publicKey: apiKey.publicKey, plan: apiKey.plan };`;

describe('an entry a cache-aside service shapes from the row it loads', () => {
  it('is stale after an update of a field its readers use, through the shape, not of one none uses', async () => {
    expect(await judged(KEYS(USES))).toEqual([
      '15:5 error require-dependent-invalidation PUT /keys/:id/public-key leaves a cached family stale: `api-key:{hash}`.',
      '23:5 error require-dependent-invalidation PUT /organizations/:id/config leaves a cached family stale: `api-key:{hash}`.',
    ]);
  });

  it('counts every field where a reader hands the entry on whole', async () => {
    expect(await judged(KEYS(`return apiKey;`))).toEqual([
      '11:5 error require-dependent-invalidation PUT /keys/:id/note leaves a cached family stale: `api-key:{hash}`.',
      '15:5 error require-dependent-invalidation PUT /keys/:id/public-key leaves a cached family stale: `api-key:{hash}`.',
      '19:5 error require-dependent-invalidation PUT /organizations/:id/name leaves a cached family stale: `api-key:{hash}`.',
      '23:5 error require-dependent-invalidation PUT /organizations/:id/config leaves a cached family stale: `api-key:{hash}`.',
    ]);
  });

  it('keeps of the rows read before a marker only whether they were found, and all of a row stored so', async () => {
    const filled = await judged(KEYS(USES, 'if (slow) await this.addKeyToRedis(hash, this.toCached(slow));'));
    expect(filled).toContain(
      '11:5 error require-dependent-invalidation PUT /keys/:id/note leaves a cached family stale: `api-key:{hash}`.',
    );
  });

  it('holds what is put into a value after it is made', async () => {
    const shape = `const value = CachedKey.parse({ id: row.id, note: null, publicKey: row.publicKey, orgId: '', plan: 'free' });\n    value.plan = row.note ?? 'free';\n    return value;`;
    expect(await judged(KEYS(USES, undefined, shape))).toContain(
      '11:5 error require-dependent-invalidation PUT /keys/:id/note leaves a cached family stale: `api-key:{hash}`.',
    );
  });
});

/**
 * API keys with a note, a revoked flag and a soft delete; three routes change one field each, and
 * `reader` is the code that caches keys and reads them (written after the routes, so they keep their lines).
 */
const NOTES = (reader: string): Record<string, string> => ({
  'package.json': JSON.stringify({
    name: 'notes',
    private: true,
    dependencies: { express: '4.21.0', ioredis: '5.4.0', '@prisma/client': '6.0.0' },
  }),
  'prisma/schema.prisma': `model ApiKey {\n  id String @id\n  hash String @unique\n  note String?\n  revoked Boolean @default(false)\n  deletedAt DateTime?\n}\n`,
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
app.put('/keys/:id/note', async (req, res) => {
  await prisma.apiKey.update({ where: { id: req.params.id }, data: { note: req.body.note } });
  res.sendStatus(204);
});
app.put('/keys/:id/revoke', async (req, res) => {
  await prisma.apiKey.update({ where: { id: req.params.id }, data: { revoked: true } });
  res.sendStatus(204);
});
app.delete('/keys/:id', async (req, res) => {
  await prisma.apiKey.update({ where: { id: req.params.id }, data: { deletedAt: new Date() } });
  res.sendStatus(204);
});
${reader}`,
});

const NOTE = '7:1 error require-dependent-invalidation PUT /keys/:id/note';
const REVOKE = '11:1 error require-dependent-invalidation PUT /keys/:id/revoke';
const DELETE = '15:1 error require-dependent-invalidation DELETE /keys/:id';

/** The handlers reported as leaving a family stale, by position, severity, rule and handler. */
const staleHandlers = async (reader: string): Promise<string[]> =>
  (await scan(NOTES(reader))).findings
    .filter((f) => f.ruleId === 'require-dependent-invalidation' || f.ruleId === 'possibly-stale-family')
    .map(
      (f) => `${String(f.line)}:${String(f.column - 4)} ${f.severity} ${f.ruleId} ${f.message.split(' leaves')[0]?.split(' may')[0] ?? ''}`,
    );

/** A cache-aside function of the module and a route that reads what it returns. */
const aside = (body: string, use = 'res.json({ label: key?.label })'): string => `async function keyOf(id: string) {
  const hit = await redis.get(\`key:\${id}\`);
  if (hit) return JSON.parse(hit);
  const row = await prisma.apiKey.findUnique({ where: { id } });
${body}
}
app.get('/keys/:id', async (req, res) => {
  const key = await keyOf(req.params.id);
  ${use};
});
`;

describe('what an entry holds, where the code makes it in ways a shape cannot follow', () => {
  it('keeps every field where a marker is stored for a miss and the row on a hit', async () => {
    const reader = aside(
      `  if (!row) {\n    await redis.set(\`key:\${id}\`, 'none');\n    return null;\n  }\n  await redis.set(\`key:\${id}\`, JSON.stringify(row));\n  return row;`,
    );
    expect(await staleHandlers(reader)).toEqual(expect.arrayContaining([NOTE, REVOKE, DELETE]));
  });

  it('keeps of a marker what the read tests: a revoke stales it, a note does not', async () => {
    const reader = `async function isValid(hash: string) {
  if (await redis.get(\`valid:\${hash}\`)) return true;
  const row = await prisma.apiKey.findFirst({ where: { hash, revoked: false } });
  if (row) await redis.set(\`valid:\${hash}\`, '1');
  return row !== null;
}
app.get('/valid', async (req, res) => {
  res.json({ valid: await isValid(String(req.query.hash)) });
});
`;
    const found = await staleHandlers(reader);
    expect(found).toContain(REVOKE);
    expect(found).not.toContain(NOTE);
  });

  it('counts what a guard tests before the value is returned', async () => {
    const reader = aside(
      `  if (!row || row.deletedAt) return null;\n  const value = { id: row.id, label: row.note };\n  await redis.set(\`key:\${id}\`, JSON.stringify(value));\n  return value;`,
    );
    expect(await staleHandlers(reader)).toEqual([NOTE, DELETE]);
  });

  it('counts what a closure of the function reads', async () => {
    const reader = aside(
      `  if (!row) return null;\n  const label = () => row.note;\n  const value = { id: row.id, label: label() };\n  await redis.set(\`key:\${id}\`, JSON.stringify(value));\n  return value;`,
    );
    expect(await staleHandlers(reader)).toContain(NOTE);
  });

  it('counts what a default parameter takes of the row', async () => {
    const reader = `function shape(row: { id: string; note: string | null }, label = row.note) {\n  return { id: row.id, label };\n}\n${aside(`  if (!row) return null;\n  const value = shape(row);\n  await redis.set(\`key:\${id}\`, JSON.stringify(value));\n  return value;`)}`;
    expect(await staleHandlers(reader)).toContain(NOTE);
  });

  it('reads a hit as what was stored, where it differs from what a miss returns', async () => {
    const reader = aside(
      `  if (!row) return null;\n  await redis.set(\`key:\${id}\`, JSON.stringify(row));\n  return { id: row.id };`,
      'res.json({ note: key?.note })',
    );
    expect(await staleHandlers(reader)).toContain(NOTE);
  });

  it('keeps every field of a function that is also handed on, not only called', async () => {
    const reader = `${aside(`  if (!row) return null;\n  const value = { id: row.id, label: row.note };\n  await redis.set(\`key:\${id}\`, JSON.stringify(value));\n  return value;`, 'res.json({ id: key?.id })')}app.get('/keys', async (req, res) => {\n  res.json(await Promise.all(String(req.query.ids).split(',').map(keyOf)));\n});\n`;
    expect(await staleHandlers(reader)).toContain(NOTE);
  });

  it('takes a value computed in the arguments of a call that stores it for its loader', async () => {
    const reader = `async function remember(key: string, value: unknown) {
  const hit = await redis.get(key);
  if (hit) return JSON.parse(hit);
  await redis.set(key, JSON.stringify(value));
  return value;
}
app.get('/keys/:id', async (req, res) => {
  res.json(await remember(\`key:\${req.params.id}\`, await prisma.apiKey.findUnique({ where: { id: req.params.id } })));
});
`;
    expect(await staleHandlers(reader)).toEqual(expect.arrayContaining([NOTE, REVOKE, DELETE]));
  });

  it('counts what a helper puts into a value it is handed', async () => {
    const reader = `function fill(value: { label?: string | null }, row: { note: string | null }) {\n  value.label = row.note;\n}\n${aside(`  if (!row) return null;\n  const value = { id: row.id };\n  fill(value, row);\n  await redis.set(\`key:\${id}\`, JSON.stringify(value));\n  return value;`)}`;
    expect(await staleHandlers(reader)).toContain(NOTE);
  });

  it('counts what a function followed puts into what it is given', async () => {
    const reader = `function withLabel(value: { id: string; note: string | null; label?: string | null }) {\n  value.label = value.note;\n  return { id: value.id, label: value.label };\n}\n${aside(`  if (!row) return null;\n  const value = withLabel({ id: row.id, note: row.note });\n  await redis.set(\`key:\${id}\`, JSON.stringify(value));\n  return value;`)}`;
    expect(await staleHandlers(reader)).toContain(NOTE);
  });

  it.each([
    ['a function of the module that throws on it', 'assertActive(row);'],
    ['a statement that runs only on it', 'row.revoked && fail();'],
    ['a case of a switch', 'switch (true) {\n    case row.revoked:\n      return null;\n  }'],
  ])('counts what the function tests before it fills: %s', async (_, guard) => {
    const helpers = `function fail(): never {\n  throw new Error('revoked');\n}\nfunction assertActive(key: { revoked: boolean }) {\n  if (key.revoked) fail();\n}\n`;
    const reader = `${helpers}${aside(`  if (!row) return null;\n  ${guard}\n  const value = { id: row.id, label: row.note };\n  await redis.set(\`key:\${id}\`, JSON.stringify(value));\n  return value;`)}`;
    expect(await staleHandlers(reader)).toContain(REVOKE);
  });

  it('counts the fields the filter of a read holds to a value, which decide which row is cached', async () => {
    const reader = aside(
      `  if (!row) return null;\n  const value = { id: row.id, label: row.note };\n  await redis.set(\`key:\${id}\`, JSON.stringify(value));\n  return value;`,
    ).replace('findUnique({ where: { id } })', 'findFirst({ where: { id, revoked: false } })');
    expect(await staleHandlers(reader)).toEqual([NOTE, REVOKE]);
  });

  it.each([
    [
      'the row decides which marker is stored',
      `const row = await prisma.apiKey.findFirst({ where: { hash } });\n  if (row && !row.revoked) {\n    await redis.set(\`valid:\${hash}\`, '1');\n    return true;\n  }\n  await redis.set(\`valid:\${hash}\`, '0');\n  return false;`,
    ],
    [
      'the filter joins others',
      `const row = await prisma.apiKey.findFirst({ where: { AND: [{ hash }, { revoked: false }] } });\n  if (row) await redis.set(\`valid:\${hash}\`, '1');\n  return row !== null;`,
    ],
  ])('keeps of a marker every field that decides it: %s', async (_, body) => {
    const reader = `async function isValid(hash: string) {\n  const hit = await redis.get(\`valid:\${hash}\`);\n  if (hit) return hit === '1';\n  ${body}\n}\napp.get('/valid', async (req, res) => {\n  res.json({ valid: await isValid(String(req.query.hash)) });\n});\n`;
    expect(await staleHandlers(reader)).toContain(REVOKE);
  });

  it.each([
    ['a list taken apart', 'const [label] = [row.note];'],
    ['a name assigned again', 'let label = row.id;\n  label = row.note;'],
  ])('counts what a name holds of the row through %s', async (_, binding) => {
    const reader = aside(
      `  if (!row) return null;\n  ${binding}\n  const value = { id: row.id, label };\n  await redis.set(\`key:\${id}\`, JSON.stringify(value));\n  return value;`,
    );
    expect(await staleHandlers(reader)).toContain(NOTE);
  });
});
