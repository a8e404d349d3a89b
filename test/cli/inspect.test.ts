import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { redisPortOrSkip } from '../support/redis.js';

const port = redisPortOrSkip('cache-audit inspect');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    cwd: process.cwd(),
    env: {},
  });
  return { code, stdout, stderr };
}

describe.skipIf(port === null)('cache-audit inspect on a real redis-server', () => {
  let redis: Redis;
  const url = `redis://127.0.0.1:${String(port)}/6`;

  beforeAll(async () => {
    redis = new Redis({ host: '127.0.0.1', port: port ?? 0, db: 6 });
    await redis.flushdb();
    await redis.set('onquota:quotes:list:acme:h1', '1', 'EX', 60);
    await redis.set('onquota:quotes:list:acme:h2', '1'); // no expiry, although the registry sets 60 s
    await redis.set('onquota:dashboard:kpis:acme:h', '1', 'EX', 300);
    await redis.set('onquota:quotes:lsit:acme:h', '1', 'EX', 60); // written by code the registry does not know
    await redis.set('other-app:session:1', '1'); // outside the prefix: not ours
  });

  afterAll(async () => {
    await redis.flushdb();
    redis.disconnect();
  });

  it('reports families, expiry drift and unregistered keys, read-only', async () => {
    const before = await redis.dbsize();
    const result = await run(['inspect', '--redis', url, 'fixtures/quotes-app']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/quotesList\s+onquota:quotes:list:\{tenantId\}:\{hash\}\s+60s\s+2\s+1\s+0/);
    expect(result.stdout).toMatch(/dashboardKpis\s+onquota:dashboard:kpis:\{tenantId\}:\{hash\}\s+300s\s+1\s+0\s+0/);
    expect(result.stdout).toContain('4 keys scanned.');
    expect(result.stdout).toContain('1 keys match no registered template, for example:\n  onquota:quotes:lsit:acme:h');
    expect(await redis.dbsize()).toBe(before);
  });

  it('writes JSON and stops at --max-keys', async () => {
    const result = await run(['inspect', '--redis', url, '--format', 'json', '--max-keys', '2', 'fixtures/quotes-app']);
    const report = JSON.parse(result.stdout) as { scanned: number; examined: number; isTruncated: boolean };
    // Two keys walked at most, so at most two counted.
    expect(report.scanned).toBeLessThanOrEqual(2);
    expect(report.examined).toBe(2);
    expect(report.isTruncated).toBe(true);
  });

  it('bounds the keyspace it walks by --max-keys, and says the look was cut short', async () => {
    const crowded = new Redis({ host: '127.0.0.1', port: port ?? 0, db: 7 });
    await crowded.flushdb();
    for (let start = 0; start < 5000; start += 1000) {
      const pipeline = crowded.pipeline();
      for (let i = start; i < start + 1000; i++) pipeline.set(`other-app:session:${String(i)}`, '1');
      await pipeline.exec();
    }
    try {
      const url7 = `redis://127.0.0.1:${String(port)}/7`;
      const json = await run(['inspect', '--redis', url7, '--format', 'json', '--max-keys', '100', 'fixtures/quotes-app']);
      const report = JSON.parse(json.stdout) as { scanned: number; examined: number; isTruncated: boolean };
      expect(report).toMatchObject({ scanned: 0, examined: 100, isTruncated: true });
      const text = await run(['inspect', '--redis', url7, '--max-keys', '100', 'fixtures/quotes-app']);
      expect(text.stdout).toContain(
        '0 keys scanned, then stopped at --max-keys after walking about 100 keys: the look is incomplete (raise --max-keys to see more).',
      );
      const whole = JSON.parse((await run(['inspect', '--redis', url7, '--format', 'json', 'fixtures/quotes-app'])).stdout) as {
        isTruncated: boolean;
      };
      expect(whole.isTruncated).toBe(false);
    } finally {
      await crowded.flushdb();
      crowded.disconnect();
    }
  });

  it('says clearly when it cannot connect', async () => {
    const result = await run(['inspect', '--redis', 'redis://127.0.0.1:1/0', 'fixtures/quotes-app']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^cache-audit: Cannot connect to redis:\/\/127\.0\.0\.1:1\/0: /);
  });
});
