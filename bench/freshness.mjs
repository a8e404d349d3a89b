// The cache-aside race under load, on a real redis-server started here: mutating handlers write a
// new version and invalidate; readers getOrSet through two cache instances (two processes' worth
// of in-flight sharing) with a loader that reads the version and then takes a while. A read is
// stale when it started after an invalidation had resolved and returned an older version than the
// one that invalidation covered. Runs with fill leases and without (the unprotected path) in the
// same process, interleaved, and prints stale reads and read throughput of each.
// Then the cost of a parameter value's length on an invalidation (linear: time per character).
// Then heap growth over 200,000 invalidations with distinct ids (bounded memos).
// Then the per-read cost of the metrics, with a hit-rate watcher and without (bench/metrics.mjs).
// Usage: npm run bench:runtime -- [seconds per run=5] [rounds=4]
import { Redis } from 'ioredis';
import { createCache, defineCacheRegistry, MemoryStore, RedisStore } from '@cache-audit/runtime';
import { benchMetrics } from './metrics.mjs';
import { freePort, startServer } from './redis-server.mjs';

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 4);
const TENANTS = 20;
const MUTATORS = 50;
const READERS = 50;
const registry = defineCacheRegistry({ prefix: 'bench:', keys: { prefs: { template: 'prefs:{tenantId}:{userId}', ttl: 300 } } });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = () => `t${Math.floor(Math.random() * TENANTS)}`;

const port = await freePort();
const server = await startServer(port);
const clients = [new Redis({ port }), new Redis({ port })];

async function run(hasLeases, withMutations) {
  await clients[0].flushall();
  const caches = clients.map((client) => createCache({ registry, store: new RedisStore(client), leases: hasLeases, global: false }));
  const database = new Map();
  /** Per tenant: the newest version an already resolved invalidation covered. */
  const covered = new Map();
  let reads = 0;
  let stale = 0;
  let invalidations = 0;
  let isRunning = true;
  const load = (tenant) => async () => {
    const version = database.get(tenant) ?? 0;
    await sleep(Math.random() * 3);
    return version;
  };
  const reader = async (index) => {
    const cache = caches[index % caches.length];
    while (isRunning) {
      const tenant = pick();
      const required = covered.get(tenant) ?? 0;
      const version = await cache.getOrSet('prefs', { tenantId: tenant, userId: 'u' }, load(tenant));
      reads++;
      if (version < required) stale++;
    }
  };
  const mutator = async (index) => {
    const cache = caches[index % caches.length];
    while (isRunning) {
      const tenant = pick();
      const version = (database.get(tenant) ?? 0) + 1;
      database.set(tenant, version);
      await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: tenant });
      invalidations++;
      covered.set(tenant, Math.max(covered.get(tenant) ?? 0, version));
      await sleep(5 + Math.random() * 15);
    }
  };
  const workers = [
    ...Array.from({ length: READERS }, (_, i) => reader(i)),
    ...(withMutations ? Array.from({ length: MUTATORS }, (_, i) => mutator(i)) : []),
  ];
  const started = performance.now();
  await sleep(seconds * 1000);
  isRunning = false;
  await Promise.all(workers);
  const elapsed = (performance.now() - started) / 1000;
  return { readsPerSecond: reads / elapsed, reads, stale, invalidations };
}

const results = { leases: { mixed: [], reads: [] }, unprotected: { mixed: [], reads: [] } };
// ABBA order, so that neither side always runs first (warm-up, the machine's other load).
for (let round = 0; round < rounds; round++) {
  const order =
    round % 2 === 0
      ? [
          ['unprotected', false],
          ['leases', true],
        ]
      : [
          ['leases', true],
          ['unprotected', false],
        ];
  for (const phase of ['mixed', 'reads']) {
    for (const [name, hasLeases] of order) results[name][phase].push(await run(hasLeases, phase === 'mixed'));
  }
}
const sum = (list, field) => list.reduce((total, r) => total + r[field], 0);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rate = (list) => median(list.map((r) => r.readsPerSecond));
console.log(
  `${TENANTS} tenants, ${READERS} readers through 2 cache instances, ${MUTATORS} mutating handlers; ${rounds} × ${seconds} s per case, median reads/s`,
);
for (const phase of ['mixed', 'reads']) {
  const label = phase === 'mixed' ? 'reads with mutations' : 'reads only (hits)';
  const ours = results.leases[phase];
  const base = results.unprotected[phase];
  console.log(
    `${label.padEnd(22)} leases ${rate(ours).toFixed(0).padStart(6)} reads/s, ${String(sum(ours, 'stale')).padStart(5)} stale of ${sum(ours, 'reads')}   unprotected ${rate(base).toFixed(0).padStart(6)} reads/s, ${String(sum(base, 'stale')).padStart(5)} stale of ${sum(base, 'reads')}   cost ${((1 - rate(ours) / rate(base)) * 100).toFixed(1)} %`,
  );
}
for (const client of clients) client.disconnect();
server.kill();

// A parameter value's length: the invalidation's time should grow with it, not with its square.
const cache = createCache({ registry, store: new MemoryStore(), maxKeyLength: 2_000_000, global: false });
await cache.set('prefs', { tenantId: 't1', userId: 'u' }, 1);
const lengths = [1_000, 10_000, 100_000, 1_000_000];
const time = async (length, runs) => {
  const value = 'x'.repeat(length);
  const started = performance.now();
  for (let i = 0; i < runs; i++) await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: value });
  return (performance.now() - started) / runs;
};
for (const length of lengths) await time(length, 20); // warm-up
const timings = [];
for (const length of lengths) timings.push({ length, ms: await time(length, 50) });
const base = timings[0];
for (const t of timings) {
  console.log(
    `value of ${String(t.length).padStart(7)} chars: ${t.ms.toFixed(3).padStart(8)} ms per invalidation, ${(t.ms / base.ms / (t.length / base.length)).toFixed(2)} × the time per char of ${base.length}`,
  );
}

// Memos bounded: 200,000 invalidations with distinct ids must not grow the heap with the ids.
const heap = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 1e6;
};
const before = heap();
for (let i = 0; i < 200_000; i++) await cache.invalidate(['prefs:{tenantId}:*'], { tenantId: `tenant-${i}` });
const after = heap();
console.log(
  `200,000 invalidations with distinct ids: heap ${before.toFixed(1)} → ${after.toFixed(1)} MB${globalThis.gc ? '' : ' (run with --expose-gc for a settled figure)'}`,
);

benchMetrics();
