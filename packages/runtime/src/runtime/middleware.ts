import { getCache } from './cache.js';
import type { Cache } from './cache.js';
import type { ParamValue } from '../registry/model.js';

type Params = Readonly<Record<string, ParamValue | undefined>>;

export interface MiddlewareOptions {
  /** Parameters for `{param}` placeholders, from the request (Express/Fastify request, Koa/Hono context). */
  readonly params?: (request: never) => Params;
  /** The cache to use (default: the process-wide one). */
  readonly cache?: Cache;
}

type Next = () => unknown;

/**
 * One function that is Express, Koa and Hono middleware and a Fastify hook: its parameters are
 * `any` so that each framework's own middleware type accepts it without a cast.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: four frameworks' signatures
export type UniversalMiddleware = (first: any, second: any, third?: any) => any;

interface EmitterLike {
  once(event: string, listener: () => void): unknown;
}

function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

/**
 * Middleware that invalidates `patterns` after a successful (2xx) response, for Express, Koa,
 * Fastify (as a route hook: `{ onResponse: invalidateCachePattern(…) }`, or `preHandler`) and Hono.
 * The framework is recognised from the arguments it passes. Failures are reported by the cache
 * (logged, counted, `onError`) and never reach the response or an unhandled rejection.
 */
export function invalidateCachePattern(...items: (string | MiddlewareOptions)[]): UniversalMiddleware {
  const patterns = items.filter((item): item is string => typeof item === 'string');
  const options = items.find((item): item is MiddlewareOptions => typeof item === 'object') ?? {};
  if (patterns.length === 0) throw new TypeError('invalidateCachePattern needs at least one pattern.');
  const invalidate = async (request: unknown): Promise<void> => {
    const cache = options.cache ?? getCache();
    const params = options.params ? options.params(request as never) : {};
    try {
      await cache.invalidate(patterns, params);
    } catch {
      // Strict caches rethrow; after the response there is nobody left to tell but the cache's
      // own report, which has already been made.
    }
  };

  return (...args: unknown[]): unknown => {
    const [first, second, third] = args as [Record<string, unknown>, Record<string, unknown> | Next, Next | undefined];
    // Koa and Hono: (context, next)
    if (typeof second === 'function' && third === undefined) {
      const context = first;
      return (async () => {
        await second();
        const response = context['res'] as { status?: number } | undefined;
        const status = typeof context['status'] === 'number' ? context['status'] : (response?.status ?? undefined);
        if (isSuccess(status)) await invalidate(context);
      })();
    }
    // Whatever the framework passed: checked before it is read.
    const reply = second as Record<string, unknown> | null | undefined;
    // Fastify: (request, reply, done) or async (request, reply); the reply has a raw response.
    if (reply && typeof reply === 'object' && 'raw' in reply) {
      const raw = reply['raw'] as EmitterLike & { writableFinished?: boolean };
      const afterResponse = (): void => {
        if (isSuccess(reply['statusCode'] as number | undefined)) void invalidate(first);
      };
      if (raw.writableFinished) afterResponse();
      else raw.once('finish', afterResponse);
      if (typeof third === 'function') third();
      return undefined;
    }
    // Express: (req, res, next)
    const response = second as unknown as EmitterLike & { statusCode?: number };
    response.once('finish', () => {
      if (isSuccess(response.statusCode)) void invalidate(first);
    });
    if (typeof third === 'function') third();
    return undefined;
  };
}
