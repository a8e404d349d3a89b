import { describe, expect, it } from 'vitest';
import { CacheMetrics } from '../../packages/runtime/src/runtime/index.js';
import type { HitRateAlert } from '../../packages/runtime/src/runtime/index.js';

describe('onHitRateBelow', () => {
  it('judges the rate over a sliding window, alerting once per fall', () => {
    let clock = 0;
    const metrics = new CacheMetrics(() => clock);
    const alerts: HitRateAlert[] = [];
    metrics.onHitRateBelow(0.5, { window: 60_000, minSamples: 4 }, (alert) => alerts.push(alert));
    for (let i = 0; i < 3; i++) metrics.recordLookup('quotes', false);
    expect(alerts).toEqual([]);
    metrics.recordLookup('quotes', false);
    metrics.recordLookup('quotes', false);
    expect(alerts).toEqual([{ family: 'quotes', hitRate: 0, samples: 4 }]);
    clock = 30_000;
    for (let i = 0; i < 5; i++) metrics.recordLookup('quotes', true);
    // Recovered (5 of 10), then under again: a second alert.
    metrics.recordLookup('quotes', false);
    expect(alerts.at(-1)).toEqual({ family: 'quotes', hitRate: 5 / 11, samples: 11 });
    expect(alerts).toHaveLength(2);
    // A minute on, the first misses have left the window: 5 hits, 1 miss and this hit.
    clock = 61_000;
    metrics.recordLookup('quotes', true);
    metrics.recordLookup('quotes', false);
    metrics.recordLookup('quotes', false);
    expect(alerts).toHaveLength(2);
    // Two minutes on, nothing is left: the window needs minSamples again.
    clock = 200_000;
    for (let i = 0; i < 3; i++) metrics.recordLookup('quotes', false);
    expect(alerts).toHaveLength(2);
    metrics.recordLookup('quotes', false);
    expect(alerts.at(-1)).toEqual({ family: 'quotes', hitRate: 0, samples: 4 });
  });

  it('watches each family apart, and stops when told', () => {
    const metrics = new CacheMetrics(() => 0);
    const alerts: string[] = [];
    const stop = metrics.onHitRateBelow(0.5, { minSamples: 2 }, (alert) => alerts.push(alert.family));
    metrics.recordLookup('a', false);
    metrics.recordLookup('b', true);
    metrics.recordLookup('a', false);
    metrics.recordLookup('b', true);
    expect(alerts).toEqual(['a']);
    stop();
    metrics.recordLookup('c', false);
    metrics.recordLookup('c', false);
    expect(alerts).toEqual(['a']);
    expect(() => metrics.onHitRateBelow(2, {}, () => {})).toThrow(RangeError);
    expect(() => metrics.onHitRateBelow(0.5, { window: 0 }, () => {})).toThrow(RangeError);
  });

  it('costs the same per lookup however many the window holds: 1,250,001 lookups in one instant', async () => {
    // Rescanning the window on each lookup made this quadratic (hours); a ring of counters is linear.
    // The lookups run in slices, so that a quadratic run ends at the test's timeout instead of hanging.
    const metrics = new CacheMetrics(() => 5_000);
    const alerts: HitRateAlert[] = [];
    metrics.onHitRateBelow(0.4, { window: 60_000, minSamples: 20 }, (alert) => alerts.push(alert));
    for (let slice = 0; slice < 20; slice++) {
      for (let i = 0; i < 50_000; i++) metrics.recordLookup('quotes', i % 2 === 0);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(alerts).toEqual([]);
    while (alerts.length === 0) metrics.recordLookup('quotes', false);
    expect(alerts).toEqual([{ family: 'quotes', hitRate: 500_000 / 1_250_001, samples: 1_250_001 }]);
    expect(metrics.snapshot()['quotes']).toMatchObject({ hits: 500_000, misses: 750_001 });
  }, 30_000);
});
