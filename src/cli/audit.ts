import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { hasCache } from '../report/context.js';
import { REPORTERS } from '../report/index.js';
import type { ReportContext, ReportFormat } from '../report/index.js';
import type { ScanFinding, ScanResult, Severity } from '../scanner/result.js';
import { SEVERITY_ORDER } from '../scanner/result.js';
import { cacheDirectory, cacheFile } from '../scanner/incremental/cache-files.js';
import { runKeyOf, ScanCache } from '../scanner/incremental/store.js';
import type { CacheStrategy } from '../scanner/scan-options.js';
import { keepCompiledCode, saveCompiledCode } from '../ts/typescript.js';
import type { AuditOptions, MonorepoMode } from '../scanner/apps.js';
import { UsageError } from './errors.js';
import { shownPath, withShownPaths } from './io.js';
import type { CliIo } from './io.js';

export interface Output {
  readonly format: ReportFormat;
  readonly file: string | null;
}

export interface AuditArgs {
  readonly outputs: readonly Output[];
  readonly paths: readonly string[];
  readonly maxSeverity: Severity;
  readonly minCoverage: number | null;
  readonly isStrict: boolean;
  readonly root: string | null;
  readonly tsconfig: string | null;
  /** --config: the configuration file, instead of the one found from the root upward. */
  readonly config: string | null;
  readonly isStaged: boolean;
  readonly changedSince: string | null;
  readonly baseline: string | null;
  readonly shouldUpdateBaseline: boolean;
  readonly hasColor: boolean;
  readonly isVerbose: boolean;
  readonly hasMatrix: boolean;
  /** --cache: where (null: the default location) and how changes are detected; null without --cache. */
  readonly cache: { readonly location: string | null; readonly strategy: CacheStrategy } | null;
  /** --monorepo, --no-monorepo, or neither (decided by the layout). */
  readonly mode: MonorepoMode;
}

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new UsageError(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}.`);
  }
}

const BASELINE_VERSION = 1;

interface Baseline {
  readonly version: typeof BASELINE_VERSION;
  readonly fingerprints: string[];
}

function readBaseline(file: string): Set<string> {
  if (!existsSync(file)) return new Set();
  let parsed: Partial<Baseline>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Baseline>;
    if (!Array.isArray(parsed.fingerprints)) throw new Error('no "fingerprints" list');
  } catch (error) {
    throw new UsageError(`The baseline ${file} cannot be read: ${(error as Error).message}. Recreate it with --update-baseline.`);
  }
  // The file is input: its version may be anything, whatever Baseline says.
  const version: unknown = parsed.version;
  if (version !== BASELINE_VERSION) {
    throw new UsageError(
      `The baseline ${file} has version ${JSON.stringify(version ?? null)}, this cache-audit reads version ${String(BASELINE_VERSION)}: recreate it with --update-baseline.`,
    );
  }
  return new Set(parsed.fingerprints);
}

/** The files to report on with --staged or --changed-since, and how to read staged content. */
function changedFiles(root: string, args: AuditArgs, io: CliIo): { onlyFiles?: Set<string>; readFile?: (file: string) => Buffer | null } {
  if (!args.isStaged && !args.changedSince) return {};
  const top = git(root, ['rev-parse', '--show-toplevel']).trim();
  const names = args.isStaged
    ? git(root, ['diff', '--cached', '--name-only', '--diff-filter=ACMR'])
    : // The revision is a revision, never an option (`--output=<file>` would make git write a file).
      git(root, ['diff', '--name-only', '--diff-filter=ACMR', '--end-of-options', args.changedSince ?? 'HEAD', '--']) +
      git(root, ['ls-files', '--others', '--exclude-standard', '--full-name']);
  // git names files from the top of the repository.
  const changed = names
    .split('\n')
    .filter(Boolean)
    .map((name) => resolve(top, name));
  const onlyFiles = new Set(changed.filter((file) => file.startsWith(root + sep)));
  if (onlyFiles.size === 0) {
    io.stderr.write(
      args.isStaged
        ? 'cache-audit: no staged files in this project.\n'
        : `cache-audit: no files changed since ${args.changedSince ?? ''}.\n`,
    );
  }
  if (!args.isStaged) return { onlyFiles };
  // Each staged file is read from the index once (its content is asked for by every step).
  const staged = new Map<string, Buffer>();
  return {
    onlyFiles,
    readFile: (file) => {
      if (!onlyFiles.has(file)) return null;
      let content = staged.get(file);
      if (!content) {
        content = Buffer.from(git(top, ['show', `:${relative(top, file).split(sep).join('/')}`]), 'utf8');
        staged.set(file, content);
      }
      return content;
    },
  };
}

/** A progress line on a terminal, cleared when the run ends. */
function progress(io: CliIo): ((done: number, total: number) => void) | undefined {
  if (io.stderr.isTTY !== true || io.env['CI'] === 'true') return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - last < 100 && done !== total) return;
    last = now;
    io.stderr.write(done === total ? '\r\u001b[2K' : `\rcache-audit: ${String(done)}/${String(total)} files`);
  };
}

/**
 * The scan's result. With --cache, a result that still holds is answered before the analysis (and
 * TypeScript) is loaded: its setup was checked when it was computed, and none of its inputs changed.
 */
async function auditResult(options: AuditOptions, args: AuditArgs, io: CliIo): Promise<ScanResult> {
  const started = performance.now();
  let cache: ScanCache | undefined;
  if (args.cache) {
    const file = cacheFile(options.root, args.cache.location, io.cwd, io.env);
    cache = ScanCache.open({
      file,
      strategy: args.cache.strategy,
      onWarning: (message) => io.stderr.write(`cache-audit: ${message}\n`),
    });
    const hit = options.followChange ? null : cache.result(runKeyOf(options), options.readFile);
    if (hit) return { ...hit, durationMs: performance.now() - started };
    // V8's compiled code of TypeScript is kept in the cache's directory (not beside a cache file named
    // with --cache-location, which may be the project's root): the next run does not compile its 9 MB again.
    const directory = cacheDirectory(options.root, args.cache.location, io.cwd, io.env);
    if (directory !== null) keepCompiledCode(directory);
  }
  const { checkSetup } = await import('./setup.js');
  checkSetup(options.root, options.tsconfig, io.cwd, options.configFile);
  const { auditProject } = await import('../scanner/apps.js');
  cache?.usedRuns();
  const result = await auditProject({
    ...options,
    cache,
    checkApplication: (dir) => {
      checkSetup(dir, undefined, io.cwd);
    },
  });
  const problem = cache ? saveCompiledCode() : null;
  if (problem) io.stderr.write(`cache-audit: ${problem}.\n`);
  if (cache && !options.followChange) {
    // A monorepo's result is made of its applications' runs (and a project's own scan may have run
    // under other options): kept under the command line's key too, so that the next run answers first.
    const key = runKeyOf(options);
    const parts = cache.usedRuns().filter((part) => part !== key);
    if (parts.length > 0) {
      const { SKIPPED_DIRECTORIES } = await import('../project/files.js');
      cache.saveCombined(key, parts, options.root, SKIPPED_DIRECTORIES, result);
      cache.save();
    }
  }
  return result;
}

/** The audit: arguments to scan options, the result to reporters, the outcome to an exit code. */
export async function audit(args: AuditArgs, io: CliIo): Promise<number> {
  const result = await auditResult(auditOptions(args, io), args, io);
  if (args.baseline && args.shouldUpdateBaseline) {
    updateBaseline(resolve(io.cwd, args.baseline), result.findings, io);
    return 0;
  }
  const known = args.baseline ? readBaseline(resolve(io.cwd, args.baseline)) : null;
  const findings = known ? result.findings.filter((f) => !known.has(f.fingerprint)) : result.findings;
  // TypeScript's diagnostics quote absolute paths: the report shows them as the user would type them.
  const diagnostics = result.diagnostics.map((d) => ({ ...d, message: withShownPaths(d.message, io.cwd) }));
  writeReports({ ...result, findings, diagnostics }, reportContext(result, result.findings.length - findings.length, args, io), args, io);
  return outcome(findings, result, args, io);
}

/** The scan options the arguments ask for: the root (a lone directory argument is one), the files to report, the settings. */
function auditOptions(args: AuditArgs, io: CliIo): AuditOptions {
  let root = args.root ? resolve(io.cwd, args.root) : io.cwd;
  let paths = args.paths.map((p) => resolve(io.cwd, p));
  for (const path of paths) if (!existsSync(path)) throw new UsageError(`${relative(io.cwd, path) || path} does not exist.`);
  const only = paths[0];
  if (!args.root && paths.length === 1 && only !== undefined && statSync(only).isDirectory()) {
    root = only;
    paths = [];
  }
  const tsconfig = args.tsconfig === null ? undefined : resolve(io.cwd, args.tsconfig);
  const configFile = args.config === null ? undefined : resolve(io.cwd, args.config);
  if (configFile !== undefined && (!existsSync(configFile) || !statSync(configFile).isFile()))
    throw new UsageError(`--config ${args.config ?? ''}: no such file. Name the configuration file (cache-audit.config.json, say).`);
  return {
    root,
    paths,
    tsconfig,
    configFile,
    strict: args.isStrict,
    mode: args.mode,
    ...changedFiles(root, args, io),
    followChange: args.isStaged,
    onProgress: progress(io),
  };
}

/** --update-baseline: records the findings' fingerprints, to be left out of later reports. */
function updateBaseline(baselineFile: string, findings: readonly ScanFinding[], io: CliIo): void {
  const baseline: Baseline = { version: BASELINE_VERSION, fingerprints: [...new Set(findings.map((f) => f.fingerprint))].sort() };
  mkdirSync(dirname(baselineFile), { recursive: true });
  writeFileSync(baselineFile, `${JSON.stringify(baseline, null, 2)}\n`);
  io.stderr.write(`cache-audit: recorded ${String(baseline.fingerprints.length)} findings in ${relative(io.cwd, baselineFile)}.\n`);
}

/** What the reporters are told besides the result: the options of the output, and the source lines of the findings (each file read once). */
function reportContext(result: ScanResult, baselined: number, args: AuditArgs, io: CliIo): ReportContext {
  const sourceCache = new Map<string, string[] | null>();
  return {
    color: args.hasColor,
    baselined,
    rootLabel: shownPath(result.root, io.cwd),
    matrix: args.hasMatrix,
    verbose: args.isVerbose,
    sourceLine: (file: string, line: number): string | null => {
      let lines = sourceCache.get(file);
      if (lines === undefined) {
        try {
          lines = readFileSync(join(result.root, file), 'utf8').split('\n');
        } catch {
          lines = null;
        }
        sourceCache.set(file, lines);
      }
      return lines?.[line - 1] ?? null;
    },
  };
}

/** Each report to its output (standard output, or a file), and every finding to GitHub's job summary beside its annotations. */
function writeReports(reported: ScanResult, context: ReportContext, args: AuditArgs, io: CliIo): void {
  const summary = io.env['GITHUB_STEP_SUMMARY'];
  if (summary && args.outputs.some((o) => o.format === 'github')) {
    // The annotations are capped: every finding goes to the job summary.
    appendFileSync(resolve(io.cwd, summary), REPORTERS.markdown(reported, { ...context, color: false }));
  }
  for (const output of args.outputs) {
    const text = REPORTERS[output.format](reported, { ...context, color: output.file === null && context.color });
    if (output.file === null) io.stdout.write(text);
    else {
      const target = resolve(io.cwd, output.file);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
      // As the user would type it: relative to where the command ran, unless it lies outside.
      const shown = relative(io.cwd, target);
      io.stderr.write(`cache-audit: wrote the ${output.format} report to ${shown === '' || shown.startsWith('..') ? target : shown}.\n`);
    }
  }
}

/** The exit code: 1 when a reported finding reaches --max-severity or the coverage is below --min-coverage, else 0. */
function outcome(findings: readonly ScanFinding[], result: ScanResult, args: AuditArgs, io: CliIo): number {
  const threshold = SEVERITY_ORDER[args.maxSeverity];
  const isFailing = findings.some((f) => SEVERITY_ORDER[f.severity] >= threshold);
  const coverage = result.coverage.ratio;
  // A project with no cache has nothing to keep fresh: its coverage is no measure of it.
  const isBelowCoverage = args.minCoverage !== null && coverage !== null && hasCache(result) && coverage * 100 < args.minCoverage;
  if (isBelowCoverage) {
    io.stderr.write(`cache-audit: coverage ${(100 * coverage).toFixed(1)} % is below --min-coverage ${String(args.minCoverage)} %.\n`);
  }
  return isFailing || isBelowCoverage ? 1 : 0;
}
