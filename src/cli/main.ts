import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import type * as IoRedis from 'ioredis';
import { loadConfigFor } from '../config/load-config.js';
import { loadRegistry } from '../registry/load.js';
import type { LoadedRegistry } from '../registry/load.js';
import { REPORTERS } from '../report/index.js';
import type { ScanFinding, ScanResult, Severity } from '../scanner/result.js';
import { SEVERITY_ORDER } from '../scanner/result.js';
import { scan } from '../scanner/scan.js';
import { ScanError } from '../scanner/scan-error.js';
import { VERSION } from '../version.js';
import { initProject } from './init.js';
import { formatInspectText, hasDrift, inspectCache } from './inspect.js';

export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const HELP = `Usage: cache-audit [path…] [options]
       cache-audit init [dir]
       cache-audit inspect --redis <url> [path] [options]
       cache-audit registry [path]

Audits a project: every mutation handler against the cache-key registry, calls followed across
files. With one directory, audits that project; with files or several paths, reports on them with
the project of the current directory (or --root) as context.

Options:
  --format <name>         text (default), json, sarif, markdown, html, github; repeatable
  --output <file>         write the preceding --format to a file instead of stdout
  --max-severity <level>  fail (exit 1) on findings at or above: error (default), warning, note
  --min-coverage <n>      fail when fewer than n % of mutation handlers invalidate or state an exception
  --strict                also run the strict rules (require-tenant-scope)
  --matrix                print the coverage matrix in the text report
  --root <dir>            the project directory (default: the one directory given, or the current one)
  --tsconfig <file>       use this tsconfig instead of discovering them
  --staged                audit the staged content of staged files (pre-commit), the project as context
  --changed-since <ref>   report only findings in files changed since a git ref
  --baseline <file>       leave out the findings recorded in this baseline
  --update-baseline       record the current findings in the --baseline file, and exit 0
  --no-color              no colours (NO_COLOR is respected too)
  --debug                 show stack traces of internal errors
  -v, --version           print the version
  -h, --help              print this help

Exit codes: 0 clean, 1 findings at or above --max-severity or below --min-coverage,
2 usage or configuration error.
`;

const INSPECT_HELP = `Usage: cache-audit inspect --redis <url> [path] [options]

Looks at a live cache, read-only (SCAN with COUNT, never KEYS): keys per registry family, keys
without the registry's expiry, keys that match no registered template.

Options:
  --redis <url>         redis://host:port/db (required)
  --max-keys <n>        stop after this many keys (default: 100000)
  --format <text|json>  output format (default: text)

Exit codes: 0 nothing to report, 1 drift found, 2 usage, configuration or connection error.
`;

class UsageError extends Error {}

interface Config {
  readonly file: string;
  readonly registry: string;
}

function findConfig(start: string): Config | null {
  const loaded = loadConfigFor(start);
  if (!loaded.file) return null;
  if (!loaded.config.registry) throw new UsageError(`${loaded.file}: set "registry" to the path of the cache-key registry file.`);
  return { file: loaded.file, registry: resolve(loaded.dir, loaded.config.registry) };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

function textReport(loaded: LoadedRegistry, cwd: string): string {
  const file = relative(cwd, loaded.file) || loaded.file;
  const lines: string[] = [`Registry ${file}${loaded.registry?.prefix ? ` (prefix ${loaded.registry.prefix})` : ''}`, ''];
  const entries = loaded.registry?.entries ?? [];
  if (entries.length > 0) {
    lines.push(
      table([
        ['key', 'template', 'ttl', 'depends on'],
        ...entries.map((e) => [e.name, e.template, e.ttl === undefined ? '-' : `${String(e.ttl)}s`, e.dependsOn.join(', ') || '-']),
      ]),
      '',
    );
    const resources = [...new Set(entries.flatMap((e) => e.dependsOn))].sort();
    for (const resource of resources) {
      const dependents = loaded.registry?.dependentsOf(resource).map((e) => e.template) ?? [];
      lines.push(`A change to ${resource} must invalidate: ${dependents.join(', ')}`);
    }
    lines.push('');
  }
  for (const d of loaded.diagnostics) lines.push(`${relative(cwd, d.file) || d.file}:${String(d.line)}:${String(d.column)}  error  ${d.message}`);
  lines.push(`${String(entries.length)} key families, ${String(loaded.diagnostics.length)} problems`);
  return `${lines.join('\n')}\n`;
}

async function inspectCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      redis: { type: 'string' },
      'max-keys': { type: 'string', default: '100000' },
      format: { type: 'string', default: 'text' },
      debug: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(INSPECT_HELP);
    return 0;
  }
  if (!values.redis) throw new UsageError('inspect needs --redis <url>, for example --redis redis://127.0.0.1:6379/0.');
  const maxKeys = Number(values['max-keys']);
  if (!Number.isInteger(maxKeys) || maxKeys <= 0) throw new UsageError(`--max-keys takes a positive whole number, not ${values['max-keys']}.`);
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`Unknown --format ${values.format}: use text or json.`);
  const root = resolve(io.cwd, positionals[0] ?? '.');
  const config = findConfig(root);
  if (!config) throw new UsageError(`No cache-audit configuration found in ${root} or above: add cache-audit.config.json with { "registry": "src/cache/keys.ts" }.`);
  const loaded = loadRegistry(config.registry);
  if (!loaded.registry) throw new UsageError(loaded.diagnostics[0]?.message ?? 'The registry cannot be read.');
  let Redis: (typeof IoRedis)['Redis'];
  try {
    ({ Redis } = await import('ioredis'));
  } catch {
    throw new UsageError('inspect needs the ioredis package: npm install ioredis.');
  }
  const client = new Redis(values.redis, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new UsageError(`Cannot connect to ${values.redis}: ${error instanceof Error ? error.message : String(error)}.`);
  }
  try {
    const report = await inspectCache(client, loaded.registry, { maxKeys });
    io.stdout.write(values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatInspectText(report, loaded.registry.prefix));
    return hasDrift(report) ? 1 : 0;
  } finally {
    client.disconnect();
  }
}

interface Output {
  readonly format: string;
  file: string | null;
}

interface AuditArgs {
  readonly outputs: Output[];
  readonly paths: string[];
  maxSeverity: Severity;
  minCoverage: number | null;
  isStrict: boolean;
  root: string | null;
  tsconfig: string | null;
  isStaged: boolean;
  changedSince: string | null;
  baseline: string | null;
  shouldUpdateBaseline: boolean;
  hasColor: boolean;
  isDebug: boolean;
  hasMatrix: boolean;
}

/** Reads the audit's arguments in order, so that each --output belongs to the --format before it. */
function parseAuditArgs(argv: readonly string[]): AuditArgs | 'help' | 'version' {
  const args: AuditArgs = {
    outputs: [],
    paths: [],
    maxSeverity: 'error',
    minCoverage: null,
    isStrict: false,
    root: null,
    tsconfig: null,
    isStaged: false,
    changedSince: null,
    baseline: null,
    shouldUpdateBaseline: false,
    hasColor: true,
    isDebug: false,
    hasMatrix: false,
  };
  const value = (i: number, name: string): string => {
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) throw new UsageError(`${name} needs a value.`);
    return next;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, null];
    const take = (): string => {
      if (inline !== null) return inline;
      const v = value(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '-v':
      case '--version':
        return 'version';
      case '--format': {
        const format = take();
        if (!(format in REPORTERS)) throw new UsageError(`Unknown --format ${format}: use ${Object.keys(REPORTERS).join(', ')}.`);
        args.outputs.push({ format, file: null });
        break;
      }
      case '--output': {
        const file = take();
        const last = args.outputs[args.outputs.length - 1];
        if (!last) args.outputs.push({ format: 'text', file });
        else if (last.file !== null) throw new UsageError(`--output ${file} follows no --format of its own: give --format before each --output.`);
        else last.file = file;
        break;
      }
      case '--max-severity': {
        const level = take();
        if (level !== 'error' && level !== 'warning' && level !== 'note') throw new UsageError(`Unknown --max-severity ${level}: use error, warning or note.`);
        args.maxSeverity = level;
        break;
      }
      case '--min-coverage': {
        const text = take();
        const number = Number(text);
        if (!Number.isFinite(number) || number < 0 || number > 100) throw new UsageError(`--min-coverage takes a percentage from 0 to 100, not ${text}.`);
        args.minCoverage = number;
        break;
      }
      case '--strict':
        args.isStrict = true;
        break;
      case '--matrix':
        args.hasMatrix = true;
        break;
      case '--root':
        args.root = take();
        break;
      case '--tsconfig':
        args.tsconfig = take();
        break;
      case '--staged':
        args.isStaged = true;
        break;
      case '--changed-since':
        args.changedSince = take();
        break;
      case '--baseline':
        args.baseline = take();
        break;
      case '--update-baseline':
        args.shouldUpdateBaseline = true;
        break;
      case '--no-color':
        args.hasColor = false;
        break;
      case '--debug':
        args.isDebug = true;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`Unknown option '${arg}': see cache-audit --help.`);
        args.paths.push(arg);
    }
  }
  if (args.outputs.length === 0) args.outputs.push({ format: 'text', file: null });
  if (args.shouldUpdateBaseline && !args.baseline) throw new UsageError('--update-baseline needs --baseline <file>.');
  if (args.isStaged && args.changedSince) throw new UsageError('--staged and --changed-since cannot be combined.');
  return args;
}

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new UsageError(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}.`);
  }
}

interface Baseline {
  readonly version: 1;
  readonly fingerprints: string[];
}

function readBaseline(file: string): Set<string> {
  if (!existsSync(file)) return new Set();
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Baseline>;
    if (!Array.isArray(parsed.fingerprints)) throw new Error('no "fingerprints" list');
    return new Set(parsed.fingerprints);
  } catch (error) {
    throw new UsageError(`The baseline ${file} cannot be read: ${(error as Error).message}. Recreate it with --update-baseline.`);
  }
}

async function audit(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseAuditArgs(argv);
  if (parsed === 'help') {
    io.stdout.write(HELP);
    return 0;
  }
  if (parsed === 'version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const args = parsed;
  let root = args.root ? resolve(io.cwd, args.root) : io.cwd;
  let paths = args.paths.map((p) => resolve(io.cwd, p));
  for (const path of paths) if (!existsSync(path)) throw new UsageError(`${relative(io.cwd, path) || path} does not exist.`);
  const only = paths[0];
  if (!args.root && paths.length === 1 && only !== undefined && statSync(only).isDirectory()) {
    root = only;
    paths = [];
  }
  let readFile: ((file: string) => Buffer | null) | undefined;
  let onlyFiles: Set<string> | undefined;
  if (args.isStaged || args.changedSince) {
    const top = git(root, ['rev-parse', '--show-toplevel']).trim();
    const names = args.isStaged
      ? git(root, ['diff', '--cached', '--name-only', '--diff-filter=ACMR'])
      : git(root, ['diff', '--name-only', '--diff-filter=ACMR', args.changedSince ?? 'HEAD']) + git(root, ['ls-files', '--others', '--exclude-standard', '--full-name']);
    // git names files from the top of the repository.
    const changed = names.split('\n').filter(Boolean).map((name) => resolve(top, name));
    onlyFiles = new Set(changed.filter((file) => file.startsWith(root + sep)));
    if (onlyFiles.size === 0) {
      io.stderr.write(args.isStaged ? 'cache-audit: no staged files in this project.\n' : `cache-audit: no files changed since ${args.changedSince ?? ''}.\n`);
    }
    if (args.isStaged) {
      const staged = onlyFiles;
      readFile = (file) => (staged.has(file) ? Buffer.from(git(top, ['show', `:${relative(top, file).split(sep).join('/')}`]), 'utf8') : null);
    }
  }
  const isTTY = io.stderr.isTTY === true && io.env['CI'] !== 'true';
  let lastProgress = 0;
  const result = await scan({
    root,
    paths,
    onlyFiles,
    tsconfig: args.tsconfig ?? undefined,
    strict: args.isStrict,
    readFile,
    onProgress: isTTY
      ? (done, total) => {
          const now = Date.now();
          if (now - lastProgress < 100 && done !== total) return;
          lastProgress = now;
          io.stderr.write(`\rcache-audit: ${String(done)}/${String(total)} files${done === total ? '\n' : ''}`);
        }
      : undefined,
  });
  let findings: readonly ScanFinding[] = result.findings;
  let baselined = 0;
  if (args.baseline) {
    const baselineFile = resolve(io.cwd, args.baseline);
    if (args.shouldUpdateBaseline) {
      const baseline: Baseline = { version: 1, fingerprints: [...new Set(findings.map((f) => f.fingerprint))].sort() };
      mkdirSync(dirname(baselineFile), { recursive: true });
      writeFileSync(baselineFile, `${JSON.stringify(baseline, null, 2)}\n`);
      io.stderr.write(`cache-audit: recorded ${String(baseline.fingerprints.length)} findings in ${relative(io.cwd, baselineFile)}.\n`);
      return 0;
    }
    const known = readBaseline(baselineFile);
    findings = findings.filter((f) => !known.has(f.fingerprint));
    baselined = result.findings.length - findings.length;
  }
  const reported: ScanResult = { ...result, findings };
  const sourceCache = new Map<string, string[] | null>();
  const context = {
    color: args.hasColor && io.stdout.isTTY === true && io.env['NO_COLOR'] === undefined,
    baselined,
    matrix: args.hasMatrix,
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
  for (const output of args.outputs) {
    const reporter = REPORTERS[output.format];
    if (!reporter) continue;
    const text = reporter(reported, { ...context, color: output.file === null && context.color });
    if (output.file === null) io.stdout.write(text);
    else {
      const target = resolve(io.cwd, output.file);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
  }
  const threshold = SEVERITY_ORDER[args.maxSeverity];
  const isFailing = findings.some((f) => SEVERITY_ORDER[f.severity] >= threshold);
  const coverage = result.coverage.ratio;
  const isBelowCoverage = args.minCoverage !== null && coverage !== null && coverage * 100 < args.minCoverage;
  if (isBelowCoverage) {
    io.stderr.write(`cache-audit: coverage ${(100 * (coverage ?? 0)).toFixed(1)} % is below --min-coverage ${String(args.minCoverage)} %.\n`);
  }
  return isFailing || isBelowCoverage ? 1 : 0;
}

function registryCommand(argv: readonly string[], io: CliIo): number {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { format: { type: 'string', default: 'text' } } });
  const root = resolve(io.cwd, positionals[0] ?? '.');
  const config = findConfig(root);
  if (!config) throw new UsageError(`No cache-audit configuration found in ${root} or above: add cache-audit.config.json with { "registry": "src/cache/keys.ts" }.`);
  const loaded = loadRegistry(config.registry);
  io.stdout.write(values.format === 'json' ? `${JSON.stringify(loaded.registry?.entries.map((e) => ({ name: e.name, template: e.template, ttl: e.ttl ?? null, dependsOn: e.dependsOn })) ?? [], null, 2)}\n` : textReport(loaded, io.cwd));
  return loaded.diagnostics.length > 0 ? 1 : 0;
}

/** Runs the command line; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const isDebug = argv.includes('--debug');
  try {
    if (argv[0] === 'inspect') return await inspectCommand(argv.slice(1), io);
    if (argv[0] === 'registry') return registryCommand(argv.slice(1), io);
    if (argv[0] === 'init') return initProject(resolve(io.cwd, argv[1] ?? '.'), io);
    return await audit(argv, io);
  } catch (error) {
    const isExpected = error instanceof UsageError || error instanceof ScanError || (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`cache-audit: ${isExpected ? message : `internal error: ${message} (run with --debug for the stack)`}\n`);
    if (isDebug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 2;
  }
}

export { UsageError };
