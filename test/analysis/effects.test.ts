import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scanner/scan.js';
import type { MatrixRow, ScanResult } from '../../src/scanner/result.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const REGISTRY = `import { defineCacheRegistry } from 'cache-audit/runtime';
export const cacheKeys = defineCacheRegistry({
  keys: {
    link: { template: 'link:{linkId}', ttl: 300, dependsOn: ['links'] },
    linksList: { template: 'links:list:{workspaceId}', ttl: 60, dependsOn: ['links'] },
  },
});
`;

/** Writes a small project (a registry and the given files) and scans it. */
async function project(files: Record<string, string>, config: Record<string, unknown> | null = {}): Promise<ScanResult> {
  const root = mkdtempSync(join(tmpdir(), 'cache-audit-effects-'));
  roots.push(root);
  const all: Record<string, string> =
    config === null
      ? { ...files }
      : { 'cache-audit.config.json': JSON.stringify({ registry: 'src/keys.ts', ...config }), 'src/keys.ts': REGISTRY, ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return scan({ root });
}

function row(result: ScanResult, handler: string): MatrixRow {
  const found = result.matrix.rows.find((r) => r.handler === handler);
  if (!found) throw new Error(`no row ${handler} in ${result.matrix.rows.map((r) => r.handler).join(', ')}`);
  return found;
}

const NEST = `import { Body, Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';`;

describe('the effect model', () => {
  it('reads the key a wrapper builds from its callers’ arguments, through a key builder, on every call', async () => {
    const result = await project({
      'src/link-cache.ts': `import Redis from 'ioredis';
export class LinkCache {
  constructor(private readonly redis: Redis) {}
  private key(linkId: string) { return \`link:\${linkId}\`; }
  async delete(linkId: string) { await this.redis.del(this.key(linkId)); }
  async clearList(workspaceId: string) { await this.redis.del(\`links:list:\${workspaceId}\`); }
}
`,
      'src/links.controller.ts': `${NEST}
import { LinkCache } from './link-cache';
@Controller('links')
export class LinksController {
  constructor(private readonly linkCache: LinkCache) {}
  @Put(':id')
  async update(@Param('id') linkId: string, @Body() body: { workspaceId: string }) {
    await this.linkCache.delete(linkId);
    await this.linkCache.clearList(body.workspaceId);
  }
  @Delete(':id')
  async remove(@Param('id') linkId: string) {
    await this.linkCache.delete(linkId);
    await this.linkCache.delete('archived');
  }
}
`,
    });
    const update = row(result, 'LinksController.update');
    expect(update.status).toBe('invalidates');
    expect(update.invalidations.map((i) => [i.pattern, i.family, i.through])).toEqual([
      ['link:{linkId}', 'link', ['LinkCache.delete']],
      ['links:list:{workspaceId}', 'linksList', ['LinkCache.clearList']],
    ]);
    // The same wrapper called twice: both calls count, each with its own argument.
    expect(row(result, 'LinksController.remove').invalidations.map((i) => i.pattern)).toEqual(['link:{linkId}', 'link:archived']);
  });

  it('follows a project service injected under the name `cache`, and a project method named invalidate*', async () => {
    const result = await project({
      'src/cache.service.ts': `import Redis from 'ioredis';
export class CacheService {
  constructor(private readonly redis: Redis) {}
  async invalidateLinks(workspaceId: string) { await this.redis.del(\`links:list:\${workspaceId}\`); }
}
`,
      'src/links.controller.ts': `${NEST}
import { CacheService } from './cache.service';
@Controller('links')
export class LinksController {
  constructor(private readonly cache: CacheService) {}
  @Post()
  async create(@Body() body: { workspaceId: string }) { await this.cache.invalidateLinks(body.workspaceId); }
}
`,
    });
    expect(row(result, 'LinksController.create').invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['links:list:{workspaceId}', ['CacheService.invalidateLinks']],
    ]);
    expect(result.findings.filter((f) => f.ruleId === 'require-invalidation')).toEqual([]);
  });

  it('reads the key of an options object given to a call known by its name only', async () => {
    const result = await project({
      'src/links.controller.ts': `${NEST}
import { InvalidateCacheService } from '@acme/cache';
@Controller('links')
export class LinksController {
  constructor(private readonly invalidateCache: InvalidateCacheService) {}
  @Post()
  async create(@Body() body: { workspaceId: string }) {
    await this.invalidateCache.invalidateByKey({ key: \`links:list:\${body.workspaceId}\`, reason: 'create' });
  }
}
`,
    });
    expect(row(result, 'LinksController.create').invalidations.map((i) => [i.pattern, i.kind])).toEqual([
      ['links:list:{workspaceId}', 'pattern'],
    ]);
  });

  it('reads the braces of a Redis Cluster hash tag around a template as the key’s own', async () => {
    const result = await project({
      'src/links.controller.ts': `${NEST}
import Redis from 'ioredis';
const redis = new Redis();
@Controller('links')
export class LinksController {
  @Post()
  async create(@Body() body: { workspaceId: string }) {
    await redis.del(\`{links:list:\${body.workspaceId}}\`);
  }
}
`,
    });
    expect(row(result, 'LinksController.create').invalidations.map((i) => i.pattern)).toEqual(['\\{links:list:{workspaceId}\\}']);
    expect(result.findings.filter((f) => f.ruleId === 'valid-pattern')).toEqual([]);
  });

  it('tells locks, markers and counters from invalidation, and a cache-aside fill from write-through', async () => {
    const result = await project({
      'src/links.controller.ts': `${NEST}
import Redis from 'ioredis';
@Controller('links')
export class LinksController {
  constructor(private readonly redis: Redis) {}
  @Get(':id')
  async get(@Param('id') linkId: string) {
    const hit = await this.redis.get(\`link:\${linkId}\`);
    if (hit) return JSON.parse(hit);
    const link = { id: linkId };
    await this.redis.set(\`link:\${linkId}\`, JSON.stringify(link), 'EX', 300);
    return link;
  }
  @Put(':id')
  async update(@Param('id') linkId: string) {
    await this.redis.set(\`link:\${linkId}\`, JSON.stringify({ id: linkId }));
  }
  @Post(':id/publish')
  async publish(@Param('id') linkId: string) {
    const lock = \`lock:publish:\${linkId}\`;
    if (!(await this.redis.set(lock, '1', 'EX', 30, 'NX'))) return;
    try { return 'published'; } finally { await this.redis.del(lock); }
  }
}
`,
    });
    expect(row(result, 'LinksController.get').status).toBe('read');
    expect(row(result, 'LinksController.update').invalidations.map((i) => [i.pattern, i.kind])).toEqual([['link:{linkId}', 'key']]);
    expect(row(result, 'LinksController.publish').invalidations).toEqual([]);
    expect(result.findings.filter((f) => f.ruleId === 'no-invalidation-in-query' || f.ruleId === 'pattern-in-registry')).toEqual([]);
  });

  it('matches an emit to its listener by a static member, and marks waitUntil work deferred', async () => {
    const result = await project({
      'src/events.ts': `export class LinkChangedEvent { static getName() { return 'link.changed'; } constructor(readonly workspaceId: string) {} }
`,
      'src/listener.ts': `import { OnEvent } from '@nestjs/event-emitter';
import Redis from 'ioredis';
import { LinkChangedEvent } from './events';
export class LinkListener {
  constructor(private readonly redis: Redis) {}
  @OnEvent(LinkChangedEvent.getName())
  async handle(event: LinkChangedEvent) { await this.redis.del(\`links:list:\${event.workspaceId}\`); }
}
`,
      'src/links.controller.ts': `${NEST}
import { EventEmitter2 } from '@nestjs/event-emitter';
import { LinkChangedEvent } from './events';
@Controller('links')
export class LinksController {
  constructor(private readonly events: EventEmitter2) {}
  @Post()
  async create(@Body() body: { workspaceId: string }) { this.events.emit(LinkChangedEvent.getName(), new LinkChangedEvent(body.workspaceId)); }
}
`,
      'src/app/api/links/route.ts': `import { waitUntil } from '@vercel/functions';
import { revalidateTag } from 'next/cache';
export async function POST() {
  waitUntil(Promise.resolve().then(() => revalidateTag('links')));
  return new Response(null, { status: 201 });
}
`,
    });
    const create = row(result, 'LinksController.create');
    expect(create.invalidations.map((i) => [i.pattern, i.isDeferred, i.through[0]])).toEqual([
      ['links:list:{workspaceId}', true, 'LinkListener.handle (on LinkChangedEvent.getName())'],
    ]);
    expect(row(result, 'POST /api/links').invalidations.map((i) => [i.kind, i.isDeferred])).toEqual([['tag', true]]);
  });

  it('honours receiverCalls on receivers known by their name', async () => {
    const files = {
      'src/links.controller.ts': `${NEST}
@Controller('links')
export class LinksController {
  constructor(private readonly linkCache: { evict(key: string): Promise<void> }) {}
  @Delete(':id')
  async remove(@Param('id') linkId: string) { await this.linkCache.evict(\`link:\${linkId}\`); }
}
`,
    };
    expect(row(await project(files), 'LinksController.remove').status).toBe('none');
    const configured = row(await project(files, { receiverCalls: ['del', 'evict'] }), 'LinksController.remove');
    expect(configured.invalidations.map((i) => i.pattern)).toEqual(['link:{linkId}']);
  });
});

describe('handlers judged by what their code does', () => {
  it('takes a GET whose invalidation is part of a write (an OAuth callback) for a mutation, and a GET refresh for a read that invalidates', async () => {
    const result = await project({
      'src/subscribers.service.ts': `import Redis from 'ioredis';
export class CreateSubscriber {
  constructor(private readonly redis: Redis) {}
  async execute(workspaceId: string) { await this.redis.del(\`links:list:\${workspaceId}\`); }
}
export class RefreshLinks {
  constructor(private readonly redis: Redis) {}
  async refresh(workspaceId: string) { await this.redis.del(\`links:list:\${workspaceId}\`); }
}
`,
      'src/links.controller.ts': `${NEST}
import { CreateSubscriber, RefreshLinks } from './subscribers.service';
@Controller('links')
export class LinksController {
  constructor(private readonly createSubscriber: CreateSubscriber, private readonly links: RefreshLinks) {}
  @Get('oauth/callback')
  async callback(@Param('workspaceId') workspaceId: string) { await this.createSubscriber.execute(workspaceId); }
  @Get('refresh')
  async refresh(@Param('workspaceId') workspaceId: string) { await this.links.refresh(workspaceId); }
}
`,
    });
    expect(row(result, 'LinksController.callback').status).toBe('invalidates');
    expect(row(result, 'LinksController.refresh').status).toBe('read');
    expect(result.findings.filter((f) => f.ruleId === 'no-invalidation-in-query').map((f) => `${String(f.line)} ${f.message}`)).toEqual([
      '9 LinksController.refresh is a read-only GET handler, but it invalidates `links:list:{workspaceId}` (through RefreshLinks.refresh): reads must not change the cache. Move the invalidation to the mutation that changes the data.',
    ]);
  });
});

describe('without any configuration', () => {
  it('reports a write of a model that a cached family is loaded from, and nothing for the rest', async () => {
    const result = await project(
      {
        'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
        'src/routes.ts': `import express from 'express';
import Redis from 'ioredis';
import { prisma } from './db';
const redis = new Redis();
export const app = express();
app.get('/websites/:id', async (req, res) => {
  const hit = await redis.get(\`website:\${req.params.id}\`);
  if (hit) return res.json(JSON.parse(hit));
  const website = await prisma.website.findUnique({ where: { id: req.params.id } });
  await redis.set(\`website:\${req.params.id}\`, JSON.stringify(website), 'EX', 600);
  res.json(website);
});
app.get('/undo/:userId', async (req, res) => {
  const user = await prisma.user.findUnique({ where: { id: req.params.userId } });
  const stack = JSON.parse((await redis.get(\`undo:\${req.params.userId}\`)) ?? '[]');
  stack.pop();
  await redis.set(\`undo:\${req.params.userId}\`, JSON.stringify(stack));
  res.json({ user, stack });
});
app.put('/websites/:id', async (req, res) => {
  await prisma.website.update({ where: { id: req.params.id }, data: req.body });
  res.status(204).end();
});
app.put('/users/:id', async (req, res) => {
  await prisma.user.update({ where: { id: req.params.id }, data: req.body });
  res.status(204).end();
});
`,
      },
      null,
    );
    expect(result.configuration).toBeNull();
    expect(result.families.map((f) => [f.key, f.models])).toEqual([
      ['undo:{userId}', []],
      ['website:{id}', ['Website']],
    ]);
    expect(result.findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${String(f.line)}`)).toEqual([
      'require-dependent-invalidation 20',
    ]);
    const found = result.findings.find((f) => f.ruleId === 'require-dependent-invalidation');
    expect([found?.message, ...(found?.details ?? [])]).toEqual([
      'PUT /websites/:id leaves a cached family stale: `website:{id}`.',
      '- `website:{id}` holds Website (looked up by key; read at src/routes.ts:7, filled at src/routes.ts:10, ttl 600 s); it writes Website (update) at src/routes.ts:21: delete `website:{id}`.',
      'Invalidate it, or a disable comment with the reason (or `readOnlyRoutes` in the configuration) if it need not be fresh.',
    ]);
  });
});

describe('Next.js tags against the registry', () => {
  it('counts a family invalidated by a tag that names it, and keeps reporting the one nothing touches', async () => {
    const result = await project({
      'src/app/api/links/route.ts': `import { revalidateTag } from 'next/cache';
export async function POST() {
  revalidateTag('linksList');
  return new Response(null, { status: 201 });
}
`,
    });
    expect(result.findings.filter((f) => f.ruleId === 'unused-key' || f.ruleId === 'stale-key').map((f) => f.message)).toEqual([
      'The key `link` (link:{linkId}) is registered, but nothing reads or invalidates it: remove it, or use it.',
    ]);
  });
});

describe('questions too complex to decide', () => {
  it('says so in a note at the pattern, instead of a silent answer', async () => {
    const outer = `*a${'?'.repeat(16)}`;
    const result = await project({
      'src/links.controller.ts': `${NEST}
import { InvalidateCachePattern } from 'cache-audit/runtime';
@Controller('links')
export class LinksController {
  @Post()
  @InvalidateCachePattern('${outer}', '${outer}b')
  create() {}
}
`,
    });
    const notes = result.findings.filter((f) => f.ruleId === 'unresolved');
    const message = (by: string, pattern: string): string =>
      `Whether \`${by}\` already invalidates every key of \`${pattern}\` is too complex to decide: no-redundant-invalidation does not judge it. Simplify the patterns to have them checked.`;
    // Neither question can be decided within the bound: both are said, at their patterns.
    expect(notes.map((f) => [f.line, f.column, f.message])).toEqual([
      [6, 27, message(`${outer}b`, outer)],
      [6, 49, message(outer, `${outer}b`)],
    ]);
  });
});
