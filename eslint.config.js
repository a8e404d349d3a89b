// The project's own lint: typescript-eslint's strictTypeChecked rules (type-aware, through the
// project service) on the TypeScript sources and tests; the plain .js/.mjs/.cjs files get the same
// rules without type information.
import js from '@eslint/js';
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

/** The files of src/scanner below its folders, as regular expressions over an import from a folder. */
const SCANNER_BASE = ['scan-options\\.js$', 'result\\.js$', 'scan-error\\.js$'];
const SCANNER_BASE_FILES = ['src/scanner/scan-options.ts', 'src/scanner/result.ts', 'src/scanner/scan-error.ts'];

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
  // Files and functions a reader can hold in mind: past these, a module or a function hides steps
  // that want names of their own. Every line counts, blank lines and comments too. No declarative
  // table or template is long enough today to need an exception.
  {
    files: ['src/**/*.ts', 'src/**/*.cts', 'packages/*/src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 450, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false }],
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
  // Inside src/scanner, from the bottom: the base files (what a scan is asked, what it answers, why it
  // cannot start), pipeline/ (the stages of a run), incremental/ (what runs keep for one another, the
  // --staged scope), and scan.ts and apps.ts on top; all of them read src/project.
  ...[
    ['pipeline', [], 'src/scanner/pipeline imports, of the scanner, only the base files.'],
    ['incremental', ['pipeline'], 'src/scanner/incremental imports, of the scanner, only pipeline/ and the base files.'],
  ].map(([folder, below, message]) =>
    layer(
      [`src/scanner/${folder}/**/*.ts`, `src/scanner/${folder}/**/*.cts`],
      [SCANNER, { regex: `^\\.\\./(?!\\.\\./|${[...below.map((name) => `${name}/`), ...SCANNER_BASE].join('|')})`, message }],
    ),
  ),
  // The base files of the scanner lie below every folder of it: they import nothing of the scanner.
  layer(SCANNER_BASE_FILES, [
    SCANNER,
    { regex: '^\\./', message: 'The base files of src/scanner (options, result, error) import nothing of the scanner.' },
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
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: globals.node,
    },
  },
);
