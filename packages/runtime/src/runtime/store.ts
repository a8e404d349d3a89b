/** What a pattern delete is told by the cache. */
export interface DeleteOptions {
  /** Aborted when the cache stops waiting: the store stops before its next batch. */
  readonly signal?: AbortSignal;
  /** Called with each batch's count as keys are deleted, so that a stopped delete still reports them. */
  readonly onDeleted?: (count: number) => void;
}

/** Where cached values live. Keys and patterns arrive complete (registry prefix included). */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  /** Stores `value`; with `ttlSeconds` it expires after that many seconds. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /**
   * Deletes every key that matches the Redis glob `pattern`; resolves to how many were deleted.
   * A delete that cannot cover every key throws a `CacheDeleteError` with the count it did delete.
   */
  deletePattern(pattern: string, options?: DeleteOptions): Promise<number>;
  /**
   * Stores `value` only when `key` does not exist, expiring after `ttlMs`; resolves to whether it
   * did. With `replaceIf`, this gives the cache its fill leases (no fill lands after an invalidation).
   */
  setIfAbsent?(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Stores `value` only when `key` still holds `expected`, atomically; resolves to whether it did. */
  replaceIf?(key: string, expected: string, value: string, ttlSeconds?: number): Promise<boolean>;
  /** Releases what the store holds (timers, connections it owns). */
  close?(): Promise<void>;
}

/** Where log lines go; every method is optional, and the default logger says nothing. */
export interface CacheLogger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
  error?(message: string, error?: unknown): void;
}
