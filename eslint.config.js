// The project's own lint: typescript-eslint's strictTypeChecked rules (type-aware, through the
// project service) on the TypeScript sources and tests; the plain .js/.mjs/.cjs files get the same
// rules without type information.
import js from '@eslint/js';
import eslintPlugin from 'eslint-plugin-eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers point one way. From the bottom: ts (generic TypeScript helpers) and patterns, then
 * registry, analysis, config (read against the analysis's schema), rules/ (one definition per rule,
 * on the analysis), project (a whole project's files and the calls between them, read by both front
 * ends), then eslint and scanner side by side, report (which reads only the result types and the
 * list of rules) and cli at the top; of the ESLint side only the plugin's entry (src/eslint.ts)
 * reads rules/, and turns each definition into an ESLint rule. The runtime
 * package (what applications ship) stands on nothing but Node. Imports are relative, so each folder
 * lists, as regular expressions over the import path, what it may not reach.
 */
const layer = (files, patterns) => ({
  files: Array.isArray(files) ? files : [`src/${files}/**/*.ts`],
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

/** An import of one of these folders of src/ (or of a file at its top, such as version.ts), from any depth. */
const reaching = (...names) => `^(\\.\\./)+(${names.join('|')})(/|\\.js$)`;
/** Any import outside the folder itself. */
const OUTSIDE = '^\\.\\./';
/** Any package import but Node's own modules. */
const PACKAGES = '^(?!node:|\\.)';

const SCANNER = {
  regex: reaching('eslint', 'report', 'cli'),
  message:
    'src/scanner is a front end beside the ESLint glue: it imports the analysis and the layers below, not the plugin, the reporters or the CLI.',
};

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
  layer('ts', [{ regex: OUTSIDE, message: 'src/ts holds generic TypeScript helpers: it imports nothing else of the project.' }]),
  layer('patterns', [{ regex: OUTSIDE, message: 'src/patterns is the bottom layer: it imports nothing else of the project.' }]),
  layer('registry', [{ regex: '^\\.\\./(?!(patterns|ts)/)', message: 'src/registry imports only src/patterns and src/ts.' }]),
  layer('analysis', [
    {
      regex: reaching('config', 'project', 'eslint', 'scanner', 'report', 'cli', 'rules', 'version'),
      message:
        'src/analysis stands on src/patterns, src/registry and src/ts alone: the front ends, the configuration loader and the reporters are above it.',
    },
  ]),
  layer('config', [
    {
      regex: reaching('project', 'eslint', 'scanner', 'report', 'cli', 'rules', 'version'),
      message:
        'src/config is read by the ESLint glue and the scanner: it imports only the analysis, the registry, the patterns and src/ts.',
    },
  ]),
  layer('eslint', [
    {
      regex: reaching('scanner', 'report', 'cli', 'rules'),
      message:
        'src/eslint is a front end beside the scanner: it imports the analysis and the layers below, not the scanner, the reporters, the CLI or the rules.',
    },
  ]),
  layer('scanner', [SCANNER]),
  // The project's files, modules, exports, call targets and tables: both front ends read other files through them.
  layer('project', [
    {
      regex: reaching('config', 'eslint', 'scanner', 'report', 'cli', 'rules', 'version'),
      message:
        'src/project is the reading of a whole project under both front ends: it imports the analysis and the layers below, not the configuration loader, the front ends, the reporters or the CLI.',
    },
  ]),
  // The result types are what the reporters render: they import nothing.
  layer(['src/scanner/result.ts'], [{ regex: '^\\.', message: 'src/scanner/result.ts holds the result types alone: it imports nothing.' }]),
  // The reporters render a result: its types, the list of rules for SARIF, and the one-line escape of messages.
  layer('report', [
    {
      regex: '^\\.\\./(?!scanner/result\\.js$|analysis/messages\\.js$|\\.\\./rules/index\\.js$)',
      message:
        'src/report imports only the result types (src/scanner/result.ts), the list of rules (rules/index.ts) and src/analysis/messages.ts.',
    },
  ]),
  layer('cli', [
    {
      regex: reaching('analysis', 'eslint', 'rules'),
      message: 'src/cli is a thin shell over scan(): it reaches the analysis through the scanner, and never the ESLint plugin.',
    },
  ]),
  layer(
    ['rules/**/*.ts'],
    [
      {
        regex: '^\\.\\./src/(?!analysis/|patterns/|registry/|ts/)',
        message: 'A rule is defined on the analysis (and the patterns, the registry and src/ts below it): not on a front end.',
      },
    ],
  ),
  // The runtime package is what applications ship: no dependency, and its own folders point one way.
  ...[
    ['patterns', OUTSIDE, 'its patterns are its bottom layer: they import nothing else of it'],
    ['registry', '^\\.\\./(?!patterns/)', 'its registry imports only its patterns'],
    ['runtime', '^\\.\\./(?!(patterns|registry)/)', 'its runtime imports only its patterns and registry'],
  ].map(([folder, regex, says]) =>
    layer(
      [`packages/runtime/src/${folder}/**/*.ts`],
      [
        { regex: PACKAGES, message: "The runtime package has no dependencies: it imports Node's own modules only." },
        { regex, message: `In the runtime package, ${says}.` },
      ],
    ),
  ),
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
