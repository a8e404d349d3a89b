import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadRegistry } from '../../src/index.js';
import type { LoadedRegistry } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cache-audit-registry-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function load(text: string | Buffer, extension = '.ts'): LoadedRegistry {
  const file = join(dir, `registry-${String(counter++)}${extension}`);
  writeFileSync(file, text);
  return loadRegistry(file);
}

/** Diagnostics as `line:column-endLine:endColumn message`. */
function located(result: LoadedRegistry): string[] {
  return result.diagnostics.map((d) => `${String(d.line)}:${String(d.column)}-${String(d.endLine)}:${String(d.endColumn)} ${d.message}`);
}

describe('loadRegistry: accepted forms', () => {
  it('reads defineCacheRegistry with same-file constants, arithmetic and aliases', () => {
    const result = load(`import { defineCacheRegistry as define } from 'cache-audit/runtime';
const QUOTES = 'quotes';
const MINUTE = 60;
const NS = { dashboard: 'dashboard' } as const;
export const cacheKeys = define({
  prefix: 'onquota:',
  keys: {
    dashboardKpis: { template: \`\${NS.dashboard}:kpis:{tenantId}:{hash}\`, ttl: 5 * MINUTE, dependsOn: [QUOTES, 'clients'] },
    ['quotes' + 'List']: { template: QUOTES + ':list:{tenantId}:{hash}', ttl: MINUTE },
  },
});
`);
    expect(located(result)).toEqual([]);
    expect(result.registry?.prefix).toBe('onquota:');
    expect(result.registry?.entries.map((e) => [e.name, e.template, e.ttl, e.dependsOn])).toEqual([
      ['dashboardKpis', 'dashboard:kpis:{tenantId}:{hash}', 300, ['quotes', 'clients']],
      ['quotesList', 'quotes:list:{tenantId}:{hash}', 60, []],
    ]);
    expect(result.locations.get('quotesList')).toEqual({ line: 9, column: 5 });
  });

  it('reads an exported object literal with as const or satisfies', () => {
    for (const suffix of ['as const', 'satisfies RegistryDefinition', '']) {
      const result = load(`import type { RegistryDefinition } from 'cache-audit';
export default { keys: { quotesList: { template: 'quotes:list:{tenantId}' } } } ${suffix};
`);
      expect(located(result)).toEqual([]);
      expect(result.registry?.entries.map((e) => e.name)).toEqual(['quotesList']);
    }
  });

  it('reads module.exports in CommonJS files', () => {
    const result = load(`module.exports = { keys: { a: { template: 'a:{x}', ttl: 10 } } };\n`, '.cjs');
    expect(result.registry?.entries.map((e) => e.ttl)).toEqual([10]);
  });

  it('reads the JSON form', () => {
    const result = load(
      `{ "$schema": "./node_modules/cache-audit/schema/registry.schema.json",
  "prefix": "app:", "keys": { "quotesList": { "template": "quotes:list:{tenantId}", "ttl": 60 } } }`,
      '.json',
    );
    expect(located(result)).toEqual([]);
    expect(result.registry?.entries.map((e) => e.template)).toEqual(['quotes:list:{tenantId}']);
  });

  it('caches the result and refreshes it when the file changes (checked at most once a second)', () => {
    const file = join(dir, 'cached.ts');
    writeFileSync(file, `export default { keys: { a: { template: 'a:{x}' } } };\n`);
    const first = loadRegistry(file);
    expect(loadRegistry(file)).toBe(first);
    writeFileSync(file, `export default { keys: { a: { template: 'a:{x}' }, bb: { template: 'b:{x}' } } };\n`);
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    // Within the recheck interval the cached result is trusted; after it, the change is seen.
    expect(loadRegistry(file)).toBe(first);
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + 1500);
    const second = loadRegistry(file);
    vi.restoreAllMocks();
    expect(second).not.toBe(first);
    expect(second.registry?.entries.map((e) => e.name)).toEqual(['a', 'bb']);
  });
});

describe('loadRegistry: each unsupported form is a located message', () => {
  it.each([
    [
      'a spread of keys',
      `const base = {};\nexport default { keys: { ...base, a: { template: 'a:{x}' } } };\n`,
      '2:26-2:33 The spread `...base` cannot be read statically: list the entries inline.',
    ],
    [
      'an imported constant',
      `import { QUOTES } from './names';\nexport default { keys: { a: { template: QUOTES } } };\n`,
      "2:41-2:47 `QUOTES` is imported from './names': the registry is read from this file alone, so define it here or write the value inline.",
    ],
    [
      'a function call',
      `export default { keys: { a: { template: 'a:{x}', ttl: minutes(5) } } };\n`,
      '1:55-1:65 The call `minutes(…)` cannot be read without running the code: write the value inline.',
    ],
    [
      'a let variable',
      `let T = 'a:{x}';\nexport default { keys: { a: { template: T } } };\n`,
      '2:41-2:42 `T` is not a `const` defined in this file: define it here or write the value inline.',
    ],
    [
      'a computed name that cannot be read',
      `export default { keys: { [name()]: { template: 'a:{x}' } } };\n`,
      '1:26-1:34 The property name `[name()]` cannot be read statically: write a plain name.',
    ],
    [
      'a duplicate key name',
      `export default { keys: {\n  a: { template: 'a:{x}' },\n  a: { template: 'b:{x}' },\n} };\n`,
      '3:3-3:27 Duplicate name `a` (also on line 2): each name once.',
    ],
    [
      'a duplicate template',
      `export default { keys: { a: { template: 'a:{x}' }, b: { template: 'a:{y}' } } };\n`,
      '1:67-1:74 The template `a:{y}` duplicates the one of `a`: one key family per template.',
    ],
    [
      'a malformed template',
      `export default { keys: { a: { template: 'a:{x' } } };\n`,
      '1:41-1:47 Malformed template `a:{x` of `a`: A `{` without `}`: write parameters as `{name}`.',
    ],
    [
      'a ttl that is not positive',
      `export default { keys: { a: { template: 'a:{x}', ttl: 0 } } };\n`,
      '1:55-1:56 The ttl of `a` must be a positive number of seconds, not number 0.',
    ],
    [
      'dependsOn that is not a list',
      `export default { keys: { a: { template: 'a:{x}', dependsOn: 'quotes' } } };\n`,
      '1:61-1:69 `dependsOn` of `a` must be a list of resource names (strings), not the string "quotes".',
    ],
    [
      'an unknown field',
      `export default { keys: { a: { template: 'a:{x}', tll: 60 } } };\n`,
      '1:55-1:57 Unknown field `tll` in key `a`: expected template, ttl, dependsOn, description or hashTag.',
    ],
    ['a syntax error', `export default { keys: { a: { template: 'a:{x}' } };\n`, "1:52-1:53 Syntax error: ',' expected."],
    [
      'no registry at all',
      `export const other = 1;\n`,
      '1:1-1:1 No registry found in this file: write `export const cacheKeys = defineCacheRegistry({ keys: { … } })` or export an object literal with `keys`.',
    ],
    [
      'an argument that is not an object of this file',
      `import { defineCacheRegistry } from 'cache-audit/runtime';\nimport { keys } from './keys';\nexport const r = defineCacheRegistry(keys);\n`,
      '3:38-3:42 The argument of `defineCacheRegistry` must be an object literal written in this file, not `keys`.',
    ],
  ])('%s', (_name, text, expected) => {
    const result = load(text);
    expect(located(result)).toContain(expected);
    expect(result.diagnostics.every((d) => d.file.endsWith('.ts'))).toBe(true);
  });

  it('keeps the keys it could read beside the ones it could not', () => {
    const result = load(
      `export default { keys: {\n  a: { template: 'a:{x}', ttl: minutes(5) },\n  b: { template: 'b:{x' },\n  c: { template: 'c:{x}' },\n} };\n`,
    );
    expect(result.registry?.entries.map((e) => [e.name, e.ttl])).toEqual([
      ['a', undefined],
      ['c', undefined],
    ]);
    expect(result.diagnostics).toHaveLength(2);
  });

  it('locates JSON problems: a duplicate name and a syntax error', () => {
    expect(located(load(`{ "keys": {\n  "a": { "template": "a:{x}" },\n  "a": { "template": "b:{x}" } } }`, '.json'))).toEqual([
      '3:3-3:31 Duplicate name `a` (also on line 2): each name once.',
    ]);
    expect(located(load(`{ "keys": { "a": { "template": "a:{x}", } }`, '.json'))[0]).toMatch(/^1:\d+-1:\d+ Syntax error: /);
  });

  it('explains a missing file, an unsupported extension and a binary file', () => {
    expect(located(loadRegistry(join(dir, 'missing.ts')))[0]).toMatch(/^1:1-1:1 The registry file .*missing\.ts does not exist/);
    expect(located(load('keys: {}', '.yaml'))).toEqual([
      '1:1-1:1 The registry file must be .ts, .mts, .cts, .js, .mjs, .cjs or .json, not .yaml.',
    ]);
    expect(located(load(Buffer.from([0x7b, 0x00, 0x7d]), '.json'))).toEqual(['1:1-1:1 The registry file is binary, not source text.']);
  });
});
