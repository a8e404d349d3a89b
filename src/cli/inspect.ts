import type { CacheRegistry } from '../registry/define.js';
import { templateRegExp } from '../registry/model.js';
import { answered } from './redis-target.js';
import type { InspectClient } from './redis-target.js';

interface FamilyReport {
  readonly name: string;
  readonly template: string;
  readonly ttl: number | null;
  readonly keys: number;
  /** Keys without expiry although the registry sets a ttl. */
  readonly withoutExpiry: number;
  /** Keys whose remaining time exceeds the registry ttl. */
  readonly ttlAboveRegistry: number;
}

export interface InspectReport {
  /** Servers scanned: 1, or every primary of a Cluster. */
  readonly nodes: number;
  /** Keys under the registry prefix that were looked at. */
  readonly scanned: number;
  /** Keys of the keyspace SCAN walked (the sum of its COUNT hints): the work, bounded by maxKeys too. */
  readonly examined: number;
  /** The look stopped at maxKeys (keys counted, or keys walked) before the end of the keyspace. */
  readonly isTruncated: boolean;
  readonly families: readonly FamilyReport[];
  /** Keys under the registry prefix that no template describes: drift between code and cache. */
  readonly unregistered: { readonly count: number; readonly samples: readonly string[] };
}

/**
 * Looks at a live cache, read-only: SCAN with COUNT (never KEYS), and PTTL for each key, on each
 * node given (every primary of a Cluster, since a SCAN sees the keys of one node only). Counts keys
 * per registry family, keys that break the registry's ttl, and keys that match no template.
 * `maxKeys` bounds both the keys counted and the keyspace walked, over all nodes (a prefix that
 * matches little would otherwise walk every key), and the report says when it cut the look short.
 * With `timeoutMs`, a node that does not answer a command in time rejects with a NoAnswerError.
 */
export async function inspectCache(
  clients: InspectClient | readonly InspectClient[],
  registry: CacheRegistry,
  options: { maxKeys?: number; count?: number; timeoutMs?: number } = {},
): Promise<InspectReport> {
  const nodes = Array.isArray(clients) ? (clients as readonly InspectClient[]) : [clients as InspectClient];
  const maxKeys = options.maxKeys ?? 100_000;
  const bounded = <T>(promise: Promise<T>, what: string): Promise<T> =>
    options.timeoutMs === undefined ? promise : answered(promise, options.timeoutMs, what);
  const prefix = registry.prefix;
  const matchers = registry.entries.map((entry) => ({ entry, regExp: templateRegExp(entry) }));
  const stats = new Map(registry.entries.map((e) => [e.name, { keys: 0, withoutExpiry: 0, ttlAboveRegistry: 0 }]));
  const unregistered: string[] = [];
  let unregisteredCount = 0;
  let scanned = 0;
  let examined = 0;
  const count = Math.min(options.count ?? 1000, maxKeys);
  let isTruncated = false;
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  const tally = (key: string, pttlReply: unknown): void => {
    const bare = key.slice(prefix.length);
    const match = matchers.find((m) => m.regExp.test(bare));
    if (!match) {
      unregisteredCount++;
      if (unregistered.length < 20) unregistered.push(key);
      return;
    }
    const family = stats.get(match.entry.name);
    if (!family) return;
    family.keys++;
    const pttl = Number(pttlReply ?? -2);
    if (match.entry.ttl !== undefined && pttl === -1) family.withoutExpiry++;
    if (match.entry.ttl !== undefined && pttl > match.entry.ttl * 1000) family.ttlAboveRegistry++;
  };
  for (const [index, client] of nodes.entries()) {
    let cursor = '0';
    do {
      const [next, keys] = await bounded(client.scan(cursor, 'MATCH', pattern, 'COUNT', count), 'SCAN');
      cursor = next;
      examined += count;
      const batch = keys.slice(0, Math.max(0, maxKeys - scanned));
      if (batch.length < keys.length) isTruncated = true;
      scanned += batch.length;
      const pipeline = client.pipeline();
      for (const key of batch) pipeline.pttl(key);
      const ttls = (await bounded(pipeline.exec(), 'PTTL')) ?? [];
      batch.forEach((key, at) => {
        tally(key, ttls[at]?.[1]);
      });
      const isMore = cursor !== '0' || index < nodes.length - 1;
      if ((scanned >= maxKeys || examined >= maxKeys) && isMore) isTruncated = true;
    } while (cursor !== '0' && !isTruncated);
    if (isTruncated) break;
  }
  return {
    nodes: nodes.length,
    scanned,
    examined,
    isTruncated,
    families: registry.entries.map((entry) => ({
      name: entry.name,
      template: entry.template,
      ttl: entry.ttl ?? null,
      ...(stats.get(entry.name) ?? { keys: 0, withoutExpiry: 0, ttlAboveRegistry: 0 }),
    })),
    unregistered: { count: unregisteredCount, samples: unregistered },
  };
}

export function formatInspectText(report: InspectReport, prefix: string): string {
  const rows = [['family', 'template', 'ttl', 'keys', 'no expiry', 'ttl above registry']];
  for (const f of report.families) {
    rows.push([
      f.name,
      prefix + f.template,
      f.ttl === null ? '-' : `${String(f.ttl)}s`,
      String(f.keys),
      String(f.withoutExpiry),
      String(f.ttlAboveRegistry),
    ]);
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  lines.push('');
  lines.push(
    report.isTruncated
      ? `${String(report.scanned)} keys scanned, then stopped at --max-keys after walking about ${String(report.examined)} keys: the look is incomplete (raise --max-keys to see more).`
      : `${String(report.scanned)} keys scanned${report.nodes > 1 ? ` on ${String(report.nodes)} primaries` : ''}.`,
  );
  if (report.unregistered.count > 0) {
    lines.push(`${String(report.unregistered.count)} keys match no registered template, for example:`);
    for (const key of report.unregistered.samples.slice(0, 10)) lines.push(`  ${key}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Whether the inspection found something to act on. */
export function hasDrift(report: InspectReport): boolean {
  return report.unregistered.count > 0 || report.families.some((f) => f.withoutExpiry > 0 || f.ttlAboveRegistry > 0);
}
