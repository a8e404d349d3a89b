import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matches } from '../../src/patterns/index.js';
import { pick, seededRandom } from '../support/random.js';
import { redisPortOrSkip } from '../support/redis.js';

const port = redisPortOrSkip('redis differential');

/** Key material: ASCII, glob characters taken literally, multi-byte UTF-8, and raw high bytes. */
const KEY_PIECES: readonly Buffer[] = [
  ...['a', 'b', 'c', 'z', 'A', ':', '-', '^', '[', ']', '\\', '*', '?', '{', '}', '0', '9', 'é', '€', '日'].map((s) =>
    Buffer.from(s, 'utf8'),
  ),
  Buffer.from([0x80]),
  Buffer.from([0xc3]),
  Buffer.from([0xff]),
];

/** Pattern pieces: every construct of Redis globs, and the odd inputs Redis still accepts. */
const PATTERN_PIECES: readonly string[] = [
  'a',
  'b',
  'c',
  ':',
  '-',
  'é',
  '€',
  '日',
  '^',
  ']',
  '{',
  '}',
  '*',
  '**',
  '?',
  '[abc]',
  '[^ab]',
  '[a-c]',
  '[c-a]',
  '[^a-b]',
  '[:]',
  '[\\]]',
  '[\\\\]',
  '[a-]',
  '[-a]',
  '[]',
  '[^]',
  '[é]',
  '[a-é]',
  '[^é]',
  '[€-a]',
  '[\\-]',
  '[a\\-c]',
  '[]a]',
  '\\*',
  '\\?',
  '\\[',
  '\\a',
  '\\\\',
  '\\]',
];

/** Endings Redis treats specially: an unclosed class and a trailing backslash. */
const PATTERN_ENDINGS: readonly string[] = ['', '', '', '', '[', '[a', '[^', '[a-', '[\\', '\\', '[a\\'];

function generateKeys(count: number): Buffer[] {
  const random = seededRandom(20261125);
  const keys = new Map<string, Buffer>();
  while (keys.size < count) {
    const length = 1 + Math.floor(random() * 6);
    const key = Buffer.concat(Array.from({ length }, () => pick(random, KEY_PIECES)));
    keys.set(key.toString('hex'), key);
  }
  return [...keys.values()];
}

function generatePatterns(count: number): string[] {
  const random = seededRandom(7);
  const patterns = new Set<string>(['*', '?', '[', '[^', '\\', '[]', '[^]', 'a*', '*a', '*:*']);
  while (patterns.size < count) {
    const length = 1 + Math.floor(random() * 4);
    const body = Array.from({ length }, () => pick(random, PATTERN_PIECES)).join('');
    patterns.add(body + pick(random, PATTERN_ENDINGS));
  }
  return [...patterns];
}

async function scanMatch(redis: Redis, pattern: string): Promise<Set<string>> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const key of keys) found.add(key.toString('hex'));
    cursor = next.toString();
  } while (cursor !== '0');
  return found;
}

describe.skipIf(port === null)('matches() against real Redis SCAN MATCH', () => {
  let redis: Redis;
  const keys = generateKeys(400);
  const patterns = generatePatterns(400);

  beforeAll(async () => {
    redis = new Redis({ port: port ?? 0, host: '127.0.0.1', db: 1, lazyConnect: true });
    await redis.connect();
    await redis.flushdb();
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.set(key, '1');
    await pipeline.exec();
  });

  afterAll(async () => {
    await redis.flushdb();
    redis.disconnect();
  });

  it('agrees with Redis on every generated (pattern, key) pair', async () => {
    const mismatches: string[] = [];
    let pairs = 0;
    let matched = 0;
    for (const pattern of patterns) {
      const expected = await scanMatch(redis, pattern);
      for (const key of keys) {
        pairs++;
        const isMatch = matches(pattern, key);
        if (isMatch) matched++;
        if (isMatch !== expected.has(key.toString('hex'))) {
          mismatches.push(`${JSON.stringify(pattern)} vs ${key.toString('hex')}: ours ${String(isMatch)}`);
        }
      }
    }
    expect(pairs).toBeGreaterThanOrEqual(5000);
    // Both outcomes occur often enough for the comparison to mean something.
    expect(matched).toBeGreaterThan(1000);
    expect(pairs - matched).toBeGreaterThan(1000);
    expect(mismatches.slice(0, 20)).toEqual([]);
  });
});
