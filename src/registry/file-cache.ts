import { statSync } from 'node:fs';

/**
 * How long a checked file is trusted without a new stat: a lint run asks for the same file for
 * every linted file, an editor keeps running and must see an edit within a moment.
 */
export const RECHECK_MS = 1000;

interface Entry<T> {
  readonly mtimeMs: number;
  readonly size: number;
  checkedAt: number;
  readonly value: T;
}

/** Values read from files, reloaded when a file's mtime or size changes, stat'ed at most once per `recheckMs`. */
export class FileCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /**
   * The value of `path`, from `load` when the file is new or changed. A file that cannot be stat'ed
   * (deleted while an editor keeps running) is forgotten and `load` answers for it, uncached, so
   * that its loader reports the missing file and a file created again is read.
   */
  get(path: string, load: () => T, recheckMs = RECHECK_MS): T {
    const cached = this.entries.get(path);
    const now = Date.now();
    if (cached && now - cached.checkedAt < recheckMs) return cached.value;
    let stat;
    try {
      stat = statSync(path);
    } catch {
      this.entries.delete(path);
      return load();
    }
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
      cached.checkedAt = now;
      return cached.value;
    }
    const value = load();
    this.entries.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, checkedAt: now, value });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
