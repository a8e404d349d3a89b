import type { FileContext } from './context.js';

/**
 * Whether a specifier looks like a module of the project by its spelling alone: relative or
 * absolute, or a path alias as tsconfig `paths` commonly spell them (`@/`, `~/`, `#`, `src/`).
 * Only the fallback when nothing can resolve modules (ESLint without type information): the CLI
 * and typed ESLint decide by module resolution.
 */
export function looksLikeProjectModule(specifier: string): boolean {
  return (
    specifier.startsWith('.') ||
    specifier.startsWith('/') ||
    specifier.startsWith('@/') ||
    specifier.startsWith('~/') ||
    specifier.startsWith('#') ||
    specifier.startsWith('src/')
  );
}

/**
 * Whether a module imported by this file is the project's own (its calls may hold invalidations,
 * so they are followed or reported as blind spots) rather than a package: by module resolution
 * when a resolver can tell, by the spelling otherwise.
 */
export function isProjectImport(ctx: FileContext, specifier: string): boolean {
  const answer = ctx.resolver?.isProjectModule?.(specifier, ctx.file);
  return answer ?? looksLikeProjectModule(specifier);
}

/**
 * Whether a resolved module is a source file of the project: not a declaration file, and not in
 * node_modules once symbolic links are followed (a workspace package linked there is the project's).
 */
export function isProjectSource(resolvedFileName: string, realpath?: (path: string) => string): boolean {
  if (/\.d\.[cm]?ts$/.test(resolvedFileName)) return false;
  let path = resolvedFileName;
  try {
    path = realpath ? realpath(resolvedFileName) : resolvedFileName;
  } catch {
    // keep the path as resolved
  }
  return !path.split(/[\\/]/).includes('node_modules');
}
