import { matches } from '../patterns/match.js';
import type { CacheStore, DeleteOptions } from './store.js';

export interface MemoryStoreOptions {
  /** The clock, in milliseconds; tests pass their own. */
  readonly now?: () => number;
}

/** An in-process store with TTLs and Redis-exact pattern deletes: for tests and single instances. */
export class MemoryStore implements CacheStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  keys(): string[] {
    this.sweep();
    return [...this.entries.keys()];
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- CacheStore is asynchronous: a throwing clock or callback rejects
  async get(key: string): Promise<string | null> {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- CacheStore is asynchronous: a throwing clock or callback rejects
  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    const expiresAt = ttlSeconds === undefined ? Number.POSITIVE_INFINITY : this.now() + ttlSeconds * 1000;
    this.entries.set(key, { value, expiresAt });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if ((await this.get(key)) !== null) return false;
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    return true;
  }

  async replaceIf(key: string, expected: string, value: string, ttlSeconds?: number): Promise<boolean> {
    if ((await this.get(key)) !== expected) return false;
    await this.set(key, value, ttlSeconds);
    return true;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- CacheStore is asynchronous: a throwing clock or callback rejects
  async deletePattern(pattern: string, options: DeleteOptions = {}): Promise<number> {
    this.sweep();
    let deleted = 0;
    for (const key of [...this.entries.keys()]) {
      if (matches(pattern, key)) {
        this.entries.delete(key);
        deleted++;
      }
    }
    options.onDeleted?.(deleted);
    return deleted;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- CacheStore is asynchronous: a throwing clock or callback rejects
  async close(): Promise<void> {
    this.entries.clear();
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
