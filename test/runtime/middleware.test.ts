import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createCache,
  defineCacheRegistry,
  invalidateCachePattern,
  MemoryStore,
  resetCache,
} from '../../packages/runtime/src/runtime/index.js';

const registry = defineCacheRegistry({ keys: { quotesList: { template: 'quotes:list:{tenantId}:{hash}' } } });

/** A cache with one list cached for two tenants. */
async function seeded() {
  const store = new MemoryStore();
  const cache = createCache({ registry, store });
  await store.set('quotes:list:acme:1', '1');
  await store.set('quotes:list:other:1', '1');
  return { store, cache };
}

const tenantOf = (headers: Record<string, unknown>): string => String(headers['x-tenant-id']);
const waitFor = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers) await close();
  closers = [];
  resetCache();
});

function listen(server: Server): string {
  closers.push(
    () =>
      new Promise((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  );
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

async function exercise(base: string, store: MemoryStore): Promise<void> {
  const post = (path: string) => fetch(`${base}${path}`, { method: 'POST', headers: { 'x-tenant-id': 'acme' } });
  expect((await post('/fail')).status).toBe(500);
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(store.keys().sort()).toEqual(['quotes:list:acme:1', 'quotes:list:other:1']);
  expect((await post('/quotes')).status).toBe(201);
  await waitFor(() => store.size === 1);
  expect(store.keys()).toEqual(['quotes:list:other:1']);
}

describe('invalidateCachePattern middleware on real servers', () => {
  it('Express: after a 2xx response only, with the tenant from the request', async () => {
    const { store } = await seeded();
    const app = express();
    const mw = invalidateCachePattern('quotes:list:{tenantId}:*', {
      params: (req: express.Request) => ({ tenantId: tenantOf(req.headers) }),
    });
    app.post('/quotes', mw, (_req, res) => void res.status(201).json({}));
    app.post('/fail', mw, (_req, res) => void res.status(500).end());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    await exercise(listen(server), store);
  });

  it('Koa', async () => {
    const { store } = await seeded();
    const app = new Koa();
    const mw = invalidateCachePattern('quotes:list:{tenantId}:*', { params: (ctx: Koa.Context) => ({ tenantId: tenantOf(ctx.headers) }) });
    app.use(async (ctx, next) => {
      if (ctx.path === '/quotes' || ctx.path === '/fail') await mw(ctx, next);
      else await next();
    });
    app.use((ctx) => {
      ctx.status = ctx.path === '/quotes' ? 201 : 500;
      ctx.body = '';
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    await exercise(listen(server), store);
  });

  it('Fastify, as an onResponse route hook', async () => {
    const { store } = await seeded();
    const fastify = Fastify();
    const hook = invalidateCachePattern('quotes:list:{tenantId}:*', {
      params: (req: { headers: Record<string, unknown> }) => ({ tenantId: tenantOf(req.headers) }),
    });
    fastify.post('/quotes', { onResponse: hook }, async (_req, reply) => reply.code(201).send({}));
    fastify.post('/fail', { onResponse: hook }, async (_req, reply) => reply.code(500).send({}));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => fastify.close());
    await exercise(`http://127.0.0.1:${String((fastify.server.address() as AddressInfo).port)}`, store);
  });

  it('Hono', async () => {
    const { store } = await seeded();
    const app = new Hono();
    const mw = invalidateCachePattern('quotes:list:{tenantId}:*', {
      params: (c: { req: { header(n: string): string | undefined } }) => ({ tenantId: c.req.header('x-tenant-id') }),
    });
    app.post('/quotes', mw, (c) => c.json({}, 201));
    app.post('/fail', mw, (c) => c.json({}, 500));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise((resolve) => server.once('listening', resolve));
    await exercise(listen(server), store);
  });
});
