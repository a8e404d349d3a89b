import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('handed-keys');

// A cache class of the project's own, over a Map, invalidated by bumping a per-key epoch that
// every read compares: no cache client the audit knows is called on the way.
const ENV_CACHE = `type Stamped<V> = { value: V; epoch: number };
export class EnvCache {
  readonly #entries = new Map<string, Stamped<string>>();
  readonly #epochs = new Map<string, number>();
  #epoch(key: string): number {
    return this.#epochs.get(key) ?? 0;
  }
  #bump(key: string): void {
    this.#epochs.set(key, this.#epoch(key) + 1);
  }
  getEnv(id: string): string | undefined {
    const entry = this.#entries.get(\`env:\${id}\`);
    return entry && entry.epoch === this.#epoch(\`env:\${id}\`) ? entry.value : undefined;
  }
  setEnv(id: string, value: string): void {
    this.#entries.set(\`env:\${id}\`, { value, epoch: this.#epoch(\`env:\${id}\`) });
  }
  invalidateEnvironment(id: string): void {
    console.info(\`env:\${id}\`);
    this.#bump(\`env:\${id}\`);
    this.#bump('authEnv:' + id);
  }
  invalidateEverything(reason: string): void {
    this.#epochs.clear();
    console.info(reason);
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
app.post('/envs/reset', async (req, res) => {
  envCache.invalidateEverything('reset');
  res.json({ ok: true });
});
`;

describe('a method named like an invalidation that reaches no cache client', () => {
  it('clears the keys it hands on, with its parameters bound to the arguments', async () => {
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
      // Nothing written as a key: the call's own argument, as any call named so.
      ['POST /envs/reset', 9, [['reset', []]]],
    ]);
    // The keys are known, so the call's argument is no pattern left unread.
    expect(result.findings.filter((f) => f.file === 'src/server.ts').map((f) => [f.line, f.ruleId, f.message])).toEqual([]);
  });
});
