import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('reexported-handlers');

describe('a Pages API route that re-exports its handler', () => {
  it('is judged by the code of the module it re-exports, at the export', async () => {
    const result = await scan({
      'lib/redis.ts': `import Redis from 'ioredis';\nexport const redis = new Redis();\n`,
      'lib/prisma.ts': `import { PrismaClient } from '@prisma/client';\nexport default new PrismaClient();\n`,
      'lib/templates.ts': `import prisma from './prisma';
import { redis } from './redis';
export async function templatesOf(teamId: string) {
  const hit = await redis.get(\`templates:\${teamId}\`);
  if (hit) return JSON.parse(hit);
  const found = await prisma.template.findMany({ where: { teamId } });
  await redis.set(\`templates:\${teamId}\`, JSON.stringify(found), 'EX', 600);
  return found;
}
`,
      'ee/features/templates/apply.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import prisma from '../../../lib/prisma';
export default async function handle(req: NextApiRequest, res: NextApiResponse) {
  await prisma.template.create({ data: { teamId: req.query.teamId as string } });
  res.status(201).end();
}
`,
      'pages/api/teams/templates.ts': `export { default } from '../../../ee/features/templates/apply';\n`,
    });
    expect(result.findings.filter((f) => f.ruleId === 'unresolved')).toEqual([]);
    expect(result.findings.map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.message}`)).toEqual([
      'pages/api/teams/templates.ts:1:10 error ALL /api/teams/templates leaves a cached family stale: `templates:{teamId}`.',
    ]);
  });
});

/** The wrapper formbricks-like apps build their routes with: the handler is a property of its options. */
const API_WRAPPER = `export function withApiWrapper(options: { auth?: string; handler: (input: { request: Request; params: Record<string, string> }) => Promise<Response> }) {
  return async (request: Request, context: { params: Record<string, string> }) => options.handler({ request, params: context.params });
}
`;

const POSTS = `import { PrismaClient } from '@prisma/client';
import Redis from 'ioredis';
export const prisma = new PrismaClient();
export const redis = new Redis();
export async function getPost(id: string) {
  const hit = await redis.get(\`post:\${id}\`);
  if (hit) return JSON.parse(hit);
  const post = await prisma.post.findUnique({ where: { id } });
  await redis.set(\`post:\${id}\`, JSON.stringify(post), 'EX', 600);
  return post;
}
`;

describe('an App Router route that re-exports handlers a module makes with a wrapper', () => {
  it('finds each handler at the route file, with its path, and none at the module outside app/', async () => {
    const result = await scan({
      'lib/posts.ts': POSTS,
      'lib/api-wrapper.ts': API_WRAPPER,
      'modules/posts/api/route.ts': `import { withApiWrapper } from '../../../lib/api-wrapper';
import { getPost, prisma, redis } from '../../../lib/posts';
export const GET = withApiWrapper({ auth: 'apiKey', handler: async ({ params }) => Response.json(await getPost(params.id)) });
export const PUT = withApiWrapper({
  auth: 'apiKey',
  handler: async ({ request, params }) => {
    await prisma.post.update({ where: { id: params.id }, data: await request.json() });
    return new Response(null, { status: 204 });
  },
});
export const DELETE = withApiWrapper({
  handler: async ({ params }) => {
    await prisma.post.delete({ where: { id: params.id } });
    await redis.del(\`post:\${params.id}\`);
    return new Response(null, { status: 204 });
  },
});
`,
      'app/api/v1/posts/[id]/route.ts': `export { GET, PUT } from '../../../../../modules/posts/api/route';\n`,
      'app/api/v2/posts/[id]/route.ts': `import { DELETE, GET } from '../../../../../modules/posts/api/route';\n\nexport { GET, DELETE };\n`,
      // Through a route that re-exports what it imported.
      'app/api/v3/posts/[id]/route.ts': `export { PUT } from '../../../v1/posts/[id]/route';\nexport { DELETE } from '../../../v2/posts/[id]/route';\n`,
    });
    const rows = result.matrix.rows.map((r) => `${r.file}:${String(r.line)} ${r.handler} ${r.status}`).sort();
    expect(rows).toEqual([
      'app/api/v1/posts/[id]/route.ts:1 GET /api/v1/posts/[id] read',
      'app/api/v1/posts/[id]/route.ts:1 PUT /api/v1/posts/[id] none',
      'app/api/v2/posts/[id]/route.ts:3 DELETE /api/v2/posts/[id] invalidates',
      'app/api/v2/posts/[id]/route.ts:3 GET /api/v2/posts/[id] read',
      'app/api/v3/posts/[id]/route.ts:1 PUT /api/v3/posts/[id] none',
      'app/api/v3/posts/[id]/route.ts:2 DELETE /api/v3/posts/[id] invalidates',
    ]);
    expect(
      result.findings.map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.message.split('\n')[0] ?? ''}`),
    ).toEqual([
      'app/api/v1/posts/[id]/route.ts:1:15 error PUT /api/v1/posts/[id] leaves a cached family stale: `post:{id}`.',
      'app/api/v3/posts/[id]/route.ts:1:10 error PUT /api/v3/posts/[id] leaves a cached family stale: `post:{id}`.',
    ]);
  });
});

describe('a route built by a wrapper given options and the handler', () => {
  it('runs the handler, not the options function that prepares what it is given', async () => {
    const result = await scan({
      'lib/posts.ts': POSTS,
      'lib/action.ts': `export function withContext<C>(options: { context: (request: Request) => Promise<C> }, handler: (input: { request: Request; context: C }) => Promise<Response>) {
  return async (request: Request) => handler({ request, context: await options.context(request) });
}
`,
      'app/api/posts/[id]/route.ts': `import { withContext } from '../../../../lib/action';
import { prisma } from '../../../../lib/posts';
export const PUT = withContext({ context: async (request) => ({ id: new URL(request.url).searchParams.get('id') ?? '' }) }, async ({ request, context }) => {
  await prisma.post.update({ where: { id: context.id }, data: await request.json() });
  return new Response(null, { status: 204 });
});
`,
    });
    expect(result.matrix.rows.map((r) => `${r.file}:${String(r.line)} ${r.handler} ${r.status}`)).toEqual([
      'app/api/posts/[id]/route.ts:3 PUT /api/posts/[id] none',
    ]);
    expect(result.findings.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.message.split('\n')[0] ?? ''}`)).toEqual([
      'app/api/posts/[id]/route.ts:3 error PUT /api/posts/[id] leaves a cached family stale: `post:{id}`.',
    ]);
  });
});

describe('a route whose path has a segment named like a test folder', () => {
  it('is audited: `app/api/…/test/route.ts` serves a URL, it is not a test', async () => {
    const result = await scan({
      'lib/posts.ts': POSTS,
      'app/api/posts/[id]/test/route.ts': `import { prisma } from '../../../../../lib/posts';
export async function POST(_request: Request, { params }: { params: { id: string } }) {
  await prisma.post.update({ where: { id: params.id }, data: { testedAt: new Date() } });
  return new Response(null, { status: 204 });
}
`,
      'test/app/api/posts/route.ts': `export async function POST() {\n  return new Response(null, { status: 201 });\n}\n`,
      'app/api/__tests__/route.ts': `export async function POST() {\n  return new Response(null, { status: 201 });\n}\n`,
    });
    expect(result.matrix.rows.map((r) => `${r.file}:${String(r.line)} ${r.handler}`)).toEqual([
      'app/api/posts/[id]/test/route.ts:2 POST /api/posts/[id]/test',
    ]);
  });
});
