import type * as IoRedis from 'ioredis';
import { UsageError } from './errors.js';

/** The part of an ioredis client the inspection uses (read-only commands). */
export interface InspectClient {
  scan(cursor: string, matchToken: 'MATCH', pattern: string, countToken: 'COUNT', count: number): Promise<[string, string[]]>;
  pipeline(): { pttl(key: string): unknown; exec(): Promise<[Error | null, unknown][] | null> };
}

/** Where `--redis` points, read once: the command connects with these options, never with the URL itself. */
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
  readonly isTls: boolean;
  /** The URL with its password (or a lone user part) replaced by `****`, for every message. */
  readonly shown: string;
}

/** `redis://user:secret@host` → `redis://user:****@host`; `redis://secret@host` → `redis://****@host`. */
export function redactRedisUrl(text: string): string {
  return text.replace(/(\b[a-z][\w+.-]*:\/\/)([^\s/?#]*)@/gi, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon === -1 ? '' : userinfo.slice(0, colon + 1)}****@`;
  });
}

/** Reads a `redis://` or `rediss://` URL (`host:port` alone is read as `redis://host:port`). */
export function parseRedisUrl(text: string): RedisTarget {
  const source = /^[a-z][\w+.-]*:\/\//i.test(text) ? text : `redis://${text}`;
  const shown = redactRedisUrl(source);
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new UsageError(`--redis ${shown} is not a URL: write redis://[[user]:password@]host[:port][/db].`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(`--redis ${shown} is not a redis:// or rediss:// URL.`);
  }
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) {
    throw new UsageError(`--redis ${shown}: the path must be a database number, not "${path}".`);
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port === '' ? 6379 : Number(url.port),
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db: path === '' ? 0 : Number(path),
    isTls: url.protocol === 'rediss:',
    shown,
  };
}

/** A connection or command that did not answer in time (a paused or overloaded server, a partition). */
export class NoAnswerError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`no answer to ${what} within ${String(timeoutMs)} ms (is the server paused or overloaded?)`);
    this.name = 'NoAnswerError';
  }
}

/** Settles like `promise`, or rejects with a NoAnswerError after `timeoutMs`. */
export function answered<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new NoAnswerError(what, timeoutMs));
    }, timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** The nodes to scan: the server itself, or every primary of a Cluster; `close` lets them all go. */
export interface Connection {
  readonly nodes: readonly InspectClient[];
  readonly isCluster: boolean;
  close(): void;
}

type IoRedisModule = typeof IoRedis;

/** An error's message without its closing full stop, for a sentence of ours. */
function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.+$/, '');
}

/**
 * Connects to the target, bounded by `timeoutMs` for the connection and each command. Selects the
 * database itself (ioredis would fall back to database 0 without a word when SELECT fails), and on a
 * Cluster connects to every primary that owns slots.
 */
export async function connectTarget(ioredis: IoRedisModule, target: RedisTarget, timeoutMs: number): Promise<Connection> {
  const options = {
    host: target.host,
    port: target.port,
    username: target.username,
    password: target.password,
    ...(target.isTls ? { tls: {} } : {}),
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  };
  const client = new ioredis.Redis({ ...options, db: 0, lazyConnect: true, enableOfflineQueue: false });
  // A refused AUTH closes the connection: the rejection says only that, the error event says why.
  let lastError: unknown = null;
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  const fail = (message: string): never => {
    client.disconnect();
    throw new UsageError(`${target.shown}: ${message}.`);
  };
  try {
    await answered(client.connect(), timeoutMs, 'the connection');
  } catch (error) {
    client.disconnect();
    throw new UsageError(`Cannot connect to ${target.shown}: ${reason(lastError ?? error)}.`);
  }
  let info = '';
  try {
    info = await answered(client.info('cluster'), timeoutMs, 'INFO');
  } catch (error) {
    fail(reason(error));
  }
  if (!/^cluster_enabled:1\b/m.test(info)) {
    if (target.db !== 0) {
      try {
        await answered(client.select(target.db), timeoutMs, 'SELECT');
      } catch (error) {
        fail(`the server has no database ${String(target.db)} (${reason(error)})`);
      }
    }
    return {
      nodes: [client],
      isCluster: false,
      close: () => {
        client.disconnect();
      },
    };
  }
  client.disconnect();
  if (target.db !== 0) fail(`a Redis Cluster has database 0 only, not ${String(target.db)}`);
  return connectCluster(ioredis, target, options, timeoutMs);
}

async function connectCluster(
  ioredis: IoRedisModule,
  target: RedisTarget,
  redisOptions: IoRedis.RedisOptions,
  timeoutMs: number,
): Promise<Connection> {
  const cluster = new ioredis.Cluster([{ host: target.host, port: target.port }], {
    redisOptions,
    lazyConnect: true,
    enableOfflineQueue: false,
    clusterRetryStrategy: () => null,
    slotsRefreshTimeout: timeoutMs,
  });
  cluster.on('error', () => {});
  try {
    await answered(cluster.connect(), timeoutMs, 'the cluster connection');
  } catch (error) {
    cluster.disconnect();
    throw new UsageError(`Cannot connect to the Redis Cluster at ${target.shown}: ${reason(error)}.`);
  }
  const primaries = cluster.nodes('master');
  if (primaries.length === 0) {
    cluster.disconnect();
    throw new UsageError(`${target.shown}: the Redis Cluster reports no primary.`);
  }
  return {
    nodes: primaries,
    isCluster: true,
    close: () => {
      cluster.disconnect();
    },
  };
}
