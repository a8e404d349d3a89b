// The ESLint plugin's cost, measured in one run against its baseline: ESLint with the TypeScript
// parser and no rules, on the same generated code base, runs interleaved, each in a fresh process.
// Usage: npm run bench:eslint -- [files=2000] [rounds=3] [typedFiles=500]
import { execFileSync } from 'node:child_process';
import { generate } from './generate.mjs';

const files = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 3);
const typedFiles = Number(process.argv[4] ?? 500);

const run = (mode, dir, ...flags) =>
  JSON.parse(execFileSync(process.execPath, ['bench/eslint-run.mjs', mode, dir, ...flags], { encoding: 'utf8', maxBuffer: 1 << 26 }));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs the modes interleaved, `n` rounds, and prints medians and the ratios to the first two. */
function compare(modes, dir, count, n) {
  const runs = Object.fromEntries(modes.map((m) => [m, []]));
  for (let round = 0; round < n; round++) for (const mode of modes) runs[mode].push(run(mode, dir));
  const ms = Object.fromEntries(modes.map((m) => [m, median(runs[m].map((r) => r.ms))]));
  for (const mode of modes) {
    const last = runs[mode].at(-1);
    console.log(
      `${mode.padEnd(18)} ${count} files ${ms[mode].toFixed(0).padStart(6)} ms  ${(ms[mode] / count).toFixed(2)} ms/file  peak ${median(runs[mode].map((r) => r.maxRssMb)).toFixed(0)} MB  problems ${last.problems}, fatal ${last.fatal}`,
    );
  }
  const [none, noop, rules] = modes;
  console.log(`ratio ${rules} / ${none}: ${(ms[rules] / ms[none]).toFixed(3)}  (ESLint running any rule, plus the rules)`);
  console.log(`ratio ${noop} / ${none}: ${(ms[noop] / ms[none]).toFixed(3)}  (ESLint's own cost of running one empty rule)`);
  console.log(
    `ratio ${rules} / ${noop}: ${(ms[rules] / ms[noop]).toFixed(3)}  (what the rules add: ${((ms[rules] / ms[noop] - 1) * 100).toFixed(1)} %)`,
  );
  return ms;
}

generate(files, 'bench/out/app');
console.log(`Untyped, ${rounds} interleaved rounds, medians:`);
compare(['parser', 'noop', 'recommended'], 'bench/out/app', files, rounds);
console.log('\nPer-rule time (ESLint stats, as TIMING shows them; one more run with stats on):');
const timed = run('recommended', 'bench/out/app', '--stats');
const total = Object.values(timed.ruleMs).reduce((a, b) => a + b, 0);
for (const [rule, ms] of Object.entries(timed.ruleMs).sort((a, b) => b[1] - a[1])) {
  console.log(`  ${rule.padEnd(48)} ${ms.toFixed(1).padStart(8)} ms  ${((ms / timed.ms) * 100).toFixed(2)} % of the run`);
}
console.log(`  ${'all rules'.padEnd(48)} ${total.toFixed(1).padStart(8)} ms`);

generate(typedFiles, 'bench/out/typed');
console.log(`\nTyped (parserOptions.projectService), ${Math.max(1, rounds - 1)} rounds:`);
compare(['typed-parser', 'typed-noop', 'typed-recommended'], 'bench/out/typed', typedFiles, Math.max(1, rounds - 1));
const typedAlone = run('parser', 'bench/out/typed');
const typedRules = run('typed-recommended', 'bench/out/typed');
console.log(
  `typed recommended / untyped parser alone on ${typedFiles} files: ${(typedRules.ms / typedAlone.ms).toFixed(2)}x time, ${(typedRules.maxRssMb / typedAlone.maxRssMb).toFixed(2)}x memory`,
);
