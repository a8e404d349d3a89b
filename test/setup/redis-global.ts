import type { TestProject } from 'vitest/node';
import { hasRedisServer, startRedisServer } from './redis-server.js';
import type { RedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port of the shared standalone redis-server, or null when none could be started here. */
    redisPort: number | null;
    /** Why there is no redis-server, for the skip message. */
    redisUnavailable: string | null;
  }
}

let server: RedisServer | null = null;

/** Starts one standalone redis-server for the whole run. With CI=true its absence is an error. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!hasRedisServer()) {
    const reason = 'redis-server is not installed (apt-get install -y redis-server)';
    if (process.env['CI'] === 'true') throw new Error(`CI=true and ${reason}: the Redis tests cannot run.`);
    project.provide('redisPort', null);
    project.provide('redisUnavailable', reason);
    return async () => {};
  }
  server = await startRedisServer();
  project.provide('redisPort', server.port);
  project.provide('redisUnavailable', null);
  return async () => {
    await server?.stop();
  };
}
