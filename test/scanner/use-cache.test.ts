import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('use-cache');

/** A Next.js 16 app: posts read in `'use cache'` functions tagged with `cacheTag`, written by server actions. */
const files = (actions: string): Record<string, string> => ({
  'lib/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
  'lib/posts.ts': `import { cacheLife, cacheTag } from 'next/cache';
import { db } from './db';
export async function getPosts() {
  'use cache';
  cacheTag('posts');
  cacheLife('hours');
  return db.post.findMany();
}
export async function getPost(id: string) {
  'use cache';
  cacheTag(\`post-\${id}\`);
  return db.post.findUnique({ where: { id } });
}
`,
  'app/posts/actions.ts': `'use server';\nimport { revalidateTag, updateTag } from 'next/cache';\nimport { db } from '../../lib/db';\n${actions}`,
});

describe("Next.js 'use cache' functions and their tags", () => {
  it('are families of their tags: a server action that writes the model and updates no tag leaves them stale', async () => {
    const result = await scan(
      files(`export async function createPost(title: string) {\n  await db.post.create({ data: { title } });\n}\n`),
    );
    expect(result.families.map((f) => [f.key, f.models, f.ttl])).toEqual([
      ['post-{id}', ['Post'], 900],
      ['posts', ['Post'], 3600],
    ]);
    expect(result.findings.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.message}`)).toEqual([
      'app/posts/actions.ts:4 error server action createPost leaves a cached family stale: `posts`.',
    ]);
    expect(result.findings[0]?.details?.[0]).toBe(
      "- `posts` holds Post (a list, count or aggregate; read at lib/posts.ts:3, filled at lib/posts.ts:3, ttl 3600 s); it writes Post (create) at app/posts/actions.ts:5: call `updateTag('posts')`.",
    );
  });

  it('are cleared by the tags a handler updates or revalidates, and only by those', async () => {
    const result = await scan(
      files(
        `export async function deletePost(id: string) {\n  await db.post.delete({ where: { id } });\n  updateTag('posts');\n  revalidateTag(\`post-\${id}\`, 'max');\n}\nexport async function renamePost(id: string, title: string) {\n  await db.post.update({ where: { id }, data: { title } });\n  updateTag(\`post-\${id}\`);\n}\n`,
      ),
    );
    expect(result.findings.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.message}`)).toEqual([
      'app/posts/actions.ts:9 error server action renamePost leaves a cached family stale: `posts`.',
    ]);
  });
});

describe('Next.js tags in the registry cache-audit init writes', () => {
  it('a stale tag is cleared with updateTag, as without a registry, never with a pattern', async () => {
    const result = await scan({
      ...files(
        `export async function renamePost(id: string, title: string) {\n  await db.post.update({ where: { id }, data: { title } });\n}\n`,
      ),
      'cache-audit.config.json': JSON.stringify({ registry: 'cache-keys.ts' }),
      'cache-keys.ts': `import { defineCacheRegistry } from '@cache-audit/runtime';
export const cacheKeys = defineCacheRegistry({
  keys: {
    post: { template: 'post-{id}', ttl: 900, dependsOn: ['Post'] },
    posts: { template: 'posts', ttl: 3600, dependsOn: ['Post'] },
  },
});
`,
    });
    const found = result.findings.filter((f) => f.ruleId === 'require-dependent-invalidation');
    expect(found.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.message}`)).toEqual([
      'app/posts/actions.ts:4 error server action renamePost leaves 2 cached families stale: `post`, `posts`.',
    ]);
    expect(found[0]?.details?.slice(0, 2)).toEqual([
      "- `post` (post-{id}) depends on Post; it writes Post (update) at app/posts/actions.ts:5: call `updateTag('post-{id}')`.",
      "- `posts` (posts) depends on Post; it writes Post (update) at app/posts/actions.ts:5: call `updateTag('posts')`.",
    ]);
  });
});

/** Expenses read through an exported arrow of a `'use cache'` file, clients through `unstable_cache` of a named loader, a feed fetched with a tag. */
const moreFiles = (actions: string): Record<string, string> => ({
  'lib/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`,
  'lib/expenses.ts': `'use cache';
import { cacheTag } from 'next/cache';
import { db } from './db';
export const getExpenses = async () => {
  cacheTag('expenses');
  return db.expense.findMany();
};
`,
  'lib/clients.ts': `import { unstable_cache } from 'next/cache';
import { db } from './db';
async function loadClients() {
  return db.client.findMany();
}
export const getClients = unstable_cache(loadClients, ['clients'], { revalidate: 120, tags: ['clients'] });
`,
  'app/feed/page.tsx': `export default async function Feed() {\n  const response = await fetch('https://api.example.com/feed', { next: { tags: ['feed'] } });\n  return response.json();\n}\n`,
  'app/actions.ts': `'use server';\nimport { refresh, revalidateTag, updateTag } from 'next/cache';\nimport { db } from '../lib/db';\n${actions}`,
});

describe('Next.js caches beyond function declarations', () => {
  it("reads an exported arrow of a 'use cache' file and unstable_cache of a named loader as families; refresh() clears neither", async () => {
    const result = await scan(
      moreFiles(
        `export async function addExpense(amount: number) {\n  await db.expense.create({ data: { amount } });\n  refresh();\n}\nexport async function addClient(name: string) {\n  await db.client.create({ data: { name } });\n  updateTag('clients');\n}\n`,
      ),
    );
    expect(result.families.map((f) => [f.key, f.models, f.ttl, `${f.reads[0]?.file ?? ''}:${String(f.reads[0]?.line ?? 0)}`])).toEqual([
      ['clients', ['Client'], 120, 'lib/clients.ts:6'],
      ['expenses', ['Expense'], 900, 'lib/expenses.ts:4'],
    ]);
    expect(result.findings.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.message}`)).toEqual([
      'app/actions.ts:4 error server action addExpense leaves a cached family stale: `expenses`.',
    ]);
  });

  it('warns of a tag revalidated that nothing tags, and not of one a fetch or a cached read gives', async () => {
    const result = await scan(
      moreFiles(
        `export async function refreshAll() {\n  revalidateTag('feed', 'max');\n  revalidateTag('clients', 'max');\n  revalidateTag('comments', 'max');\n}\n`,
      ),
    );
    expect(result.findings.map((f) => `${f.file}:${String(f.line)} ${f.ruleId} ${f.severity}`)).toEqual([
      'app/actions.ts:7 dead-family warning',
    ]);
    expect(result.findings[0]?.message).toContain('revalidateTag() invalidates `comments`, but nothing in the project reads');
  });
});
