// CommonJS in both builds (a `.cts` file compiles to `.cjs`), so that `require` finds the
// `typescript` package from where this package is installed, as a peer dependency resolves.
import type ts from 'typescript';

/** `require('typescript')`: throws what `require` throws when the package is missing. */
export function requireTypeScript(): typeof ts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point of this file: require, not an ESM import
  return require('typescript') as typeof ts;
}
