import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('projections');

const BASE = {
  'lib/redis.ts': `import { Redis } from '@upstash/redis';\nexport const redis = new Redis({ url: '', token: '' });\n`,
  'lib/prisma.ts': `import { PrismaClient } from '@prisma/client';\nexport default new PrismaClient();\n`,
  'lib/email.ts': `import { redis } from './redis';\nexport async function logoOf(teamId: string) {\n  return redis.get(\`brand:logo:\${teamId}\`);\n}\n`,
  // A mutation that writes the brand, then copies its logo into the cache; another that deletes it and clears the copy.
  'pages/api/teams/branding.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import prisma from '../../../lib/prisma';
import { redis } from '../../../lib/redis';
export default async function handle(req: NextApiRequest, res: NextApiResponse) {
  const teamId = req.query.teamId as string;
  if (req.method === 'POST') {
    const brand = await prisma.brand.create({ data: { logo: req.body.logo, teamId } });
    await redis.set(\`brand:logo:\${teamId}\`, req.body.logo);
    return res.status(200).json(brand);
  } else if (req.method === 'DELETE') {
    await prisma.brand.delete({ where: { teamId } });
    await redis.del(\`brand:logo:\${teamId}\`);
    return res.status(204).end();
  }
}
`,
  // Ids from a method taken off an instance, and from a function a package made: code that reaches no cache.
  'lib/id.ts': `export class IdGenerator {\n  constructor(private prefixes: Record<string, string>) {}\n  public id = (prefix: string): string => \`\${this.prefixes[prefix] ?? prefix}_\${Date.now()}\`;\n}\nexport const newId = new IdGenerator({ team: 'tm' }).id;\n`,
  'lib/utils.ts': `import { customAlphabet } from 'nanoid';\nexport const nanoid = customAlphabet('abc', 7);\n`,
};

const TRIAL = `import type { NextApiRequest, NextApiResponse } from 'next';
import prisma from '../../../lib/prisma';
import { newId } from '../../../lib/id';
import { nanoid } from '../../../lib/utils';
export default async function handle(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') return res.status(405).end();
  const id = newId('team') + nanoid();
  await prisma.brand.deleteMany({ where: { teamId: req.query.teamId as string } });
  return res.status(204).json({ id });
}
`;

describe('a family filled with what a mutation has just written', () => {
  it('holds that model: a delete of it elsewhere that leaves the key is a warning naming where it is filled', async () => {
    const result = await scan({ ...BASE, 'pages/api/teams/trial.ts': TRIAL });
    expect(result.families.map((f) => [f.key, f.models, f.reads.map((r) => `${r.file}:${String(r.line)}`)])).toEqual([
      ['brand:logo:{teamId}', ['Brand'], ['lib/email.ts:3']],
    ]);
    const dependent = result.findings.filter((f) => f.ruleId !== 'unresolved');
    expect(dependent.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.ruleId}`)).toEqual([
      'pages/api/teams/trial.ts:6 warning possibly-stale-family',
    ]);
    expect(dependent[0]?.details?.[0]).toBe(
      '- `brand:logo:{teamId}` is filled with Brand by a mutation that has just written it (read at lib/email.ts:3, filled at pages/api/teams/branding.ts:8); it writes Brand (delete) at pages/api/teams/trial.ts:8: delete `brand:logo:{teamId}`.',
    );
    // newId (a method taken off an instance) and nanoid (made by a package) are followed or known inert: no blind spot.
    expect(result.findings.filter((f) => f.ruleId === 'unresolved')).toEqual([]);
  });

  it('is no family when what is written beside it is a token', async () => {
    const result = await scan({
      ...BASE,
      'pages/api/teams/branding.ts': BASE['pages/api/teams/branding.ts'].replaceAll('prisma.brand.', 'prisma.verificationToken.'),
      'pages/api/teams/trial.ts': TRIAL.replace('prisma.brand.', 'prisma.verificationToken.'),
    });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['brand:logo:{teamId}', []]]);
    expect(result.findings.filter((f) => f.ruleId !== 'unresolved')).toEqual([]);
  });
});

describe('a family whose key has a hole with no name', () => {
  it('is judged like any other: filled through a helper after a create, left by a delete elsewhere', async () => {
    const result = await scan({
      'lib/redis.ts': `import { Redis } from '@upstash/redis';
export const redis = new Redis({ url: '', token: '' });
const key = (domain: string) => \`domain:redirect:\${domain.toLowerCase()}\`;
export async function redirectOf(domain: string) {
  return redis.get<string>(key(domain));
}
export async function setRedirect(domain: string, url: string) {
  await redis.set(key(domain), url);
}
`,
      'lib/prisma.ts': `import { PrismaClient } from '@prisma/client';\nexport default new PrismaClient();\n`,
      'pages/api/domains.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import prisma from '../../lib/prisma';
import { setRedirect } from '../../lib/redis';
export default async function handle(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') return res.status(405).end();
  const domain = await prisma.domain.create({ data: { slug: req.body.slug, redirectUrl: req.body.url } });
  if (req.body.url) await setRedirect(req.body.slug, req.body.url);
  return res.json(domain);
}
`,
      // An update of other fields leaves the copied redirect alone; the delete does not.
      'app/api/cron/domains/route.ts': `import prisma from '../../../../lib/prisma';
export async function POST() {
  await prisma.domain.updateMany({ where: { verified: false }, data: { lastChecked: new Date() } });
  await prisma.domain.deleteMany({ where: { verified: false } });
  return new Response('ok');
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['domain:redirect:{}', ['Domain']]]);
    const findings = result.findings.filter((f) => f.ruleId !== 'unresolved');
    expect(findings.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.message}`)).toEqual([
      'app/api/cron/domains/route.ts:2 warning POST /api/cron/domains may leave a cached family stale: `domain:redirect:{value}`.',
    ]);
    expect(findings[0]?.details?.[0]).toContain('it writes Domain (delete) at app/api/cron/domains/route.ts:4');
  });
});
