import { getCache, hashArguments } from './cache.js';
import type { Cache, Invocation } from './cache.js';
import type { ParamValue } from '../registry/model.js';

type Method = (this: unknown, ...args: never[]) => unknown;

/**
 * A method decorator for both decorator dialects: TypeScript's `experimentalDecorators` (NestJS)
 * and TC39 standard decorators.
 */
export interface MethodDecorator {
  <T extends Method>(value: T, context: ClassMethodDecoratorContext): T;
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
}

/** A decorator that changes nothing, for any target (class, method, property) in either dialect. */
export type MarkerDecorator = (target: unknown, context?: unknown, descriptor?: unknown) => void;

type Params = Readonly<Record<string, ParamValue | undefined>>;

export interface InvalidateOptions {
  /** Parameters for `{param}` placeholders, from the handler's arguments (default: the cache's resolver). */
  readonly params?: (...args: never[]) => Params;
  /** `success` (default): only after the handler succeeds; `always`: after it throws, too. */
  readonly when?: 'success' | 'always';
}

export interface CacheableOptions {
  /** Parameters of the key, from the handler's arguments (default: the cache's resolver; `hash` from the arguments). */
  readonly params?: (...args: never[]) => Params;
}

const INVALIDATION = Symbol.for('cache-audit.invalidation');

interface InvalidationPlan {
  patterns: string[];
  options: InvalidateOptions;
}

interface Reflector {
  getOwnMetadataKeys?(target: object): unknown[];
  getOwnMetadata?(key: unknown, target: object): unknown;
  defineMetadata?(key: unknown, value: unknown, target: object): void;
}

/** Keeps what other decorators (NestJS routes, guards) recorded on the original function. */
function carryOver(from: Method, to: Method, name: string): void {
  Object.defineProperty(to, 'name', { value: name, configurable: true });
  const reflector = (globalThis as { Reflect: Reflector }).Reflect;
  for (const key of reflector.getOwnMetadataKeys?.(from) ?? []) {
    reflector.defineMetadata?.(key, reflector.getOwnMetadata?.(key, from), to);
  }
}

function decorate(wrap: (original: Method, name: string) => Method): MethodDecorator {
  return ((target: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor) => {
    if (typeof keyOrContext === 'object' && keyOrContext !== null && 'kind' in keyOrContext) {
      const context = keyOrContext as ClassMethodDecoratorContext;
      return wrap(target as Method, String(context.name));
    }
    if (!descriptor || typeof descriptor.value !== 'function') {
      throw new TypeError(`Cache decorators apply to methods; ${String(keyOrContext)} is not one.`);
    }
    descriptor.value = wrap(descriptor.value as Method, String(keyOrContext));
    return descriptor;
  }) as MethodDecorator;
}

function invocation(instance: unknown, methodName: string, args: readonly unknown[]): Invocation {
  return { args, instance, methodName };
}

function paramsFor(cache: Cache, options: { params?: (...args: never[]) => Params }, call: Invocation): Params {
  return options.params ? options.params(...(call.args as never[])) : cache.resolveParams(call);
}

async function runInvalidation(plan: InvalidationPlan, call: Invocation): Promise<void> {
  const cache = getCache();
  // cache.invalidate reports failures itself and rethrows only in strict mode.
  await cache.invalidate(plan.patterns, paramsFor(cache, plan.options, call));
}

function invalidating(patterns: readonly string[], options: InvalidateOptions): MethodDecorator {
  if (patterns.length === 0) throw new TypeError('InvalidateCachePattern needs at least one pattern.');
  return decorate((original, name) => {
    const existing = (original as { [INVALIDATION]?: InvalidationPlan })[INVALIDATION];
    if (existing && (existing.options.when ?? 'success') === (options.when ?? 'success') && existing.options.params === options.params) {
      // Stacked decorators share one wrapper, so the patterns are deleted together, once each.
      existing.patterns.push(...patterns);
      return original;
    }
    const plan: InvalidationPlan = { patterns: [...patterns], options };
    const wrapper = async function (this: unknown, ...args: never[]): Promise<unknown> {
      const call = invocation(this, name, args);
      let result: unknown;
      try {
        result = await original.apply(this, args);
      } catch (error) {
        if (plan.options.when === 'always') await runInvalidation(plan, call);
        throw error;
      }
      await runInvalidation(plan, call);
      return result;
    };
    Object.defineProperty(wrapper, INVALIDATION, { value: plan });
    carryOver(original, wrapper, name);
    return wrapper;
  });
}

function splitArguments(items: readonly (string | InvalidateOptions)[]): { patterns: string[]; options: InvalidateOptions } {
  const patterns: string[] = [];
  let options: InvalidateOptions = {};
  for (const item of items) {
    if (typeof item === 'string') patterns.push(item);
    else options = item;
  }
  return { patterns, options };
}

/**
 * Deletes the keys matching each pattern after the handler succeeds. `{param}` placeholders are
 * filled from the handler's call (the cache's `resolveParams`, or `options.params`) and escaped, so
 * a value can never widen a pattern. The handler's result becomes a promise.
 *
 * ```ts
 * @Post()
 * @InvalidateCachePattern('quotes:*', 'dashboard:*')
 * create(@Body() dto: QuoteInput) { … }
 * ```
 */
export function InvalidateCachePattern(...items: (string | InvalidateOptions)[]): MethodDecorator {
  const { patterns, options } = splitArguments(items);
  return invalidating(patterns, options);
}

/** `@InvalidateCachePattern` with several patterns, for code that reads better as one call. */
export function invalidateMultiple(...items: (string | InvalidateOptions)[]): MethodDecorator {
  return InvalidateCachePattern(...items);
}

/**
 * Read-through caching of a query handler under the registry family `name`: a hit returns the
 * cached value without calling the handler. A `{hash}` parameter nobody supplies is a digest of the
 * handler's arguments.
 */
export function Cacheable(name: string, options: CacheableOptions = {}): MethodDecorator {
  return decorate((original, methodName) => {
    const wrapper = async function (this: unknown, ...args: never[]): Promise<unknown> {
      const cache = getCache();
      const call = invocation(this, methodName, args);
      const entry = cache.registry.entry(name);
      // No prototype: a `__proto__` parameter is stored as one, and nothing is inherited.
      const params = Object.create(null) as Record<string, ParamValue>;
      for (const [key, value] of Object.entries(paramsFor(cache, options, call))) {
        if (value !== undefined && entry.params.includes(key)) params[key] = value;
      }
      if (entry.params.includes('hash') && !Object.hasOwn(params, 'hash')) {
        const digest = hashArguments(args);
        if (digest !== null) params['hash'] = digest;
      }
      const missing = entry.params.filter((param) => !Object.hasOwn(params, param));
      if (missing.length > 0) {
        // Without every parameter there is no key: serve uncached rather than share a wrong entry.
        return original.apply(this, args);
      }
      return cache.getOrSet(name, params, () => original.apply(this, args));
    };
    carryOver(original, wrapper, methodName);
    return wrapper;
  });
}

/** Documents that a mutation changes no cached data on purpose. The reason is required. */
export function NoCacheInvalidation(reason: string): MarkerDecorator {
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw new TypeError('NoCacheInvalidation needs a reason: say why this mutation leaves the cache alone.');
  }
  return () => {};
}

/** The same as `@NoCacheInvalidation(reason)`, under the name some teams know it by. */
export const SkipInvalidation = NoCacheInvalidation;

/** Declares the registry resources (`quotes`, `clients`, …) a handler writes; read by the checks. */
export function Mutates(...resources: string[]): MarkerDecorator {
  if (resources.length === 0 || resources.some((r) => typeof r !== 'string' || r === '')) {
    throw new TypeError('Mutates needs one or more resource names.');
  }
  return () => {};
}
