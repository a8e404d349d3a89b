import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/scanner/result.js';
import { projects } from '../support/project.js';

const scanProject = projects('self-calls');

const PRISMA = `import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
export default prisma;
`;

const REDIS = `import Redis from 'ioredis';
export const redis = new Redis();
`;

/** The Pages Router route that revalidates the pages of a document's links. */
const REVALIDATE = `import type { NextApiRequest, NextApiResponse } from 'next';
import prisma from '@/lib/prisma';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'GET') {
    return res.status(405).json({ message: 'Method not allowed' });
  }
  const { documentId } = req.query as { documentId: string };
  const links = await prisma.link.findMany({ where: { documentId } });
  for (const link of links) await res.revalidate(\`/view/\${link.id}\`);
  return res.json({ revalidated: true });
}
`;

const TSCONFIG = JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['./*'] } } });

/** `METHOD path: pattern (kind) through … [deferred]` for each invalidation of a handler's row. */
function invalidationsOf(result: ScanResult, handler: string): string[] {
  const row = result.matrix.rows.find((r) => r.handler === handler);
  if (!row) throw new Error(`no row ${handler}: ${result.matrix.rows.map((r) => r.handler).join(', ')}`);
  return row.invalidations.map((i) => `${i.pattern} (${i.kind}) through ${i.through.join(' > ') || '-'}${i.isDeferred ? ' deferred' : ''}`);
}

describe("a request to the app's own route", () => {
  it('runs the Pages Router route it names, for the method it uses, later', async () => {
    const result = await scanProject({
      'tsconfig.json': TSCONFIG,
      'lib/prisma.ts': PRISMA,
      'pages/api/revalidate.ts': REVALIDATE,
      'pages/api/documents/[id]/dark-mode.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import prisma from '@/lib/prisma';

export default async function handle(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'PATCH') return res.status(405).end();
  const { id } = req.query as { id: string };
  await prisma.documentVersion.updateMany({ where: { documentId: id }, data: { isDark: true } });
  await fetch(\`\${process.env.NEXTAUTH_URL}/api/revalidate?secret=\${process.env.REVALIDATE_TOKEN}&documentId=\${id}\`);
  return res.status(200).json({ ok: true });
}
`,
    });
    expect(invalidationsOf(result, 'GET /api/revalidate')).toEqual(['revalidate() (path) through -']);
    expect(invalidationsOf(result, 'PATCH /api/documents/[id]/dark-mode')).toEqual([
      'revalidate() (path) through GET /api/revalidate deferred',
    ]);
  });

  it('follows a URL built in a constant, `new URL`, a route group, a dynamic segment and axios', async () => {
    const purge = (method: string): string => `import { redis } from '@/lib/redis';

export async function ${method}(request: Request, { params }: { params: { teamId: string } }) {
  await redis.del(\`team:\${params.teamId}\`);
  return Response.json({ ok: true });
}
`;
    const result = await scanProject({
      'tsconfig.json': TSCONFIG,
      'lib/redis.ts': REDIS,
      'app/(internal)/api/teams/[teamId]/purge/route.ts': purge('POST'),
      'app/api/teams/[teamId]/rename/route.ts': `import axios from 'axios';

export async function PUT(request: Request, { params }: { params: { teamId: string } }) {
  const url = \`\${process.env.NEXT_PUBLIC_BASE_URL}/api/teams/\${params.teamId}/purge\`;
  await fetch(url, { method: 'POST', headers: { authorization: 'secret' } });
  return Response.json({ ok: true });
}

export async function PATCH(request: Request, { params }: { params: { teamId: string } }) {
  await fetch(new URL(\`/api/teams/\${params.teamId}/purge\`, process.env.APP_URL), { method: 'post' });
  return Response.json({ ok: true });
}

export async function DELETE(request: Request, { params }: { params: { teamId: string } }) {
  await axios.post(\`\${process.env.APP_URL}/api/teams/\${params.teamId}/purge\`, {});
  return Response.json({ ok: true });
}
`,
    });
    for (const handler of ['PUT', 'PATCH', 'DELETE']) {
      expect(invalidationsOf(result, `${handler} /api/teams/[teamId]/rename`)).toEqual([
        'team:{teamId} (key) through POST /api/teams/[teamId]/purge deferred',
      ]);
    }
  });

  it('runs a SvelteKit endpoint, its fallback when no export names the method', async () => {
    const result = await scanProject({
      'tsconfig.json': TSCONFIG,
      'lib/redis.ts': REDIS,
      'src/routes/api/carts/[cartId]/purge/+server.ts': `import { redis } from '@/lib/redis';

export async function fallback({ params }: { params: { cartId: string } }) {
  await redis.del(\`cart:\${params.cartId}\`);
  return new Response(null, { status: 204 });
}
`,
      'src/routes/carts/[cartId]/+page.server.ts': `export const actions = {
  rename: async ({ params, fetch }: { params: { cartId: string }; fetch: typeof globalThis.fetch }) => {
    await fetch(\`\${process.env.ORIGIN}/api/carts/\${params.cartId}/purge\`, { method: 'DELETE' });
    return { ok: true };
  },
};
`,
    });
    expect(invalidationsOf(result, 'action /carts/[cartId]?/rename')).toEqual([
      'cart:{cartId} (key) through DELETE /api/carts/[cartId]/purge deferred',
    ]);
  });

  it('does not follow a request whose route, method or host is not the app’s own, or whose path cannot be read', async () => {
    const result = await scanProject({
      'tsconfig.json': TSCONFIG,
      'lib/prisma.ts': PRISMA,
      'pages/api/revalidate.ts': REVALIDATE,
      'pages/api/links/[id].ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import prisma from '@/lib/prisma';

export default async function handle(req: NextApiRequest, res: NextApiResponse) {
  const { id } = req.query as { id: string };
  if (req.method === 'PUT') {
    await prisma.link.update({ where: { id }, data: { name: 'x' } });
    await fetch(\`https://api.example.com/api/revalidate?documentId=\${id}\`);
    await fetch(\`\${process.env.NEXTAUTH_URL}/api/revalidate\`, { method: 'POST' });
    return res.json({});
  }
  if (req.method === 'PATCH') {
    await prisma.link.update({ where: { id }, data: { name: 'y' } });
    await fetch(\`\${process.env.NEXTAUTH_URL}/api/revalidated?documentId=\${id}\`);
    await fetch(\`\${process.env.NEXTAUTH_URL}\${req.body.path}\`);
    await fetch(\`\${process.env.NEXTAUTH_URL}/\${req.body.route}\`);
    return res.json({});
  }
}
`,
    });
    expect(invalidationsOf(result, 'PUT /api/links/[id]')).toEqual([]);
    expect(invalidationsOf(result, 'PATCH /api/links/[id]')).toEqual([]);
  });
});

describe('a trigger.dev task a handler triggers', () => {
  const TASKS = `import { schedules, schemaTask, task } from '@trigger.dev/sdk/v3';
import { z } from 'zod';
import { redis } from '@/lib/redis';

export const purgeTeam = task({
  id: 'purge-team',
  run: async (payload: { teamId: string }) => {
    await redis.del(\`team:\${payload.teamId}\`);
  },
});

export const purgeMembers = schemaTask({
  id: 'purge-members',
  schema: z.object({ teamId: z.string() }),
  async run(payload) {
    await redis.del(\`members:\${payload.teamId}\`);
  },
});

export const nightly = schedules.task({
  id: 'nightly-purge',
  cron: '0 3 * * *',
  run: async () => {
    await redis.del('teams:all');
  },
});

export const notify = task({
  id: 'notify-team',
  run: async (payload: { teamId: string }) => {
    await fetch(\`\${process.env.APP_URL}/api/teams/\${payload.teamId}/purge\`, { method: 'POST' });
  },
});
`;

  it('runs the task by its variable or its id, later, through its `run`', async () => {
    const result = await scanProject({
      'tsconfig.json': TSCONFIG,
      'lib/redis.ts': REDIS,
      'trigger/purge.ts': TASKS,
      'app/api/teams/[teamId]/purge/route.ts': `import { redis } from '@/lib/redis';

export async function POST(request: Request, { params }: { params: { teamId: string } }) {
  await redis.del(\`team:\${params.teamId}\`);
  return Response.json({ ok: true });
}
`,
      'app/api/teams/[teamId]/route.ts': `import { tasks } from '@trigger.dev/sdk/v3';
import { nightly, notify, purgeMembers, purgeTeam } from '@/trigger/purge';

export async function PUT(request: Request, { params }: { params: { teamId: string } }) {
  await purgeTeam.trigger({ teamId: params.teamId });
  await purgeMembers.batchTrigger([{ payload: { teamId: params.teamId } }]);
  return Response.json({ ok: true });
}

export async function PATCH(request: Request, { params }: { params: { teamId: string } }) {
  await tasks.trigger<typeof nightly>('nightly-purge', {});
  await notify.trigger({ teamId: params.teamId });
  return Response.json({ ok: true });
}

export async function DELETE(request: Request, { params }: { params: { teamId: string } }) {
  await tasks.trigger('no-such-task', { teamId: params.teamId });
  await tasks.trigger(process.env.TASK_ID!, { teamId: params.teamId });
  return Response.json({ ok: true });
}
`,
    });
    expect(invalidationsOf(result, 'PUT /api/teams/[teamId]')).toEqual([
      'team:{teamId} (key) through purgeTeam.run (job trigger.dev:purge-team) deferred',
      'members:{teamId} (key) through purgeMembers.run (job trigger.dev:purge-members) deferred',
    ]);
    expect(invalidationsOf(result, 'PATCH /api/teams/[teamId]')).toEqual([
      'team:{teamId} (key) through notify.run (job trigger.dev:notify-team) > POST /api/teams/[teamId]/purge deferred',
      'teams:all (key) through nightly.run (job trigger.dev:nightly-purge) deferred',
    ]);
    expect(invalidationsOf(result, 'DELETE /api/teams/[teamId]')).toEqual([]);
  });
});

describe('a QStash message to the app’s own route', () => {
  it('runs the route that serves its destination, with POST unless told otherwise, later', async () => {
    const result = await scanProject({
      'tsconfig.json': TSCONFIG,
      'lib/redis.ts': REDIS,
      'app/api/jobs/refresh/[teamId]/route.ts': `import { redis } from '@/lib/redis';

export async function POST(request: Request, { params }: { params: { teamId: string } }) {
  await redis.del(\`team:\${params.teamId}\`);
  return Response.json({ ok: true });
}
`,
      'app/api/teams/[teamId]/route.ts': `import { Client } from '@upstash/qstash';

const qstash = new Client({ token: process.env.QSTASH_TOKEN! });

export async function PUT(request: Request, { params }: { params: { teamId: string } }) {
  await qstash.publishJSON({ url: \`\${process.env.APP_URL}/api/jobs/refresh/\${params.teamId}\`, body: {} });
  return Response.json({ ok: true });
}

export async function PATCH(request: Request, { params }: { params: { teamId: string } }) {
  await qstash.publishJSON({ url: \`\${process.env.APP_URL}/api/jobs/refresh/\${params.teamId}\`, method: 'GET', body: {} });
  await qstash.publishJSON({ url: \`https://hooks.example.com/api/jobs/refresh/\${params.teamId}\`, body: {} });
  return Response.json({ ok: true });
}
`,
    });
    expect(invalidationsOf(result, 'PUT /api/teams/[teamId]')).toEqual([
      'team:{teamId} (key) through POST /api/jobs/refresh/[teamId] deferred',
    ]);
    expect(invalidationsOf(result, 'PATCH /api/teams/[teamId]')).toEqual([]);
  });
});

describe('what a route requested later reads', () => {
  it('is not the caller’s own read: a delete before the request stays an invalidation', async () => {
    const result = await scanProject({
      'tsconfig.json': TSCONFIG,
      'lib/redis.ts': REDIS,
      'app/api/teams/[teamId]/route.ts': `import { redis } from '@/lib/redis';

export async function GET(request: Request, { params }: { params: { teamId: string } }) {
  const cached = await redis.get(\`team:\${params.teamId}\`);
  return Response.json(cached);
}

export async function PUT(request: Request, { params }: { params: { teamId: string } }) {
  const body = await request.json();
  if (body.name) await redis.del(\`team:\${params.teamId}\`);
  await fetch(\`\${process.env.APP_URL}/api/teams/\${params.teamId}\`);
  return Response.json({ ok: true });
}
`,
    });
    expect(invalidationsOf(result, 'PUT /api/teams/[teamId]')).toEqual(['team:{teamId} (key) through -']);
  });
});
