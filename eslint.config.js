// The project's own lint: typescript-eslint's strictTypeChecked rules (type-aware, through the
// project service) on the TypeScript sources and tests; the plain .js/.mjs/.cjs files get the same
// rules without type information.
import js from '@eslint/js';
import eslintPlugin from 'eslint-plugin-eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/ point one way: patterns and ts at the bottom, then registry, analysis, and
 * scanner, cli, eslint and report above; the runtime (what applications ship) stands on patterns
 * and the runtime part of the registry alone. Imports are relative, so each folder lists, as a
 * regular expression over the import path, what it may not reach.
 */
const layer = (folder, patterns) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  {
    ignores: ['dist/**', 'packages/*/dist/**', 'node_modules/**', 'fixtures/**', 'bench/out/**', 'coverage/**', 'test/artifacts/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'bench/*.mjs', 'scripts/*.mjs', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layer('patterns', [{ regex: '^\\.\\./', message: 'src/patterns is the bottom layer: it imports nothing else of the project.' }]),
  layer('ts', [{ regex: '^\\.\\./', message: 'src/ts holds generic TypeScript helpers: it imports nothing else of the project.' }]),
  layer('registry', [{ regex: '^\\.\\./(?!(patterns|ts)/)', message: 'src/registry imports only src/patterns and src/ts.' }]),
  layer('analysis', [
    {
      regex: '^(\\.\\./)+(scanner|cli|eslint|report)(/|\\.js$)',
      message: 'src/analysis is below the scanner, the CLI, the ESLint glue and the reporters: it cannot import them.',
    },
  ]),
  // The reporters render a result: its types, and the catalogue of rules (data, importing nothing) for SARIF.
  layer('report', [
    {
      regex: '^\\.\\./(?!scanner/result\\.js$|analysis/catalogue\\.js$)',
      message: 'src/report imports only the result types (src/scanner/result.ts) and the rule catalogue.',
    },
  ]),
  layer('runtime', [
    {
      regex: '^\\.\\./(?!patterns/|registry/(define|model|index)\\.js$)',
      message:
        'src/runtime imports only src/patterns and the runtime part of the registry (define, model): not the analysis, the scanner, src/ts or the registry loader.',
    },
    {
      regex: '^(typescript|ts-morph|eslint|@typescript-eslint/.*)$',
      message: 'src/runtime is what applications ship: no TypeScript, ts-morph or ESLint.',
    },
  ]),
  {
    files: ['rules/**/*.ts'],
    ...eslintPlugin.configs.recommended,
    rules: {
      ...eslintPlugin.configs.recommended.rules,
      'eslint-plugin/require-meta-docs-description': ['error', { pattern: '^(Enforce|Require|Disallow)' }],
      'eslint-plugin/require-meta-docs-url': 'off',
      // Reports and suggestions go through one shared helper (src/eslint/create-rule.ts), which
      // this rule cannot follow; the rule tests assert every suggestion instead.
      'eslint-plugin/require-meta-has-suggestions': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: globals.node,
    },
  },
);
