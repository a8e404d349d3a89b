import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCache } from '../../src/cli/inspect.js';
import { NoAnswerError, parseRedisUrl, redactRedisUrl } from '../../src/cli/redis-target.js';
import { loadRegistry } from '../../src/registry/load.js';
import { run } from '../support/cli.js';
import { hasRedisServer, startRedisCluster, startRedisServer } from '../setup/redis-server.js';
import type { RedisCluster, RedisServer } from '../setup/redis-server.js';

const isAvailable = hasRedisServer();
if (!isAvailable) {
  if (process.env['CI'] === 'true') throw new Error('CI=true and redis-server is missing: the inspect server tests cannot run.');
  console.warn('[cache-audit inspect, servers] skipped: redis-server is not installed (apt-get install -y redis-server)');
}

const APP = 'fixtures/quotes-app';

describe('the --redis URL', () => {
  it('is shown with its password redacted', () => {
    expect(redactRedisUrl('redis://:s3cret@cache.internal:6380/2')).toBe('redis://:****@cache.internal:6380/2');
    expect(redactRedisUrl('rediss://ops:p@ss@cache.internal/0')).toBe('rediss://ops:****@cache.internal/0');
    expect(redactRedisUrl('redis://s3cret@cache.internal')).toBe('redis://****@cache.internal');
    expect(redactRedisUrl('redis://cache.internal:6379/0')).toBe('redis://cache.internal:6379/0');
    expect(parseRedisUrl('redis://ops:a%40b@h:1/3')).toMatchObject({ username: 'ops', password: 'a@b', host: 'h', port: 1, db: 3 });
    expect(parseRedisUrl('127.0.0.1:6380')).toMatchObject({ host: '127.0.0.1', port: 6380, db: 0, shown: 'redis://127.0.0.1:6380' });
  });

  it('is refused, redacted, when its database is not a number', async () => {
    const result = await run(['inspect', '--redis', 'redis://:s3cret@127.0.0.1:1/cache', APP]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('cache-audit: --redis redis://:****@127.0.0.1:1/cache: the path must be a database number, not "cache".\n');
  });
});

describe.skipIf(!isAvailable)('cache-audit inspect against servers that misbehave', () => {
  let server: RedisServer;
  let guarded: RedisServer;
  let seeded: Redis;

  beforeAll(async () => {
    [server, guarded] = await Promise.all([startRedisServer(), startRedisServer(['--requirepass', 's3cret'])]);
    seeded = new Redis({ port: server.port, host: '127.0.0.1' });
    await seeded.set('onquota:quotes:list:acme:h1', '1', 'EX', 60);
  });

  afterAll(async () => {
    seeded.disconnect();
    await Promise.all([server.stop(), guarded.stop()]);
  });

  it('stops waiting for a paused server at --timeout, and says so with the password redacted', async () => {
    server.pause();
    try {
      const result = await run(['inspect', '--redis', `redis://:s3cret@127.0.0.1:${String(server.port)}/0`, '--timeout', '400', APP]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `cache-audit: Cannot connect to redis://:****@127.0.0.1:${String(server.port)}/0: no answer to the connection within 400 ms (is the server paused or overloaded?).\n`,
      );
    } finally {
      server.resume();
    }
  });

  it('bounds each command: a server paused mid-look rejects the scan at the timeout', async () => {
    const client = new Redis({ port: server.port, host: '127.0.0.1' });
    client.on('error', () => {});
    await client.ping();
    const loaded = loadRegistry(`${APP}/src/cache/keys.ts`, { recheckMs: 0 });
    if (!loaded.registry) throw new Error('the fixture registry does not load');
    server.pause();
    try {
      await expect(inspectCache(client, loaded.registry, { timeoutMs: 300 })).rejects.toThrow(NoAnswerError);
    } finally {
      server.resume();
      client.disconnect();
    }
  });

  it('redacts the password in every message: a wrong one, and a right one on a database the server lacks', async () => {
    const wrong = await run(['inspect', '--redis', `redis://:wrong-s3cret@127.0.0.1:${String(guarded.port)}/0`, APP]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      new RegExp(`^cache-audit: Cannot connect to redis://:\\*\\*\\*\\*@127\\.0\\.0\\.1:${String(guarded.port)}/0: WRONGPASS`),
    );
    expect(wrong.stderr + wrong.stdout).not.toContain('s3cret');
    const missing = await run(['inspect', '--redis', `redis://default:s3cret@127.0.0.1:${String(guarded.port)}/99`, APP]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `cache-audit: redis://default:****@127.0.0.1:${String(guarded.port)}/99: the server has no database 99 (ERR DB index is out of range).\n`,
    );
    const right = await run(['inspect', '--redis', `redis://:s3cret@127.0.0.1:${String(guarded.port)}/0`, APP]);
    expect(right.code).toBe(0);
    expect(right.stdout).toContain('0 keys scanned.');
  });

  it('refuses a database the server does not have instead of reading database 0', async () => {
    const result = await run(['inspect', '--redis', `redis://127.0.0.1:${String(server.port)}/16`, APP]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `cache-audit: redis://127.0.0.1:${String(server.port)}/16: the server has no database 16 (ERR DB index is out of range).\n`,
    );
  });
});

describe.skipIf(!isAvailable)('cache-audit inspect on a real three-primary Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    for (let i = 0; i < 60; i++) await client.set(`onquota:quotes:list:t${String(i)}:h`, '1', 'EX', 60);
    await client.set('onquota:quotes:lsit:acme:h', '1', 'EX', 60);
  }, 90_000);

  afterAll(async () => {
    client.disconnect();
    await cluster.stop();
  });

  it('scans and counts every primary, from the URL of one node', async () => {
    const holding = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
    expect(holding.filter((n) => n > 0)).toHaveLength(3);
    const url = `redis://127.0.0.1:${String(cluster.ports[0] ?? 0)}`;
    const json = await run(['inspect', '--redis', url, '--format', 'json', APP]);
    const report = JSON.parse(json.stdout) as { nodes: number; scanned: number; families: { name: string; keys: number }[] };
    expect(report.nodes).toBe(3);
    expect(report.scanned).toBe(61);
    expect(report.families.find((f) => f.name === 'quotesList')?.keys).toBe(60);
    const text = await run(['inspect', '--redis', url, APP]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('61 keys scanned on 3 primaries.');
    const db = await run(['inspect', '--redis', `${url}/2`, APP]);
    expect(db.code).toBe(2);
    expect(db.stderr).toBe(`cache-audit: ${url}/2: a Redis Cluster has database 0 only, not 2.\n`);
  });
});
