import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { clearConfigCache, loadConfigFor } from '../../src/config/load-config.js';

const root = resolve(import.meta.dirname, '../..');

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cache-audit-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  clearConfigCache();
  return dir;
}

describe('configuration', () => {
  it('keeps schema/config.schema.json generated from the zod schema (npm run schema)', () => {
    const onDisk = JSON.parse(readFileSync(join(root, 'schema/config.schema.json'), 'utf8')) as unknown;
    expect(onDisk).toEqual(configJsonSchema());
  });

  it('validates every fixture configuration with the JSON Schema', () => {
    const validate = new Ajv({ strict: false }).compile(configJsonSchema());
    for (const app of ['quotes-app', 'express-app', 'fastify-app', 'hono-app', 'koa-app', 'nextjs-app', 'nest-services-app']) {
      const config = JSON.parse(readFileSync(join(root, 'fixtures', app, 'cache-audit.config.json'), 'utf8')) as unknown;
      expect(validate(config), app).toBe(true);
    }
    expect(validate({ registy: 'x' })).toBe(false);
  });

  it('is found upward from a file, and relative paths stay relative to it', () => {
    const dir = project({ 'cache-audit.config.json': '{ "registry": "src/keys.ts" }', 'src/deep/x.ts': '' });
    const loaded = loadConfigFor(join(dir, 'src/deep'));
    expect(loaded).toMatchObject({ file: join(dir, 'cache-audit.config.json'), dir, config: { registry: 'src/keys.ts' }, diagnostics: [] });
  });

  it('reads package.json#cacheAudit and TypeScript configuration files without running them', () => {
    const pkg = project({ 'package.json': '{ "name": "x", "cacheAudit": { "registry": "keys.json" } }' });
    expect(loadConfigFor(pkg).config).toEqual({ registry: 'keys.json' });
    const ts = project({
      'cache-audit.config.ts':
        "const REGISTRY = './src/keys.ts';\nexport default { registry: REGISTRY, readOnlyRoutes: ['/search'] } satisfies object;\n",
    });
    expect(loadConfigFor(ts).config).toEqual({ registry: './src/keys.ts', readOnlyRoutes: ['/search'] });
  });

  it('locates invalid options in the file', () => {
    const dir = project({ 'cache-audit.config.json': '{\n  "registry": "keys.ts",\n  "mutationMethods": ["POST", "GETT"]\n}\n' });
    const loaded = loadConfigFor(dir);
    expect(loaded.diagnostics).toHaveLength(1);
    expect(loaded.diagnostics[0]).toMatchObject({ line: 3, column: 31 });
    expect(loaded.diagnostics[0]?.message).toMatch(/^Invalid configuration: `mutationMethods\.1`: /);
  });
});
