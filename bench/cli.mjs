// The CLI's cost: a cold `scan` (a fresh process) against the floor of reading and parsing with
// createSourceFile, in one process, every file the CLI audits. Per tree: wall and CPU time (the
// machine is shared: CPU time is the steadier figure), their ratios to the floor, peak memory;
// medians, all trees and modes interleaved in one run.
// Usage: npm run bench:cli -- [sizes|dir…] [--rounds 3] [--against <checkout>]
//   sizes               generated trees, e.g. 1000,5000,10000 (the default when nothing is given)
//   dir                 a checkout to scan as it is (read only)
//   --rounds <n>        fresh processes per tree and mode (default 3)
//   --against <dir>     also time the scan of the build in another checkout (its dist/), e.g. main's
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from './generate.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '3' }, against: { type: 'string' } },
});
const rounds = Number(values.rounds);
const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

const trees = [];
for (const argument of positionals.length > 0 ? positionals : ['1000,5000,10000']) {
  if (/^\d+(,\d+)*$/.test(argument)) {
    for (const size of argument.split(',').map(Number)) {
      const dir = `bench/out/cli-${size}`;
      generate(size, dir);
      trees.push({ name: `generated ${size}`, dir, size });
    }
  } else if (existsSync(argument)) {
    trees.push({ name: basename(resolve(argument)), dir: resolve(argument), size: null });
  } else {
    throw new Error(`${argument} is neither a list of sizes nor a directory.`);
  }
}

const modes = [
  { id: 'floor', args: ['floor'] },
  { id: 'scan', args: ['scan'] },
  ...(values.against ? [{ id: 'against', args: ['scan', undefined, resolve(values.against)] }] : []),
];

function measure(mode, dir) {
  const [first, , ...rest] = mode.args;
  const started = performance.now();
  const output = execFileSync(process.execPath, ['bench/cli-run.mjs', first, dir, ...rest], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { ms: performance.now() - started, ...JSON.parse(output) };
}

const runs = new Map(trees.map((tree) => [tree, new Map(modes.map((mode) => [mode.id, []]))]));
for (let round = 0; round < rounds; round++) {
  for (const tree of trees) for (const mode of modes) runs.get(tree).get(mode.id).push(measure(mode, tree.dir));
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`medians of ${rounds}; ratios are scan / floor`);
let previous = null;
for (const tree of trees) {
  const byMode = runs.get(tree);
  const figure = (id) => {
    const list = byMode.get(id);
    return {
      ms: median(list.map((r) => r.ms)),
      cpu: median(list.map((r) => r.cpuMs)),
      mib: median(list.map((r) => r.maxRssMb)),
      last: list[0],
    };
  };
  const floor = figure('floor');
  console.log(`\n${tree.name}: ${floor.last.files} files`);
  console.log(
    `  floor      wall ${seconds(floor.ms).padStart(9)}  cpu ${seconds(floor.cpu).padStart(9)}  peak ${floor.mib.toFixed(0)} MiB`,
  );
  for (const id of modes.map((m) => m.id).filter((m) => m !== 'floor')) {
    const f = figure(id);
    console.log(
      `  ${id.padEnd(9)}  wall ${seconds(f.ms).padStart(9)}  cpu ${seconds(f.cpu).padStart(9)}  peak ${f.mib.toFixed(0)} MiB   ` +
        `ratio wall ${(f.ms / floor.ms).toFixed(2)}  cpu ${(f.cpu / floor.cpu).toFixed(2)}   findings ${f.last.findings}, diagnostics ${f.last.diagnostics}`,
    );
  }
  if (tree.size !== null) {
    const scan = figure('scan');
    if (previous)
      console.log(
        `  growth ×${(tree.size / previous.size).toFixed(1)} files: scan cpu ×${(scan.cpu / previous.cpu).toFixed(2)}, floor cpu ×${(floor.cpu / previous.floorCpu).toFixed(2)}`,
      );
    previous = { size: tree.size, cpu: scan.cpu, floorCpu: floor.cpu };
  }
}
