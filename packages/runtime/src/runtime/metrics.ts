/** Counters of one key family (a registry name, or `(unregistered)` for patterns no family matches). */
export interface FamilyStats {
  readonly hits: number;
  readonly misses: number;
  /** hits / (hits + misses), or null before the first lookup. */
  readonly hitRate: number | null;
  readonly sets: number;
  /** Pattern deletes that touched this family. */
  readonly invalidations: number;
  readonly keysDeleted: number;
  readonly invalidationMs: number;
  readonly invalidationErrors: number;
  /** Pattern deletes that deleted nothing (often a typo, or keys that had expired anyway). */
  readonly emptyInvalidations: number;
  /** Failed reads and writes (timeouts, connection errors, cached values that are not JSON). */
  readonly errors: number;
}

export interface HitRateAlert {
  readonly family: string;
  readonly hitRate: number;
  readonly samples: number;
}

export interface HitRateWindow {
  /**
   * Length of the sliding window, in milliseconds (default one minute). Lookups leave it in steps of
   * a sixtieth of its length: it holds the last 59 steps and the current one.
   */
  readonly window?: number;
  /** Lookups the window must hold before a rate is judged (default 20). */
  readonly minSamples?: number;
}

interface MutableStats {
  hits: number;
  misses: number;
  sets: number;
  invalidations: number;
  keysDeleted: number;
  invalidationMs: number;
  invalidationErrors: number;
  emptyInvalidations: number;
  errors: number;
}

/** Steps a hit-rate window is cut into: the cost of a lookup does not depend on how many the window holds. */
const BUCKETS = 60;

/** One family's lookups over a watcher's window: a ring of per-step counters and their sums. */
interface Tally {
  /** The step (time / step length, rounded down) of the newest bucket. */
  newest: number;
  readonly hits: Float64Array;
  readonly lookups: Float64Array;
  hitSum: number;
  lookupSum: number;
}

interface Watcher {
  readonly threshold: number;
  /** Length of one step of the window, in milliseconds. */
  readonly step: number;
  readonly minSamples: number;
  readonly callback: (alert: HitRateAlert) => void;
  readonly tallies: Map<string, Tally>;
  /** Families under the threshold: alerted once until they recover. */
  readonly alerted: Set<string>;
}

export type MetricsListener = (event: 'lookup' | 'set' | 'invalidation' | 'error', family: string) => void;

/** Per-family counters of a cache, and hit-rate alerts. */
export class CacheMetrics {
  private readonly families = new Map<string, MutableStats>();
  private readonly watchers = new Set<Watcher>();
  private readonly listeners = new Set<MetricsListener>();

  constructor(private readonly now: () => number = Date.now) {}

  private stats(family: string): MutableStats {
    let stats = this.families.get(family);
    if (!stats) {
      stats = {
        hits: 0,
        misses: 0,
        sets: 0,
        invalidations: 0,
        keysDeleted: 0,
        invalidationMs: 0,
        invalidationErrors: 0,
        emptyInvalidations: 0,
        errors: 0,
      };
      this.families.set(family, stats);
    }
    return stats;
  }

  recordLookup(family: string, isHit: boolean): void {
    const stats = this.stats(family);
    if (isHit) stats.hits++;
    else stats.misses++;
    for (const watcher of this.watchers) this.watch(watcher, family, isHit);
    for (const listener of this.listeners) listener('lookup', family);
  }

  recordSet(family: string): void {
    this.stats(family).sets++;
    for (const listener of this.listeners) listener('set', family);
  }

  recordError(family: string): void {
    this.stats(family).errors++;
    for (const listener of this.listeners) listener('error', family);
  }

  recordInvalidation(families: readonly string[], keysDeleted: number, ms: number, isError: boolean): void {
    for (const family of families) {
      const stats = this.stats(family);
      stats.invalidations++;
      stats.invalidationMs += ms;
      if (isError) stats.invalidationErrors++;
      else if (keysDeleted === 0) stats.emptyInvalidations++;
      // A pattern spanning several families deletes keys of all of them: the total is shown on each.
      stats.keysDeleted += keysDeleted;
      for (const listener of this.listeners) listener('invalidation', family);
    }
  }

  /** A copy of every family's counters. */
  snapshot(): Record<string, FamilyStats> {
    const result: Record<string, FamilyStats> = {};
    for (const [family, stats] of [...this.families].sort(([a], [b]) => a.localeCompare(b))) {
      const lookups = stats.hits + stats.misses;
      result[family] = { ...stats, hitRate: lookups === 0 ? null : stats.hits / lookups };
    }
    return result;
  }

  /**
   * Calls `callback` when a family's hit rate over the sliding window falls below `threshold`
   * (0 to 1), once per fall. Returns a function that stops watching.
   */
  onHitRateBelow(threshold: number, options: HitRateWindow, callback: (alert: HitRateAlert) => void): () => void {
    if (!(threshold >= 0 && threshold <= 1))
      throw new RangeError(`The hit-rate threshold must be between 0 and 1, got ${String(threshold)}.`);
    const window = options.window ?? 60_000;
    if (!(window > 0 && Number.isFinite(window)))
      throw new RangeError(`The hit-rate window must be a positive number of milliseconds, got ${String(window)}.`);
    const watcher: Watcher = {
      threshold,
      step: window / BUCKETS,
      minSamples: options.minSamples ?? 20,
      callback,
      tallies: new Map(),
      alerted: new Set(),
    };
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Observes every recorded event (the Prometheus bridge uses it). */
  subscribe(listener: MetricsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private watch(watcher: Watcher, family: string, isHit: boolean): void {
    const tally = advance(watcher, family, Math.floor(this.now() / watcher.step));
    const slot = slotOf(tally.newest);
    tally.lookups[slot] = (tally.lookups[slot] ?? 0) + 1;
    tally.lookupSum++;
    if (isHit) {
      tally.hits[slot] = (tally.hits[slot] ?? 0) + 1;
      tally.hitSum++;
    }
    if (tally.lookupSum < watcher.minSamples) return;
    const hitRate = tally.hitSum / tally.lookupSum;
    if (hitRate < watcher.threshold) {
      if (watcher.alerted.has(family)) return;
      watcher.alerted.add(family);
      watcher.callback({ family, hitRate, samples: tally.lookupSum });
    } else {
      watcher.alerted.delete(family);
    }
  }
}

/** The bucket of a step (steps before the epoch included). */
const slotOf = (step: number): number => ((step % BUCKETS) + BUCKETS) % BUCKETS;

/**
 * The tally of `family`, its window moved on to `step`: the buckets of the steps that left it are
 * emptied (at most all of them, whatever the time elapsed). A clock that went back counts in the
 * newest bucket.
 */
function advance(watcher: Watcher, family: string, step: number): Tally {
  let tally = watcher.tallies.get(family);
  if (!tally) {
    tally = { newest: step, hits: new Float64Array(BUCKETS), lookups: new Float64Array(BUCKETS), hitSum: 0, lookupSum: 0 };
    watcher.tallies.set(family, tally);
    return tally;
  }
  const passed = Math.min(step - tally.newest, BUCKETS);
  for (let i = 1; i <= passed; i++) {
    const slot = slotOf(tally.newest + i);
    tally.hitSum -= tally.hits[slot] ?? 0;
    tally.lookupSum -= tally.lookups[slot] ?? 0;
    tally.hits[slot] = 0;
    tally.lookups[slot] = 0;
  }
  if (step > tally.newest) tally.newest = step;
  return tally;
}
