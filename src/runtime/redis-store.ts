import { escapeGlob } from '../patterns/escape.js';
import { keySlot, patternSlot } from './cluster-slot.js';
import type { CacheStore } from './store.js';

/** The part of an ioredis client (standalone) this store uses. */
export interface RedisClientLike {
  readonly options: { readonly keyPrefix?: string };
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, secondsToken: 'EX', seconds: number): Promise<unknown>;
  scan(cursor: string, matchToken: 'MATCH', pattern: string, countToken: 'COUNT', count: number): Promise<[string, string[]]>;
  unlink(...keys: string[]): Promise<number>;
}

/** The part of an ioredis Cluster this store uses. */
export interface RedisClusterLike {
  readonly isCluster: true;
  readonly options: { readonly keyPrefix?: string };
  nodes(role: 'master'): RedisClientLike[];
  /** ioredis: slots[slot] = ['host:port', …], the primary first. */
  readonly slots: readonly (readonly string[] | undefined)[];
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, secondsToken: 'EX', seconds: number): Promise<unknown>;
  unlink(...keys: string[]): Promise<number>;
}

export interface RedisStoreOptions {
  /** Keys SCAN asks for per call (its COUNT hint); default 1000. */
  readonly scanCount?: number;
  /** Keys deleted per UNLINK; default 500. */
  readonly deleteBatch?: number;
}

function isCluster(client: RedisClientLike | RedisClusterLike): client is RedisClusterLike {
  return 'isCluster' in client && client.isCluster;
}

/**
 * A store over ioredis (standalone or Cluster). Pattern deletes use `SCAN … MATCH` with `COUNT`
 * and `UNLINK`, never `KEYS`; keys that SCAN returns twice are deleted once; the client's
 * `keyPrefix` is applied to the pattern (ioredis does not prefix SCAN patterns) and stripped from
 * the keys SCAN returns (ioredis prefixes them again on UNLINK). On a cluster every primary is
 * scanned, or only the one owning the slot when the pattern fixes a hash tag, and deletes are
 * grouped by slot, so no command spans slots.
 */
export class RedisStore implements CacheStore {
  private readonly scanCount: number;
  private readonly deleteBatch: number;

  constructor(
    private readonly client: RedisClientLike | RedisClusterLike,
    options: RedisStoreOptions = {},
  ) {
    this.scanCount = options.scanCount ?? 1000;
    this.deleteBatch = options.deleteBatch ?? 500;
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

  async deletePattern(pattern: string): Promise<number> {
    const prefix = this.keyPrefix;
    const match = escapeGlob(prefix) + pattern;
    const client = this.client;
    let nodes: RedisClientLike[];
    if (isCluster(client)) {
      const slot = patternSlot(match);
      const owner = slot === null ? undefined : client.slots[slot]?.[0];
      const primaries = client.nodes('master');
      const single = owner === undefined ? undefined : primaries.find((node) => nodeAddress(node) === owner);
      nodes = single ? [single] : primaries;
    } else {
      nodes = [client];
    }
    let deleted = 0;
    for (const node of nodes) {
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', this.scanCount);
        cursor = next;
        const fresh = keys.filter((key) => !seen.has(key));
        for (const key of fresh) seen.add(key);
        deleted += await this.unlinkAll(fresh);
      } while (cursor !== '0');
    }
    return deleted;
  }

  /** Deletes raw keys (as SCAN returns them), by slot on a cluster, in batches. */
  private async unlinkAll(rawKeys: readonly string[]): Promise<number> {
    if (rawKeys.length === 0) return 0;
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
    let deleted = 0;
    for (const keys of groups.values()) {
      for (let i = 0; i < keys.length; i += this.deleteBatch) deleted += await this.client.unlink(...keys.slice(i, i + this.deleteBatch));
    }
    return deleted;
  }
}

function nodeAddress(node: RedisClientLike): string {
  const options = node.options as { host?: string; port?: number };
  return `${options.host ?? ''}:${String(options.port ?? '')}`;
}
