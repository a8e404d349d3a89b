import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('healing-reads');

/**
 * A cache manager whose list read deletes the entries of a list it finds incomplete (each parent
 * named in the values it read), as nocodb's `CacheMgr.getList` does; `method` names that function.
 */
const APP = (method: string): Record<string, string> => ({
  'src/app.ts': `import express from 'express';
import Redis from 'ioredis';
class CacheMgr {
  constructor(private readonly client: Redis) {}
  async ${method}(scope: string): Promise<unknown[]> {
    const arr: string[] = JSON.parse((await this.client.get(\`nc:\${scope}:list\`)) ?? '[]');
    const values = await this.client.mget(...arr);
    if (values.some((v) => v === null)) {
      const parents = values.flatMap((v) => (v ? [JSON.parse(v).parent as string] : []));
      await Promise.all(parents.map(async (p) => { await this.client.del(p); }));
      return [];
    }
    return values.map((v) => JSON.parse(v as string) as unknown);
  }
}
const cache = new CacheMgr(new Redis());
export const app = express();
app.get('/columns', async (req, res) => {
  res.json(await cache.${method}('column'));
});
`,
});

const queryFindings = async (method: string): Promise<string[]> =>
  (await scan(APP(method))).findings
    .filter((f) => f.ruleId === 'no-invalidation-in-query')
    .map((f) => `${String(f.line)}:${String(f.column)} ${f.severity} ${f.message.split(': reads')[0] ?? ''}`);

describe('a read of the cache that repairs what it found', () => {
  it('is part of the read: a GET that lists through it invalidates nothing', async () => {
    expect(await queryFindings('getList')).toEqual([]);
  });

  it('is a change where the function is not named as a read', async () => {
    expect(await queryFindings('repairList')).toEqual(['10:58 error GET /columns is a read-only GET handler, but it invalidates `p`']);
  });
});
