import { resolve } from 'node:path';
import type ts from 'typescript';
import { hashOf } from './cache-files.js';
import type { CacheOptions, ScanCache } from './scan-cache.js';

/**
 * What a scan is asked to do. It lives below every stage of the scan, which all read it, and above
 * the persistent cache alone.
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
  readonly cache?: CacheOptions | ScanCache;
  /**
   * With `onlyFiles`: read only those files, what they import (transitively) and the files that
   * import them, instead of the whole project (`--staged`).
   */
  readonly followChange?: boolean;
}

/** The options that change a result, as one key. */
export function runKeyOf(options: ScanOptions): string {
  const root = resolve(options.root);
  return hashOf(
    JSON.stringify({
      root,
      paths: (options.paths ?? []).map((p) => resolve(root, p)).sort(),
      onlyFiles: options.onlyFiles ? [...options.onlyFiles].sort() : null,
      tsconfig: options.tsconfig ?? null,
      configFile: options.configFile ?? null,
      strict: options.strict === true,
      maxFileBytes: options.maxFileBytes ?? null,
      followChange: options.followChange === true,
      outside: (options.outside ?? []).map((dir) => resolve(dir)).sort(),
      workspaceRoot: options.workspaceRoot ?? null,
      reportRoot: options.reportRoot ? resolve(options.reportRoot) : null,
    }),
  );
}
