// deletePattern of one tenant's keys (1,000 of them) in a keyspace of 1,000,000, against a plain
// SCAN + DEL loop, on a real redis-server started here; then the same with the hash-tag layout on a
// three-primary Redis Cluster, where the pattern names one slot. Runs interleaved, medians.
// Usage: npm run bench:redis -- [tenants=1000] [keysPerTenant=1000] [rounds=5]
import { spawnSync } from 'node:child_process';
import { Cluster, Redis } from 'ioredis';
import { RedisStore, keySlot } from '@cache-audit/runtime';
import { freePort, startServer } from './redis-server.mjs';

const tenants = Number(process.argv[2] ?? 1000);
const perTenant = Number(process.argv[3] ?? 1000);
const rounds = Number(process.argv[4] ?? 5);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** SCAN + DEL, the loop teams write by hand. */
async function baseline(client, pattern) {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

async function measure(label, populate, runOurs, runBaseline) {
  const ours = [];
  const base = [];
  for (let round = 0; round < rounds; round++) {
    await populate();
    let started = performance.now();
    const a = await runBaseline();
    base.push(performance.now() - started);
    await populate();
    started = performance.now();
    const b = await runOurs();
    ours.push(performance.now() - started);
    if (a !== perTenant || b !== perTenant) throw new Error(`deleted ${a} / ${b}, expected ${perTenant}`);
  }
  console.log(
    `${label.padEnd(44)} RedisStore ${median(ours).toFixed(1).padStart(7)} ms   SCAN+DEL ${median(base).toFixed(1).padStart(7)} ms   ratio ${(median(ours) / median(base)).toFixed(2)}`,
  );
}

// Standalone: quotes:list:t{N}:{i}
const port = await freePort();
const server = await startServer(port);
const client = new Redis({ port });
console.log(`loading ${tenants * perTenant} keys…`);
for (let t = 0; t < tenants; t++) await client.call('DEBUG', 'POPULATE', String(perTenant), `quotes:list:t${t}:`, '8');
console.log(`dbsize ${await client.dbsize()}`);
const target = `quotes:list:t${Math.floor(tenants / 2)}:*`;
const refill = async () => {
  await client.call('DEBUG', 'POPULATE', String(perTenant), target.slice(0, -1), '8');
};
await measure(
  `standalone, ${target} in ${await client.dbsize()} keys`,
  refill,
  () => new RedisStore(client).deletePattern(target),
  () => baseline(client, target),
);
client.disconnect();
server.kill();

// Cluster, hash-tag layout: quotes:{t{N}}:list:{i}
const clusterTenants = Math.min(tenants, 300);
const ports = [];
const children = [];
while (ports.length < 3) {
  const p = await freePort();
  if (p + 10000 < 65535) ports.push(p);
}
for (const p of ports) children.push(await startServer(p, ['--cluster-enabled', 'yes']));
spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
  stdio: 'ignore',
});
for (let i = 0; i < 100; i++) {
  const info = spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'], { encoding: 'utf8' }).stdout;
  if (info.includes('cluster_state:ok')) break;
  await new Promise((r) => setTimeout(r, 100));
}
const cluster = new Cluster(ports.map((p) => ({ host: '127.0.0.1', port: p })));
await cluster.set('warmup', '1');
const ownerOf = (tag) => {
  const address = cluster.slots[keySlot(tag)][0];
  return cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === address);
};
for (let t = 0; t < clusterTenants; t++) await ownerOf(`t${t}`).call('DEBUG', 'POPULATE', String(perTenant), `quotes:{t${t}}:list:`, '8');
const total = (await Promise.all(cluster.nodes('master').map((n) => n.dbsize()))).reduce((a, b) => a + b, 0);
const tag = `t${Math.floor(clusterTenants / 2)}`;
const clusterTarget = `quotes:{${tag}}:list:*`;
const refillCluster = async () => {
  await ownerOf(tag).call('DEBUG', 'POPULATE', String(perTenant), `quotes:{${tag}}:list:`, '8');
};
/** The hand-written loop on a cluster: SCAN every primary, DEL per node. */
const clusterBaseline = async () => {
  let deleted = 0;
  for (const node of cluster.nodes('master')) deleted += await baseline(node, clusterTarget);
  return deleted;
};
await measure(
  `cluster, ${clusterTarget} in ${total} keys`,
  refillCluster,
  () => new RedisStore(cluster).deletePattern(clusterTarget),
  clusterBaseline,
);
cluster.disconnect();
for (const child of children) child.kill();
