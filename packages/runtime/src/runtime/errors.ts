/** A cache operation that did not finish within its bound (`timeoutMs`, `deleteTimeoutMs`). */
export class CacheTimeoutError extends Error {
  constructor(
    readonly operation: string,
    readonly target: string,
    readonly timeoutMs: number,
  ) {
    super(`Cache ${operation} of ${target} did not finish within ${String(timeoutMs)} ms.`);
    this.name = 'CacheTimeoutError';
  }
}

/** A cached value that is not the JSON the cache wrote: read as a miss, and overwritten by the next fill. */
export class CacheValueError extends Error {
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`The cached value of ${key} is not valid JSON: it is read as a miss and overwritten by the next fill.`, options);
    this.name = 'CacheValueError';
  }
}

/**
 * A parameter value or key the cache refuses: a value that would widen a delete (empty, or with
 * `:`, so that it spans segments), or a key or pattern longer than `maxKeyLength`.
 */
export class CacheKeyError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'CacheKeyError';
  }
}

/**
 * A pattern delete that did not finish: `deleted` keys were deleted before it stopped; keys
 * matching the pattern may remain (on `incomplete`, when known: cluster primaries, by address).
 */
export class CacheDeleteError extends Error {
  constructor(
    message: string,
    readonly deleted: number,
    readonly incomplete: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CacheDeleteError';
  }
}

/** Lets the process exit while `timer` waits; where timers are plain numbers (outside Node) there is nothing to let go. */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  const handle: { unref?: () => unknown } = timer;
  handle.unref?.();
}

/** Settles like `promise`, or rejects with a CacheTimeoutError after `ms` (no bound when `ms` is 0 or Infinity). */
export function within<T>(promise: Promise<T>, ms: number, operation: string, target: string, onTimeout?: () => void): Promise<T> {
  if (!(ms > 0 && Number.isFinite(ms))) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new CacheTimeoutError(operation, target, ms));
    }, ms);
    unrefTimer(timer);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
