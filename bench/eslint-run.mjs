// One measured ESLint process (so that its CPU time and memory are its own): prints JSON.
// Usage: node bench/eslint-run.mjs <mode> <dir> [--files list.txt] [--build dir] [--stats]
// Modes: load (ESLint, the TypeScript parser and a configuration for one file, no plugin),
// load-plugin (the same with the plugin's `recommended`), parser, noop, recommended, and the same
// three typed (typed-parser, …: parserOptions.projectService). noop: one rule that does nothing,
// which is what ESLint costs for running any rule at all. noop-flat: the same rule, with ESLint's
// rule contexts made as flat objects instead of objects whose prototype is the file's context
// (`FileContext#extend`): what is left of ESLint's cost of a rule once that is taken away.
// --files: the files to lint, one per line (default: `src` under dir). --build: the checkout whose
// build (and ESLint, parser, TypeScript) to use, for a before/after in one run (default: this one).
// --stats collects ESLint's per-rule times (TIMING), which slows the run: it is not used for ratios.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { files: { type: 'string' }, build: { type: 'string', default: '.' }, stats: { type: 'boolean', default: false } },
});
const [mode = 'parser', dir = 'bench/out/app'] = positionals;
const build = resolve(values.build);
const fromBuild = createRequire(join(build, 'package.json'));
const { default: tsParser } = await import(fromBuild.resolve('@typescript-eslint/parser'));
const { ESLint } = await import(fromBuild.resolve('eslint'));
const isLoadOnly = mode.startsWith('load');
if (mode.endsWith('noop-flat')) flattenRuleContexts();
const withPlugin = mode.endsWith('recommended') || mode === 'load-plugin';
const plugin = withPlugin ? (await import(join(build, 'dist/esm/src/eslint.js'))).default : null;

const cwd = resolve(dir);
const isTyped = mode.startsWith('typed');
const noop = { meta: { type: 'problem', schema: [] }, create: () => ({ Program() {} }) };
const extra = plugin
  ? [plugin.configs.recommended]
  : mode.endsWith('noop') || mode.endsWith('noop-flat')
    ? [{ plugins: { bench: { rules: { noop } } }, rules: { 'bench/noop': 'error' } }]
    : [];
const eslint = new ESLint({
  cwd,
  overrideConfigFile: true,
  cache: false,
  stats: values.stats,
  overrideConfig: [
    {
      files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
      languageOptions: { parser: tsParser, parserOptions: isTyped ? { projectService: true, tsconfigRootDir: cwd } : {} },
    },
    ...extra,
  ],
});
/**
 * ESLint makes each rule's context with `Object.create(fileContext)`: the file's context becomes a
 * prototype, and V8 keeps it (with the file's SourceCode: its AST, tokens and scopes) through young
 * collections, so every file's AST is promoted to the old generation. Made flat here (the same own
 * properties, one shared prototype) for the measurement only.
 */
function flattenRuleContexts() {
  const lib = dirname(fromBuild.resolve('eslint'));
  const { FileContext } = fromBuild(join(lib, 'linter/file-context.js'));
  FileContext.prototype.extend = function extend(extension) {
    return Object.freeze(Object.assign(Object.create(FileContext.prototype), this, extension));
  };
}

const targets = values.files
  ? readFileSync(values.files, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
  : ['src'];
const cpuBefore = process.cpuUsage();
const started = performance.now();
let results = [];
if (isLoadOnly) await eslint.calculateConfigForFile(join(cwd, 'index.ts'));
else results = await eslint.lintFiles(targets);
const ms = performance.now() - started;
const lint = process.cpuUsage(cpuBefore);
const ruleMs = {};
for (const result of results) {
  for (const pass of result.stats?.times?.passes ?? []) {
    for (const [rule, time] of Object.entries(pass.rules ?? {})) ruleMs[rule] = (ruleMs[rule] ?? 0) + time.total;
  }
}
const usage = process.resourceUsage();
console.log(
  JSON.stringify({
    mode,
    files: results.length,
    ms,
    // CPU seconds of the whole process (Node's start and every module load included), and of the lint alone.
    cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    lintCpuS: (lint.user + lint.system) / 1e6,
    problems: results.reduce((sum, r) => sum + r.messages.length, 0),
    fatal: results.reduce((sum, r) => sum + r.messages.filter((m) => m.fatal).length, 0),
    maxRssMb: usage.maxRSS / 1024,
    ruleMs,
  }),
);
