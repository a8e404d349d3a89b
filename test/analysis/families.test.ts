import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

/** Writes a small project without any configuration and scans it. */
const project = projects('families');

const DB = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;

describe('inferred families: ttl and fills', () => {
  it('reads the expiry of Redis fills: EX, PX, setex, an options object, constants and arithmetic', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/cached.ts': `import Redis from 'ioredis';
import { prisma } from './db';
const redis = new Redis();
const LIST_TTL = 60 * 5;
const TTL = { slug: 120 };
export async function website(id: string) {
  const hit = await redis.get(\`website:\${id}\`);
  if (hit) return JSON.parse(hit);
  const row = await prisma.website.findUnique({ where: { id } });
  await redis.set(\`website:\${id}\`, JSON.stringify(row), 'EX', 600);
  return row;
}
export async function websites(teamId: string) {
  const hit = await redis.get(\`websites:\${teamId}\`);
  if (hit) return JSON.parse(hit);
  const rows = await prisma.website.findMany({ where: { teamId } });
  await redis.setex(\`websites:\${teamId}\`, LIST_TTL, JSON.stringify(rows));
  return rows;
}
export async function bySlug(slug: string) {
  const hit = await redis.get(\`website:slug:\${slug}\`);
  if (hit) return JSON.parse(hit);
  const row = await prisma.website.findFirst({ where: { slug } });
  await redis.set(\`website:slug:\${slug}\`, JSON.stringify(row), { EX: TTL.slug });
  return row;
}
export async function pixel(id: string) {
  const hit = await redis.get(\`pixel:\${id}\`);
  if (hit) return hit;
  const row = await prisma.pixel.findUnique({ where: { id } });
  await redis.set(\`pixel:\${id}\`, JSON.stringify(row), 'PX', 90_000);
  return row;
}
export async function team(id: string) {
  const hit = await redis.get(\`team:\${id}\`);
  if (hit) return hit;
  const row = await prisma.team.findUnique({ where: { id } });
  await redis.set(\`team:\${id}\`, JSON.stringify(row));
  return row;
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models, f.ttl, f.reads, f.fills])).toEqual([
      ['pixel:{id}', ['Pixel'], 90, [{ file: 'src/cached.ts', line: 28 }], [{ file: 'src/cached.ts', line: 31, ttl: 90 }]],
      ['team:{id}', ['Team'], null, [{ file: 'src/cached.ts', line: 35 }], [{ file: 'src/cached.ts', line: 38, ttl: null }]],
      ['website:{id}', ['Website'], 600, [{ file: 'src/cached.ts', line: 7 }], [{ file: 'src/cached.ts', line: 10, ttl: 600 }]],
      ['website:slug:{slug}', ['Website'], 120, [{ file: 'src/cached.ts', line: 21 }], [{ file: 'src/cached.ts', line: 24, ttl: 120 }]],
      ['websites:{teamId}', ['Website'], 300, [{ file: 'src/cached.ts', line: 14 }], [{ file: 'src/cached.ts', line: 17, ttl: 300 }]],
    ]);
  });

  it('reads the loading read as its own fill: cache-manager milliseconds and `{ ttl }` seconds', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/quotes.service.ts': `import { Inject, Injectable } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
import { prisma } from './db';
@Injectable()
export class QuotesService {
  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}
  list(tenantId: string) {
    return this.cache.wrap(\`quotes:list:\${tenantId}\`, () => prisma.quote.findMany({ where: { tenantId } }), 30_000);
  }
  one(id: string) {
    return this.cache.wrap(\`quote:\${id}\`, () => prisma.quote.findUnique({ where: { id } }), { ttl: 45 });
  }
  stats(tenantId: string) {
    return this.cache.wrap(\`quotes:stats:\${tenantId}\`, () => prisma.quote.count({ where: { tenantId } }));
  }
}
`,
    });
    expect(result.families.map((f) => [f.key, f.ttl, f.reads.map((r) => r.line), f.fills])).toEqual([
      ['quote:{id}', 45, [12], [{ file: 'src/quotes.service.ts', line: 12, ttl: 45 }]],
      ['quotes:list:{tenantId}', 30, [9], [{ file: 'src/quotes.service.ts', line: 9, ttl: 30 }]],
      ['quotes:stats:{tenantId}', null, [15], [{ file: 'src/quotes.service.ts', line: 15, ttl: null }]],
    ]);
  });

  it("follows a wrapper's ttl parameter to its callers' arguments, and its default when they pass none", async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/cache.service.ts': `import Redis from 'ioredis';
export class CacheService {
  private readonly redis = new Redis();
  async remember<T>(key: string, load: () => Promise<T>, ttl = 3600): Promise<T> {
    const hit = await this.redis.get(key);
    if (hit) return JSON.parse(hit) as T;
    const value = await load();
    await this.redis.set(key, JSON.stringify(value), 'EX', ttl);
    return value;
  }
}
`,
      'src/links.service.ts': `import { CacheService } from './cache.service';
import { prisma } from './db';
export class LinksService {
  private static readonly LINK_TTL = 90;
  constructor(private readonly cacheService: CacheService) {}
  link(id: string) {
    return this.cacheService.remember(\`link:\${id}\`, () => prisma.link.findUnique({ where: { id } }), LinksService.LINK_TTL);
  }
  domains(teamId: string) {
    return this.cacheService.remember(\`domains:\${teamId}\`, () => prisma.domain.findMany({ where: { teamId } }));
  }
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models, f.ttl, f.reads, f.fills])).toEqual([
      [
        'domains:{teamId}',
        ['Domain'],
        3600,
        [{ file: 'src/links.service.ts', line: 10 }],
        [{ file: 'src/links.service.ts', line: 10, ttl: 3600 }],
      ],
      ['link:{id}', ['Link'], 90, [{ file: 'src/links.service.ts', line: 7 }], [{ file: 'src/links.service.ts', line: 7, ttl: 90 }]],
    ]);
  });
});

describe('functions that cache, called one after another', () => {
  it('takes no read of the caller between two such calls for the loader, and names the loading read in the message', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/rates.ts': `import Redis from 'ioredis';
import { prisma } from './db';
const redis = new Redis();
export async function cachedRates(productId: string) {
  const hit = await redis.get(\`rates:\${productId}\`);
  if (hit) return JSON.parse(hit);
  const rows = await prisma.taxRate.findMany({ where: { productId } });
  await redis.set(\`rates:\${productId}\`, JSON.stringify(rows));
  return rows;
}
`,
      'src/api.ts': `import express from 'express';
import { prisma } from './db';
import { cachedRates } from './rates';
const app = express();
app.get('/quote', async (req, res) => {
  const first = await cachedRates(String(req.query.first));
  const region = await prisma.region.findUnique({ where: { id: String(req.query.region) } });
  const second = await cachedRates(String(req.query.second));
  res.json({ rates: [first, second].map((rates) => rates.length), region });
});
app.post('/regions/:id', async (req, res) => {
  await prisma.region.update({ where: { id: req.params.id }, data: req.body });
  res.json({});
});
app.post('/rates/:id', async (req, res) => {
  await prisma.taxRate.update({ where: { id: req.params.id }, data: req.body });
  res.json({});
});
`,
    });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['rates:{productId}', ['TaxRate']]]);
    const stale = result.findings.filter((f) => f.ruleId === 'require-dependent-invalidation');
    expect(stale.map((f) => [f.severity, `${f.file}:${String(f.line)}:${String(f.column)}`, f.message, f.details?.[0]])).toEqual([
      [
        'error',
        'src/api.ts:15:5',
        'POST /rates/:id leaves a cached family stale: `rates:{productId}`.',
        '- `rates:{productId}` holds TaxRate (a list, count or aggregate; read at src/rates.ts:5, filled at src/rates.ts:8); it writes TaxRate (update) at src/api.ts:16: delete `rates:{productId}`.',
      ],
    ]);
  });
});

describe('Next.js unstable_cache', () => {
  it('is a loading read named by its first tag, its ttl the revalidate seconds', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/app/posts/data.ts': `import { unstable_cache as cached } from 'next/cache';
import { prisma } from '../../db';
const HOUR = 3600;
export const getPosts = cached(async () => prisma.post.findMany(), ['posts-list'], { revalidate: HOUR, tags: ['posts'] });
export function getPost(id: string) {
  return cached(async () => prisma.post.findUnique({ where: { id } }), [\`post-\${id}\`])();
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models, f.ttl, f.reads.map((r) => r.line)])).toEqual([
      ['post-{id}', ['Post'], null, [6]],
      ['posts', ['Post'], 3600, [4]],
    ]);
  });
});

describe('CommonJS cache clients', () => {
  const ROUTES = (require: string, receiver: string, name: string): string => `const express = require('express');
${require}
const { prisma } = require('../db');
const router = express.Router();
router.get('/${name}s/:id', async (req, res) => {
  const hit = await ${receiver}.get(\`${name}:\${req.params.id}\`);
  if (hit) return res.json(JSON.parse(hit));
  const row = await prisma.${name}.findUnique({ where: { id: req.params.id } });
  await ${receiver}.set(\`${name}:\${req.params.id}\`, JSON.stringify(row), 'EX', 60);
  return res.json(row);
});
router.put('/${name}s/:id', async (req, res) => {
  await prisma.${name}.update({ where: { id: req.params.id }, data: req.body });
  await ${receiver}.del(\`${name}:\${req.params.id}\`);
  res.sendStatus(204);
});
router.delete('/${name}s/:id', async (req, res) => {
  await prisma.${name}.delete({ where: { id: req.params.id } });
  res.sendStatus(204);
});
module.exports = router;
`;

  // The files that use a client name it in their text (`require('../lib/redis')`): a file naming no
  // cache at all is not read for cache reads (relevance is decided from the text).
  it('reads a client that a module exports whole, as a member or in an object, required from .js and .ts files', async () => {
    const result = await project({
      'src/db.js': `const { PrismaClient } = require('@prisma/client');\nmodule.exports = { prisma: new PrismaClient() };\n`,
      'src/lib/redis.js': `const Redis = require('ioredis');\nconst client = new Redis();\nmodule.exports = client;\n`,
      'src/lib/cache.ts': `const Redis = require('ioredis');\nconst client = new Redis();\nexports.client = client;\n`,
      'src/lib/redis-client.js': `const { createClient } = require('redis');\nconst client = createClient();\nmodule.exports = { client };\n`,
      'src/lib/kv.ts': `import Redis from 'ioredis';\nconst client = new Redis();\nexport = client;\n`,
      'src/routes/quotes.js': ROUTES("const store = require('../lib/redis');", 'store', 'quote'),
      'src/routes/clients.ts': ROUTES("const { client } = require('../lib/cache');", 'client', 'client'),
      'src/routes/expenses.js': ROUTES("const conn = require('../lib/redis-client').client;", 'conn', 'expense'),
      'src/routes/invoices.ts': ROUTES("import kv = require('../lib/kv');", 'kv', 'invoice'),
    });
    expect(result.families.map((f) => [f.key, f.models, f.ttl, f.reads])).toEqual([
      ['client:{id}', ['Client'], 60, [{ file: 'src/routes/clients.ts', line: 6 }]],
      ['expense:{id}', ['Expense'], 60, [{ file: 'src/routes/expenses.js', line: 6 }]],
      ['invoice:{id}', ['Invoice'], 60, [{ file: 'src/routes/invoices.ts', line: 6 }]],
      ['quote:{id}', ['Quote'], 60, [{ file: 'src/routes/quotes.js', line: 6 }]],
    ]);
    // Each update invalidates its entry: no dead family; each delete forgets it.
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.file, f.line, f.column, f.message.split('\n')[0]])).toEqual(
      ['clients.ts', 'expenses.js', 'invoices.ts', 'quotes.js'].map((file, i) => [
        'require-dependent-invalidation',
        'error',
        `src/routes/${file}`,
        17,
        8,
        `DELETE /${['client', 'expense', 'invoice', 'quote'][i] ?? ''}s/:id leaves a cached family stale: \`${['client', 'expense', 'invoice', 'quote'][i] ?? ''}:{id}\`.`,
      ]),
    );
  });
});

describe('caches made with a key builder', () => {
  // A cache-making call given `getKey`: its get/getOrSet/delete take what the builder turns into the
  // key, and its options give the expiry. The cache may be a const, a class property assigned once
  // in an init method, or a module variable assigned in a config object's init.
  const FILES = {
    'src/db.ts': DB,
    'src/cache.ts': `export class Cache {
  get(id: string, load: () => unknown) {
    return load();
  }
  delete(id: string) {
    return id;
  }
}
`,
    'src/caches.ts': `import ms from 'ms';
import { makeCache } from 'keyed-cache';
import type { Cache } from './cache';
import { prisma } from './db';
export const variantCache = makeCache({ getKey: (variantId: string) => \`facet:\${variantId}\`, options: { ttl: ms('1w') } });
export class StockStrategy {
  private locationCache: Cache;
  init() {
    this.locationCache = makeCache({ getKey: (id: string) => this.keyOf(id), ttlSeconds: 600 });
  }
  private keyOf(id: string) {
    return \`location:channels:\${id}\`;
  }
  channels(locationId: string) {
    return this.locationCache.get(locationId, () => prisma.location.findUnique({ where: { id: locationId } }));
  }
  forget(locationId: string) {
    return this.locationCache.delete(locationId);
  }
}
let groupCache: Cache;
export const condition = {
  init() {
    groupCache = makeCache({ getKey: (id: string) => \`groups:\${id}\` });
  },
  check(customerId: string) {
    return groupCache.get(customerId, () => prisma.group.findMany({ where: { customerId } }));
  },
};
export function facets(variantId: string) {
  return variantCache.getOrSet(variantId, () => prisma.variant.findUnique({ where: { id: variantId } }));
}
`,
    'src/routes.ts': `import express from 'express';
import { prisma } from './db';
import { variantCache, StockStrategy } from './caches';
const router = express.Router();
const stock = new StockStrategy();
router.put('/variants/:id', async (req, res) => {
  await prisma.variant.update({ where: { id: req.params.id }, data: req.body });
  await variantCache.delete(req.params.id);
  res.json({});
});
router.delete('/variants/:id', async (req, res) => {
  await prisma.variant.delete({ where: { id: req.params.id } });
  res.json({});
});
router.put('/locations/:id', async (req, res) => {
  await prisma.location.update({ where: { id: req.params.id }, data: req.body });
  await stock.forget(req.params.id);
  res.json({});
});
export default router;
`,
  };

  it('applies the builder to the argument and reads the expiry of the options', async () => {
    const result = await project(FILES);
    expect(result.families.map((f) => [f.key, f.models, f.ttl])).toEqual([
      ['facet:{variantId}', ['Variant'], 604800],
      ['groups:{id}', ['Group'], null],
      ['location:channels:{id}', ['Location'], 600],
    ]);
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.file, f.line, f.column, f.message.split('\n')[0]])).toEqual([
      [
        'require-dependent-invalidation',
        'error',
        'src/routes.ts',
        11,
        8,
        'DELETE /variants/:id leaves a cached family stale: `facet:{variantId}`.',
      ],
    ]);
  });
});

const FILES_REFRESHING = `export async function createSelfRefreshingCache<V>(config: { name?: string; ttl: number; refresh: { fn: () => Promise<V> } }) {
  let value = await config.refresh.fn();
  return {
    value: async () => value,
    memoize: async <R>(fn: (v: V) => R) => fn(value),
    refresh: async () => (value = await config.refresh.fn()),
  };
}
`;

describe('caches that refresh themselves', () => {
  // A cache of one value made by a self-refreshing factory: value() and memoize() read the family
  // its refresh function loads, named by the `name` option (or the member that holds it);
  // refresh() reloads it, which is what a write of what it holds must call. It lives in the
  // process's memory: code the audit cannot follow reaches it only through its owner.
  const FILES = {
    'src/db.ts': DB,
    'src/refreshing.ts': FILES_REFRESHING,
    'src/rates.ts': `import { createSelfRefreshingCache } from './refreshing';
import { prisma } from './db';
export interface AuditLog {
  record(id: string): Promise<void>;
}
export class Rates {
  constructor(private readonly audit: AuditLog) {}
  private active: Awaited<ReturnType<typeof createSelfRefreshingCache<unknown[]>>>;
  private regions?: Awaited<ReturnType<typeof createSelfRefreshingCache<unknown[]>>>;
  async init() {
    this.active = await createSelfRefreshingCache({ name: 'Rates.active', ttl: 30_000, refresh: { fn: () => this.load() } });
    this.regions = await this.makeRegions();
  }
  private makeRegions() {
    return createSelfRefreshingCache({ ttl: 30_000, refresh: { fn: () => prisma.region.findMany() } });
  }
  private load() {
    return prisma.rate.findMany();
  }
  applicable(code: string) {
    return this.active.value();
  }
  regionNames() {
    return this.regions?.memoize((rows) => rows.length);
  }
  async update(id: string, percent: number) {
    await prisma.rate.update({ where: { id }, data: { percent } });
    await this.active.refresh();
  }
  async remove(id: string) {
    await prisma.rate.delete({ where: { id } });
    await this.audit.record(id);
  }
  async renameRegion(id: string, name: string) {
    await prisma.region.update({ where: { id }, data: { name } });
  }
}
`,
    'src/routes.ts': `import express from 'express';
import { auditLog } from 'audit-log';
import { Rates } from './rates';
const router = express.Router();
const rates = new Rates(auditLog);
router.get('/rates/:code', async (req, res) => res.json(await rates.applicable(req.params.code)));
router.get('/regions', async (req, res) => res.json(await rates.regionNames()));
router.put('/rates/:id', async (req, res) => {
  await rates.update(req.params.id, req.body.percent);
  res.json({});
});
router.delete('/rates/:id', async (req, res) => {
  await rates.remove(req.params.id);
  res.json({});
});
router.put('/regions/:id', async (req, res) => {
  await rates.renameRegion(req.params.id, req.body.name);
  res.json({});
});
export default router;
`,
  };

  it('reads the family its refresh function loads and takes refresh() for its invalidation', async () => {
    const result = await project(FILES);
    expect(result.families.map((f) => [f.key, f.models, f.reads])).toEqual([
      ['Rates.active', ['Rate'], [{ file: 'src/rates.ts', line: 21 }]],
      ['Rates.regions', ['Region'], [{ file: 'src/rates.ts', line: 24 }]],
    ]);
    const put = result.matrix.rows.find((row) => row.handler === 'PUT /rates/:id');
    expect(put?.invalidations.map((i) => [i.kind, i.pattern])).toEqual([['key', 'Rates.active']]);
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.file, f.line, f.column, f.message.split('\n')[0]])).toEqual([
      ['possibly-stale-family', 'warning', 'src/routes.ts', 12, 8, 'DELETE /rates/:id may leave a cached family stale: `Rates.active`.'],
      [
        'unresolved',
        'note',
        'src/routes.ts',
        12,
        8,
        'DELETE /rates/:id calls code this audit cannot follow (this.audit.record): whether it invalidates is unknown.',
      ],
      [
        'require-dependent-invalidation',
        'error',
        'src/routes.ts',
        16,
        8,
        'PUT /regions/:id leaves a cached family stale: `Rates.regions`.',
      ],
    ]);
    const remove = result.findings.find((f) => f.ruleId === 'possibly-stale-family');
    expect(remove?.details?.join('\n')).toContain(
      'it calls code the audit cannot follow (`this.audit.record`), which clears it only by calling back into its owner: call `this.active.refresh()`.',
    );
  });

  it('judges them past a delete of a key it cannot read, which may clear only a family kept under a key', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/refreshing.ts': FILES_REFRESHING,
      'src/rates.ts': `import Redis from 'ioredis';
import { createSelfRefreshingCache } from './refreshing';
import { prisma } from './db';
const redis = new Redis();
export interface AuditLog {
  record(id: string): Promise<void>;
}
export class Rates {
  constructor(private readonly audit: AuditLog) {}
  private active: Awaited<ReturnType<typeof createSelfRefreshingCache<unknown[]>>>;
  async init() {
    this.active = await createSelfRefreshingCache({ name: 'Rates.active', ttl: 30_000, refresh: { fn: () => prisma.rate.findMany() } });
  }
  applicable() {
    return this.active.value();
  }
  async one(id: string) {
    const hit = await redis.get(\`rate:\${id}\`);
    if (hit) return JSON.parse(hit);
    const row = await prisma.rate.findUnique({ where: { id } });
    await redis.set(\`rate:\${id}\`, JSON.stringify(row));
    return row;
  }
  async remove(id: string) {
    await prisma.rate.delete({ where: { id } });
    await this.forget(id);
  }
  async archive(id: string) {
    await prisma.rate.delete({ where: { id } });
    await this.forget(id);
    await this.audit.record(id);
  }
  private async forget(id: string) {
    for (const key of await redis.smembers(\`rate-keys:\${id}\`)) await redis.del(key);
  }
}
`,
      'src/routes.ts': `import express from 'express';
import { auditLog } from 'audit-log';
import { Rates } from './rates';
const router = express.Router();
const rates = new Rates(auditLog);
router.get('/rates', async (req, res) => res.json(await rates.applicable()));
router.get('/rates/:id', async (req, res) => res.json(await rates.one(req.params.id)));
router.delete('/rates/:id', async (req, res) => {
  await rates.remove(req.params.id);
  res.json({});
});
router.post('/rates/:id/archive', async (req, res) => {
  await rates.archive(req.params.id);
  res.json({});
});
export default router;
`,
    });
    expect(result.families.map((f) => f.key)).toEqual(['rate:{id}', 'Rates.active']);
    const stale = result.findings.filter((f) => f.ruleId !== 'unresolved');
    expect(stale.map((f) => [f.ruleId, f.severity, f.file, f.line, f.column, f.message.split('\n')[0]])).toEqual([
      ['require-dependent-invalidation', 'error', 'src/routes.ts', 8, 8, 'DELETE /rates/:id leaves a cached family stale: `Rates.active`.'],
      [
        'possibly-stale-family',
        'warning',
        'src/routes.ts',
        12,
        8,
        'POST /rates/:id/archive may leave a cached family stale: `Rates.active`.',
      ],
    ]);
    expect(stale[0]?.details?.[0]).toBe(
      '- `Rates.active` holds Rate (a list, count or aggregate; read at src/rates.ts:15, filled at src/rates.ts:15); it writes Rate (delete) at src/rates.ts:25: call `this.active.refresh()`.',
    );
  });
});

describe('families read through TypeORM query builders', () => {
  it('proves a delete against every row a builder reads, and warns of a relation written through a generic helper', async () => {
    const result = await project({
      'src/refreshing.ts': FILES_REFRESHING,
      'src/regions.ts': `import { Body, Controller, Delete, Get, Injectable, Param, Put, Type } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Entity, ObjectLiteral, Repository } from 'typeorm';
import { createSelfRefreshingCache } from './refreshing';
@Entity()
export class Region {}
@Injectable()
export class Relations {
  constructor(private readonly dataSource: DataSource) {}
  async link<T extends ObjectLiteral>(entityType: Type<T>, id: string, ids: string[]) {
    await this.dataSource.getRepository(entityType).createQueryBuilder().relation('zones').of(id).add(ids);
  }
}
@Injectable()
export class RegionsService {
  private all = createSelfRefreshingCache({ name: 'Regions.all', ttl: 60_000, refresh: { fn: () => this.load() } });
  constructor(
    @InjectRepository(Region) private readonly regions: Repository<Region>,
    private readonly relations: Relations,
  ) {}
  private load() {
    return this.regions.createQueryBuilder('region').leftJoinAndSelect('region.zones', 'zone').getMany();
  }
  async list() {
    return (await this.all).value();
  }
  async remove(id: string) {
    await this.regions.delete(id);
  }
  async link(id: string, zoneIds: string[]) {
    await this.relations.link(Region, id, zoneIds);
  }
}
@Controller('regions')
export class RegionsController {
  constructor(private readonly service: RegionsService) {}
  @Get()
  list() {
    return this.service.list();
  }
  @Delete(':id')
  remove(@Param('id') id: string) {
    return this.service.remove(id);
  }
  @Put(':id/zones')
  link(@Param('id') id: string, @Body() body: { zoneIds: string[] }) {
    return this.service.link(id, body.zoneIds);
  }
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['Regions.all', ['Region']]]);
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.file, f.line, f.column, f.message.split('\n')[0]])).toEqual([
      [
        'require-dependent-invalidation',
        'error',
        'src/regions.ts',
        42,
        3,
        'RegionsController.remove leaves a cached family stale: `Regions.all`.',
      ],
      [
        'possibly-stale-family',
        'warning',
        'src/regions.ts',
        46,
        3,
        'RegionsController.link may leave a cached family stale: `Regions.all`.',
      ],
    ]);
    expect(result.findings[1]?.details?.[0]).toBe(
      '- `Regions.all` holds Region (a list, count or aggregate; read at src/regions.ts:25, filled at src/regions.ts:25); it writes the `zones` relation of Region (its join rows) at src/regions.ts:11: call `this.all.refresh()`.',
    );
  });
});

describe('memos of one call or one request', () => {
  it('are no families: a Map made in the function, and the Map a WeakMap keeps per request context', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/request-memo.ts': `export class RequestMemo {
  private caches = new WeakMap<object, Map<string, unknown>>();
  get<T>(ctx: object, key: string, load: () => T): T {
    const ctxCache = this.forContext(ctx);
    const hit = ctxCache.get(key);
    if (hit) return hit as T;
    const value = load();
    ctxCache.set(key, value);
    return value;
  }
  private forContext(ctx: object): Map<string, unknown> {
    let ctxCache = this.caches.get(ctx);
    if (!ctxCache) {
      ctxCache = new Map();
      this.caches.set(ctx, ctxCache);
    }
    return ctxCache;
  }
}
`,
      'src/prices.ts': `import { prisma } from './db';
import { RequestMemo } from './request-memo';
const memo = new RequestMemo();
export function taxZone(ctx: object, channelId: string) {
  return memo.get(ctx, \`tax-zone:\${channelId}\`, () => prisma.zone.findFirst({ where: { channelId } }));
}
export async function prices(ids: string[]) {
  const priceCache = new Map<string, unknown>();
  for (const id of ids) {
    if (!priceCache.get(\`price:\${id}\`)) priceCache.set(\`price:\${id}\`, await prisma.price.findUnique({ where: { id } }));
  }
  return priceCache;
}
`,
      'src/routes.ts': `import express from 'express';
import { prisma } from './db';
const router = express.Router();
router.put('/zones/:id', async (req, res) => {
  await prisma.zone.update({ where: { id: req.params.id }, data: req.body });
  res.json({});
});
router.put('/prices/:id', async (req, res) => {
  await prisma.price.update({ where: { id: req.params.id }, data: req.body });
  res.json({});
});
export default router;
`,
    });
    expect(result.families).toEqual([]);
    expect(result.findings.filter((f) => f.severity !== 'note')).toEqual([]);
  });
});
