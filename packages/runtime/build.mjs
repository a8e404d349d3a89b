// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with its own declarations, so that
// `import` and `require` both get types of their own module kind.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(`${here}/dist`, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', `${here}/tsconfig.json`], { stdio: 'inherit' });
execFileSync(process.execPath, [tsc, '-p', `${here}/tsconfig.cjs.json`], { stdio: 'inherit' });
mkdirSync(`${here}/dist/cjs`, { recursive: true });
writeFileSync(`${here}/dist/cjs/package.json`, `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
