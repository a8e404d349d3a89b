import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import type { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint.js';
import { writeProject } from '../support/project.js';

const controller = (name: string): string =>
  `import { Controller, Post } from '@nestjs/common';\nimport { InvalidateCachePattern } from 'cache-audit/runtime';\n\n@Controller('${name}')\nexport class ${name}Controller {\n  @Post()\n  @InvalidateCachePattern('quotes:*')\n  create() {}\n}\n`;

const project = (files: Record<string, string>): string => writeProject('eslint-setup', files);

function linter(cwd: string): ESLint {
  return new ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, plugin.configs.recommended as unknown as Linter.Config],
  });
}

async function messages(eslint: ESLint, dir: string): Promise<string[]> {
  const results = await eslint.lintFiles(['src']);
  return results.flatMap((r) =>
    r.messages.map((m) => `${r.filePath.slice(dir.length + 1)}:${String(m.line)}:${String(m.column)} ${m.ruleId ?? 'fatal'} ${m.message}`),
  );
}

const sources = { 'src/a.controller.ts': controller('A'), 'src/b.controller.ts': controller('B'), 'src/c.controller.ts': controller('C') };

describe('setup problems in ESLint', () => {
  it('reports a broken configuration once per run, as an error, naming the file and line', async () => {
    const dir = project({
      ...sources,
      'cache-audit.config.json': '{ "registry": "keys.ts", "registy": "typo" }\n',
      'keys.ts': 'export default { keys: {} };\n',
    });
    const found = await messages(linter(dir), dir);
    expect(found).toEqual([
      expect.stringMatching(
        /^src\/[abc]\.controller\.ts:1:1 cache-audit\/\S+ cache-audit cannot check this file as configured: Invalid configuration: Unrecognized key: "registy"\. Did you mean `registry`\? \(.*cache-audit\.config\.json:1:\d+\)\.$/,
      ),
    ]);
    // A new run reports it again.
    const results = await linter(dir).lintFiles(['src/b.controller.ts']);
    expect(results[0]?.errorCount).toBe(1);
  });

  it('reports an unreadable registry once per run', async () => {
    const dir = project({
      ...sources,
      'cache-audit.config.json': '{ "registry": "keys.ts" }\n',
      'keys.ts': 'export default { keys: { a: { template: "a:{x}" ',
    });
    expect(await messages(linter(dir), dir)).toEqual([
      expect.stringMatching(/^src\/[abc]\.controller\.ts:1:1 .* Syntax error: '}' expected\. \(.*keys\.ts:1:49\)\.$/),
    ]);
  });

  it('reports a registry path where no file is at the line of the configuration that writes it, as the CLI does', async () => {
    const dir = project({ ...sources, 'cache-audit.config.json': '{\n  "registry": "src/cache/key.ts"\n}\n' });
    expect(await messages(linter(dir), dir)).toEqual([
      expect.stringMatching(
        /^src\/[abc]\.controller\.ts:1:1 \S+ cache-audit cannot check this file as configured: `registry`: no file at 'src\/cache\/key\.ts' \(relative to the folder of this configuration\): check the path\. \(.*cache-audit\.config\.json:2:15\)\.$/,
      ),
    ]);
  });

  it('reports a registry problem at its place when the registry itself is linted', async () => {
    const dir = project({
      ...sources,
      'cache-audit.config.json': '{ "registry": "src/keys.ts" }\n',
      'src/keys.ts': 'export default { keys: { a: { template: "a:{x}", ttl: -5 }, quotes: { template: "quotes:{id}", ttl: 60 } } };\n',
    });
    const found = await messages(linter(dir), dir);
    expect(found).toEqual([
      expect.stringMatching(/^src\/[abc]\.controller\.ts:1:1 .* The ttl of `a` must be a positive number/),
      expect.stringMatching(/^src\/keys\.ts:1:55 .* The ttl of `a` must be a positive number/),
    ]);
  });

  it('keeps working in a live process when the configuration file is deleted', async () => {
    const dir = project({
      ...sources,
      'cache-audit.config.json': '{ "registry": "keys.json" }\n',
      'keys.json': '{ "keys": { "quotes": { "template": "quotes:{id}" } } }\n',
    });
    const eslint = linter(dir);
    expect(await messages(eslint, dir)).toEqual([]);
    rmSync(join(dir, 'cache-audit.config.json'));
    // The configuration is trusted for a second without a new stat (RECHECK_MS).
    await new Promise((done) => setTimeout(done, 1100));
    const after = await messages(eslint, dir);
    expect(after.filter((m) => m.includes('ENOENT') || m.includes('fatal'))).toEqual([]);
    writeFileSync(join(dir, 'cache-audit.config.json'), '{ "registry": "missing.json" }\n');
    await new Promise((done) => setTimeout(done, 1100));
    expect(await messages(eslint, dir)).toEqual([
      expect.stringMatching(
        /^src\/[abc]\.controller\.ts:1:1 .*`registry`: no file at 'missing\.json'.*cache-audit\.config\.json:1:15\)\.$/,
      ),
    ]);
  });
});
