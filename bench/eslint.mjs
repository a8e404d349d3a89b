// The ESLint plugin's cost, measured in one run against its baselines: loading it against ESLint
// with the TypeScript parser and no plugin, and linting against the parser alone, untyped and typed,
// on a generated code base and on any checkout given, each run a fresh process, interleaved,
// medians of CPU time (the machine is shared: wall time varies more).
// Usage: npm run bench:eslint -- [checkout…] [--files 2000] [--rounds 5] [--typed-files 500] [--before dir]
// --files 0 skips the generated tree. On a checkout, the empty rule runs untyped only (a run there is long).
// --before: another checkout of cache-audit, built (`npm ci && npm run build`), measured beside this
// one in the same rounds (its own ESLint, parser and TypeScript), for a before/after.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { walkSources } from '../dist/esm/src/project/files.js';
import { generate } from './generate.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    files: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '5' },
    'typed-files': { type: 'string', default: '500' },
    before: { type: 'string' },
  },
});
const files = Number(values.files);
const rounds = Number(values.rounds);
const typedFiles = Number(values['typed-files']);
const builds = values.before
  ? [
      { name: '', dir: '.' },
      { name: '@before', dir: resolve(values.before) },
    ]
  : [{ name: '', dir: '.' }];

const run = (mode, dir, build, list, ...flags) =>
  JSON.parse(
    execFileSync(
      process.execPath,
      ['bench/eslint-run.mjs', mode, dir, '--build', build.dir, ...(list ? ['--files', list] : []), ...flags],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    ),
  );
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fixed = (value, digits) => value.toFixed(digits).padStart(7);

/**
 * Runs the modes interleaved, `n` rounds, those with the plugin once per build (the baselines do not
 * load it: this checkout's ESLint, parser and TypeScript serve both); returns medians by `mode@build`.
 */
function measure(modes, dir, list, n) {
  const hasPlugin = (mode) => mode.endsWith('recommended') || mode === 'load-plugin';
  const pairs = modes.flatMap((mode) =>
    (hasPlugin(mode) ? builds : builds.slice(0, 1)).map((build) => ({ key: `${mode}${build.name}`, mode, build })),
  );
  const runs = Object.fromEntries(pairs.map((p) => [p.key, []]));
  for (let round = 0; round < n; round++) for (const p of pairs) runs[p.key].push(run(p.mode, dir, p.build, list));
  return Object.fromEntries(
    pairs.map(({ key }) => {
      const of = (field) => median(runs[key].map((r) => r[field]));
      const last = runs[key].at(-1);
      return [
        key,
        {
          cpuS: of('cpuS'),
          lintCpuS: of('lintCpuS'),
          ms: of('ms'),
          maxRssMb: of('maxRssMb'),
          files: last.files,
          problems: last.problems,
          fatal: last.fatal,
        },
      ];
    }),
  );
}

function printRuns(medians, count) {
  for (const [key, m] of Object.entries(medians)) {
    const perFile = count > 0 ? `  ${((m.lintCpuS * 1000) / count).toFixed(2)} CPU ms/file` : '';
    console.log(
      `  ${key.padEnd(26)} CPU ${fixed(m.cpuS, 2)} s (lint ${fixed(m.lintCpuS, 2)} s)  wall ${fixed(m.ms / 1000, 2)} s  peak ${fixed(m.maxRssMb, 0)} MiB${perFile}${count > 0 ? `  problems ${m.problems}, fatal ${m.fatal}` : ''}`,
    );
  }
}

/** Loading the plugin: CPU seconds and MiB over ESLint with the parser and no plugin. */
function pluginLoad(dir) {
  const medians = measure(['load', 'load-plugin'], dir, null, rounds);
  console.log(`Plugin load (ESLint, the parser and one file's configuration; ${rounds} rounds):`);
  printRuns(medians, 0);
  for (const { name } of builds) {
    const none = medians.load;
    const loaded = medians['load-plugin' + name];
    console.log(
      `  plugin load${name}: +${(loaded.cpuS - none.cpuS).toFixed(2)} CPU s, +${(loaded.maxRssMb - none.maxRssMb).toFixed(0)} MiB over no plugin (goal at most +0.20 s, +20 MiB)`,
    );
  }
}

/** Linting: the plugin's `recommended` (and one empty rule) against the parser alone. */
function lint(dir, list, count, typed, withNoop = true) {
  const prefix = typed ? 'typed-' : '';
  const n = typed ? Math.max(1, rounds - 1) : rounds;
  const modes = [`${prefix}parser`, ...(withNoop ? [`${prefix}noop`, `${prefix}noop-flat`] : []), `${prefix}recommended`];
  const medians = measure(modes, dir, list, n);
  console.log(`${typed ? 'Typed (parserOptions.projectService)' : 'Untyped'}, ${count} files, ${n} rounds:`);
  printRuns(medians, count);
  const goal = typed ? 1.15 : 1.05;
  const alone = medians[`${prefix}parser`];
  const noop = medians[`${prefix}noop`];
  for (const { name } of builds) {
    const rules = medians[`${prefix}recommended${name}`];
    console.log(
      `  recommended${name} / parser alone: ${(rules.cpuS / alone.cpuS).toFixed(3)} CPU (lint alone ${(rules.lintCpuS / alone.lintCpuS).toFixed(3)}), goal at most ${goal.toFixed(2)}; memory ${(rules.maxRssMb / alone.maxRssMb).toFixed(2)}`,
    );
  }
  if (noop) {
    const flat = medians[`${prefix}noop-flat`];
    console.log(
      `  one empty rule / parser alone: ${(noop.cpuS / alone.cpuS).toFixed(3)} CPU (lint alone ${(noop.lintCpuS / alone.lintCpuS).toFixed(3)}): ESLint's own cost of running any rule`,
    );
    console.log(
      `  one empty rule, ESLint's rule contexts made flat / parser alone: ${(flat.cpuS / alone.cpuS).toFixed(3)} CPU: what is left of it without the file context as their prototype`,
    );
    for (const { name } of builds) {
      const rules = medians[`${prefix}recommended${name}`];
      console.log(
        `  recommended${name} / one empty rule: ${(rules.cpuS / noop.cpuS).toFixed(3)} CPU (lint alone ${(rules.lintCpuS / noop.lintCpuS).toFixed(3)}): the plugin's own share`,
      );
    }
  }
  return medians;
}

/** The TypeScript files of a checkout, as the CLI lists them, written one per line for eslint-run. */
function listFiles(dir, name, limit) {
  const all = walkSources(dir, []).filter((file) => ['.ts', '.tsx', '.mts', '.cts'].includes(extname(file)));
  const chosen = all.slice(0, limit);
  mkdirSync('bench/out', { recursive: true });
  const list = resolve(`bench/out/eslint-${name}-${chosen.length}.txt`);
  writeFileSync(list, `${chosen.join('\n')}\n`);
  return { list, count: chosen.length };
}

if (builds.length > 1) console.log(`Before/after: this build, and @before = ${builds[1].dir}\n`);

if (files > 0) {
  generate(files, 'bench/out/app');
  console.log(`== generated tree (bench/generate.mjs), ${files} files untyped, ${typedFiles} typed ==`);
  pluginLoad('bench/out/app');
  lint('bench/out/app', null, files, false);
  console.log('  per-rule time (ESLint stats, as TIMING shows them; one more run with stats on):');
  const timed = run('recommended', 'bench/out/app', builds[0], null, '--stats');
  const total = Object.values(timed.ruleMs).reduce((a, b) => a + b, 0);
  for (const [rule, ms] of Object.entries(timed.ruleMs).sort((a, b) => b[1] - a[1])) {
    console.log(`    ${rule.padEnd(48)} ${ms.toFixed(1).padStart(8)} ms  ${((ms / timed.ms) * 100).toFixed(2)} % of the lint`);
  }
  console.log(`    ${'all rules'.padEnd(48)} ${total.toFixed(1).padStart(8)} ms, ${(total / files).toFixed(2)} ms a file`);
  generate(typedFiles, 'bench/out/typed');
  lint('bench/out/typed', null, typedFiles, true);
}

for (const checkout of positionals) {
  const dir = resolve(checkout);
  const name = basename(dir);
  const untyped = listFiles(dir, name, Infinity);
  const typed = listFiles(dir, name, typedFiles);
  console.log(`\n== ${dir}: ${untyped.count} TypeScript files untyped, the first ${typed.count} typed ==`);
  pluginLoad(dir);
  lint(dir, untyped.list, untyped.count, false);
  lint(dir, typed.list, typed.count, true, false);
}
