import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('handed-keys');

// A cache class of the project's own, over a Map, invalidated by bumping a per-key epoch, or an
// organization's, that every read compares: no cache client the audit knows is called on the way.
const ENV_CACHE = `type Stamped<V> = { value: V; epoch: number; orgId: string; orgEpoch: number };
export class EnvCache {
  readonly #entries = new Map<string, Stamped<string>>();
  readonly #epochs = new Map<string, number>();
  readonly #orgEpochs = new Map<string, number>();
  #epoch(key: string): number {
    return this.#epochs.get(key) ?? 0;
  }
  #orgEpoch(orgId: string): number {
    return this.#orgEpochs.get(orgId) ?? 0;
  }
  #bump(key: string): void {
    this.#epochs.set(key, this.#epoch(key) + 1);
  }
  getEnv(id: string): string | undefined {
    const entry = this.#entries.get(\`env:\${id}\`);
    if (entry === undefined || entry.orgEpoch !== this.#orgEpoch(entry.orgId)) return undefined;
    return entry.epoch === this.#epoch(\`env:\${id}\`) ? entry.value : undefined;
  }
  setEnv(id: string, orgId: string, value: string): void {
    const epoch = this.#epoch(\`env:\${id}\`);
    this.#entries.set(\`env:\${id}\`, { value, epoch, orgId, orgEpoch: this.#orgEpochs.get(orgId) ?? 0 });
  }
  invalidateEnvironment(id: string): void {
    console.info(\`env:\${id}\`);
    this.#bump(\`env:\${id}\`);
    this.#bump('authEnv:' + id);
  }
  invalidateOrganization(orgId: string): void {
    this.#orgEpochs.set(orgId, this.#orgEpoch(orgId) + 1);
  }
  invalidateEverything(): void {
    this.#entries.clear();
  }
  invalidateLater(reason: string): void {
    console.info(\`env:\${reason}\`);
    void fetch(\`https://cache.internal/purge/\${reason}\`, { method: 'POST' });
  }
}
export const envCache = new EnvCache();
`;

const SERVER = `import express from 'express';
import { envCache } from './env-cache';
export const app = express();
app.post('/envs/:id/pause', async (req, res) => {
  const environmentId = req.params.id;
  envCache.invalidateEnvironment(environmentId);
  res.json({ ok: true });
});
app.post('/orgs/:id', async (req, res) => {
  envCache.invalidateOrganization(req.params.id);
  res.json({ ok: true });
});
app.post('/envs/reset', async (req, res) => {
  envCache.invalidateEverything();
  res.json({ ok: true });
});
app.post('/envs/later', async (req, res) => {
  envCache.invalidateLater('later');
  res.json({ ok: true });
});
`;

describe('a method named like an invalidation that reaches no cache client', () => {
  it('clears the keys it hands on, or those its class reads with a field it changes', async () => {
    const result = await scan({ 'src/env-cache.ts': ENV_CACHE, 'src/server.ts': SERVER });
    const rows = result.matrix.rows.map((r) => [r.handler, r.line, r.invalidations.map((i) => [i.pattern, i.through])]);
    expect(rows).toEqual([
      [
        'POST /envs/:id/pause',
        4,
        [
          ['env:{id}', ['EnvCache.invalidateEnvironment']],
          ['authEnv:{id}', ['EnvCache.invalidateEnvironment']],
        ],
      ],
      // A field the reads of \`env:\${id}\` consult, changed: every entry of the family, as the hole says.
      ['POST /orgs/:id', 9, [['env:{id}', ['EnvCache.invalidateOrganization']]]],
      ['POST /envs/reset', 13, [['env:{id}', ['EnvCache.invalidateEverything']]]],
      // No key handed on (a message, a URL), no field changed: the call's own argument, as any call named so.
      ['POST /envs/later', 17, [['later', []]]],
    ]);
    // The keys are known, so the call's argument is no pattern left unread.
    expect(result.findings.filter((f) => f.file === 'src/server.ts').map((f) => [f.line, f.ruleId, f.message])).toEqual([]);
  });
});
