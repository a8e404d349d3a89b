import type { Cache } from './cache.js';

/** The part of prom-client this bridge uses. */
export interface PromClientLike {
  Counter: new (config: { name: string; help: string; labelNames: string[]; registers?: never[] }) => {
    inc(labels: Record<string, string>, value?: number): void;
  };
  Gauge: new (config: { name: string; help: string; labelNames: string[]; registers?: never[]; collect?: () => void }) => {
    set(labels: Record<string, string>, value: number): void;
  };
}

export interface PrometheusOptions {
  /** Metric name prefix (default `cache_audit_`). */
  readonly prefix?: string;
  /** prom-client registries (default: its global registry). */
  readonly registers?: unknown[];
}

/**
 * Exposes a cache's metrics through prom-client, which the application provides:
 * `registerPrometheus(cache, await import('prom-client'))`. Counters per key family: lookups (by
 * result), sets, invalidations, keys deleted, invalidation errors, failed reads and writes; a
 * gauge of the hit rate.
 */
export function registerPrometheus(cache: Cache, prom: PromClientLike, options: PrometheusOptions = {}): void {
  const prefix = options.prefix ?? 'cache_audit_';
  // prom-client's Registry type is the application's; the bridge only passes the registries on.
  const registers = options.registers as never[] | undefined;
  const metric = <T>(
    make: (config: { name: string; help: string; labelNames: string[]; registers?: never[] }) => T,
    name: string,
    help: string,
    labelNames: string[],
  ): T => make({ name: prefix + name, help, labelNames, ...(registers ? { registers } : {}) });
  const lookups = metric((c) => new prom.Counter(c), 'lookups_total', 'Cache lookups by key family and result.', ['family', 'result']);
  const sets = metric((c) => new prom.Counter(c), 'sets_total', 'Cache writes by key family.', ['family']);
  const invalidations = metric((c) => new prom.Counter(c), 'invalidations_total', 'Pattern deletes that touched a key family.', ['family']);
  const deleted = metric((c) => new prom.Counter(c), 'keys_deleted_total', 'Keys deleted by pattern deletes, by key family.', ['family']);
  const errors = metric((c) => new prom.Counter(c), 'invalidation_errors_total', 'Failed pattern deletes, by key family.', ['family']);
  const failures = metric(
    (c) => new prom.Counter(c),
    'errors_total',
    'Failed reads and writes (timeouts, connection errors, values that are not JSON), by key family.',
    ['family'],
  );
  const hitRate = new prom.Gauge({
    name: `${prefix}hit_rate`,
    help: 'Hits over lookups since start, by key family.',
    labelNames: ['family'],
    ...(registers ? { registers } : {}),
    collect() {
      for (const [family, stats] of Object.entries(cache.metrics.snapshot()))
        if (stats.hitRate !== null) hitRate.set({ family }, stats.hitRate);
    },
  });
  let previous = cache.metrics.snapshot();
  cache.metrics.subscribe((event, family) => {
    const now = cache.metrics.snapshot();
    const before = previous[family];
    const after = now[family];
    previous = now;
    if (!after) return;
    if (event === 'lookup') {
      const isHit = after.hits > (before?.hits ?? 0);
      lookups.inc({ family, result: isHit ? 'hit' : 'miss' });
    } else if (event === 'set') {
      sets.inc({ family });
    } else if (event === 'error') {
      failures.inc({ family });
    } else {
      invalidations.inc({ family });
      const keys = after.keysDeleted - (before?.keysDeleted ?? 0);
      if (keys > 0) deleted.inc({ family }, keys);
      if (after.invalidationErrors > (before?.invalidationErrors ?? 0)) errors.inc({ family });
    }
  });
}
