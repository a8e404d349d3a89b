import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import * as eslint9 from 'eslint9';
import * as eslint10 from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint.js';

const app = 'nest-services-app';
const cwd = resolve(import.meta.dirname, '../../fixtures', app);
const expected = JSON.parse(readFileSync(resolve(cwd, 'expected-findings.json'), 'utf8')) as {
  findings: { file: string; line: number; rule: string }[];
};

/** A rule that only records, per linted file, whether the parser gave it a TypeScript program. */
const probe = {
  meta: { type: 'problem' as const, schema: [] },
  create(context: { filename: string; sourceCode: { parserServices?: { program?: unknown } } }) {
    typed.set(context.filename, context.sourceCode.parserServices?.program != null);
    return {};
  },
};
const typed = new Map<string, boolean>();

interface Linted {
  filePath: string;
  messages: { line: number; ruleId: string | null; severity: number }[];
}
type EslintModule = { ESLint: new (options: Record<string, unknown>) => { lintFiles(patterns: string[]): Promise<Linted[]> } };

describe.each([
  ['ESLint 10', eslint10 as unknown as EslintModule],
  ['ESLint 9', eslint9 as unknown as EslintModule],
])('the recommendedTypeChecked config with %s', (_name, eslint) => {
  it('lints with types when only the parser is set beside it, and reports the app’s listed defects', async () => {
    typed.clear();
    const linter = new eslint.ESLint({
      cwd,
      overrideConfigFile: true,
      overrideConfig: [
        { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
        plugin.configs.recommendedTypeChecked,
        { plugins: { probe: { rules: { typed: probe } } }, rules: { 'probe/typed': 'error' } },
      ],
    });
    const results = await linter.lintFiles(['src']);
    expect(typed.size).toBe(results.length);
    expect([...typed.values()].every(Boolean)).toBe(true);
    const found = results.flatMap((r) =>
      r.messages.map((m) => `${r.filePath.slice(cwd.length + 1)}:${String(m.line)} ${(m.ruleId ?? 'fatal').replace('cache-audit/', '')}`),
    );
    expect([...new Set(found)].sort()).toEqual([...new Set(expected.findings.map((f) => `${f.file}:${String(f.line)} ${f.rule}`))].sort());
  });
});

describe('the presets', () => {
  it('recommendedTypeChecked has the rules and levels of recommended, and turns on the project service', () => {
    expect(plugin.configs.recommendedTypeChecked.rules).toEqual(plugin.configs.recommended.rules);
    expect(plugin.configs.recommendedTypeChecked.languageOptions).toEqual({ parserOptions: { projectService: true } });
    expect(plugin.configs.recommended.languageOptions).toBeUndefined();
  });
});
