// One measured ESLint run in its own process (so that memory is its own): prints JSON.
// Usage: node bench/eslint-run.mjs <parser|noop|recommended|typed-parser|typed-noop|typed-recommended> <dir> [--stats]
// noop: one rule that does nothing, which is what ESLint costs for running any rule at all.
// --stats collects ESLint's per-rule times (TIMING), which slows the run: it is not used for ratios.
import { resolve } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import plugin from '../dist/esm/src/eslint.js';

const [mode = 'parser', dir = 'bench/out/app'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const withStats = process.argv.includes('--stats');
const cwd = resolve(dir);
const isTyped = mode.startsWith('typed');
const withRules = mode.endsWith('recommended');
const noop = { meta: { type: 'problem', schema: [] }, create: () => ({ Program() {} }) };
const extra = withRules
  ? [plugin.configs.recommended]
  : mode.endsWith('noop')
    ? [{ plugins: { bench: { rules: { noop } } }, rules: { 'bench/noop': 'error' } }]
    : [];
const eslint = new ESLint({
  cwd,
  overrideConfigFile: true,
  cache: false,
  stats: withStats,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tsParser, parserOptions: isTyped ? { projectService: true, tsconfigRootDir: cwd } : {} },
    },
    ...extra,
  ],
});
const started = performance.now();
const results = await eslint.lintFiles(['src']);
const ms = performance.now() - started;
const ruleMs = {};
for (const result of results) {
  for (const pass of result.stats?.times?.passes ?? []) {
    for (const [rule, time] of Object.entries(pass.rules ?? {})) ruleMs[rule] = (ruleMs[rule] ?? 0) + time.total;
  }
}
const problems = results.reduce((sum, r) => sum + r.messages.length, 0);
const fatal = results.reduce((sum, r) => sum + r.messages.filter((m) => m.fatal).length, 0);
console.log(JSON.stringify({ mode, files: results.length, ms, problems, fatal, maxRssMb: process.resourceUsage().maxRSS / 1024, ruleMs }));
