/**
 * cache-audit/runtime: what applications ship. It must stay light: no analysis code, and none of
 * eslint, typescript or ts-morph (a test holds it to that).
 */
export { defineCacheRegistry, createRegistry, RegistryError } from '../registry/index.js';
export type { CacheRegistry, KeyDefinition, KeyParams, ParamValue, RegistryEntry } from '../registry/index.js';
export { matches } from '../patterns/match.js';
export { escapeGlob } from '../patterns/escape.js';
export { createCache, getCache, resetCache, hashArguments } from './cache.js';
export type { Cache, CacheOptions, CacheErrorContext, Invocation, ParamResolver, WarmEntry } from './cache.js';
export { CacheDeleteError, CacheKeyError, CacheTimeoutError, CacheValueError } from './errors.js';
export { CacheMetrics } from './metrics.js';
export type { FamilyStats, HitRateAlert, HitRateWindow } from './metrics.js';
export { MemoryStore } from './memory-store.js';
export type { MemoryStoreOptions } from './memory-store.js';
export type { CacheStore, CacheLogger, DeleteOptions } from './store.js';
export { RedisStore } from './redis-store.js';
export type { RedisClientLike, RedisClusterLike, RedisStoreOptions } from './redis-store.js';
export { keySlot, patternSlot } from './cluster-slot.js';
export { invalidateCachePattern } from './middleware.js';
export type { MiddlewareOptions, UniversalMiddleware } from './middleware.js';
export { registerPrometheus } from './prometheus.js';
export type { PromClientLike, PrometheusOptions } from './prometheus.js';
export { InvalidateCachePattern, invalidateMultiple, Cacheable, NoCacheInvalidation, SkipInvalidation, Mutates } from './decorators.js';
export type { MethodDecorator, MarkerDecorator, InvalidateOptions, CacheableOptions } from './decorators.js';
