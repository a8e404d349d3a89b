import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  /** SIGSTOP: the server holds its connections and answers nothing. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** SIGKILL, resolved once the process is gone (its port refuses connections). */
  kill(): Promise<void>;
  /** Starts the server again on the same port and directory: it loads what `SAVE` wrote there. */
  restart(): Promise<void>;
}

/** Whether a `redis-server` binary is on the PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${String(child.exitCode)}`);
    const isUp = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (isUp) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${String(port)} in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts a throwaway `redis-server` on a free loopback port, without persistence. */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  return startRedisServerOn(await freePort(), extraArgs);
}

async function startRedisServerOn(port: number, extraArgs: readonly string[]): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cache-audit-redis-'));
  const launch = async (): Promise<ChildProcess> => {
    const started = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    await waitForPort(port, started, 10_000);
    return started;
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill(signal);
    await exited;
  };
  let child = await launch();
  return {
    port,
    url: `redis://127.0.0.1:${String(port)}`,
    stop: async () => {
      await end('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    kill: () => end('SIGKILL'),
    restart: async () => {
      await end('SIGKILL');
      child = await launch();
    },
  };
}

export interface RedisCluster {
  readonly ports: readonly number[];
  /** The primaries, in the order of `ports`. */
  readonly servers: readonly RedisServer[];
  stop(): Promise<void>;
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port + 10000 > 65535 || taken.has(port)) continue;
    const bus = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => {
        resolve(false);
      });
      server.listen(port + 10000, '127.0.0.1', () =>
        server.close(() => {
          resolve(true);
        }),
      );
    });
    if (bus) return port;
  }
  throw new Error('No free port pair for a Redis Cluster node.');
}

/** Starts a three-primary Redis Cluster on loopback (created with redis-cli --cluster create). */
export async function startRedisCluster(): Promise<RedisCluster> {
  const taken = new Set<number>();
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freeClusterPort(taken);
      taken.add(port);
      servers.push(await startRedisServerOn(port, ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000']));
    }
    const addresses = servers.map((s) => `127.0.0.1:${String(s.port)}`);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const states = servers.map((s) => spawnSync('redis-cli', ['-p', String(s.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout);
      if (states.every((info) => info.includes('cluster_state:ok'))) break;
      if (Date.now() > deadline) throw new Error('The Redis Cluster did not reach cluster_state:ok in time.');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  return {
    ports: servers.map((s) => s.port),
    servers,
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
