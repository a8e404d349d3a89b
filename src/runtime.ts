/**
 * cache-audit/runtime: the runtime package `@cache-audit/runtime`, re-exported so that existing
 * imports keep working. Applications that want only the runtime install that package alone.
 */
export * from '@cache-audit/runtime';
