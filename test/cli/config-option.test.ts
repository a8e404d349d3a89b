import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/scanner/result.js';
import { run } from '../support/cli.js';
import { plantedApp } from '../support/planted-app.js';
import { writeProject } from '../support/project.js';

const root = writeProject('config-option', {
  ...plantedApp(60),
  // Found from the root: every finding is an error.
  'cache-audit.config.json': `{ "rules": {} }\n`,
  'ci/audit.json': `{\n  "rules": {\n    "require-dependent-invalidation": { "shortTtlSeconds": 60 }\n  }\n}\n`,
  'ci/wrong.json': `{\n  "rules": {\n    "no-such-rule": {}\n  }\n}\n`,
  'ci/broken.json': `{\n  "rules": {\n`,
});
mkdirSync(join(root, 'ci/dir'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const audit = (args: string[]) => run(['.', '--no-color', ...args], root);

describe('--config <file>', () => {
  it('uses the file named instead of the one found from the root', async () => {
    const found = await audit(['--format', 'json']);
    expect(found.code).toBe(1);
    expect((JSON.parse(found.stdout) as ScanResult).configuration).toBe('cache-audit.config.json');
    const named = await audit(['--config', 'ci/audit.json', '--format', 'json']);
    expect(named.code).toBe(0);
    const result = JSON.parse(named.stdout) as ScanResult;
    expect(result.configuration).toBe('ci/audit.json');
    expect(result.findings.map((f) => `${f.file}:${String(f.line)} ${f.ruleId} ${f.severity}`)).toEqual([
      'src/app.ts:16 possibly-stale-family warning',
    ]);
  });

  it('exits 2 on a file that is missing or no file, naming it', async () => {
    for (const path of ['ci/nope.json', 'ci/dir']) {
      expect(await audit(['--config', path])).toEqual({
        code: 2,
        stdout: '',
        stderr: `cache-audit: --config ${path}: no such file. Name the configuration file (cache-audit.config.json, say).\n`,
      });
    }
  });

  it('exits 2 on a broken or invalid file with its file:line, without a stack trace', async () => {
    expect(await audit(['--config', 'ci/broken.json'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "cache-audit: ci/broken.json:3:1: Syntax error: '}' expected. The file must be JSON: names and strings in double quotes, a comma between items and none after the last, no comments.\n",
    });
    expect(await audit(['--config', 'ci/wrong.json'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'cache-audit: ci/wrong.json:3:5: Invalid configuration: `rules`: Unrecognized key: "no-such-rule". Remove `no-such-rule`: the options here are `no-broad-pattern`, `require-dependent-invalidation`.\n',
    });
  });

  it('names one project: --monorepo cannot take it', async () => {
    expect(await audit(['--config', 'ci/audit.json', '--monorepo'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cache-audit: --monorepo and --config cannot be combined: each application has its own configuration.\n',
    });
  });
});
