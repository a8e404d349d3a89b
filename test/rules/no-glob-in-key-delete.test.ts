import { rules } from '../../src/eslint.js';
import { ruleTester } from './tester.js';

const rule = rules['no-glob-in-key-delete'];

const IOREDIS = `import Redis from 'ioredis';\nconst redis = new Redis();\n`;
const NEST_CACHE = `import { Inject, Injectable } from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';

@Injectable()
export class PostsService {
  constructor(@Inject(CACHE_MANAGER) private readonly cacheManager: Cache) {}
`;

function glob(line: number, column: number, endColumn: number, call: string, key: string, char = '*') {
  return { messageId: 'glob' as const, line, column, endLine: line, endColumn, data: { call, key, glob: char } };
}

ruleTester({ registry: undefined }).run('no-glob-in-key-delete', rule, {
  valid: [
    { name: 'an exact key', code: `${IOREDIS}export const drop = (id: string) => redis.del(\`user:\${id}:profile\`);\n` },
    {
      name: 'a pattern call takes a glob',
      code: `import { getCache } from 'cache-audit/runtime';\nexport const drop = () => getCache().deletePattern('posts:*');\n`,
    },
    {
      name: 'a glob in a hole is a runtime value, not written text',
      code: `${IOREDIS}export const drop = (pattern: string, id: string) => redis.del(\`\${pattern}:\${id}\`);\n`,
    },
    {
      name: 'a URL with a query string is a key',
      code: `${IOREDIS}export const drop = (page: string) => redis.del(\`/api/posts?page=\${page}\`);\n`,
    },
    {
      name: 'a receiver known by its name only may be a wrapper that takes a pattern',
      code: `declare const cacheService: { del(key: string): Promise<void> };\nexport const drop = () => cacheService.del('posts:*');\n`,
    },
    {
      name: 'the keys a scan found',
      code: `${IOREDIS}export async function drop() {\n  const keys = await redis.keys('posts:*');\n  if (keys.length > 0) await redis.del(...keys);\n}\n`,
    },
  ],
  invalid: [
    {
      name: 'ioredis del with a template',
      code: `${IOREDIS}export const drop = (id: string) => redis.del(\`user:\${id}:*\`);\n`,
      errors: [glob(3, 47, 61, 'del', 'user:{id}:*')],
    },
    {
      name: 'unlink, each key of the call',
      code: `${IOREDIS}export const drop = () => redis.unlink('posts:*', 'feed:?');\n`,
      errors: [glob(3, 40, 49, 'unlink', 'posts:*'), glob(3, 51, 59, 'unlink', 'feed:?', '?')],
    },
    {
      name: 'cache-manager del in a NestJS service',
      code: `${NEST_CACHE}  async clear(): Promise<void> {\n    await this.cacheManager.del('posts:*');\n  }\n}\n`,
      errors: [glob(9, 33, 42, 'del', 'posts:*')],
    },
    {
      name: 'a character class',
      code: `${IOREDIS}export const drop = () => redis.del('stats:[ab]');\n`,
      errors: [glob(3, 37, 49, 'del', 'stats:[ab]', '[')],
    },
  ],
});
