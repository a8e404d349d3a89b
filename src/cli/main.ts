import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { formatOfFile, isReportFormat, REPORT_FORMATS } from '../report/formats.js';
import type { ReportFormat } from '../report/formats.js';
import type { Severity } from '../scanner/result.js';
import { VERSION } from '../version.js';
import type { AuditArgs, Output } from './audit.js';
import { UsageError } from './errors.js';
import { hasColor, withShownPaths } from './io.js';
import type { CliIo } from './io.js';

export type { CliIo } from './io.js';

const DESCRIPTION =
  'Audits a project: every mutation handler against the cache-key registry, calls followed across files. ' +
  'With one directory, audits that project; with files or several paths, reports on them with the project of the current directory (or --root) as context.';

const EXIT_CODES = `
Exit codes: 0 clean, 1 findings at or above --max-severity or below --min-coverage,
2 usage or configuration error (the configuration, the registry or a tsconfig cannot be used).`;

interface AuditOptions {
  readonly maxSeverity: Severity;
  readonly minCoverage?: number;
  readonly strict?: boolean;
  readonly matrix?: boolean;
  readonly verbose?: boolean;
  readonly root?: string;
  readonly tsconfig?: string;
  readonly config?: string;
  readonly staged?: boolean;
  readonly changedSince?: string;
  readonly baseline?: string;
  readonly updateBaseline?: boolean;
  readonly color?: boolean;
  readonly cache?: boolean;
  readonly cacheLocation?: string;
  readonly cacheStrategy: 'metadata' | 'content';
  readonly monorepo?: boolean;
}

function percentage(text: string): number {
  const number = Number(text);
  if (text.trim() === '' || !Number.isFinite(number) || number < 0 || number > 100)
    throw new InvalidArgumentError(`--min-coverage takes a percentage from 0 to 100, not ${text}.`);
  return number;
}

function positiveInteger(text: string): number {
  const number = Number(text);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError(`--max-keys takes a positive whole number, not ${text}.`);
  return number;
}

/**
 * --format and --output in the order given: each --output belongs to the --format before it; an
 * --output before any --format waits for the next one, and one that gets none takes its format
 * from its extension (`report.sarif`), else text.
 */
class OutputList {
  private readonly outputs: { format: ReportFormat | null; file: string | null }[] = [];

  format(name: string): void {
    if (!isReportFormat(name)) throw new InvalidArgumentError(`Unknown --format ${name}: use ${REPORT_FORMATS.join(', ')}.`);
    const waiting = this.outputs.find((o) => o.format === null);
    if (waiting) waiting.format = name;
    else this.outputs.push({ format: name, file: null });
  }

  output(file: string): void {
    const last = this.outputs.at(-1);
    if (last && last.file === null) last.file = file;
    else if (last?.format === null) throw new InvalidArgumentError(`--output ${file} follows another --output: give a --format for each.`);
    else this.outputs.push({ format: null, file });
  }

  list(): Output[] {
    const outputs = this.outputs.map((o) => ({
      format: o.format ?? (o.file === null ? 'text' : (formatOfFile(o.file) ?? 'text')),
      file: o.file,
    }));
    return outputs.length > 0 ? outputs : [{ format: 'text', file: null }];
  }
}

function program(io: CliIo, setCode: (code: number) => void): Command {
  const outputs = new OutputList();
  const command = new Command('cache-audit')
    .description(DESCRIPTION)
    .version(VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .helpCommand('help [command]', 'print the help of a command')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => {
        let message = text.trim().replace(/^error: /, '');
        // Our own argument messages name their option already.
        const own = /^option '(--[\w-]+)[^']*' argument '[^']*' is invalid\. (.*)$/s.exec(message);
        if (own?.[1] && own[2]?.includes(own[1])) message = own[2];
        write(`cache-audit: ${message}${/unknown (option|command)/.test(message) ? ' (see cache-audit --help)' : ''}\n`);
      },
    })
    .argument('[paths...]', 'a project directory, or files and directories to report on')
    .option('--format <name>', `${REPORT_FORMATS.join(', ')} (default text); repeatable, each with its own --output`, (name: string) => {
      outputs.format(name);
    })
    .option('--output <file>', 'write the --format given with it to this file instead of stdout', (file: string) => {
      outputs.output(file);
    })
    .addOption(
      new Option('--max-severity <level>', 'fail (exit 1) on findings at or above this level')
        .choices(['error', 'warning', 'note'])
        .default('error'),
    )
    .option('--min-coverage <n>', 'fail when fewer than n % of mutation handlers invalidate or state an exception', percentage)
    .option('--strict', 'also run the strict rules (require-tenant-scope)')
    .option('--matrix', 'print the coverage matrix in the text report')
    .option('--verbose', 'list every blind spot, not only the calls that hide them')
    .option('--root <dir>', 'the project directory (default: the one directory given, or the current one)')
    .option('--tsconfig <file>', 'use this tsconfig instead of discovering them (one project)')
    .option('--config <file>', 'use this configuration file instead of the one found from the root upward (one project)')
    .option('--monorepo', 'audit each application below the root (found by configuration files, workspaces, apps/ and packages/)')
    .option('--no-monorepo', 'audit the root as one project, even when it looks like a monorepo')
    .option('--staged', 'audit the staged content of staged files (pre-commit), the project as context')
    .option('--changed-since <ref>', 'report only findings in files changed since a git ref')
    .option('--baseline <file>', 'leave out the findings recorded in this baseline')
    .option('--update-baseline', 'record the current findings in the --baseline file, and exit 0')
    .option('--cache', 'keep results and per-file verdicts between runs; reuse them for unchanged files')
    .option(
      '--cache-location <path>',
      'the cache file, or a directory for it (default node_modules/.cache/cache-audit/, else the user cache directory)',
    )
    .addOption(
      new Option('--cache-strategy <strategy>', 'how a changed file is detected: size and mtime first, or always the content')
        .choices(['metadata', 'content'])
        .default('metadata'),
    )
    .option('--color', 'colours even when stdout is no terminal (FORCE_COLOR is respected too)')
    .option('--no-color', 'no colours (a non-empty NO_COLOR is respected too)')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', EXIT_CODES)
    .action(async (paths: string[], options: AuditOptions) => {
      const args = auditArgs(paths, options, outputs, io);
      const { audit } = await import('./audit.js');
      setCode(await audit(args, io));
    });
  addCommands(command, io, setCode);
  return command;
}

/** The audit's arguments from the command line, with the combinations that cannot be run refused. */
function auditArgs(paths: string[], options: AuditOptions, outputs: OutputList, io: CliIo): AuditArgs {
  if (options.updateBaseline && !options.baseline) throw new UsageError('--update-baseline needs --baseline <file>.');
  if (options.staged && options.changedSince) throw new UsageError('--staged and --changed-since cannot be combined.');
  if (options.changedSince?.startsWith('-'))
    throw new UsageError(`--changed-since takes a git revision, not ${JSON.stringify(options.changedSince)}.`);
  if (options.monorepo === true && options.tsconfig)
    throw new UsageError('--monorepo and --tsconfig cannot be combined: a tsconfig names one project.');
  if (options.monorepo === true && options.config)
    throw new UsageError('--monorepo and --config cannot be combined: each application has its own configuration.');
  return {
    outputs: outputs.list(),
    paths,
    maxSeverity: options.maxSeverity,
    minCoverage: options.minCoverage ?? null,
    isStrict: options.strict === true,
    root: options.root ?? null,
    tsconfig: options.tsconfig ?? null,
    config: options.config ?? null,
    isStaged: options.staged === true,
    changedSince: options.changedSince ?? null,
    baseline: options.baseline ?? null,
    shouldUpdateBaseline: options.updateBaseline === true,
    hasColor: hasColor(options.color, io),
    isVerbose: options.verbose === true,
    hasMatrix: options.matrix === true,
    cache: options.cache === true ? { location: options.cacheLocation ?? null, strategy: options.cacheStrategy } : null,
    mode: options.monorepo === undefined ? 'auto' : options.monorepo ? 'monorepo' : 'single',
  };
}

/** The commands beside the audit: init, registry, inspect. */
function addCommands(command: Command, io: CliIo, setCode: (code: number) => void): void {
  command
    .command('init')
    .description('write the registry the code implies (families, templates, ttls, dependsOn) and a configuration naming it')
    .argument('[dir]', 'the project directory', '.')
    .option('--force', 'overwrite an existing registry, and set `registry` in an existing configuration')
    .addHelpText('after', '\nExit codes: 0 written, 2 a file exists already (without --force) or the project cannot be read.')
    .action(async (dir: string, options: { force?: boolean }) => {
      const { initProject } = await import('./init.js');
      setCode(await initProject(resolve(io.cwd, dir), { force: options.force === true }, io));
    });

  command
    .command('registry')
    .description('print the registry and the key families the code shows, side by side, with the dependencies the code adds')
    .argument('[path]', 'the project directory', '.')
    .addOption(new Option('--format <name>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExit codes: 0 printed, 2 the registry has problems or the project cannot be read.')
    .action(async (path: string, options: { format: 'text' | 'json' }) => {
      const { registryCommand } = await import('./registry-command.js');
      setCode(await registryCommand(path, options.format, io));
    });

  command
    .command('inspect')
    .description('look at a live cache, read-only (SCAN with COUNT, never KEYS): keys per family, keys without expiry, keys of no template')
    .argument('[path]', 'the project directory', '.')
    .requiredOption('--redis <url>', 'redis://[[user]:password@]host:port/db (a Cluster node: every primary is scanned)')
    .option('--max-keys <n>', 'stop after this many keys', positiveInteger, 100_000)
    .option('--timeout <ms>', 'longest wait for the connection and for each command', positiveInteger, 5000)
    .addOption(new Option('--format <name>', 'output format').choices(['text', 'json']).default('text'))
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing to report, 1 drift found, 2 usage, configuration or connection error (no answer within --timeout, a database the server does not have).',
    )
    .action(async (path: string, options: { redis: string; maxKeys: number; timeout: number; format: 'text' | 'json' }) => {
      const { inspectCommand } = await import('./registry-command.js');
      setCode(await inspectCommand(path, options, io));
    });
}

/** Errors of a setup that cannot start (exit 2, the message alone): src/scanner/scan-error.ts, src/ts/typescript.ts. */
const EXPECTED_ERRORS = new Set(['ScanError', 'MissingTypeScriptError']);

/** Runs the command line; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const isDebug = argv.includes('--debug');
  let code = 0;
  try {
    await program(io, (c) => (code = c)).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with a CommanderError too: exit 0. Commander has printed the message.
      return error.exitCode === 0 ? 0 : 2;
    }
    // By name: the errors' modules load with the audit, which --version and --help do not load.
    const isExpected = error instanceof UsageError || (error instanceof Error && EXPECTED_ERRORS.has(error.name));
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `cache-audit: ${isExpected ? withShownPaths(message, io.cwd) : `internal error: ${message} (run with --debug for the stack)`}\n`,
    );
    if (isDebug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 2;
  }
}
