import { requirePackage } from './require-package.cjs';

export { keepCompiledCode, saveCompiledCode } from './require-package.cjs';
import type { TS } from './syntax.js';

/** The `typescript` package cannot be found: a setup error (exit 2 in the CLI), with what to do. */
export class MissingTypeScriptError extends Error {
  constructor() {
    super('the typescript package (a peer dependency) cannot be found: install it with `npm install --save-dev typescript`.');
    this.name = 'MissingTypeScriptError';
  }
}

let loaded: TS | undefined;

/**
 * The one TypeScript of the process: the `typescript` package, loaded on first use with `require`
 * (an ESM import would run Node's format detection and export scan over its 9 MB file), shared by
 * the scanner, the registry loader and the ESLint rules.
 */
export function typescript(): TS {
  if (loaded) return loaded;
  try {
    loaded = requirePackage('typescript') as TS;
  } catch (error) {
    const isMissing =
      error instanceof Error && (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && error.message.includes("'typescript'");
    throw isMissing ? new MissingTypeScriptError() : error;
  }
  return loaded;
}
