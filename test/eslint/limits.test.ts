import { rmSync } from 'node:fs';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import type { Linter } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CALL_DEPTH, MAX_FILE_BYTES, MAX_NESTING } from '../../src/analysis/limits.js';
import plugin from '../../src/eslint.js';
import { longCallChain, longConcatenation, REAL_FINDING } from '../support/deep-code.js';
import { writeProject } from '../support/project.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** Lints a project of the real finding and `generated`, with the recommended config: `file:line rule message` per message. */
async function lint(generated: string): Promise<string[]> {
  const cwd = writeProject('eslint-limits', { 'src/quotes.controller.ts': REAL_FINDING, 'src/generated.ts': generated });
  roots.push(cwd);
  const eslint = new ESLint({
    cwd,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tsParser } }, plugin.configs.recommended as unknown as Linter.Config],
  });
  const results = await eslint.lintFiles(['src']);
  return results.flatMap((r) =>
    r.messages.map((m) => `${r.filePath.slice(cwd.length + 1)}:${String(m.line)} ${m.ruleId ?? 'fatal'} ${m.message}`),
  );
}

const REAL = 'src/quotes.controller.ts:7 cache-audit/no-invalidation-in-query';

describe('ESLint on a file the analysis cannot follow', () => {
  it('reports a file nested too deeply once, and the other files as ever', async () => {
    // Deeper than the analysis walks, shallower than what the ESLint parser can take.
    const messages = await lint(longConcatenation(MAX_NESTING + 100));
    expect(messages.filter((m) => m.startsWith(REAL))).toHaveLength(1);
    expect(messages.filter((m) => m.startsWith('src/generated.ts'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^src/generated\\.ts:6 cache-audit/\\S+ .*Analysis gave up: an expression is nested deeper than ${String(MAX_NESTING)} levels; the file is not audited\\.`,
        ),
      ),
    ]);
  });

  it('reports a chain of calls deeper than the limit once, instead of crashing the run', async () => {
    const messages = await lint(longCallChain(3000));
    expect(messages.filter((m) => m.startsWith(REAL))).toHaveLength(1);
    expect(messages.filter((m) => m.startsWith('src/generated.ts'))).toEqual([
      expect.stringContaining(`Analysis gave up: calls nested deeper than ${String(MAX_CALL_DEPTH)} levels; the file is not audited.`),
    ]);
  });

  it('skips a file larger than the CLI reads, with one report', async () => {
    const padding = `// ${'x'.repeat(1020)}\n`.repeat(Math.ceil(MAX_FILE_BYTES / 1024) + 200);
    const messages = await lint(`${padding}${longCallChain(1)}`);
    expect(messages.filter((m) => m.startsWith(REAL))).toHaveLength(1);
    expect(messages.filter((m) => m.startsWith('src/generated.ts'))).toEqual([
      expect.stringMatching(/^src\/generated\.ts:1 cache-audit\/\S+ .*Skipped: 2\.2 MB is larger than 2\.0 MB \(generated code\?\)\./),
    ]);
  });
});
