import type ts from 'typescript';

/**
 * What a scan is asked to do. It lives below every part of the scanner (project/, pipeline/,
 * incremental/, which all read it) and imports none of them.
 */
export interface ScanOptions {
  /** The project directory (a configuration file is found from here upward). */
  readonly root: string;
  /** Report findings only in these files or directories (the whole project is still read). */
  readonly paths?: readonly string[];
  /** Report findings only in these files (changed or staged ones); empty: report none. */
  readonly onlyFiles?: ReadonlySet<string>;
  /** A tsconfig to use instead of discovering them. */
  readonly tsconfig?: string;
  /** The configuration file to use instead of the one found from `root` upward (`--config`). */
  readonly configFile?: string;
  /**
   * The monorepo root when `root` is one of its applications: its workspace packages resolve, and
   * calls into any of its source files are followed (shared packages are read, not audited).
   */
  readonly workspaceRoot?: string;
  /**
   * The directory the places named in messages are relative to, as the files of the findings are
   * (the monorepo root when `root` is one of its applications); default `root`.
   */
  readonly reportRoot?: string;
  /** The workspace packages of `workspaceRoot`, listed once for the scans of one audit. */
  readonly workspaces?: ReadonlyMap<string, string>;
  /** Parsed files shared by the scans of one audit (a monorepo's applications read the same shared packages). */
  readonly parsed?: Map<string, ts.SourceFile>;
  /** Audit only the files outside these directories (the root's own files of a monorepo); they are still read when reached. */
  readonly outside?: readonly string[];
  /** Include the rules of the strict config (require-tenant-scope). */
  readonly strict?: boolean;
  /** Files larger than this are skipped with a diagnostic (default 2 MB). */
  readonly maxFileBytes?: number;
  /** Content to use instead of the working tree (the staged content, for --staged). */
  readonly readFile?: (absolutePath: string) => Buffer | null;
  /** Called as files are read: (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** A persistent cache (`--cache`): the last result while nothing it depends on changed, per-file verdicts. */
  readonly cache?: CacheOptions | OpenedCache;
  /**
   * With `onlyFiles`: read only those files, what they import (transitively) and the files that
   * import them, instead of the whole project (`--staged`).
   */
  readonly followChange?: boolean;
}

/** `metadata`: a file whose size and mtime are unchanged is unchanged; `content`: always compare hashes. */
export type CacheStrategy = 'metadata' | 'content';

/** Where the persistent cache is kept and how it tells a changed file. */
export interface CacheOptions {
  /** The cache file. */
  readonly file: string;
  readonly strategy?: CacheStrategy;
  /** Told when the cache cannot be used (and is rebuilt) or cannot be written. */
  readonly onWarning?: (message: string) => void;
}

/**
 * A persistent cache its caller opened (incremental/store.ts's `ScanCache`): the CLI opens it to
 * answer from it before the analysis is loaded, then hands it to the scan of every application. A
 * scan handed one of another make opens the file it names.
 */
export interface OpenedCache {
  /** The cache file. */
  readonly file: string;
}
