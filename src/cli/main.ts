import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type * as IoRedis from 'ioredis';
import { loadRegistry } from '../registry/load.js';
import type { LoadedRegistry } from '../registry/load.js';
import { VERSION } from '../version.js';
import { formatInspectText, hasDrift, inspectCache } from './inspect.js';

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const INSPECT_HELP = `Usage: cache-audit inspect --redis <url> [path] [options]

Looks at a live cache, read-only (SCAN with COUNT, never KEYS): keys per registry family, keys
without the registry's expiry, keys that match no registered template.

Options:
  --redis <url>         redis://host:port/db (required)
  --max-keys <n>        stop after this many keys (default: 100000)
  --format <text|json>  output format (default: text)

Exit codes: 0 nothing to report, 1 drift found, 2 usage, configuration or connection error.
`;

const HELP = `Usage: cache-audit [path] [options]
       cache-audit inspect --redis <url> [path] [options]

Audits the cache-key registry of the project at path (default: the current directory).

Options:
  --format <text|json>  output format (default: text)
  --debug               show stack traces of internal errors
  -v, --version         print the version
  -h, --help            print this help

Exit codes: 0 clean, 1 findings, 2 usage or configuration error.
`;

class UsageError extends Error {}

interface Config {
  readonly file: string;
  readonly registry: string;
}

/** The nearest cache-audit.config.json, or package.json with a `cacheAudit` field, from `start` upward. */
function findConfig(start: string): Config | null {
  let dir = resolve(start);
  for (;;) {
    const json = join(dir, 'cache-audit.config.json');
    if (existsSync(json)) return readConfig(json, JSON.parse(readFileSync(json, 'utf8')) as unknown);
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const field = (JSON.parse(readFileSync(pkg, 'utf8')) as { cacheAudit?: unknown }).cacheAudit;
      if (field !== undefined) return readConfig(pkg, field);
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function readConfig(file: string, value: unknown): Config {
  const registry = (value as { registry?: unknown } | null)?.registry;
  if (typeof registry !== 'string') throw new UsageError(`${file}: set "registry" to the path of the cache-key registry file.`);
  return { file, registry: resolve(dirname(file), registry) };
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

/** Runs the command line; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let isDebug = argv.includes('--debug');
  try {
    if (argv[0] === 'inspect') return await inspectCommand(argv.slice(1), io);
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        debug: { type: 'boolean', default: false },
        version: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    isDebug = values.debug;
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (values.version) {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`Unknown --format ${values.format}: use text or json.`);
    if (positionals.length > 1) throw new UsageError('Give at most one path.');
    const root = resolve(io.cwd, positionals[0] ?? '.');
    if (!existsSync(root)) throw new UsageError(`${root} does not exist.`);
    const config = findConfig(root);
    if (!config) throw new UsageError(`No cache-audit configuration found in ${root} or above: add cache-audit.config.json with { "registry": "src/cache/keys.ts" }.`);
    const loaded = loadRegistry(config.registry);
    if (values.format === 'json') {
      io.stdout.write(
        `${JSON.stringify(
          {
            registry: relative(io.cwd, loaded.file),
            prefix: loaded.registry?.prefix ?? '',
            keys: loaded.registry?.entries.map((e) => ({ name: e.name, template: e.template, ttl: e.ttl ?? null, dependsOn: e.dependsOn })) ?? [],
            diagnostics: loaded.diagnostics.map((d) => ({ ...d, file: relative(io.cwd, d.file) })),
          },
          null,
          2,
        )}\n`,
      );
    } else {
      io.stdout.write(textReport(loaded, io.cwd));
    }
    return loaded.diagnostics.length > 0 ? 1 : 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`cache-audit: ${message}\n`);
    if (isDebug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 2;
  }
}
