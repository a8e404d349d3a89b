import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('claims');

/** An OAuth callback served over GET that claims its code, polls for another request's result, and clears the claim on failure. */
const CALLBACK = (claimed: string): Record<string, string> => ({
  'package.json': JSON.stringify({ name: 'callbacks', private: true, dependencies: { express: '4.21.0', ioredis: '5.4.0' } }),
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
const redis = new Redis();
export const app = express();
async function claim(code: string): Promise<boolean> {
  return (await redis.set(\`oauth-code:\${code}\`, ${claimed}, 'EX', 60, 'NX')) === 'OK';
}
async function resultOf(code: string) {
  const value = await redis.get(\`oauth-code:\${code}\`);
  return value && value !== 'processing' ? JSON.parse(value) : null;
}
app.get('/callback', async (req, res) => {
  const code = String(req.query.code);
  if (!(await claim(code))) return res.json(await resultOf(code));
  try {
    res.json({ ok: await fetch('https://example.com/token').then((r) => r.ok) });
  } catch {
    await redis.del(\`oauth-code:\${code}\`);
    res.sendStatus(502);
  }
});
`,
});

const inQuery = async (claimed: string): Promise<string[]> =>
  (await scan(CALLBACK(claimed))).findings
    .filter((f) => f.ruleId === 'no-invalidation-in-query')
    .map((f) => `${String(f.line)}:${String(f.column)} ${f.severity}`);

describe('a key claimed with a value written in the code', () => {
  it('is a lock whose release a read may make, though the key is read back', async () => {
    expect(await inQuery(`'processing'`)).toEqual([]);
  });

  it('is a cache filled once where what it stores is data, whose delete a read may not make', async () => {
    expect(await inQuery('JSON.stringify({ code, at: Date.now() })')).toEqual(['18:11 error']);
  });
});
