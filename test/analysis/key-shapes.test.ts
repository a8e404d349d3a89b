import { describe, expect, it } from 'vitest';
import type { MatrixRow, ScanResult } from '../../src/scanner/result.js';
import { projects } from '../support/project.js';

/** Writes a small project with no configuration (families inferred from the code) and scans it. */
const project = projects('key-shapes');

function row(result: ScanResult, handler: string): MatrixRow {
  const found = result.matrix.rows.find((r) => r.handler === handler);
  if (!found) throw new Error(`no row ${handler} in ${result.matrix.rows.map((r) => r.handler).join(', ')}`);
  return found;
}

function errors(result: ScanResult): string[] {
  return result.findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${f.file}:${String(f.line)}:${String(f.column)}`);
}

const NEST = `import { Body, Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';`;
const DB = `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`;

describe('keys built from arrays', () => {
  it('reads a key joined from a rest parameter, through a checked builder and a nested object of builders', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/cache/key.ts': `export const makeCacheKey = (...parts: [first: string, ...rest: string[]]): string => {
  if (parts.some((part) => part.length === 0)) {
    console.error('empty part');
    throw new Error('Invalid cache key: parts cannot be empty');
  }
  const key = \`app:\${parts.join(':')}\`;
  if (!/^app:/.test(key)) throw new Error('Invalid cache key');
  return key;
};
`,
      'src/cache/keys.ts': `import { makeCacheKey } from './key';
export const cacheKeys = {
  website: {
    byId: (websiteId: string) => makeCacheKey('website', websiteId),
    list(teamId: string) { return makeCacheKey('team', teamId, 'websites'); },
  },
  report: (reportId: string) => ['report', reportId, 'summary'].join(':'),
};
`,
      'src/routes.ts': `import express from 'express';
import { createClient } from 'redis';
import { prisma } from './db';
import { cacheKeys } from './cache/keys';
const redis = createClient();
export const app = express();
app.get('/websites/:id', async (req, res) => {
  const hit = await redis.get(cacheKeys.website.byId(req.params.id));
  if (hit) return res.json(JSON.parse(hit));
  const website = await prisma.website.findUnique({ where: { id: req.params.id } });
  await redis.set(cacheKeys.website.byId(req.params.id), JSON.stringify(website));
  res.json(website);
});
app.get('/teams/:id/websites', async (req, res) => {
  const hit = await redis.get(cacheKeys.website.list(req.params.id));
  if (hit) return res.json(JSON.parse(hit));
  const websites = await prisma.website.findMany({ where: { teamId: req.params.id } });
  await redis.set(cacheKeys.website.list(req.params.id), JSON.stringify(websites));
  res.json(websites);
});
app.get('/reports/:id', async (req, res) => {
  const hit = await redis.get(cacheKeys.report(req.params.id));
  if (hit) return res.json(JSON.parse(hit));
  const report = await prisma.report.findUnique({ where: { id: req.params.id } });
  await redis.set(cacheKeys.report(req.params.id), JSON.stringify(report));
  res.json(report);
});
app.put('/websites/:id', async (req, res) => {
  const website = await prisma.website.update({ where: { id: req.params.id }, data: req.body });
  await redis.del([cacheKeys.website.byId(website.id), cacheKeys.website.list(website.teamId)]);
  res.status(204).end();
});
app.delete('/reports/:id', async (req, res) => {
  await prisma.report.delete({ where: { id: req.params.id } });
  res.status(204).end();
});
`,
    });
    expect(result.families.map((f) => [f.key, f.models, f.reads])).toEqual([
      ['app:team:{teamId}:websites', ['Website'], [{ file: 'src/routes.ts', line: 15 }]],
      ['app:website:{websiteId}', ['Website'], [{ file: 'src/routes.ts', line: 8 }]],
      ['report:{reportId}:summary', ['Report'], [{ file: 'src/routes.ts', line: 22 }]],
    ]);
    expect(row(result, 'PUT /websites/:id').invalidations.map((i) => [i.pattern, i.kind])).toEqual([
      ['app:website:{websiteId}', 'key'],
      ['app:team:{teamId}:websites', 'key'],
    ]);
    expect(errors(result)).toEqual(['require-dependent-invalidation src/routes.ts:33:5']);
  });
});

describe('keys kept in a map', () => {
  it('reads keys a map holds: through `get` and through its entries, taken apart in a callback', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/prices.ts': `import Redis from 'ioredis';
import { prisma } from './db';
const redis = new Redis();
function priceKey(variantId: string, regionId: string): string {
  return \`ps:\${variantId}:\${regionId}\`;
}
export async function prices(variantIds: string[], regionId: string) {
  const keys = new Map(variantIds.map((id) => [id, priceKey(id, regionId)]));
  const hits = await Promise.all([...keys].map(async ([, key]) => await redis.get(key)));
  const rows = await prisma.moneyAmount.findMany({ where: { variantId: { in: variantIds }, regionId } });
  await Promise.all(rows.map(async (row) => await redis.set(keys.get(row.variantId)!, JSON.stringify(row))));
  return [hits, rows];
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models, f.reads, f.fills])).toEqual([
      [
        'ps:{variantId}:{regionId}',
        ['MoneyAmount'],
        [{ file: 'src/prices.ts', line: 9 }],
        [{ file: 'src/prices.ts', line: 11, ttl: null }],
      ],
    ]);
  });
});

describe('a cache reached through a facade', () => {
  it('reads a Proxy facade as the cache it stands in for, with its ttls in milliseconds', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/store.ts': `import { createClient } from 'redis';
type CacheService = {
  withCache<T>(fn: () => Promise<T>, key: string, ttlMs: number): Promise<T>;
  del(keys: string[]): Promise<void>;
};
const client = createClient();
export const store = new Proxy({} as CacheService, {
  get(_target, prop: keyof CacheService) {
    return async (...args: unknown[]) => (client as unknown as Record<string, (...a: unknown[]) => unknown>)[prop](...args);
  },
});
`,
      'src/routes.ts': `import express from 'express';
import { prisma } from './db';
import { store } from './store';
const STALE_MS = 5 * 60 * 1000;
export const app = express();
app.get('/teams/:id/billing', async (req, res) => {
  res.json(await store.withCache(() => prisma.billing.findUnique({ where: { teamId: req.params.id } }), \`billing:\${req.params.id}\`, STALE_MS));
});
app.get('/teams/:id/languages', async (req, res) => {
  res.json(await store.withCache(() => prisma.language.findMany({ where: { teamId: req.params.id } }), \`languages:\${req.params.id}\`, 60 * 1000));
});
app.put('/teams/:id/billing', async (req, res) => {
  await prisma.billing.update({ where: { teamId: req.params.id }, data: req.body });
  await store.del([\`billing:\${req.params.id}\`]);
  res.status(204).end();
});
app.post('/teams/:id/languages', async (req, res) => {
  await prisma.language.create({ data: { teamId: req.params.id, code: req.body.code } });
  res.status(201).end();
});
app.delete('/teams/:id/billing', async (req, res) => {
  await prisma.billing.delete({ where: { teamId: req.params.id } });
  res.status(204).end();
});
`,
    });
    // The ttls are read in milliseconds: five minutes and one.
    expect(result.families.map((f) => [f.key, f.models, f.ttl])).toEqual([
      ['billing:{id}', ['Billing'], 300],
      ['languages:{id}', ['Language'], 60],
    ]);
    expect(row(result, 'PUT /teams/:id/billing').invalidations.map((i) => [i.pattern, i.kind])).toEqual([['billing:{id}', 'key']]);
    // The billing entry, which the team clears, is an error whatever its ttl; the languages list, which
    // nothing clears and which expires within a minute, is left to expire (see expiring-families.test.ts).
    expect(errors(result)).toEqual(['require-dependent-invalidation src/routes.ts:21:5']);
    expect(result.findings.find((f) => f.line === 21)?.details?.[0]).toContain(', ttl 300 s)');
  });
});

describe('two-faced cache builders', () => {
  it('follows the faces of objects a factory returns: read and invalidate over one key, cache and invalidate keys', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/link-cache.ts': `import Redis from 'ioredis';
const redis = new Redis();
export function linkCache(linkId: string) {
  const key = \`link:\${linkId}\`;
  return {
    async get(load: () => Promise<unknown>) {
      const hit = await redis.get(key);
      if (hit) return JSON.parse(hit);
      const value = await load();
      await redis.set(key, JSON.stringify(value), 'EX', 600);
      return value;
    },
    invalidate: () => redis.del(key),
  };
}
export const feedKeys = () => {
  const cache = (teamId: string, page: string) => \`feed:\${teamId}:\${page}\`;
  const invalidate = (teamId: string) => \`feed:\${teamId}:*\`;
  return { cache, invalidate };
};
export async function deleteByPattern(pattern: string) {
  const keys = await redis.keys(pattern);
  if (keys.length > 0) await redis.del(...keys);
}
export { redis };
`,
      'src/routes.ts': `import express from 'express';
import { prisma } from './db';
import { deleteByPattern, feedKeys, linkCache, redis } from './link-cache';
export const app = express();
app.get('/links/:id', async (req, res) => {
  res.json(await linkCache(req.params.id).get(() => prisma.link.findUnique({ where: { id: req.params.id } })));
});
app.get('/teams/:id/feed', async (req, res) => {
  const key = feedKeys().cache(req.params.id, String(req.query.page));
  const hit = await redis.get(key);
  if (hit) return res.json(JSON.parse(hit));
  const feed = await prisma.post.findMany({ where: { teamId: req.params.id } });
  await redis.set(key, JSON.stringify(feed), 'EX', 600);
  res.json(feed);
});
app.put('/links/:id', async (req, res) => {
  await prisma.link.update({ where: { id: req.params.id }, data: req.body });
  const cached = linkCache(req.params.id);
  await cached.invalidate();
  res.status(204).end();
});
app.post('/teams/:id/posts', async (req, res) => {
  await prisma.post.create({ data: { teamId: req.params.id, body: req.body.text } });
  await deleteByPattern(feedKeys().invalidate(req.params.id));
  res.status(201).end();
});
app.delete('/links/:id', async (req, res) => {
  await prisma.link.delete({ where: { id: req.params.id } });
  res.status(204).end();
});
`,
    });
    expect(result.families.map((f) => [f.key, f.models, f.reads])).toEqual([
      ['feed:{teamId}:{page}', ['Post'], [{ file: 'src/routes.ts', line: 10 }]],
      [
        'link:{linkId}',
        ['Link'],
        [
          { file: 'src/link-cache.ts', line: 7 },
          { file: 'src/routes.ts', line: 6 },
        ],
      ],
    ]);
    expect(row(result, 'PUT /links/:id').invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['link:{linkId}', ['linkCache().invalidate']],
    ]);
    expect(row(result, 'POST /teams/:id/posts').invalidations.map((i) => [i.pattern, i.kind])).toEqual([['feed:{teamId}:*', 'pattern']]);
    expect(errors(result)).toEqual(['require-dependent-invalidation src/routes.ts:27:5']);
  });

  it('reads the key function a cache object was created with, through the class its factory makes', async () => {
    const result = await project({
      'src/facet.entity.ts': `import { Entity, PrimaryGeneratedColumn } from 'typeorm';
@Entity()
export class Facet {
  @PrimaryGeneratedColumn() id!: string;
}
`,
      'src/cache.ts': `import Redis from 'ioredis';
export interface CacheConfig {
  getKey: (id: string) => string;
}
export class Cache {
  constructor(private readonly config: CacheConfig, private readonly redis: Redis) {}
  async get(id: string, load: () => Promise<unknown>) {
    const key = this.config.getKey(id);
    const hit = await this.redis.get(key);
    if (hit) return JSON.parse(hit);
    const value = await load();
    await this.redis.set(key, JSON.stringify(value), 'EX', 3600);
    return value;
  }
  async delete(id: string) {
    await this.redis.del(this.config.getKey(id));
  }
}
export class CacheService {
  constructor(private readonly redis: Redis) {}
  makeCache(config: CacheConfig) {
    return new Cache(config, this.redis);
  }
}
`,
      'src/facet.service.ts': `import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CacheService } from './cache';
import { Facet } from './facet.entity';
export class FacetService {
  private facetCache = this.cacheService.makeCache({ getKey: (facetId) => \`facet:\${facetId}\` });
  constructor(@InjectRepository(Facet) private readonly facets: Repository<Facet>, private readonly cacheService: CacheService) {}
  findOne(id: string) {
    return this.facetCache.get(id, () => this.facets.findOneBy({ id }));
  }
  async update(id: string) {
    await this.facets.update(id, {});
    await this.facetCache.delete(id);
  }
}
`,
      'src/facets.controller.ts': `${NEST}
import { FacetService } from './facet.service';
@Controller('facets')
export class FacetsController {
  constructor(private readonly facets: FacetService) {}
  @Get(':id')
  one(@Param('id') id: string) { return this.facets.findOne(id); }
  @Put(':id')
  update(@Param('id') id: string) { return this.facets.update(id); }
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models, f.reads])).toEqual([
      ['facet:{facetId}', ['Facet'], [{ file: 'src/facet.service.ts', line: 9 }]],
    ]);
    // The cache was made with a key builder: its delete is read where it is called, through `getKey`.
    expect(row(result, 'FacetsController.update').invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['facet:{facetId}', ['FacetService.update']],
    ]);
    expect(errors(result)).toEqual([]);
  });
});

describe('events dispatched by class and through an emitter wrapper', () => {
  it('runs an RxJS subscription by the event class it filters on, and reads a key held by a class property', async () => {
    const result = await project({
      'src/role.entity.ts': `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
@Entity()
export class Role {
  @PrimaryGeneratedColumn() id!: number;
  @Column() code!: string;
}
`,
      'src/events.ts': `import type { Role } from './role.entity';
abstract class EntityEvent<T> {
  constructor(readonly entity: T, readonly type: 'created' | 'updated' | 'deleted') {}
}
export class RoleEvent extends EntityEvent<Role> {}
`,
      'src/event-bus.ts': `import { Subject, filter } from 'rxjs';
export class EventBus {
  private readonly events = new Subject<object>();
  async publish(event: object) { this.events.next(event); }
  ofType<T>(type: new (...args: never[]) => T) { return this.events.pipe(filter((e): e is T => e instanceof type)); }
}
`,
      'src/cache.service.ts': `export class CacheService {
  createCache(config: { getKey: (id: string) => string }) { return { config }; }
}
`,
      'src/role.service.ts': `import { InjectRepository } from '@nestjs/typeorm';
import { filter } from 'rxjs';
import { Repository } from 'typeorm';
import { CacheService } from './cache.service';
import { EventBus } from './event-bus';
import { RoleEvent } from './events';
import { Role } from './role.entity';
export class RoleService {
  private rolesCacheKey = 'RoleService.allRoles';
  private rolesCache = this.cacheService.createCache({ getKey: () => this.rolesCacheKey });
  constructor(
    @InjectRepository(Role) private readonly roles: Repository<Role>,
    private readonly eventBus: EventBus,
    private readonly cacheService: CacheService,
  ) {
    this.eventBus
      .ofType(RoleEvent)
      .pipe(filter((event) => event.type === 'updated' || event.type === 'created'))
      .subscribe((event) => {
        void this.rolesCache.delete(this.rolesCacheKey);
      });
  }
  findAll() {
    return this.rolesCache.get(this.rolesCacheKey, async () => this.roles.find());
  }
  async create(code: string) {
    const role = await this.roles.save({ code });
    await this.eventBus.publish(new RoleEvent(role, 'created'));
    return role;
  }
  async rename(id: number, code: string) {
    await this.roles.update(id, { code });
  }
  async remove(id: number) {
    const role = await this.roles.findOneByOrFail({ id });
    await this.roles.delete(id);
    await this.eventBus.publish(new RoleEvent(role, 'deleted'));
  }
}
`,
      'src/roles.controller.ts': `${NEST}
import { RoleService } from './role.service';
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RoleService) {}
  @Get()
  list() { return this.roles.findAll(); }
  @Post()
  create(@Body() body: { code: string }) { return this.roles.create(body.code); }
  @Put(':id')
  rename(@Param('id') id: number, @Body() body: { code: string }) { return this.roles.rename(id, body.code); }
  @Delete(':id')
  remove(@Param('id') id: number) { return this.roles.remove(id); }
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models, f.reads])).toEqual([
      ['RoleService.allRoles', ['Role'], [{ file: 'src/role.service.ts', line: 24 }]],
    ]);
    expect(row(result, 'RolesController.create').invalidations.map((i) => [i.pattern, i.isDeferred, i.through])).toEqual([
      ['RoleService.allRoles', true, ['RoleService.create', 'RoleService.listener (on RoleEvent)']],
    ]);
    // The 'deleted' event does not pass the subscription's filter on its type.
    expect(row(result, 'RolesController.remove').invalidations).toEqual([]);
    expect(errors(result)).toEqual([
      'require-dependent-invalidation src/roles.controller.ts:11:3',
      'require-dependent-invalidation src/roles.controller.ts:13:3',
    ]);
  });

  it('runs a listener registered through the project’s wrapper of a Node EventEmitter', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/app-events.ts': `import { EventEmitter } from 'node:events';
export class AppEvents {
  private readonly emitter = new EventEmitter();
  emit(name: string, payload: unknown) { this.emitter.emit(name, payload); }
  on(name: string, listener: (payload: { teamId: string }) => void) { this.emitter.on(name, listener); }
}
export const appEvents = new AppEvents();
`,
      'src/cache-listener.ts': `import Redis from 'ioredis';
import { appEvents } from './app-events';
const redis = new Redis();
appEvents.on('team.changed', (payload) => {
  void redis.del(\`team:\${payload.teamId}\`);
});
`,
      'src/routes.ts': `import express from 'express';
import Redis from 'ioredis';
import { appEvents } from './app-events';
import { prisma } from './db';
const redis = new Redis();
export const app = express();
app.get('/teams/:id', async (req, res) => {
  const hit = await redis.get(\`team:\${req.params.id}\`);
  if (hit) return res.json(JSON.parse(hit));
  const team = await prisma.team.findUnique({ where: { id: req.params.id } });
  await redis.set(\`team:\${req.params.id}\`, JSON.stringify(team), 'EX', 600);
  res.json(team);
});
app.put('/teams/:id', async (req, res) => {
  await prisma.team.update({ where: { id: req.params.id }, data: req.body });
  appEvents.emit('team.changed', { teamId: req.params.id });
  res.status(204).end();
});
`,
    });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['team:{id}', ['Team']]]);
    expect(row(result, 'PUT /teams/:id').invalidations.map((i) => [i.pattern, i.isDeferred, i.through])).toEqual([
      ['team:{teamId}', true, ['listener (on team.changed)']],
    ]);
    expect(errors(result)).toEqual([]);
  });
});

describe('clients kept on wrapper objects', () => {
  it('reads a Prisma client and a cache class kept on default-exported objects, through a loader helper', async () => {
    const result = await project({
      'src/lib/prisma.ts': `import { PrismaClient } from '@prisma/client';
const client = new PrismaClient();
export default { client };
`,
      'src/lib/redis.ts': `import Redis from 'ioredis';
class RedisClient {
  private redis = new Redis();
  async fetch<T>(key: string, loader: () => Promise<T>, ttl: number): Promise<T> {
    const hit = await this.redis.get(key);
    if (hit) return JSON.parse(hit) as T;
    const value = await loader();
    await this.redis.set(key, JSON.stringify(value), 'EX', ttl);
    return value;
  }
  async del(key: string) {
    await this.redis.del(key);
  }
}
const client = new RedisClient();
export default { client, enabled: true };
`,
      'src/queries/website.ts': `import prisma from '../lib/prisma';
import redis from '../lib/redis';
export function findWebsite(websiteId: string) {
  return prisma.client.website.findUnique({ where: { id: websiteId } });
}
export function getWebsite(websiteId: string) {
  return findWebsite(websiteId);
}
export function updateWebsite(websiteId: string, data: { name?: string }) {
  return prisma.client.website.update({ where: { id: websiteId }, data });
}
export async function deleteWebsite(websiteId: string) {
  await prisma.client.website.delete({ where: { id: websiteId } });
  await redis.client.del(\`website:\${websiteId}\`);
}
`,
      'src/lib/load.ts': `import redis from './redis';
import { getWebsite } from '../queries/website';
export function fetchWebsite(websiteId: string) {
  return redis.client.fetch(\`website:\${websiteId}\`, () => getWebsite(websiteId), 86400);
}
`,
      'src/routes.ts': `import express from 'express';
import { fetchWebsite } from './lib/load';
import { deleteWebsite, updateWebsite } from './queries/website';
export const app = express();
app.get('/websites/:id', async (req, res) => {
  res.json(await fetchWebsite(req.params.id));
});
app.post('/websites/:id', async (req, res) => {
  res.json(await updateWebsite(req.params.id, req.body));
});
app.delete('/websites/:id', async (req, res) => {
  await deleteWebsite(req.params.id);
  res.status(204).end();
});
`,
    });
    // The wrapper's own fill says the unit (`'EX', ttl`): seconds, read from the caller's argument.
    expect(result.families.map((f) => [f.key, f.models, f.ttl])).toEqual([['website:{websiteId}', ['Website'], 86400]]);
    expect(row(result, 'DELETE /websites/:id').invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['website:{websiteId}', ['deleteWebsite', 'RedisClient.del']],
    ]);
    expect(errors(result)).toEqual(['require-dependent-invalidation src/routes.ts:8:5']);
  });
});

describe('keys that hold state of their own', () => {
  it('takes no session, token or rate-limit key for a family, even when its value is read from a model', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/routes.ts': `import express from 'express';
import Redis from 'ioredis';
import { prisma } from './db';
const redis = new Redis();
export const app = express();
app.get('/me', async (req, res) => {
  const token = String(req.headers.authorization);
  const cached = await redis.get(\`auth_session:\${token}\`);
  if (cached) return res.json(JSON.parse(cached));
  const user = await prisma.user.findUnique({ where: { id: String(req.query.id) } });
  await redis.set(\`auth_session:\${token}\`, JSON.stringify(user), 'EX', 3600);
  res.json(user);
});
app.get('/users/:id', async (req, res) => {
  const cached = await redis.get(\`user:\${req.params.id}\`);
  if (cached) return res.json(JSON.parse(cached));
  const user = await prisma.user.findUnique({ where: { id: req.params.id } });
  await redis.set(\`user:\${req.params.id}\`, JSON.stringify(user), 'EX', 3600);
  res.json(user);
});
app.put('/users/:id', async (req, res) => {
  await prisma.user.update({ where: { id: req.params.id }, data: req.body });
  res.status(204).end();
});
`,
    });
    expect(result.families.map((f) => f.key)).toEqual(['user:{id}']);
    expect(errors(result)).toEqual(['require-dependent-invalidation src/routes.ts:21:5']);
  });
});

describe('writes on a branch of a shared helper', () => {
  it('warns where the only write is on a branch of a helper the handler calls, and errs where the write is certain', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/orgs.ts': `import { prisma } from './db';
export async function updateOrganization(id: string, data: { name?: string; billing?: { plan: string } }) {
  await prisma.organization.update({ where: { id }, data: { name: data.name } });
  if (data.billing) {
    await prisma.billing.upsert({ where: { organizationId: id }, create: { organizationId: id, ...data.billing }, update: data.billing });
  }
}
`,
      'src/routes.ts': `import express from 'express';
import Redis from 'ioredis';
import { prisma } from './db';
import { updateOrganization } from './orgs';
const redis = new Redis();
export const app = express();
app.get('/orgs/:id/billing', async (req, res) => {
  const cached = await redis.get(\`billing:\${req.params.id}\`);
  if (cached) return res.json(JSON.parse(cached));
  const billing = await prisma.billing.findUnique({ where: { organizationId: req.params.id } });
  await redis.set(\`billing:\${req.params.id}\`, JSON.stringify(billing), 'EX', 300);
  res.json(billing);
});
app.patch('/orgs/:id', async (req, res) => {
  await updateOrganization(req.params.id, { name: req.body.name });
  res.status(204).end();
});
app.put('/orgs/:id/billing', async (req, res) => {
  await prisma.billing.update({ where: { organizationId: req.params.id }, data: req.body });
  res.status(204).end();
});
`,
    });
    const dependent = result.findings.filter((f) => f.ruleId === 'require-dependent-invalidation' || f.ruleId === 'possibly-stale-family');
    expect(dependent.map((f) => `${f.ruleId} ${f.severity} ${String(f.line)}`)).toEqual([
      'possibly-stale-family warning 14',
      'require-dependent-invalidation error 18',
    ]);
  });
});

describe('reads on a branch of a shared helper', () => {
  it('warns where the family holds the written model only through a branch of a helper its loader calls', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/conditions.ts': `import { prisma } from './db';
export async function passes(rule: { on: string; stepId: string }): Promise<boolean> {
  if (rule.on === 'previous-step') {
    const message = await prisma.message.findFirst({ where: { stepId: rule.stepId } });
    return message !== null;
  }
  return true;
}
`,
      'src/routes.ts': `import express from 'express';
import Redis from 'ioredis';
import { prisma } from './db';
import { passes } from './conditions';
const redis = new Redis();
export const app = express();
app.get('/integrations/:org', async (req, res) => {
  const cached = await redis.get(\`integration:\${req.params.org}\`);
  if (cached) return res.json(JSON.parse(cached));
  const integrations = await prisma.integration.findMany({ where: { organizationId: req.params.org } });
  const chosen = integrations.find(async (i) => await passes(i.rule));
  await redis.set(\`integration:\${req.params.org}\`, JSON.stringify(chosen), 'EX', 300);
  res.json(chosen);
});
app.patch('/messages/:id', async (req, res) => {
  await prisma.message.update({ where: { id: req.params.id }, data: { read: true } });
  res.status(204).end();
});
app.patch('/integrations/:id', async (req, res) => {
  await prisma.integration.update({ where: { id: req.params.id }, data: req.body });
  res.status(204).end();
});
`,
    });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['integration:{org}', ['Integration', 'Message']]]);
    const dependent = result.findings.filter((f) => f.ruleId === 'require-dependent-invalidation' || f.ruleId === 'possibly-stale-family');
    expect(dependent.map((f) => `${f.ruleId} ${f.severity} ${String(f.line)}`)).toEqual([
      'possibly-stale-family warning 15',
      'require-dependent-invalidation error 19',
    ]);
  });
});

describe("a cache behind the project's own interface", () => {
  it('runs the implementations of the interface a cache member is typed by, the key read with its option’s default', async () => {
    const result = await project({
      'src/session.entity.ts': `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
@Entity()
export class Session {
  @PrimaryGeneratedColumn() id!: number;
  @Column() token!: string;
}
`,
      'src/session-cache.ts': `export interface SessionCacheStrategy {
  set(session: { token: string }): Promise<void>;
  delete(token: string): Promise<void>;
}
`,
      'src/redis-session-cache.ts': `import Redis from 'ioredis';
import type { SessionCacheStrategy } from './session-cache';
export class RedisSessionCache implements SessionCacheStrategy {
  private readonly redis = new Redis();
  constructor(private readonly options?: { prefix?: string }) {}
  async set(session: { token: string }) {
    await this.redis.set(this.key(session.token), JSON.stringify(session), 'EX', 300);
  }
  async delete(token: string) {
    await this.redis.del(this.key(token));
  }
  private key(token: string) {
    return \`\${this.options?.prefix ?? 'sessions'}:\${token}\`;
  }
}
`,
      'src/config.ts': `import type { SessionCacheStrategy } from './session-cache';
import { RedisSessionCache } from './redis-session-cache';
export const config: { sessionCacheStrategy: SessionCacheStrategy } = { sessionCacheStrategy: new RedisSessionCache() };
`,
      'src/sessions.service.ts': `import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { config } from './config';
import type { SessionCacheStrategy } from './session-cache';
import { Session } from './session.entity';
export class SessionsService {
  private sessionCacheStrategy: SessionCacheStrategy;
  constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {
    this.sessionCacheStrategy = config.sessionCacheStrategy;
  }
  async revoke(token: string) {
    await this.sessions.delete({ token });
    await this.sessionCacheStrategy.delete(token);
  }
}
`,
      'src/sessions.controller.ts': `${NEST}
import { SessionsService } from './sessions.service';
@Controller('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}
  @Delete(':token')
  revoke(@Param('token') token: string) { return this.sessions.revoke(token); }
}
`,
    });
    expect(row(result, 'SessionsController.revoke').invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['sessions:{token}', ['SessionsService.revoke', 'RedisSessionCache.delete']],
    ]);
  });
});

describe('keys read along several call paths', () => {
  it('reads a key once for every path that does not pass it, and per path for one that does', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/cache.ts': `import Redis from 'ioredis';
export const redis = new Redis();
const LIST = 'users:list';
export async function dropList(_reason: string) {
  await redis.del(LIST);
}
export async function dropUser(scope: string) {
  await redis.del(\`users:\${scope}\`);
  await dropList(scope);
}
`,
      'src/routes.ts': `import express from 'express';
import { prisma } from './db';
import { dropUser } from './cache';
export const app = express();
app.delete('/users', async (req, res) => {
  await prisma.user.deleteMany({});
  await dropUser('all');
  res.status(204).end();
});
app.put('/users/:id', async (req, res) => {
  await prisma.user.update({ where: { id: req.params.id }, data: req.body });
  await dropUser(req.params.id);
  res.status(204).end();
});
`,
    });
    expect(row(result, 'DELETE /users').invalidations.map((i) => [i.pattern, i.kind])).toEqual([
      ['users:list', 'key'],
      ['users:all', 'key'],
    ]);
    expect(row(result, 'PUT /users/:id').invalidations.map((i) => [i.pattern, i.kind])).toEqual([
      ['users:list', 'key'],
      ['users:{scope}', 'key'],
    ]);
  });
});
