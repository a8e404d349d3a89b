import { escapeGlob } from '../patterns/escape.js';
import { keySlot, patternSlot } from './cluster-slot.js';
import { CacheDeleteError, unrefTimer } from './errors.js';
import type { CacheStore, DeleteOptions } from './store.js';

/** The part of an ioredis client (standalone) this store uses. */
export interface RedisClientLike {
  readonly options: { readonly keyPrefix?: string };
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, secondsToken: 'EX', seconds: number): Promise<unknown>;
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number, nx: 'NX'): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  scan(cursor: string, matchToken: 'MATCH', pattern: string, countToken: 'COUNT', count: number): Promise<[string, string[]]>;
  unlink(...keys: string[]): Promise<number>;
  /** ioredis emits `close` when a connection ends; a SCAN cursor does not survive it. */
  on?(event: 'close', listener: () => void): unknown;
}

/** The part of an ioredis Cluster this store uses. */
export interface RedisClusterLike {
  readonly isCluster: true;
  readonly options: { readonly keyPrefix?: string };
  /** ioredis: `ready` once the slot map is known. */
  readonly status?: string;
  nodes(role: 'master'): RedisClientLike[];
  /** ioredis: slots[slot] = ['host:port', …], the primary first. */
  readonly slots: readonly (readonly string[] | undefined)[];
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, secondsToken: 'EX', seconds: number): Promise<unknown>;
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number, nx: 'NX'): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  unlink(...keys: string[]): Promise<number>;
  once?(event: 'ready' | 'end', listener: () => void): unknown;
  off?(event: 'ready' | 'end', listener: () => void): unknown;
  connect?(): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** Keys SCAN asks for per call (its COUNT hint); default 1000. */
  readonly scanCount?: number;
  /** Keys deleted per UNLINK; default 500. */
  readonly deleteBatch?: number;
  /** Times a SCAN starts over after its connection was replaced mid-way, before the delete fails; default 3. */
  readonly scanRestarts?: number;
  /** Longest wait, in milliseconds, for a new cluster client's slot map before a delete fails; default 10000. */
  readonly readyTimeoutMs?: number;
}

const SLOTS = 16384;
/** Sets KEYS[1] to ARGV[2] (ttl ARGV[3] seconds, none when 0) only while it holds ARGV[1]. */
const REPLACE_IF = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1`;

function isCluster(client: RedisClientLike | RedisClusterLike): client is RedisClusterLike {
  return 'isCluster' in client && client.isCluster;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Thrown inside a delete when the cache stopped waiting for it. */
class Stopped extends Error {}

/**
 * A store over ioredis (standalone or Cluster). Pattern deletes use `SCAN … MATCH` with `COUNT`
 * and `UNLINK`, never `KEYS`; keys that SCAN returns twice are deleted once; the client's
 * `keyPrefix` is applied to the pattern (ioredis does not prefix SCAN patterns) and stripped from
 * the keys SCAN returns (ioredis prefixes them again on UNLINK). On a cluster every primary that
 * owns slots is scanned (after the client has its slot map), or only the one owning the slot when
 * the pattern fixes a hash tag, and deletes are grouped by slot, so no command spans slots.
 *
 * A delete that cannot finish throws a `CacheDeleteError` carrying the count it did delete and the
 * primaries it could not cover; a SCAN whose connection was replaced mid-way starts over (its
 * cursor means nothing to the new connection).
 */
export class RedisStore implements CacheStore {
  private readonly scanCount: number;
  private readonly deleteBatch: number;
  private readonly scanRestarts: number;
  private readonly readyTimeoutMs: number;

  constructor(
    private readonly client: RedisClientLike | RedisClusterLike,
    options: RedisStoreOptions = {},
  ) {
    this.scanCount = options.scanCount ?? 1000;
    this.deleteBatch = options.deleteBatch ?? 500;
    this.scanRestarts = options.scanRestarts ?? 3;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  }

  private get keyPrefix(): string {
    return this.client.options.keyPrefix ?? '';
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(key);
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    if (ttlSeconds === undefined) await this.client.set(key, value);
    else await this.client.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
  }

  async replaceIf(key: string, expected: string, value: string, ttlSeconds?: number): Promise<boolean> {
    const ttl = ttlSeconds === undefined ? 0 : Math.max(1, Math.ceil(ttlSeconds));
    return Number(await this.client.eval(REPLACE_IF, 1, key, expected, value, ttl)) === 1;
  }

  async deletePattern(pattern: string, options: DeleteOptions = {}): Promise<number> {
    const match = escapeGlob(this.keyPrefix) + pattern;
    let deleted = 0;
    const count = (n: number): void => {
      deleted += n;
      if (n > 0) options.onDeleted?.(n);
    };
    let targets: { nodes: { address: string; node: RedisClientLike }[]; missing: string[] };
    try {
      targets = await this.targets(match, options.signal);
    } catch (error) {
      throw new CacheDeleteError(`Cannot delete ${match}: ${messageOf(error)}`, 0, [], { cause: error });
    }
    const failures = [...targets.missing.map((address) => ({ address, reason: 'not connected' }))];
    const results = await Promise.allSettled(targets.nodes.map(({ node }) => this.deleteOn(node, match, count, options.signal)));
    results.forEach((result, index) => {
      if (result.status === 'rejected') failures.push({ address: targets.nodes[index]?.address ?? '?', reason: messageOf(result.reason) });
    });
    if (failures.length > 0) {
      const where = failures.map((f) => `${f.address} (${f.reason})`).join(', ');
      throw new CacheDeleteError(
        `Deleted ${String(deleted)} keys matching ${match}, then stopped: keys may remain on ${where}.`,
        deleted,
        failures.map((f) => f.address),
        { cause: results.find((r) => r.status === 'rejected')?.reason },
      );
    }
    return deleted;
  }

  /** The connections to scan: the client itself, or every primary owning a slot the pattern can reach. */
  private async targets(
    match: string,
    signal: AbortSignal | undefined,
  ): Promise<{ nodes: { address: string; node: RedisClientLike }[]; missing: string[] }> {
    const client = this.client;
    if (!isCluster(client)) return { nodes: [{ address: 'server', node: client }], missing: [] };
    await slotMap(client, signal, this.readyTimeoutMs);
    const slot = patternSlot(match);
    const owners = new Set<string>();
    let unowned = 0;
    for (let s = slot ?? 0; s < (slot === null ? SLOTS : slot + 1); s++) {
      const owner = client.slots[s]?.[0];
      if (owner === undefined) unowned++;
      else owners.add(owner);
    }
    if (unowned > 0) throw new Error(`${String(unowned)} slots have no primary in the client's slot map`);
    const connected = new Map(client.nodes('master').map((node) => [nodeAddress(node), node]));
    const nodes: { address: string; node: RedisClientLike }[] = [];
    const missing: string[] = [];
    for (const address of owners) {
      const node = connected.get(address);
      if (node) nodes.push({ address, node });
      else missing.push(address);
    }
    return { nodes, missing };
  }

  /** SCANs one connection to the end and deletes what it returns, starting over when the connection is replaced. */
  private async deleteOn(node: RedisClientLike, match: string, count: (n: number) => void, signal: AbortSignal | undefined): Promise<void> {
    const connection = connectionOf(node);
    for (let attempt = 0; ; attempt++) {
      const closesBefore = connection.closes;
      const seen = new Set<string>();
      let cursor = '0';
      do {
        if (signal?.aborted) throw new Stopped('the cache stopped waiting');
        const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', this.scanCount);
        cursor = next;
        const fresh = keys.filter((key) => !seen.has(key));
        for (const key of fresh) seen.add(key);
        await this.unlinkAll(fresh, count, signal);
      } while (cursor !== '0' && connection.closes === closesBefore);
      if (connection.closes === closesBefore) return;
      if (attempt >= this.scanRestarts) {
        throw new Error(`its connection was replaced during the SCAN ${String(attempt + 1)} times; the scan could not be finished`);
      }
    }
  }

  /** Deletes raw keys (as SCAN returns them), by slot on a cluster, in batches. */
  private async unlinkAll(rawKeys: readonly string[], count: (n: number) => void, signal: AbortSignal | undefined): Promise<void> {
    if (rawKeys.length === 0) return;
    const prefix = this.keyPrefix;
    const groups = new Map<number, string[]>();
    for (const raw of rawKeys) {
      const slot = isCluster(this.client) ? keySlot(raw) : 0;
      let group = groups.get(slot);
      if (!group) {
        group = [];
        groups.set(slot, group);
      }
      // The client adds its prefix again: hand it the key without.
      group.push(prefix && raw.startsWith(prefix) ? raw.slice(prefix.length) : raw);
    }
    for (const keys of groups.values()) {
      for (let i = 0; i < keys.length; i += this.deleteBatch) {
        if (signal?.aborted) throw new Stopped('the cache stopped waiting');
        count(await this.client.unlink(...keys.slice(i, i + this.deleteBatch)));
      }
    }
  }
}

/** Waits until a cluster client has its slot map (a new client has none yet), or the delete is stopped. */
async function slotMap(client: RedisClusterLike, signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
  if (client.status === undefined || client.status === 'ready') return;
  if (client.status === 'end' || client.status === 'close') throw new Error('the cluster client is closed');
  if (client.status === 'wait') void client.connect?.().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      done(new Error(`the cluster client had no slot map after ${String(timeoutMs)} ms`));
    }, timeoutMs);
    unrefTimer(timer);
    const done = (error?: Error): void => {
      clearTimeout(timer);
      client.off?.('ready', onReady);
      client.off?.('end', onEnd);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onReady = (): void => {
      done();
    };
    const onEnd = (): void => {
      done(new Error('the cluster client closed before it had a slot map'));
    };
    const onAbort = (): void => {
      done(new Error('the cluster client had no slot map in time'));
    };
    client.once?.('ready', onReady);
    client.once?.('end', onEnd);
    signal?.addEventListener('abort', onAbort);
  });
}

/** How often each connection has closed, counted by one listener per connection. */
const connections = new WeakMap<RedisClientLike, { closes: number }>();

function connectionOf(node: RedisClientLike): { closes: number } {
  let connection = connections.get(node);
  if (!connection) {
    const counter = { closes: 0 };
    node.on?.('close', () => {
      counter.closes++;
    });
    connections.set(node, counter);
    connection = counter;
  }
  return connection;
}

function nodeAddress(node: RedisClientLike): string {
  const options = node.options as { host?: string; port?: number };
  return `${options.host ?? ''}:${String(options.port ?? '')}`;
}
