import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';
import { writeProject } from '../support/project.js';

/** An Express app with a cached list of quotes, a create that forgets it, and a login that changes nothing cached. */
const files = (config: Record<string, unknown>): Record<string, string> => ({
  'cache-audit.config.json': JSON.stringify(config),
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
import { PrismaClient } from '@prisma/client';
const prisma = new PrismaClient();
const redis = new Redis();
export const app = express();
app.get('/quotes', async (req, res) => {
  const hit = await redis.get('quotes:all');
  if (hit) return res.json(JSON.parse(hit));
  const quotes = await prisma.quote.findMany();
  await redis.set('quotes:all', JSON.stringify(quotes), 'EX', 600);
  res.json(quotes);
});
app.post('/quotes', async (req, res) => res.json(await prisma.quote.create({ data: req.body })));
app.post('/login', async (req, res) => res.json({ token: 't' }));
`,
});
const inference = writeProject('mode-inference', files({}));
const policy = writeProject('mode-policy', files({ mode: 'policy' }));
afterAll(() => {
  for (const dir of [inference, policy]) rmSync(dir, { recursive: true, force: true });
});

const findingsOf = (stdout: string): string[] =>
  (JSON.parse(stdout) as { findings: { ruleId: string; line: number }[] }).findings.map((f) => `${String(f.line)} ${f.ruleId}`);

describe('the two modes, said in the first line', () => {
  it('inference (the default): only the create is reported, naming the family it leaves stale', async () => {
    const text = await run(['.', '--no-color'], inference);
    expect(text.code).toBe(1);
    expect(text.stdout.split('\n')[0]).toBe(
      'Inference: an error proves a write, a cached family that holds the data, and no invalidation of that family.',
    );
    expect(text.stdout).toContain('POST /quotes leaves a cached family stale: `quotes:all`.');
    expect(findingsOf((await run(['.', '--format', 'json'], inference)).stdout)).toEqual(['14 require-dependent-invalidation']);
  });

  it('policy: the login, which invalidates nothing, is reported too', async () => {
    const text = await run(['.', '--no-color'], policy);
    expect(text.stdout.split('\n')[0]).toBe(
      'Policy: every mutation invalidates what it changes or states its exception; stale families are named.',
    );
    const json = JSON.parse((await run(['.', '--format', 'json'], policy)).stdout) as { mode: string };
    expect(json.mode).toBe('policy');
    expect(findingsOf(JSON.stringify(json))).toEqual(['14 require-dependent-invalidation', '15 require-invalidation']);
  });
});
