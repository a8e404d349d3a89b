import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { VERSION } from '../../version.js';
import { buildStamp } from './build-stamp.cjs';
import { hashOf, summariesFile, writeAtomically } from './cache-files.js';
import type { ScanResult } from '../result.js';
import type { CacheOptions, CacheStrategy, OpenedCache, ScanOptions } from '../scan-options.js';

/**
 * The persistent cache of `scan()` (`--cache`): one JSON file, light to load (this module imports
 * no TypeScript, so that a warm run can answer before the analysis is loaded).
 *
 * - `files`: per source file, its size, mtime and content hash, and what was learnt from its text
 *   alone (whether it is relevant, its import specifiers): plain data, reused while the hash holds.
 * - `runs`: per set of options that change a result (root, --strict, --tsconfig, paths, the files
 *   of --staged), the last result and what it was computed from: every input file's hash (sources,
 *   configuration, registry, tsconfigs, package manifests, the .gitignore files; `null` for a
 *   configuration file that must stay absent) and the mtime of every directory below the root, so
 *   that a file added or removed anywhere is noticed without walking the tree.
 *
 * Anything wrong with the file (unreadable, not JSON, another format or tool build) is a warning
 * and an empty cache; writes go to a temporary file renamed over the old one.
 */
const CACHE_FORMAT = 1;

let tool: string | undefined;

/**
 * What wrote a cache: the version and a hash of the build's files (paths, sizes, mtimes), so that
 * a rebuilt or locally changed analysis does not answer from results of the code before.
 */
function toolKey(): string {
  tool ??= `${VERSION}+${hashOf(buildStamp()).slice(0, 12)}`;
  return tool;
}

/** What a file's text says without a tree. */
export interface TextVerdict {
  /** See `fileRelevance`. */
  readonly relevant?: boolean;
  readonly global?: boolean;
  readonly imports?: readonly string[];
}

interface FileEntry extends TextVerdict {
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash: string;
}

interface RunEntry {
  /** Input file → content hash, or null for a file that must not exist. */
  readonly inputs: Record<string, string | null>;
  /** Directory → mtime. */
  readonly dirs: Record<string, number>;
  readonly result: ScanResult;
}

interface CacheData {
  readonly format: typeof CACHE_FORMAT;
  readonly tool: string;
  /** The configuration and registry the per-file verdicts were made with. */
  key: string;
  files: Record<string, FileEntry>;
  runs: Record<string, RunEntry>;
}

/** At most this many results are kept (a full run, --staged runs): the oldest goes first. */
/** Results kept: one per set of options, and one per application of a monorepo. */
const MAX_RUNS = 32;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A file's summary as kept: the hash of its content, those of the files it read, the summary as text (see `encodeValue`). */
interface SummaryEntry {
  readonly hash: string;
  readonly reads: Record<string, string>;
  readonly summary: string;
}

/**
 * The per-file summaries (facts and what they depend on) of one scanned root, in a file of their own
 * beside the cache (`<cache>.summaries-<root hash>.json`), read only when a run cannot be answered
 * whole: the summaries of the latest scope (the configuration, the registry, the file list, the
 * tsconfigs; see `summaryScopeOf`), by file.
 */
interface SummaryData {
  readonly format: typeof CACHE_FORMAT;
  readonly tool: string;
  readonly root: string;
  readonly scope: string;
  readonly files: Record<string, SummaryEntry>;
}

export class ScanCache implements OpenedCache {
  private data: CacheData;
  private isDirty = false;
  /** The summaries read or made, by root; those to write. */
  private readonly summaryData = new Map<string, SummaryData>();
  private readonly dirtySummaries = new Set<string>();
  private readonly strategy: CacheStrategy;
  /** The runs this process answered from the cache or saved: what a combined result depends on. */
  private readonly used = new Set<string>();

  private constructor(
    private readonly options: CacheOptions,
    data: CacheData | null,
  ) {
    this.strategy = options.strategy ?? 'metadata';
    this.data = data ?? { format: CACHE_FORMAT, tool: toolKey(), key: '', files: {}, runs: {} };
  }

  /** The cache at `options.file`; empty (with a warning) when it cannot be used. */
  static open(options: CacheOptions): ScanCache {
    return new ScanCache(options, readCache(options));
  }

  get file(): string {
    return this.options.file;
  }

  /**
   * Binds the cache to a configuration and registry: verdicts made under another are dropped
   * (results stay, each checked against its own inputs).
   */
  useKey(key: string): void {
    if (this.data.key === key) return;
    this.data.key = key;
    this.data.files = {};
    this.isDirty = true;
  }

  /**
   * The entry of a file as it is now: the stored one when unchanged (by size and mtime, or by hash
   * when they moved or the strategy is `content`), else a new one. `bytes` are the content to use
   * instead of the disk's (staged content); null when the file cannot be read.
   */
  entry(file: string, bytes?: Uint8Array | null): FileEntry | null {
    const known = this.data.files[file];
    if (bytes) {
      const hash = hashOf(bytes);
      if (known?.hash === hash) return known;
      return { size: bytes.length, mtimeMs: -1, hash };
    }
    let size: number;
    let mtimeMs: number;
    try {
      const stat = statSync(file);
      size = stat.size;
      mtimeMs = stat.mtimeMs;
    } catch {
      return null;
    }
    if (known && this.strategy === 'metadata' && known.size === size && known.mtimeMs === mtimeMs) return known;
    let content: Buffer;
    try {
      content = readFileSync(file);
    } catch {
      return null;
    }
    const hash = hashOf(content);
    const entry: FileEntry = known?.hash === hash ? { ...known, size, mtimeMs } : { size, mtimeMs, hash };
    if (entry !== known) this.store(file, entry);
    return entry;
  }

  /** What is known of a file's text with this hash (nothing when it changed). */
  verdict(file: string, hash: string): TextVerdict | null {
    const known = this.data.files[file];
    return known?.hash === hash ? known : null;
  }

  /** Records what a file's text says; `hash` is the content it was read from. */
  remember(file: string, hash: string, verdict: TextVerdict, size: number, mtimeMs = -1): void {
    const known = this.data.files[file];
    if (known?.hash === hash) {
      if (known.relevant === verdict.relevant && known.global === verdict.global && sameList(known.imports, verdict.imports)) return;
      this.store(file, { ...known, ...verdict });
    } else {
      this.store(file, { size, mtimeMs, hash, ...verdict });
    }
  }

  private store(file: string, entry: FileEntry): void {
    this.data.files[file] = entry;
    this.isDirty = true;
  }

  /**
   * The result of the run `key` when nothing it was computed from has changed: every input has
   * the same hash (or is still absent) and every directory the same mtime, so no file came or went.
   */
  result(key: string, readFile?: (file: string) => Uint8Array | null): ScanResult | null {
    const run = this.data.runs[key];
    if (!run) return null;
    for (const [dir, mtimeMs] of Object.entries(run.dirs)) {
      try {
        if (statSync(dir).mtimeMs !== mtimeMs) return null;
      } catch {
        return null;
      }
    }
    for (const [file, hash] of Object.entries(run.inputs)) {
      if (hash === null) {
        if (existsSync(file)) return null;
        continue;
      }
      if (this.entry(file, readFile?.(file))?.hash !== hash) return null;
    }
    this.used.add(key);
    return run.result;
  }

  /** The runs answered or saved since `usedRuns()` was last asked, for `saveCombined`. */
  usedRuns(): string[] {
    const keys = [...this.used];
    this.used.clear();
    return keys;
  }

  /**
   * Keeps a result made of other runs (a monorepo's applications, or a scan whose own options
   * differ from the command line's) under `key`: its inputs and directories are theirs, with the
   * directories below `root`, so that an application added or removed is seen.
   */
  saveCombined(key: string, parts: readonly string[], root: string, skipped: ReadonlySet<string>, result: ScanResult): void {
    const inputs: Record<string, string | null> = {};
    const sources: string[] = [];
    for (const part of parts) {
      const run = this.data.runs[part];
      if (!run) return;
      Object.assign(inputs, run.inputs);
      sources.push(...Object.keys(run.inputs));
    }
    this.saveRun(key, inputs, root, sources, skipped, result);
    this.used.delete(key);
  }

  /** The hashes of the inputs of a run, for `saveRun`; null when one cannot be read. */
  inputHashes(files: Iterable<string>, readFile?: (file: string) => Uint8Array | null): Record<string, string | null> {
    const inputs: Record<string, string | null> = {};
    for (const file of files) inputs[file] = this.entry(file, readFile?.(file))?.hash ?? null;
    return inputs;
  }

  /**
   * Keeps a result with its inputs and the directories below `root` (but `skipped` names and the
   * cache's own), and those of `sources` (in case they lie in a skipped one or outside the root).
   */
  saveRun(
    key: string,
    inputs: Record<string, string | null>,
    root: string,
    sources: Iterable<string>,
    skipped: ReadonlySet<string>,
    result: ScanResult,
  ): void {
    const cacheDir = dirname(resolve(this.options.file));
    try {
      // Made now, not at the write: its parent's mtime is recorded below.
      mkdirSync(cacheDir, { recursive: true });
    } catch {
      // reported by save()
    }
    const dirs = directoriesBelow(root, cacheDir, skipped);
    // The .gitignore files decide what a walk lists.
    for (const dir of Object.keys(dirs)) {
      const ignoreFile = join(dir, '.gitignore');
      inputs[ignoreFile] = existsSync(ignoreFile) ? (this.entry(ignoreFile)?.hash ?? null) : null;
    }
    for (const file of sources) {
      const dir = dirname(file);
      if (dirs[dir] === undefined) {
        try {
          dirs[dir] = statSync(dir).mtimeMs;
        } catch {
          // gone already: the next run will not find the file either
        }
      }
    }
    const runs = Object.entries(this.data.runs).filter(([k]) => k !== key);
    runs.push([key, { inputs, dirs, result }]);
    this.used.add(key);
    this.data.runs = Object.fromEntries(runs.slice(-MAX_RUNS));
    this.isDirty = true;
  }

  /** The summaries of a root in a scope (read from their file on first use; another scope's are dropped), to read and to fill. */
  summaries(root: string, scope: string): Record<string, SummaryEntry> {
    let data = this.summaryData.get(root) ?? readSummaries(summariesFile(this.options.file, root), root);
    if (data?.scope !== scope) {
      data = { format: CACHE_FORMAT, tool: toolKey(), root, scope, files: {} };
      this.dirtySummaries.add(root);
    }
    this.summaryData.set(root, data);
    return data.files;
  }

  /** Keeps the summary of `file` (see `summaries`). */
  keepSummary(root: string, scope: string, file: string, entry: SummaryEntry): void {
    this.summaries(root, scope)[file] = entry;
    this.dirtySummaries.add(root);
  }

  /** Writes the cache (and the summaries) when they changed: a temporary file, renamed over the old one. */
  save(): void {
    if (this.isDirty && writeAtomically(resolve(this.options.file), JSON.stringify(this.data), this.options.onWarning))
      this.isDirty = false;
    for (const root of this.dirtySummaries) {
      const data = this.summaryData.get(root);
      if (data && writeAtomically(summariesFile(this.options.file, root), JSON.stringify(data), this.options.onWarning))
        this.dirtySummaries.delete(root);
    }
  }
}

/** The options that change a result, as one key: the run the cache keeps a result under. */
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

/** The summaries kept beside a cache; null (start empty, quietly: the cache file itself warns) when unusable. */
function readSummaries(file: string, root: string): SummaryData | null {
  try {
    if (!existsSync(file)) return null;
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (
      !isRecord(data) ||
      !isRecord(data['files']) ||
      data['format'] !== CACHE_FORMAT ||
      data['tool'] !== toolKey() ||
      data['root'] !== root
    )
      return null;
    return data as unknown as SummaryData;
  } catch {
    return null;
  }
}

/**
 * Plain data as JSON text, with what JSON cannot say tagged: byte sets (`Uint8Array`, in parsed
 * patterns) and numbers that are not finite. `decodeValue` gives back an equal value.
 */
export function encodeValue(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Uint8Array) return { $bytes: Buffer.from(item).toString('base64') };
    if (typeof item === 'number' && !Number.isFinite(item)) return { $number: String(item) };
    return item;
  });
}

export function decodeValue(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (isRecord(item)) {
      const bytes = item['$bytes'];
      if (typeof bytes === 'string') return new Uint8Array(Buffer.from(bytes, 'base64'));
      const number = item['$number'];
      if (typeof number === 'string') return Number(number);
    }
    return item;
  });
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));
}

function readCache(options: CacheOptions): CacheData | null {
  const file = resolve(options.file);
  let text: string;
  try {
    if (!existsSync(file)) return null;
    if (statSync(file).isDirectory()) {
      options.onWarning?.(`the cache location ${file} is a directory; give a file, or a directory ending with ${sep}.`);
      return null;
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    options.onWarning?.(`cannot read the cache ${file} (${(error as Error).message}): rebuilding it.`);
    return null;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    options.onWarning?.(`the cache ${file} is not valid JSON (corrupt?): rebuilding it.`);
    return null;
  }
  if (!isRecord(data) || !isRecord(data['files']) || !isRecord(data['runs']) || typeof data['key'] !== 'string') {
    options.onWarning?.(`the cache ${file} is not a cache-audit cache: rebuilding it.`);
    return null;
  }
  if (data['format'] !== CACHE_FORMAT || data['tool'] !== toolKey()) {
    options.onWarning?.(
      `the cache ${file} was written by cache-audit ${String(data['tool'])} (format ${String(data['format'])}), this is ${toolKey()} (format ${String(CACHE_FORMAT)}): rebuilding it.`,
    );
    return null;
  }
  return data as unknown as CacheData;
}

/** Every directory below `root` (itself included) but those named in `skipped` and `except`, with its mtime. */
function directoriesBelow(root: string, except: string, skipped: ReadonlySet<string>): Record<string, number> {
  const dirs: Record<string, number> = {};
  const visit = (dir: string): void => {
    if (dir === except) return;
    try {
      dirs[dir] = statSync(dir).mtimeMs;
      for (const entry of readdirSync(dir, { withFileTypes: true }))
        if (entry.isDirectory() && !skipped.has(entry.name)) visit(join(dir, entry.name));
    } catch {
      // gone or unreadable: nothing below it is read either
    }
  };
  visit(resolve(root));
  return dirs;
}
