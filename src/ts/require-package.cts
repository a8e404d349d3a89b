// CommonJS in both builds (a `.cts` file compiles to `.cjs`): `require` finds a package from where
// this package is installed, as a dependency or a peer resolves, and loads it when first asked for,
// without an ES module import (which Node runs through format detection, an export scan and the
// module loader's bookkeeping for every file).

/** `require(name)`: throws what `require` throws when the package is missing. */
export function requirePackage(name: 'typescript' | 'zod'): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point of this file: require, when first needed
  return require(name);
}
