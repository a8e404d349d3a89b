import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('hono-openapi');

/** A cache wrapper that keeps its prefix and ttl, built once per family (`new RedisCache('user', 1800)`). */
const CACHE = `import Redis from 'ioredis';
const redis = new Redis();
export class RedisCache {
  constructor(private prefix: string, private ttl: number) {}
  private key(key: string) {
    return \`\${this.prefix}:\${key}\`;
  }
  async get<T>(key: string): Promise<T | undefined> {
    const value = await redis.get(this.key(key));
    return value ? (JSON.parse(value) as T) : undefined;
  }
  async set(key: string, value: unknown) {
    await redis.set(this.key(key), JSON.stringify(value), 'EX', this.ttl);
  }
  async delete(key: string) {
    await redis.del(this.key(key));
  }
}
`;

const APP = `import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { PrismaClient } from '@prisma/client';
import { RedisCache } from './cache';
const db = new PrismaClient();
const userCache = new RedisCache('user', 1800);
const app = new OpenAPIHono();
const getRoute = createRoute({ method: 'get', path: '/users/{id}', responses: {} });
const updateRoute = createRoute({ method: 'patch', path: '/users/{id}', responses: {} });
app.openapi(getRoute, async (c) => {
  const id = c.req.param('id');
  const cached = await userCache.get(id);
  if (cached) return c.json(cached);
  const user = await db.user.findUnique({ where: { id } });
  await userCache.set(id, user);
  return c.json(user);
});
app.openapi(updateRoute, async (c) => {
  const user = await db.user.update({ where: { id: c.req.param('id') }, data: await c.req.json() });
  return c.json(user);
});
app.openapi(createRoute({ method: 'delete', path: '/users/{id}', responses: {} }), async (c) => {
  await db.user.delete({ where: { id: c.req.param('id') } });
  await userCache.delete(c.req.param('id'));
  return c.json({});
});
export default app;
`;

describe('@hono/zod-openapi routes and a cache wrapper read cache-aside by its caller', () => {
  it('finds the routes of app.openapi(createRoute(…)), the family with its prefix and model, and the one that forgets it', async () => {
    const result = await scan({ 'src/cache.ts': CACHE, 'src/app.ts': APP });
    expect(result.matrix.rows.map((r) => `${r.handler} ${r.status}`)).toEqual([
      'GET /users/{id} read',
      'PATCH /users/{id} none',
      'DELETE /users/{id} invalidates',
    ]);
    expect(result.families.map((f) => [f.key, f.models, f.ttl])).toEqual([['user:{key}', ['User'], 1800]]);
    expect(result.findings.map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId}`)).toEqual([
      'src/app.ts:17:5 error require-dependent-invalidation',
    ]);
    expect(result.findings[0]?.details?.[0]).toBe(
      '- `user:{key}` holds User (looked up by key; read at src/app.ts:11, filled at src/app.ts:14, ttl 1800 s); it writes User (update) at src/app.ts:18: delete `user:{key}`.',
    );
  });
});
