import { inject } from 'vitest';

/** The shared test redis-server's port, or null (with the reason printed once) when there is none. */
export function redisPortOrSkip(suite: string): number | null {
  const port = inject('redisPort');
  if (port === null) {
    console.warn(`[${suite}] skipped: ${inject('redisUnavailable') ?? 'no redis-server'}`);
  }
  return port;
}
