import { relative, resolve } from 'node:path';
import type * as IoRedis from 'ioredis';
import { clearConfigCache, loadConfigFor } from '../config/load-config.js';
import { loadRegistry } from '../registry/load.js';
import { plural } from '../report/context.js';
import type { LoadedRegistry } from '../registry/load.js';
import { compareRegistry, draftRegistry, sitesText, templateOf } from '../scanner/pipeline/inferred-registry.js';
import type { InferredFamily, ScanResult } from '../scanner/result.js';
import { scan } from '../scanner/scan.js';
import { UsageError } from './errors.js';
import { formatInspectText, hasDrift, inspectCache } from './inspect.js';
import { connectTarget, parseRedisUrl, redactRedisUrl } from './redis-target.js';
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

type Site = { readonly file: string; readonly line: number };

const ttlText = (ttl: number | null | undefined): string => (ttl === null || ttl === undefined ? '-' : `${String(ttl)}s`);
const sites = (list: readonly Site[]): string => sitesText(list) || '-';

function uniqueSites(list: readonly Site[]): Site[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const key = `${s.file}:${String(s.line)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What the command prints, as data: the `--format json` output, and what the text is made from. */
interface RegistryReport {
  readonly registry: { readonly file: string; readonly prefix: string } | null;
  readonly declared: readonly {
    readonly name: string;
    readonly template: string;
    readonly ttl: number | null;
    readonly dependsOn: readonly string[];
    /** Models the loaders read that dependsOn does not name. */
    readonly suggestedDependsOn: readonly string[];
    /** The inferred families that read this entry's keys. */
    readonly inferred: readonly string[];
    readonly reads: readonly Site[];
    readonly fills: readonly Site[];
  }[];
  /** Families the code reads that no registry entry describes (all of them without a registry), named as `init` would. */
  readonly inferred: readonly (Omit<InferredFamily, 'models'> & {
    readonly name: string;
    readonly template: string | null;
    readonly dependsOn: readonly string[];
  })[];
  readonly problems: readonly (Site & { readonly column: number; readonly message: string })[];
}

function report(loaded: LoadedRegistry | null, result: ScanResult | null, cwd: string): RegistryReport {
  const rel = (file: string): string => relative(cwd, file) || file;
  const registry = loaded?.registry ?? null;
  const families = result?.families ?? [];
  const compared = registry ? compareRegistry(registry, families) : { declared: [], undeclared: families };
  const declaredReads = result?.matrix.reads ?? {};
  const names = new Map(draftRegistry(families).map((d) => [d.family, d.name]));
  return {
    registry: loaded ? { file: rel(loaded.file), prefix: registry?.prefix ?? '' } : null,
    declared: (registry ? compared.declared : []).map(({ entry, families: mine, suggested }) => ({
      name: entry.name,
      template: entry.template,
      ttl: entry.ttl ?? null,
      dependsOn: entry.dependsOn,
      suggestedDependsOn: suggested,
      inferred: mine.map((f) => f.key),
      reads: uniqueSites([...(declaredReads[entry.name] ?? []), ...mine.flatMap((f) => f.reads)]),
      fills: uniqueSites(mine.flatMap((f) => f.fills.map(({ file, line }) => ({ file, line })))),
    })),
    inferred: compared.undeclared.map((family) => ({
      name: names.get(family) ?? '-',
      key: family.key,
      template: templateOf(family.key),
      ttl: family.ttl,
      dependsOn: family.models,
      reads: family.reads,
      fills: family.fills,
    })),
    problems: (loaded?.diagnostics ?? []).map((d) => ({ file: rel(d.file), line: d.line, column: d.column, message: d.message })),
  };
}

function textReport(data: RegistryReport, loaded: LoadedRegistry | null): string {
  const lines: string[] = [];
  const header = ['key', 'template', 'ttl', 'depends on', 'read at', 'filled at'];
  if (data.registry) {
    lines.push(`Registry ${data.registry.file}${data.registry.prefix ? ` (prefix ${data.registry.prefix})` : ''}`, '');
    if (data.declared.length > 0) {
      lines.push(
        table([
          header,
          ...data.declared.map((e) => [
            e.name,
            e.template,
            ttlText(e.ttl),
            [
              e.dependsOn.join(', ') || '-',
              ...(e.suggestedDependsOn.length > 0 ? [`+ ${e.suggestedDependsOn.join(', ')} (suggested)`] : []),
            ].join(' '),
            sites(e.reads),
            sites(e.fills),
          ]),
        ]),
        '',
      );
      const resources = [...new Set(data.declared.flatMap((e) => e.dependsOn))].sort();
      for (const resource of resources) {
        const dependents = loaded?.registry?.dependentsOf(resource).map((e) => e.template) ?? [];
        lines.push(`A change to ${resource} must invalidate: ${dependents.join(', ')}`);
      }
      if (resources.length > 0) lines.push('');
    }
  } else {
    lines.push('No registry: the key families below are inferred from the code (`cache-audit init` writes them as one).', '');
  }
  if (data.inferred.length > 0) {
    if (data.registry) lines.push('Read in the code, in no registry entry:', '');
    lines.push(
      table([
        header,
        ...data.inferred.map((f) => [
          f.name,
          f.template ?? f.key,
          ttlText(f.ttl),
          f.dependsOn.join(', ') || '-',
          sites(f.reads),
          sites(f.fills),
        ]),
      ]),
      '',
    );
  }
  for (const p of data.problems) lines.push(`${p.file}:${String(p.line)}:${String(p.column)}  error  ${p.message}`);
  const suggestions = data.declared.filter((e) => e.suggestedDependsOn.length > 0).length;
  const summary = data.registry
    ? [
        plural(data.declared.length, 'key family', 'key families'),
        plural(suggestions, 'suggested dependency', 'suggested dependencies'),
        `${plural(data.inferred.length, 'family', 'families')} only in the code`,
        plural(data.problems.length, 'problem', 'problems'),
      ]
    : [`${plural(data.inferred.length, 'key family', 'key families')} inferred from the code`];
  lines.push(summary.join(', '));
  return `${lines.join('\n')}\n`;
}

/**
 * `cache-audit registry`: the registry as the checks read it beside the key families the code
 * shows (all of them without a registry), with the dependencies the code adds as suggestions.
 * Exit 2 when the registry has problems (then the code is not read).
 */
export async function registryCommand(path: string | undefined, format: 'text' | 'json', io: CliIo): Promise<number> {
  const root = resolve(io.cwd, path ?? '.');
  clearConfigCache();
  const config = loadConfigFor(root, { recheckMs: 0 });
  if (config.file !== null) requireConfig(root, io.cwd);
  const loaded = config.config.registry ? loadRegistry(resolve(config.dir, config.config.registry), { recheckMs: 0 }) : null;
  const isBroken = loaded !== null && (loaded.registry === null || loaded.diagnostics.length > 0);
  const result = isBroken ? null : await scan({ root });
  const data = report(loaded, result, io.cwd);
  io.stdout.write(format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : textReport(data, loaded));
  return isBroken ? 2 : 0;
}

function registryFileOf(root: string, cwd: string): string {
  const config = requireConfig(root, cwd);
  if (!config.config.registry)
    throw new UsageError(`${relative(cwd, config.file) || config.file}: set "registry" to the path of the cache-key registry file.`);
  return resolve(config.dir, config.config.registry);
}

/**
 * `cache-audit inspect`: a read-only look at a live cache against the registry, every primary of a
 * Cluster. The connection and each command wait at most `timeoutMs`; every message shows the URL
 * with its password redacted.
 */
export async function inspectCommand(
  path: string | undefined,
  options: { redis: string; maxKeys: number; format: 'text' | 'json'; timeout: number },
  io: CliIo,
): Promise<number> {
  const root = resolve(io.cwd, path ?? '.');
  registryFileOf(root, io.cwd);
  const loaded = requireRegistry(requireConfig(root, io.cwd), io.cwd);
  if (!loaded?.registry) throw new UsageError('The registry cannot be read.');
  const target = parseRedisUrl(options.redis);
  let ioredis: typeof IoRedis;
  try {
    ioredis = await import('ioredis');
  } catch {
    throw new UsageError('inspect needs the ioredis package: npm install ioredis.');
  }
  const connection = await connectTarget(ioredis, target, options.timeout);
  try {
    const report = await inspectCache(connection.nodes, loaded.registry, { maxKeys: options.maxKeys, timeoutMs: options.timeout });
    io.stdout.write(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatInspectText(report, loaded.registry.prefix));
    return hasDrift(report) ? 1 : 0;
  } catch (error) {
    throw new UsageError(`${target.shown}: ${redactRedisUrl(error instanceof Error ? error.message : String(error)).replace(/\.+$/, '')}.`);
  } finally {
    connection.close();
  }
}
