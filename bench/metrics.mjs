// The per-read cost of the metrics: 1,000,000 lookups recorded with no hit-rate watcher and with
// one (a one-minute window, so that every lookup of the run stays in it), in the same process,
// ABBA order, the median of the rounds. With a ring of per-step counters the watcher's cost per
// read does not grow with the reads its window holds. `npm run bench:runtime` runs it after the
// freshness bench; alone: node bench/metrics.mjs [reads=1000000] [rounds=4]
import { fileURLToPath } from 'node:url';
import { CacheMetrics } from '@cache-audit/runtime';

/** Prints the per-read cost of the metrics with and without a hit-rate watcher. */
export function benchMetrics(reads = 1_000_000, rounds = 4) {
  /** Nanoseconds per recorded lookup, over `reads` lookups of one family, 90 % hits. */
  function measure(isWatched) {
    const metrics = new CacheMetrics();
    let alerts = 0;
    if (isWatched) metrics.onHitRateBelow(0.5, { window: 60_000, minSamples: 20 }, () => alerts++);
    const started = process.hrtime.bigint();
    for (let i = 0; i < reads; i++) metrics.recordLookup('quotesList', i % 10 !== 0);
    const ns = Number(process.hrtime.bigint() - started) / reads;
    if (alerts !== 0) throw new Error('a 90 % hit rate raised an alert');
    return ns;
  }

  // Warm-up, so that neither side pays for the compiler.
  measure(false);
  measure(true);
  const without = [];
  const watched = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [false, true, true, false] : [true, false, false, true];
    for (const isWatched of order) (isWatched ? watched : without).push(measure(isWatched));
  }
  /** Nanoseconds per `Date.now()`, the clock a watcher reads once per lookup. */
  function clockCost() {
    let sum = 0;
    const started = process.hrtime.bigint();
    for (let i = 0; i < reads; i++) sum += Date.now();
    if (sum === 0) throw new Error('no clock');
    return Number(process.hrtime.bigint() - started) / reads;
  }

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const a = median(without);
  const b = median(watched);
  console.log(`\nmetrics per read, ${reads.toLocaleString('en')} reads × ${String(rounds * 2)} runs per case, median:`);
  console.log(`  without a hit-rate watcher  ${a.toFixed(1)} ns/read`);
  console.log(`  with a hit-rate watcher     ${b.toFixed(1)} ns/read`);
  console.log(`  ratio                       ${(b / a).toFixed(2)}×`);
  console.log(`  of the difference, the clock read (Date.now) alone takes ${clockCost().toFixed(1)} ns`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) benchMetrics(Number(process.argv[2] ?? 1_000_000), Number(process.argv[3] ?? 4));
