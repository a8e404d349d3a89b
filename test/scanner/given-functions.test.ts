import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('given-functions');

const FILES = {
  'src/redis.ts': `import Redis from 'ioredis';\nexport const redis = new Redis();\n`,
  'src/billing.ts': `import { redis } from './redis';
export async function billingLimit(orgId: string) {
  return redis.get(\`billingLimit:\${orgId}\`);
}
export function bustLimitCaches(orgId: string): void {
  void redis.del(\`billingLimit:\${orgId}\`);
}
`,
  // The work is given its dependencies in an object, so that a test can pass others.
  'src/limit-hit.ts': `export type Deps = {
  bustCaches: (organizationId: string) => void;
  notify: (organizationId: string) => Promise<void>;
};
export async function processHit(payload: { organizationId: string }, deps: Deps): Promise<void> {
  deps.bustCaches(payload.organizationId);
  await deps.notify(payload.organizationId);
}
`,
  // A domain object, one per kind of limit, whose \`apply\` the shared action calls.
  'src/limits.ts': `import { redis } from './redis';
export type Domain = { apply: (orgId: string, limit: number) => Promise<void> };
export async function handleLimit(orgId: string, limit: number, domain: Domain) {
  if (limit > 0) await domain.apply(orgId, limit);
}
export const apiDomain: Domain = {
  apply: async (orgId, limit) => {
    await redis.set(\`apiLimit:\${orgId}:raw\`, String(limit));
    await redis.del(\`limits:\${orgId}\`);
  },
};
`,
  'src/server.ts': `import express from 'express';
import { bustLimitCaches } from './billing';
import { processHit } from './limit-hit';
import { apiDomain, handleLimit } from './limits';
export const app = express();
app.post('/orgs/:id/limit-hit', async (req, res) => {
  await processHit({ organizationId: req.params.id }, { bustCaches: bustLimitCaches, notify: async () => {} });
  res.json({ ok: true });
});
app.post('/orgs/:id/api-limit', async (req, res) => {
  await handleLimit(req.params.id, Number(req.body.limit), apiDomain);
  res.json({ ok: true });
});
`,
};

describe('a function a caller passes in an object, that the callee calls', () => {
  it('runs at the call: its effects are the handler’s, read with the callee’s arguments', async () => {
    const result = await scan(FILES);
    const rows = result.matrix.rows.map((r) => [r.handler, r.line, r.invalidations.map((i) => [i.pattern, i.through, i.isConditional])]);
    expect(rows).toEqual([
      ['POST /orgs/:id/limit-hit', 6, [['billingLimit:{orgId}', ['processHit', 'deps.bustCaches (bustLimitCaches)'], false]]],
      // Behind the callee's condition: on some paths only.
      ['POST /orgs/:id/api-limit', 10, [['limits:{orgId}', ['handleLimit', 'domain.apply'], true]]],
    ]);
    // Both calls are followed: no blind spot is left at them.
    expect(result.findings.filter((f) => f.ruleId === 'unresolved').map((f) => [f.file, f.line, f.message])).toEqual([]);
  });
});
