import { relative, resolve } from 'node:path';
import type * as IoRedis from 'ioredis';
import { loadRegistry } from '../registry/load.js';
import { plural } from '../report/context.js';
import type { LoadedRegistry } from '../registry/load.js';
import { UsageError } from './errors.js';
import { formatInspectText, hasDrift, inspectCache } from './inspect.js';
import type { CliIo } from './io.js';
import { requireConfig, requireRegistry } from './setup.js';

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
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
  const problems = loaded.diagnostics.length;
  for (const d of loaded.diagnostics)
    lines.push(`${relative(cwd, d.file) || d.file}:${String(d.line)}:${String(d.column)}  error  ${d.message}`);
  lines.push(`${plural(entries.length, 'key family', 'key families')}, ${plural(problems, 'problem', 'problems')}`);
  return `${lines.join('\n')}\n`;
}

function registryFileOf(root: string, cwd: string): string {
  const config = requireConfig(root, cwd);
  if (!config.config.registry)
    throw new UsageError(`${relative(cwd, config.file) || config.file}: set "registry" to the path of the cache-key registry file.`);
  return resolve(config.dir, config.config.registry);
}

/** `cache-audit registry`: the registry as the checks read it; exit 2 when it has problems. */
export function registryCommand(path: string | undefined, format: 'text' | 'json', io: CliIo): number {
  const loaded = loadRegistry(registryFileOf(resolve(io.cwd, path ?? '.'), io.cwd), { recheckMs: 0 });
  io.stdout.write(
    format === 'json'
      ? `${JSON.stringify(loaded.registry?.entries.map((e) => ({ name: e.name, template: e.template, ttl: e.ttl ?? null, dependsOn: e.dependsOn })) ?? [], null, 2)}\n`
      : textReport(loaded, io.cwd),
  );
  return loaded.diagnostics.length > 0 ? 2 : 0;
}

/** `cache-audit inspect`: a read-only look at a live cache against the registry. */
export async function inspectCommand(
  path: string | undefined,
  options: { redis: string; maxKeys: number; format: 'text' | 'json' },
  io: CliIo,
): Promise<number> {
  const root = resolve(io.cwd, path ?? '.');
  registryFileOf(root, io.cwd);
  const loaded = requireRegistry(requireConfig(root, io.cwd), io.cwd);
  if (!loaded?.registry) throw new UsageError('The registry cannot be read.');
  let Redis: (typeof IoRedis)['Redis'];
  try {
    ({ Redis } = await import('ioredis'));
  } catch {
    throw new UsageError('inspect needs the ioredis package: npm install ioredis.');
  }
  const client = new Redis(options.redis, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new UsageError(`Cannot connect to ${options.redis}: ${error instanceof Error ? error.message : String(error)}.`);
  }
  try {
    const report = await inspectCache(client, loaded.registry, { maxKeys: options.maxKeys });
    io.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatInspectText(report, loaded.registry.prefix));
    return hasDrift(report) ? 1 : 0;
  } finally {
    client.disconnect();
  }
}
