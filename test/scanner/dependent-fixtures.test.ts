import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scanner/scan.js';

interface Listed {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly severity: 'error' | 'warning';
}

interface Expected {
  readonly findings: readonly Listed[];
  /** The whole-project findings, which ESLint does not report. */
  readonly projectFindings?: readonly Listed[];
}

const APPS = ['nextjs-prisma-app', 'nest-prisma-properties-app', 'koa-sequelize-app', 'key-helpers-app'];

describe('the fixture apps without configuration, in the CLI', () => {
  it.each(APPS)('reports the dependent invalidations %s forgets, each at its severity', async (app) => {
    const root = resolve(import.meta.dirname, '../../fixtures', app);
    const expected = JSON.parse(readFileSync(resolve(root, 'expected-findings.json'), 'utf8')) as Expected;
    const result = await scan({ root });
    expect(result.configuration).toBeNull();
    const found = result.findings
      .filter((f) => f.ruleId !== 'unresolved')
      .map((f) => `${f.file}:${String(f.line)} ${f.ruleId} ${f.severity}`)
      .sort();
    const listed = [...expected.findings, ...(expected.projectFindings ?? [])];
    expect(found).toEqual(listed.map((f) => `${f.file}:${String(f.line)} ${f.rule} ${f.severity}`).sort());
  });

  it('names the model, the family, its row of the property table, and where the family is read and filled', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures/nest-prisma-properties-app') });
    expect(result.findings.map((f) => [f.message, ...(f.details ?? [])])).toEqual([
      [
        'AdminController.addFeaturedClient leaves a cached family stale: `clients:featured`.',
        "- `clients:featured` holds Property (its row where key is 'FEATURED_CLIENTS'; read at src/clients/featured-clients.service.ts:19, filled at src/clients/featured-clients.service.ts:23, ttl 21600 s); it writes Property (upsert) at src/property/property.service.ts:18: delete `clients:featured`.",
        "Invalidate it, or `@NoCacheInvalidation('reason')` if it need not be fresh.",
      ],
    ]);
  });

  it('says where a deletion matches no key the code writes', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures/koa-sequelize-app') });
    expect(
      result.findings
        .filter((f) => f.ruleId === 'wrong-key' || f.ruleId === 'dead-family' || f.ruleId === 'dead-invalidation')
        .map((f) => `${String(f.line)}:${String(f.column)} ${f.message}`),
    ).toEqual([
      '20:19 del() deletes `token`, a key of runtime values only, but no key the code writes can be it (it writes `team:members:{teamId}`, `auth:{token}`): the entry it means to clear stays. Delete the key the entry is stored under.',
      '26:19 del() invalidates `invites:{teamId}`, but nothing in the project reads, fills or keeps a key it matches: the entry it means to clear is stored under another key, or the family is gone.',
      '38:19 del() deletes `teams:members:{teamId}`, but nothing in the project reads, fills or writes a key it can be; the code keeps `team:members:{teamId}`: the entry it means to clear is stored there. Delete that key.',
    ]);
  });

  it('reads the keys a helper deletes (mapped, one by one, scanned, by a prefix table or hash tag) and an epoch rotated', async () => {
    const result = await scan({ root: resolve(import.meta.dirname, '../../fixtures/key-helpers-app') });
    const shown = (handler: string) =>
      result.matrix.rows.find((r) => r.handler === handler)?.invalidations.map((i) => [i.pattern, i.kind, i.through.at(-1)]);
    expect(shown('DELETE /projects/:id/access-keys')).toEqual([
      ['access-key:{id}', 'key', 'deleteMany'],
      ['access-key:{id}', 'key', 'deleteMany'],
    ]);
    expect(shown('PUT /projects/:id/prices/:model')).toEqual([
      ['price:{projectId}:*', 'pattern', 'deleteMany'],
      ['price:{projectId}:*', 'pattern', 'deleteMany'],
    ]);
    // A fresh token stored under the epoch key that every snippet key embeds retires them all.
    expect(shown('PUT /projects/:id/snippets/:name')).toEqual([['snippet_epoch:{projectId}', 'key', 'SnippetService.invalidateCache']]);
    expect(
      result.findings.filter((f) => f.ruleId !== 'unresolved').map((f) => [f.severity, f.file, f.line, f.column, f.ruleId, f.message]),
    ).toEqual([
      [
        'error',
        'src/routes.ts',
        38,
        5,
        'require-dependent-invalidation',
        'PATCH /projects/:id/prices/:model leaves a cached family stale: `price:{projectId}:{model}`.',
      ],
    ]);
  });
});
