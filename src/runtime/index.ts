/**
 * cache-audit/runtime: what applications ship. It must stay light: no analysis code, and none of
 * eslint, typescript or ts-morph (a test holds it to that).
 */
export { defineCacheRegistry, createRegistry, RegistryError } from '../registry/index.js';
export type { CacheRegistry, KeyDefinition, KeyParams, ParamValue, RegistryEntry } from '../registry/index.js';
export { matches } from '../patterns/match.js';
export { escapeGlob } from '../patterns/escape.js';
