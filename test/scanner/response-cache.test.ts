import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('response-cache');

/** A Yoga server whose response cache keeps every query's response; its resolvers in a file of their own. */
const app = (plugin: string, mutation: string): Record<string, string> => ({
  'src/lib/cache.ts': `import { createInMemoryCache } from '@graphql-yoga/plugin-response-cache';\nexport const cache = createInMemoryCache();\n`,
  'src/resolvers.ts': `import { PrismaClient } from '@prisma/client';
import { cache } from './lib/cache';
const prisma = new PrismaClient();
export const resolvers = {
  Query: { quotes: () => prisma.quote.findMany() },
  Mutation: {
    ${mutation},
  },
};
`,
  'src/server.ts': `import { createSchema, createYoga } from 'graphql-yoga';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { cache } from './lib/cache';
import { resolvers } from './resolvers';
export const yoga = createYoga({ schema: createSchema({ typeDefs: '', resolvers }), plugins: [useResponseCache({ session: () => null, cache, ${plugin} })] });
`,
});

const ACCEPT = `acceptQuote: async (_: unknown, args: { id: string }) => {\n      return prisma.quote.update({ where: { id: args.id }, data: { status: 'accepted' } });\n    }`;

/** The findings of a run, by place, severity and rule. */
async function findings(files: Record<string, string>): Promise<string[]> {
  const result = await scan(files);
  return result.findings.map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId}`);
}

describe('a GraphQL response cache', () => {
  it('keeps every query: a family per Query field, holding what its resolver reads', async () => {
    const result = await scan(app('invalidateViaMutation: false', ACCEPT));
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['Query.quotes', ['Quote']]]);
  });

  it('invalidates what a mutation returns by default: the mutation is covered', async () => {
    expect(await findings(app('ttl: 60_000', ACCEPT))).toEqual([]);
  });

  it('with invalidateViaMutation: false, a mutation that invalidates nothing leaves the query stale', async () => {
    const result = await scan(app('invalidateViaMutation: false', ACCEPT));
    expect(result.findings.map((f) => `${f.file}:${String(f.line)}:${String(f.column)} ${f.severity} ${f.ruleId}`)).toEqual([
      'src/resolvers.ts:7:5 error require-dependent-invalidation',
    ]);
    expect(result.findings[0]?.message).toBe('Mutation.acceptQuote leaves a cached family stale: `Query.quotes`.');
    expect(result.findings[0]?.details).toEqual([
      "- `Query.quotes` holds Quote (a list, count or aggregate; read at src/resolvers.ts:5, filled at src/resolvers.ts:5); it writes Quote (update) at src/resolvers.ts:8: call `cache.invalidate([{ typename: 'Quote', id }])`.",
      'Invalidate it, or a disable comment with the reason (or `readOnlyRoutes` in the configuration) if it need not be fresh.',
    ]);
  });

  it('with invalidateViaMutation: false, cache.invalidate of the type clears it, of another type does not', async () => {
    const invalidating = (typename: string) =>
      `acceptQuote: async (_: unknown, args: { id: string }) => { await prisma.quote.update({ where: { id: args.id }, data: {} }); await cache.invalidate([{ typename: '${typename}', id: args.id }]); }`;
    expect(await findings(app('invalidateViaMutation: false', invalidating('Quote')))).toEqual([]);
    expect(await findings(app('invalidateViaMutation: false', invalidating('Client')))).toEqual([
      'src/resolvers.ts:7:5 error require-dependent-invalidation',
    ]);
  });
});
