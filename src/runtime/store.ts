/** Where cached values live. Keys and patterns arrive complete (registry prefix included). */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  /** Stores `value`; with `ttlSeconds` it expires after that many seconds. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Deletes every key that matches the Redis glob `pattern`; resolves to how many were deleted. */
  deletePattern(pattern: string): Promise<number>;
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
