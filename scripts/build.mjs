// Builds dist/esm (ES modules with types) and dist/cjs (CommonJS with CommonJS types, for `require`).
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.cjs.json'], { stdio: 'inherit' });
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

// `require('cache-audit/eslint')` is the plugin itself, as CommonJS ESLint configs expect; `.default`
// and `.rules` still work for code compiled from `import plugin from 'cache-audit/eslint'`.
appendFileSync(
  'dist/cjs/src/eslint.js',
  `\nmodule.exports = exports.default;\nObject.defineProperty(module.exports, 'default', { value: module.exports, enumerable: false });\n`,
);
renameSync('dist/cjs/src/eslint.d.ts', 'dist/cjs/src/eslint-plugin.d.ts');
writeFileSync(
  'dist/cjs/src/eslint.d.ts',
  `import plugin from './eslint-plugin.js';\ndeclare const exported: typeof plugin & { readonly default: typeof plugin };\nexport = exported;\n`,
);
