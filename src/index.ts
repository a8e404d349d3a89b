/**
 * cache-audit: the programmatic API. The pattern engine, the registry and its static loader.
 * The ESLint plugin is `cache-audit/eslint`; what applications ship is `cache-audit/runtime`.
 */
export * from './patterns/index.js';
export * from './registry/index.js';
export { loadRegistry } from './registry/load.js';
export type { LoadedRegistry, RegistryDiagnostic } from './registry/load.js';
