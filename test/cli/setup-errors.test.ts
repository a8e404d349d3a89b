import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';

const CONTROLLER = `import { Controller, Post } from '@nestjs/common';\n\n@Controller('quotes')\nexport class QuotesController {\n  @Post()\n  create() {}\n}\n`;

function project(files: Record<string, string | Buffer | null>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cache-audit-setup-'));
  const all: Record<string, string | Buffer | null> = { 'src/quotes.controller.ts': CONTROLLER, ...files };
  for (const [name, content] of Object.entries(all)) {
    mkdirSync(join(dir, name, content === null ? '' : '..'), { recursive: true });
    if (content !== null) writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** A handler that flushes everything: an error with or without a registry. */
const BROAD = `import { Controller, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n\n@Controller('quotes')\nexport class QuotesController {\n  @Post()\n  @InvalidateCachePattern('*')\n  create() {}\n}\n`;

const config = (value: unknown): string => `${JSON.stringify(value)}\n`;

/** [case, files, extra arguments, what the one line says (after `cache-audit: `)] */
const CASES: [string, Record<string, string | Buffer | null>, string[], RegExp][] = [
  [
    'a registry file that is missing',
    { 'cache-audit.config.json': config({ registry: 'keys.ts' }) },
    [],
    /^cache-audit\.config\.json:1:13: `registry`: no file at 'keys\.ts' \(relative to the folder of this configuration\): check the path\.$/,
  ],
  [
    'an empty registry file',
    { 'cache-audit.config.json': config({ registry: 'keys.ts' }), 'keys.ts': '' },
    [],
    /^keys\.ts:1:1: .*(empty|no|export)/i,
  ],
  [
    'an empty JSON registry',
    { 'cache-audit.config.json': config({ registry: 'keys.json' }), 'keys.json': '' },
    [],
    /^keys\.json:1:1: The JSON registry is empty/,
  ],
  [
    'a registry path that is a directory',
    { 'cache-audit.config.json': config({ registry: 'keys' }), keys: null },
    [],
    /^keys:1:1: The registry path .* is not a file\.$/,
  ],
  [
    'a binary registry',
    { 'cache-audit.config.json': config({ registry: 'keys.ts' }), 'keys.ts': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]) },
    [],
    /^keys\.ts:1:1: The registry file is binary/,
  ],
  [
    'a registry with a syntax error',
    { 'cache-audit.config.json': config({ registry: 'keys.ts' }), 'keys.ts': 'export default { keys: { a: { template: "a:{x}" ' },
    [],
    /^keys\.ts:1:49: Syntax error: '\}' expected\.$/,
  ],
  [
    'a configuration with an unknown key, said where its name is, with the option it misspells',
    { 'cache-audit.config.json': config({ registy: 'keys.ts' }) },
    [],
    /^cache-audit\.config\.json:1:2: Invalid configuration: Unrecognized key: "registy"\. Did you mean `registry`\?$/,
  ],
  [
    'a project directory in the configuration, which the command line takes',
    { 'cache-audit.config.json': config({ root: '/srv/app' }) },
    [],
    /^cache-audit\.config\.json:1:2: Invalid configuration: Unrecognized key: "root"\. The project directory is not an option of the file: remove `root`, and give the directory on the command line .*$/,
  ],
  [
    'an unknown rule, with the rules that take options',
    { 'cache-audit.config.json': '{\n  "rules": {\n    "no-such-rule": {}\n  }\n}\n' },
    [],
    /^cache-audit\.config\.json:3:5: Invalid configuration: `rules`: Unrecognized key: "no-such-rule"\. Remove `no-such-rule`: the options here are `no-broad-pattern`, `require-dependent-invalidation`\.$/,
  ],
  [
    'a JSON configuration with a comma after the last item',
    { 'cache-audit.config.json': '{\n  "ignores": ["dist/**"],\n}\n' },
    [],
    /^cache-audit\.config\.json:2:25: A comma after the last item, which JSON does not allow: remove it\.$/,
  ],
  [
    'a JSON configuration with a comment',
    { 'cache-audit.config.json': '{\n  // the defaults\n}\n' },
    [],
    /^cache-audit\.config\.json:2:3: A comment, which JSON does not allow: remove it, or write this file in TypeScript \(\.ts\), where comments are allowed\.$/,
  ],
  [
    'a JSON registry written as JavaScript: names without quotes, strings in single quotes',
    { 'cache-audit.config.json': config({ registry: 'keys.json' }), 'keys.json': "{ keys: { quote: { template: 'quote:{id}' } } }\n" },
    [],
    /^keys\.json:1:3: `keys`, which JSON does not allow: a name or a string goes in double quotes \("keys"\)\. \(and 3 more in this file\)$/,
  ],
  [
    'a configuration with a wrong type',
    { 'cache-audit.config.json': '{\n  "ignores": "dist"\n}\n' },
    [],
    /^cache-audit\.config\.json:2:14: Invalid configuration: `ignores`: .*array/,
  ],
  [
    'a configuration that is not JSON',
    { 'cache-audit.config.json': '{ "registry": ' },
    [],
    /^cache-audit\.config\.json:1:\d+: Syntax error/,
  ],
  [
    'a missing --tsconfig',
    { 'cache-audit.config.json': config({}) },
    ['--tsconfig', 'missing.json'],
    /^missing\.json:1:1: This tsconfig does not exist: check the --tsconfig path\.$/,
  ],
  [
    'a truncated tsconfig',
    { 'cache-audit.config.json': config({}), 'tsconfig.json': '{ "compilerOptions": { "strict": tr' },
    [],
    /^tsconfig\.json:1:\d+: tsconfig: '\}' expected; fix the file, or name another with --tsconfig\.$/,
  ],
];

describe('configuration errors exit 2 with one clear line, never a green run with the checks off', () => {
  it.each(CASES)('%s', async (_name, files, extra, line) => {
    const dir = project(files);
    const result = await run(['.', ...extra], dir);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(new RegExp(`^cache-audit: ${line.source.slice(1)}`))]);
    expect(result.code).toBe(2);
  });

  it('a configuration without a registry is no error: the families are inferred from the code', async () => {
    const dir = project({ 'cache-audit.config.json': config({}), 'src/quotes.controller.ts': BROAD });
    const result = await run(['.'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('no-broad-pattern');
  });

  it('a tsconfig extending a base that is not installed is read, with a diagnostic', async () => {
    const dir = project({
      'cache-audit.config.json': config({}),
      'src/quotes.controller.ts': BROAD,
      'tsconfig.json': config({ extends: '@company/tsconfig/base.json', include: ['src'] }),
    });
    const result = await run(['.'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("tsconfig: File '@company/tsconfig/base.json' not found.");
  });

  it('a diagnostic quoting a file names it relative to where the command ran, in every report', async () => {
    const dir = project({
      'api/cache-audit.config.json': config({}),
      'api/src/quotes.controller.ts': BROAD,
      'api/tsconfig.json': config({ extends: '../tsconfig.missing.json', include: ['src'] }),
    });
    const text = await run(['api'], dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^ {2}tsconfig\.json:1:1 {2}tsconfig: Cannot read file 'tsconfig\.missing\.json'\.$/m);
    expect(text.stdout).not.toContain(dir);
    const json = await run(['.', '--format', 'json'], join(dir, 'api'));
    const diagnostics = (JSON.parse(json.stdout) as { diagnostics: { message: string }[] }).diagnostics.map((d) => d.message);
    expect(diagnostics).toContain("tsconfig: Cannot read file '../tsconfig.missing.json'.");
  });
});
