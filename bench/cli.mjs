// The CLI's cost: a cold `scan` (a fresh process) against the floor of parsing the same files with
// createSourceFile in one process, at several sizes, interleaved, medians.
// Usage: npm run bench:cli -- [sizes=1000,5000,10000] [rounds=3]
import { execFileSync } from 'node:child_process';
import { generate } from './generate.mjs';

const sizes = (process.argv[2] ?? '1000,5000,10000').split(',').map(Number);
const rounds = Number(process.argv[3] ?? 3);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function measure(mode, dir) {
  const started = performance.now();
  const output = execFileSync(process.execPath, ['bench/cli-run.mjs', mode, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { ms: performance.now() - started, ...JSON.parse(output) };
}

console.log('files    floor (parse)        cache-audit scan     ratio   peak memory (floor / scan)');
let previous = null;
for (const size of sizes) {
  const dir = `bench/out/cli-${size}`;
  generate(size, dir);
  const floor = [];
  const audit = [];
  for (let round = 0; round < rounds; round++) {
    floor.push(measure('floor', dir));
    audit.push(measure('scan', dir));
  }
  const floorMs = median(floor.map((r) => r.ms));
  const scanMs = median(audit.map((r) => r.ms));
  const line = `${String(size).padEnd(8)} ${floorMs.toFixed(0).padStart(7)} ms ${(floorMs / size).toFixed(2)} ms/f  ${scanMs.toFixed(0).padStart(7)} ms ${(scanMs / size).toFixed(2)} ms/f  ${(scanMs / floorMs).toFixed(2)}    ${median(floor.map((r) => r.maxRssMb)).toFixed(0)} / ${median(audit.map((r) => r.maxRssMb)).toFixed(0)} MB   findings ${audit[0].findings}`;
  console.log(line);
  if (previous)
    console.log(
      `         growth ×${(size / previous.size).toFixed(1)} files: scan ×${(scanMs / previous.scanMs).toFixed(2)}, floor ×${(floorMs / previous.floorMs).toFixed(2)}`,
    );
  previous = { size, scanMs, floorMs };
}
