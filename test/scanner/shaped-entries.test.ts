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
