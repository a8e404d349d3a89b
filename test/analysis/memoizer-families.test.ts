import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatrixRow, ScanResult } from '../../src/scanner/result.js';
import { scan } from '../../src/scanner/scan.js';
import { projects, writeProject } from '../support/project.js';

/** Writes a small project with no configuration (families inferred from the code) and scans it. */
const project = projects('memoizer-families');

function row(result: ScanResult, handler: string): MatrixRow {
  const found = result.matrix.rows.find((r) => r.handler === handler);
  if (!found) throw new Error(`no row ${handler} in ${result.matrix.rows.map((r) => r.handler).join(', ')}`);
  return found;
}

function errors(result: ScanResult): (string | number)[][] {
  return result.findings
    .filter((f) => f.severity === 'error')
    .map((f) => [f.ruleId, f.severity, f.file, f.line, f.column, f.message.split('\n')[0] ?? '']);
}

/**
 * A memoizer taking `(fn, ttl)` or `(name, fn, ttl)`: the key is the name (the loader's own for
 * `fn.name`) and the arguments; the cached function carries a `clear(...args)` that deletes its key.
 */
const CACHEABLE = {
  'src/redis.ts': `import { Redis } from 'ioredis';
export const redisCache = new Redis(process.env.REDIS_URL ?? '');
`,
  'src/cacheable.ts': `import { redisCache } from './redis';
export function cacheable<T extends (...args: any) => any>(fn: T, expireInSec: number): T & { clear: (...args: Parameters<T>) => Promise<number> };
export function cacheable<T extends (...args: any) => any>(
  name: string,
  fn: T,
  expireInSec: number,
): T & { clear: (...args: Parameters<T>) => Promise<number> };
export function cacheable<T extends (...args: any) => any>(fnOrName: T | string, fnOrExpireInSec: number | T, maybeExpireInSec?: number) {
  const name = typeof fnOrName === 'string' ? fnOrName : fnOrName.name;
  const fn = typeof fnOrName === 'function' ? fnOrName : typeof fnOrExpireInSec === 'function' ? fnOrExpireInSec : null;
  let expireInSec: number | null = null;
  if (typeof fnOrName === 'function') {
    expireInSec = typeof fnOrExpireInSec === 'number' ? fnOrExpireInSec : null;
  } else {
    expireInSec = typeof maybeExpireInSec === 'number' ? maybeExpireInSec : null;
  }
  if (typeof fn !== 'function' || typeof expireInSec !== 'number') {
    throw new Error('cacheable(fn, expireInSec)');
  }
  const cachePrefix = \`cachable:\${name}\`;
  const getKey = (...args: Parameters<T>) => \`\${cachePrefix}:\${JSON.stringify(args)}\`.replaceAll(/\\s/g, '');
  const cachedFn = async (...args: Parameters<T>): Promise<Awaited<ReturnType<T>>> => {
    const key = getKey(...args);
    const cached = await redisCache.get(key);
    if (cached) return JSON.parse(cached);
    const result = await fn(...(args as any));
    if (result !== undefined) {
      redisCache.setex(key, expireInSec, JSON.stringify(result)).catch(() => {});
    }
    return result;
  };
  cachedFn.clear = (...args: Parameters<T>) => redisCache.del(getKey(...args));
  return cachedFn;
}
`,
  'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
  'src/services.ts': `import { cacheable } from './cacheable';
import { db } from './db';
export async function getProjectById(id: string) {
  return db.project.findUnique({ where: { id } });
}
export const getProjectByIdCached = cacheable(getProjectById, 60 * 60 * 24);
export async function getClientById(id: string) {
  return db.client.findUnique({ where: { id } });
}
export const getClientByIdCached = cacheable(getClientById, 60 * 5);
export const getOrganizationAccess = cacheable(
  'getOrganizationAccess',
  async ({ userId, organizationId }: { userId: string; organizationId: string }) => db.member.findFirst({ where: { userId, organizationId } }),
  60 * 5,
);
`,
};

describe('memoizers of the project', () => {
  it('makes one family per cached function, named by its loader, cleared by its clear()', async () => {
    const result = await project({
      ...CACHEABLE,
      'src/app.ts': `import express from 'express';
import { db } from './db';
import { getClientByIdCached, getOrganizationAccess, getProjectByIdCached } from './services';
export const app = express();
app.get('/projects/:id', async (req, res) => {
  res.json(await getProjectByIdCached(req.params.id));
});
app.patch('/projects/:id', async (req, res) => {
  await db.project.update({ where: { id: req.params.id }, data: { name: req.body.name } });
  await getProjectByIdCached.clear(req.params.id);
  res.json({});
});
app.delete('/clients/:id', async (req, res) => {
  await db.client.delete({ where: { id: req.params.id } });
  res.json({});
});
app.delete('/members/:id', async (req, res) => {
  const member = await db.member.delete({ where: { id: req.params.id } });
  await getOrganizationAccess.clear({ userId: member.userId, organizationId: member.organizationId });
  res.json({});
});
`,
    });
    expect(result.families.filter((f) => f.models.length > 0).map((f) => [f.key, f.models, f.ttl, f.reads])).toEqual([
      ['cachable:getClientById:{args}', ['Client'], 300, [{ file: 'src/services.ts', line: 10 }]],
      ['cachable:getOrganizationAccess:{args}', ['Member'], 300, [{ file: 'src/services.ts', line: 11 }]],
      ['cachable:getProjectById:{args}', ['Project'], 86400, [{ file: 'src/services.ts', line: 6 }]],
    ]);
    expect(row(result, 'PATCH /projects/:id').invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['cachable:getProjectById:{args}', ['cacheable().clear']],
    ]);
    expect(row(result, 'DELETE /members/:id').status).toBe('invalidates');
    expect(errors(result)).toEqual([
      [
        'require-dependent-invalidation',
        'error',
        'src/app.ts',
        13,
        5,
        'DELETE /clients/:id leaves a cached family stale: `cachable:getClientById:{args}`.',
      ],
    ]);
  });

  it('reads a class memoizer: memoize() fills a family per call, mutate() runs the write then deletes its key', async () => {
    const result = await project({
      'src/cache.ts': `import Redis from 'ioredis';
const redis = new Redis();
export class WellKnownCache {
  constructor(private readonly tenantId: string) {}
  private key(type: string, key: string) {
    return \`wk:\${this.tenantId}:\${type}:\${key}\`;
  }
  async get(type: string, key: string) {
    const raw = await redis.get(this.key(type, key));
    return raw ? JSON.parse(raw) : null;
  }
  async set(type: string, key: string, value: unknown) {
    await redis.set(this.key(type, key), JSON.stringify(value), 'EX', 3600);
  }
  async delete(type: string, key: string) {
    await redis.del(this.key(type, key));
  }
  memoize<A extends unknown[], R>(run: (...args: A) => Promise<R>, [type, cacheKey]: [string, (...args: A) => string]) {
    const kv = this;
    return async function (...args: A): Promise<R> {
      const k = cacheKey(...args);
      const hit = await kv.get(type, k);
      if (hit) return hit as R;
      const value = await run(...args);
      await kv.set(type, k, value);
      return value;
    };
  }
  mutate<A extends unknown[], R>(run: (...args: A) => Promise<R>, [type, cacheKey]: [string, (...args: A) => string]) {
    const kv = this;
    return async function (...args: A): Promise<R> {
      const value = await run(...args);
      await kv.delete(type, cacheKey(...args));
      return value;
    };
  }
}
`,
      'src/queries.ts': `import { Pool } from 'pg';
import { WellKnownCache } from './cache';
const pool = new Pool();
const cache = new WellKnownCache('default');
export const findSettings = cache.memoize(async (id: string) => pool.query('SELECT id, theme, logo FROM settings WHERE id = $1', [id]), ['settings', (id) => id]);
export const updateSettings = cache.mutate(async (id: string, theme: string) => pool.query('UPDATE settings SET theme = $1 WHERE id = $2', [theme, id]), ['settings', (id) => id]);
export const updateLogo = async (id: string, logo: string) => pool.query('UPDATE settings SET logo = $1 WHERE id = $2', [logo, id]);
`,
      'src/routes.ts': `import Router from '@koa/router';
import { findSettings, updateLogo, updateSettings } from './queries';
export const router = new Router();
router.get('/settings/:id', async (ctx) => {
  ctx.body = await findSettings(ctx.params.id);
});
router.patch('/settings/:id/theme', async (ctx) => {
  ctx.body = await updateSettings(ctx.params.id, 'dark');
});
router.patch('/settings/:id/logo', async (ctx) => {
  ctx.body = await updateLogo(ctx.params.id, 'x.png');
});
`,
    });
    expect(result.families.filter((f) => f.models.length > 0).map((f) => [f.key, f.models, f.ttl, f.reads])).toEqual([
      ['wk:default:settings:{key}', ['Settings'], 3600, [{ file: 'src/queries.ts', line: 5 }]],
    ]);
    expect(row(result, 'PATCH /settings/:id/theme').invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['wk:default:settings:{key}', ['updateSettings (mutate())', 'WellKnownCache.delete']],
    ]);
    expect(errors(result)).toEqual([
      [
        'require-dependent-invalidation',
        'error',
        'src/routes.ts',
        10,
        8,
        'PATCH /settings/:id/logo leaves a cached family stale: `wk:default:settings:{key}`.',
      ],
    ]);
    const [logo] = result.findings.filter((f) => f.severity === 'error');
    expect(logo?.details?.[0]).toContain('it writes Settings (update) at src/queries.ts:7');
  });
});

/**
 * The same memoizer writing Redis through a client known by its name only (`getRedisCache().setex`),
 * behind an LRU of the process that states no expiry of its own.
 */
const NAMED_CLIENT_CACHEABLE = `import { LRUCache } from 'lru-cache';
import { getRedisCache } from './redis';
export function cacheable<T extends (...args: any) => any>(fn: T, expireInSec: number): T & { clear: (...args: Parameters<T>) => Promise<number> };
export function cacheable<T extends (...args: any) => any>(name: string, fn: T, expireInSec: number): T & { clear: (...args: Parameters<T>) => Promise<number> };
export function cacheable<T extends (...args: any) => any>(fnOrName: T | string, fnOrExpireInSec: number | T, expireInSecOrOptions?: number | object) {
  const name = typeof fnOrName === 'string' ? fnOrName : fnOrName.name;
  const fn = typeof fnOrName === 'function' ? fnOrName : typeof fnOrExpireInSec === 'function' ? fnOrExpireInSec : null;
  let expireInSec: number | null = null;
  if (typeof fnOrName === 'function') {
    expireInSec = typeof fnOrExpireInSec === 'number' ? fnOrExpireInSec : null;
  } else {
    expireInSec = typeof expireInSecOrOptions === 'number' ? expireInSecOrOptions : null;
  }
  if (typeof fn !== 'function') throw new Error('fn');
  if (typeof expireInSec !== 'number') throw new Error('ttl');
  const cachePrefix = \`cachable:\${name}\`;
  const getKey = (...args: Parameters<T>) => \`\${cachePrefix}:\${JSON.stringify(args)}\`.replaceAll(/\\s/g, '');
  const lruCache = new LRUCache<string, any>({ max: 1000, ttl: 60000 });
  const cachedFn = async (...args: Parameters<T>): Promise<Awaited<ReturnType<T>>> => {
    const key = getKey(...args);
    const lruHit = lruCache.get(key);
    if (lruHit !== undefined) return lruHit;
    const cached = await getRedisCache().get(key);
    if (cached) {
      const parsed = JSON.parse(cached);
      lruCache.set(key, parsed);
      return parsed;
    }
    const result = await fn(...(args as any));
    if (result) {
      lruCache.set(key, result);
      getRedisCache().setex(key, expireInSec, JSON.stringify(result)).catch(() => {});
    }
    return result;
  };
  cachedFn.clear = (...args: Parameters<T>) => {
    const key = getKey(...args);
    lruCache.delete(key);
    return getRedisCache().del(key);
  };
  return cachedFn;
}
`;
const NAMED_REDIS = `import { Redis } from 'ioredis';
let redisCache: Redis;
export function getRedisCache() {
  if (!redisCache) redisCache = new Redis(process.env.REDIS_URL ?? '');
  return redisCache;
}
`;
describe('a memoizer on a Redis client known by name, and what proves its entries stale', () => {
  let result: ScanResult;
  beforeAll(async () => {
    result = await project({
      'src/cachable.ts': NAMED_CLIENT_CACHEABLE,
      'src/redis.ts': NAMED_REDIS,
      'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
      'prisma/schema.prisma': `model User {\n  id String @id\n  members Member[]\n}\nmodel Member {\n  id String @id\n  userId String\n  role String\n  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n}\nmodel Client {\n  id String @id\n  name String\n  secret String\n}\nmodel Project {\n  id String @id\n  deleteAt DateTime?\n  cors String\n}\nmodel GscConnection {\n  id String @id\n  projectId String @unique\n  siteUrl String\n}\n`,
      'src/services.ts': `import { cacheable } from './cachable';
import { db } from './db';
export async function getClientById(id: string) {
  return db.client.findUnique({ where: { id } });
}
export const getClientByIdCached = cacheable(getClientById, 60 * 5);
export async function getProjectById(id: string) {
  const res = await db.project.findUnique({ where: { id } });
  if (!res) return null;
  return res;
}
export const getProjectByIdCached = cacheable(getProjectById, 60 * 60 * 24);
export const getOrganizationAccess = cacheable('getOrganizationAccess', async ({ userId }: { userId: string }) => db.member.findFirst({ where: { userId } }), 60 * 5);
export const getReport = cacheable(async (projectId: string) => {
  const conn = await db.gscConnection.findUnique({ where: { projectId } });
  if (!conn) return [];
  return fetch(conn.siteUrl).then((r) => r.json());
}, 60 * 60 * 4);
`,
      'src/server.ts': `import { getClientByIdCached } from './services';
import { db } from './db';
async function lookup(id: string) {
  await db.project.findMany();
  return getClientByIdCached(id);
}
export async function start() {
  const client = await lookup('a');
  process.on('SIGTERM', async () => console.log(client));
}
`,
      'src/app.ts': `import express from 'express';
import { db } from './db';
export const app = express();
app.patch('/clients/:id', async (req, res) => {
  res.json(await db.client.update({ where: { id: req.params.id }, data: { name: req.body.name } }));
});
app.delete('/clients/:id', async (req, res) => {
  await db.client.delete({ where: { id: req.params.id } });
  res.json({});
});
app.delete('/projects/:id', async (req, res) => {
  await db.project.update({ where: { id: req.params.id }, data: { deleteAt: new Date() } });
  res.json({});
});
app.delete('/users/:id', async (req, res) => {
  await db.user.delete({ where: { id: req.params.id } });
  res.json({});
});
app.post('/gsc/:projectId/site', async (req, res) => {
  await db.gscConnection.update({ where: { projectId: req.params.projectId }, data: { siteUrl: req.body.siteUrl } });
  res.json({});
});
app.delete('/gsc/:projectId', async (req, res) => {
  await db.gscConnection.delete({ where: { projectId: req.params.projectId } });
  res.json({});
});
app.put('/gsc/:projectId', async (req, res) => {
  await db.gscConnection.update({ where: { projectId: req.params.projectId }, data: req.body });
  res.json({});
});
`,
    });
  });

  function finding(line: number): (string | number | undefined)[] | undefined {
    const found = result.findings.find((f) => f.file === 'src/app.ts' && f.line === line && f.severity !== 'note');
    return found ? [found.ruleId, found.severity, found.line, found.column, found.message.split('\n')[0], found.details?.[0]] : undefined;
  }

  it('reads the expiry of its Redis writes, so that a cascade of a family that expires is a warning', () => {
    expect(result.families.filter((f) => f.models.length > 0).map((f) => [f.key, f.ttl])).toEqual([
      ['cachable::{args}', 14400],
      ['cachable:getClientById:{args}', 300],
      ['cachable:getOrganizationAccess:{args}', 300],
      ['cachable:getProjectById:{args}', 86400],
    ]);
    expect(finding(15)?.slice(0, 5)).toEqual([
      'possibly-stale-family',
      'warning',
      15,
      5,
      'DELETE /users/:id may leave a cached family stale: `cachable:getOrganizationAccess:{args}`.',
    ]);
  });

  it('makes no family where a caller reaches the cached function through other functions', () => {
    expect(result.families.filter((f) => f.key === 'cachable:getClientById:{args}').flatMap((f) => f.reads)).toEqual([
      { file: 'src/services.ts', line: 6 },
    ]);
  });

  it('proves an update only by a field the loader is seen to use', () => {
    expect(finding(4)).toEqual([
      'possibly-stale-family',
      'warning',
      4,
      5,
      'PATCH /clients/:id may leave a cached family stale: `cachable:getClientById:{args}`.',
      '- `cachable:getClientById:{args}` holds Client (looked up by key; read at src/services.ts:6, filled at src/services.ts:6, ttl 300 s); it writes Client (update) at src/app.ts:5; its loader hands on the row, and the code does not show its callers using the fields written: delete `cachable:getClientById:{args}`.',
    ]);
    expect(finding(11)?.slice(0, 5)).toEqual([
      'possibly-stale-family',
      'warning',
      11,
      5,
      'DELETE /projects/:id may leave a cached family stale: `cachable:getProjectById:{args}`.',
    ]);
    expect(finding(19)?.slice(0, 5)).toEqual([
      'require-dependent-invalidation',
      'error',
      19,
      5,
      'POST /gsc/:projectId/site leaves a cached family stale: `cachable::{args}`.',
    ]);
    expect(finding(27)).toEqual([
      'possibly-stale-family',
      'warning',
      27,
      5,
      'PUT /gsc/:projectId may leave a cached family stale: `cachable::{args}`.',
      '- `cachable::{args}` holds GscConnection (looked up by key; read at src/services.ts:14, filled at src/services.ts:14, ttl 14400 s); it writes GscConnection (update) at src/app.ts:28; the fields it writes cannot be read: delete `cachable::{args}`.',
    ]);
  });

  it('proves a delete where the loader hands on the row, not where it makes its value from fields of it', () => {
    expect(finding(7)?.slice(0, 5)).toEqual([
      'require-dependent-invalidation',
      'error',
      7,
      5,
      'DELETE /clients/:id leaves a cached family stale: `cachable:getClientById:{args}`.',
    ]);
    expect(finding(23)).toEqual([
      'possibly-stale-family',
      'warning',
      23,
      5,
      'DELETE /gsc/:projectId may leave a cached family stale: `cachable::{args}`.',
      '- `cachable::{args}` holds GscConnection (looked up by key; read at src/services.ts:14, filled at src/services.ts:14, ttl 14400 s); it writes GscConnection (delete) at src/app.ts:24; its loader makes its value from fields of the row, not a copy of the row: delete `cachable::{args}`.',
    ]);
  });
});

describe("the fields a memoizer's callers read of a row its loader hands on", () => {
  /** Two callers of `getProjectByIdCached`: one reads the project's filters, one (through `Promise.all`) its name. */
  const READERS = {
    'src/events.ts': `import { getProjectByIdCached } from './services';
export async function isExcluded(projectId: string, name: string) {
  const project = await getProjectByIdCached(projectId);
  return (project?.filters ?? []).includes(name);
}
`,
    'src/notify.ts': `import { getProjectByIdCached } from './services';
export async function notify(projectId: string) {
  const [project, rules] = await Promise.all([getProjectByIdCached(projectId), Promise.resolve(['all'])]);
  return rules.map((rule) => \`\${rule}: \${project?.name ?? ''}\`);
}
`,
    'src/app.ts': `import express from 'express';
import { db } from './db';
import { getProjectByIdCached } from './services';
export const app = express();
app.delete('/projects/:id', async (req, res) => {
  await db.project.update({ where: { id: req.params.id }, data: { deleteAt: new Date() } });
  res.json({});
});
app.patch('/projects/:id/name', async (req, res) => {
  await db.project.update({ where: { id: req.params.id }, data: { name: req.body.name } });
  res.json({});
});
app.patch('/projects/:id/filters', async (req, res) => {
  await db.project.update({ where: { id: req.params.id }, data: { filters: req.body.filters } });
  await getProjectByIdCached.clear(req.params.id);
  res.json({});
});
`,
  };

  const stale = (result: ScanResult): (string | number)[][] =>
    result.findings
      .filter((f) => f.file === 'src/app.ts' && f.severity !== 'note')
      .map((f) => [f.ruleId, f.severity, f.line, f.column, f.message.split('\n')[0] ?? '']);

  it('reports an update of a field a caller reads, not one of a field none reads', async () => {
    const result = await project({ ...CACHEABLE, ...READERS });
    expect(stale(result)).toEqual([
      [
        'possibly-stale-family',
        'warning',
        9,
        5,
        'PATCH /projects/:id/name may leave a cached family stale: `cachable:getProjectById:{args}`.',
      ],
    ]);
  });

  it('counts every field where a caller hands the value on', async () => {
    const result = await project({
      ...CACHEABLE,
      ...READERS,
      'src/load.ts': `import { getProjectByIdCached } from './services';\nexport async function load(id: string) {\n  return getProjectByIdCached(id);\n}\n`,
    });
    expect(stale(result).map((f) => f[2])).toEqual([5, 9]);
  });
});

describe("a memoizer's callers in the other packages of a monorepo", () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });
  const json = (value: unknown): string => JSON.stringify(value, null, 2);

  /** The API app soft-deletes a project; a worker (another app, not audited with it) reads the cached project. */
  async function audit(workerReads: string): Promise<(string | number)[][]> {
    const shared = Object.fromEntries(Object.entries(CACHEABLE).map(([path, text]) => [`packages/db/${path}`, text]));
    const root = writeProject('memoizer-monorepo', {
      'package.json': json({ name: 'acme', private: true, workspaces: ['apps/*', 'packages/*'] }),
      'packages/db/package.json': json({ name: '@acme/db', main: './src/services.ts' }),
      ...shared,
      'apps/api/package.json': json({ name: '@acme/api', dependencies: { '@acme/db': 'workspace:*', express: '4.21.0' } }),
      'apps/api/src/app.ts': `import express from 'express';
import { db } from '@acme/db/src/db';
export const app = express();
app.delete('/projects/:id', async (req, res) => {
  await db.project.update({ where: { id: req.params.id }, data: { deleteAt: new Date() } });
  res.json({});
});
`,
      'apps/worker/package.json': json({ name: '@acme/worker', dependencies: { '@acme/db': 'workspace:*' } }),
      'apps/worker/src/job.ts': `import { getProjectByIdCached } from '@acme/db';
export async function run(projectId: string) {
  const project = await getProjectByIdCached(projectId);
  return project ? ${workerReads} : null;
}
`,
    });
    roots.push(root);
    const result = await scan({ root: join(root, 'apps/api'), workspaceRoot: root });
    return result.findings.filter((f) => f.severity !== 'note').map((f) => [f.ruleId, f.file, f.line, f.message]);
  }

  it('keeps the fields a sibling application reads', async () => {
    expect(await audit('project.deleteAt')).toEqual([
      ['possibly-stale-family', 'src/app.ts', 4, 'DELETE /projects/:id may leave a cached family stale: `cachable:getProjectById:{args}`.'],
    ]);
  });

  it('drops an update of a field no caller in the monorepo reads', async () => {
    expect(await audit('project.name')).toEqual([]);
  });
});
