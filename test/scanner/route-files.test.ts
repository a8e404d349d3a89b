import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import * as eslint10 from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scanner/scan.js';
import { lintedLines } from '../eslint/lint-fixture.js';
import { writeProject } from '../support/project.js';

const APP = 'express-route-files-app';

/** What both front ends report: the handlers' own files read, the routes named under the prefixes of the routers they are handed. */
const FINDINGS = [
  'src/routes/admin/clients/index.ts:13:9 error require-dependent-invalidation DELETE /admin/clients/:id leaves a cached family stale: `client:{id}`.',
  'src/routes/admin/quotes/index.ts:14:9 error require-dependent-invalidation DELETE /admin/quotes/:id leaves a cached family stale: `quote:{id}`.',
  'src/routes/admin/quotes/index.ts:16:9 error require-dependent-invalidation POST /admin/quotes/:id/accept leaves a cached family stale: `quote:{id}`.',
];

describe('Express handlers in files of their own, on routers handed to functions, with services from a container', () => {
  it('reads the function a wrapper is given and the prefixes of the routers, in the CLI', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures', APP) });
    expect(result.matrix.rows.map((r) => `${r.handler} ${r.status} ${r.file}:${String(r.line)}`).sort()).toEqual([
      'DELETE /admin/clients/:id none src/routes/admin/clients/index.ts:13',
      'DELETE /admin/quotes/:id none src/routes/admin/quotes/index.ts:14',
      'GET /admin/clients/:id read src/routes/admin/clients/index.ts:9',
      'GET /admin/quotes/:id read src/routes/admin/quotes/index.ts:10',
      'POST /admin/clients/:id invalidates src/routes/admin/clients/index.ts:11',
      'POST /admin/clients/:id/notify unknown src/routes/admin/clients/index.ts:15',
      'POST /admin/quotes/:id invalidates src/routes/admin/quotes/index.ts:12',
      'POST /admin/quotes/:id/accept none src/routes/admin/quotes/index.ts:16',
    ]);
    const findings = result.findings.map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId} ${f.message}`);
    expect(findings.filter((f) => !f.includes(' note ')).sort()).toEqual(FINDINGS);
    // A service the container resolves by a name no single class of the project has is said, not passed over.
    expect(findings.filter((f) => f.includes(' note '))).toEqual([
      'src/routes/admin/clients/index.ts:15:9 note unresolved POST /admin/clients/:id/notify calls code this audit cannot follow (notifier.send): whether it invalidates is unknown.',
    ]);
  });

  it('reports the same in ESLint', async () => {
    expect(await lintedLines(eslint10, APP)).toEqual(FINDINGS);
  });
});

/** A Fastify route whose handler is a function of another file, longer than the route's: a purge served over GET. */
const PURGE_APP = {
  'package.json': JSON.stringify({ name: 'purge-app', private: true, dependencies: { fastify: '5.0.0', ioredis: '5.0.0' } }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true, esModuleInterop: true }, include: ['src'] }),
  'src/routes/og.router.ts': `import * as controller from '../controllers/og.controller';
import type { FastifyPluginCallback } from 'fastify';

const ogRouter: FastifyPluginCallback = async (fastify) => {
  fastify.route({ method: 'GET', url: '/og/clear', handler: controller.clearOgImages });
};

export default ogRouter;
`,
  'src/controllers/og.controller.ts': `import type { FastifyReply, FastifyRequest } from 'fastify';
import Redis from 'ioredis';

const redis = new Redis();

/** The image of a page, as its Open Graph tags name it, kept a day. */
export async function getOgImage(request: FastifyRequest<{ Querystring: { url: string } }>, reply: FastifyReply) {
  const key = \`og:\${request.query.url}\`;
  const cached = await redis.getBuffer(key);
  if (cached) return reply.type('image/png').send(cached);
  const response = await fetch(request.query.url);
  const image = Buffer.from(await response.arrayBuffer());
  await redis.set(key, image, 'EX', 60 * 60 * 24);
  return reply.type('image/png').send(image);
}

/** Empties the image cache. */
export async function clearOgImages(_request: FastifyRequest, reply: FastifyReply) {
  const keys = await redis.keys('og:*');
  for (const key of keys) {
    await redis.del(key);
  }
  return reply.status(200).send('OK');
}
`,
};

/** A Next.js route handler that is a function of another file, calling what only Server Actions may. */
const NEXT_APP = {
  'package.json': JSON.stringify({ name: 'next-app', private: true, dependencies: { next: '15.0.0' } }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, module: 'esnext', moduleResolution: 'bundler' } }),
  'lib/quotes.ts': `import { updateTag } from 'next/cache';

/** Marks the quotes as changed. */
export async function createQuote(): Promise<Response> {
  updateTag('quotes');
  return new Response(null);
}
`,
  'app/api/quotes/route.ts': `import { createQuote } from '../../../lib/quotes';

export const POST = createQuote;
`,
};

describe('a route whose handler is a function of another file', () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });
  const app = (): string => {
    const root = writeProject('handler-file', PURGE_APP);
    roots.push(root);
    return root;
  };
  // Once, at the route: the deletes are in the controller, whose places are not the router's.
  const PURGE = [
    'src/routes/og.router.ts:5:11 error no-invalidation-in-query GET /og/clear is a read-only GET handler, but it invalidates `og:*`: reads must not change the cache. Move the invalidation to the mutation that changes the data.',
  ];

  it('reports what the function deletes at the route, in the CLI', async () => {
    const result = await scan({ root: app() });
    const findings = result.findings.map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId} ${f.message}`);
    expect(findings).toEqual(PURGE);
  });

  it('reports the same in ESLint, which places it in the route’s file', async () => {
    expect(await lintedLines(eslint10, app())).toEqual(PURGE);
  });

  it('says where a Next.js route handler calls updateTag() when the call is in the function’s file', async () => {
    const root = writeProject('handler-file-next', NEXT_APP);
    roots.push(root);
    const result = await scan({ root });
    expect(
      result.findings
        .filter((f) => f.ruleId === 'require-invalidation')
        .map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.message}`),
    ).toEqual([
      "app/api/quotes/route.ts:3:14 updateTag() works only in Server Actions: in the route handler POST /api/quotes it throws at run time and invalidates nothing. Use revalidateTag(tag, 'max') here.",
    ]);
  });
});
