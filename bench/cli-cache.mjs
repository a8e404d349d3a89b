// The persistent cache and --staged, whole-process (the built CLI in fresh processes), interleaved
// in one run, medians, every figure as a ratio to the cold full run of the same build in the same run:
//   cold           a full run without --cache (the baseline)
//   cold, caching  a full run with --cache and no cache yet (what writing the cache costs)
//   warm           --cache again, nothing changed
//   one changed    --cache after an edit to one file
//   staged         --staged with that file's edit staged, without a cache
//   staged, warm   --staged --cache, the cache of the runs before (the staged content is new each round)
// Wall and CPU time (user + system of the process, Node's start included: the machine is shared, CPU
// time is the steadier figure). `--against <checkout>` runs the same steps with that checkout's
// build (e.g. main's) in the same rounds, interleaved. The tree is copied to a temporary git
// repository first: nothing is written into a checkout.
// Usage: npm run bench:cache -- [dir | --files n] [--rounds n] [--file path/in/tree.ts] [--against dir] [--json out.json]
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const BIN = fileURLToPath(new URL('../bin/cache-audit.js', import.meta.url));
const USAGE = fileURLToPath(new URL('./cpu-at-exit.mjs', import.meta.url));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function git(cwd, ...args) {
  return execFileSync('git', ['-c', 'user.email=bench@example.invalid', '-c', 'user.name=bench', ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
}

/** One CLI run of `bin` in a fresh process: wall and CPU time, what it found, its stderr (cache warnings). */
function audit(bin, dir, args, usageFile) {
  const started = performance.now();
  let stdout;
  let stderr = '';
  try {
    stdout = execFileSync(process.execPath, ['--import', USAGE, bin, '--format', 'json', ...args], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      stdio: 'pipe',
      env: { ...process.env, CACHE_AUDIT_BENCH_USAGE: usageFile },
    });
  } catch (error) {
    // exit 1: findings
    if (error.status !== 1) throw error;
    stdout = error.stdout;
    stderr = error.stderr;
  }
  const ms = performance.now() - started;
  const { cpuMs, maxRssMb } = JSON.parse(readFileSync(usageFile, 'utf8'));
  const result = JSON.parse(stdout);
  return { ms, cpuMs, maxRssMb, findings: result.findings.length, files: result.filesScanned, stderr };
}

/** A file to edit and stage: the one given, else the first NestJS controller (or any source file) of the tree. */
function pickFile(dir, wanted) {
  if (wanted) return wanted;
  const files = git(dir, 'ls-files').split('\n').filter(Boolean);
  return files.find((f) => f.endsWith('.controller.ts') && !f.includes('test')) ?? files.find((f) => /\.[cm]?[jt]sx?$/.test(f));
}

const STEPS = ['cold', 'coldCaching', 'warm', 'changed', 'staged', 'stagedWarm'];

/**
 * Measures `source` (a directory, copied) or a generated tree of `files` files, with this build and
 * each of `against` (checkouts with a build), interleaved; returns per build the medians (wall and
 * CPU ms) and their ratios to that build's cold run.
 */
export function benchCache({ source = null, files = 5000, rounds = 3, file = null, against = [], log = console.log } = {}) {
  const base = mkdtempSync(join(tmpdir(), 'cache-audit-bench-cache-'));
  const dir = join(base, 'tree');
  if (source) cpSync(resolve(source), dir, { recursive: true, filter: (path) => !/[\\/](node_modules|\.git)$/.test(path) });
  else generate(files, dir);
  writeFileSync(
    join(dir, '.gitignore'),
    `${existsSync(join(dir, '.gitignore')) ? readFileSync(join(dir, '.gitignore'), 'utf8') : ''}\n.cache-audit/\n`,
  );
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base', '--no-verify');
  const edited = pickFile(dir, file);
  const usageFile = join(base, 'usage.json');
  const builds = [
    { id: 'now', bin: BIN },
    ...against.map((checkout) => ({ id: checkout, bin: join(resolve(checkout), 'bin/cache-audit.js') })),
  ];
  const state = builds.map((build, index) => ({
    ...build,
    cacheDir: join(base, `cache-${String(index)}`),
    times: Object.fromEntries(STEPS.map((step) => [step, []])),
    seen: {},
  }));
  for (let round = 0; round < rounds; round++) {
    for (const build of state) {
      const cache = ['--cache', '--cache-location', `${build.cacheDir}/`];
      const note = (name, args) => {
        const run = audit(build.bin, dir, args, usageFile);
        build.times[name].push(run);
        build.seen[name] = run;
        if (run.stderr) log(`  ${build.id} ${name}: ${run.stderr.trim()}`);
      };
      note('cold', []);
      rmSync(build.cacheDir, { recursive: true, force: true });
      note('coldCaching', cache);
      note('warm', cache);
      appendFileSync(join(dir, edited), `\n// edit ${String(round)} ${build.id}\n`);
      note('changed', cache);
      git(dir, 'add', edited);
      note('staged', ['--staged']);
      note('stagedWarm', ['--staged', ...cache]);
      git(dir, 'commit', '-qm', `edit ${String(round)}`, '--no-verify');
    }
  }
  rmSync(base, { recursive: true, force: true });
  const results = state.map((build) => {
    const medians = Object.fromEntries(
      STEPS.map((step) => [step, { ms: median(build.times[step].map((r) => r.ms)), cpuMs: median(build.times[step].map((r) => r.cpuMs)) }]),
    );
    const ratios = Object.fromEntries(
      STEPS.map((step) => [step, { ms: medians[step].ms / medians.cold.ms, cpuMs: medians[step].cpuMs / medians.cold.cpuMs }]),
    );
    return {
      build: build.id,
      medians,
      ratios,
      files: build.seen.cold.files,
      stagedFiles: build.seen.staged.files,
      findings: build.seen.cold.findings,
      stagedFindings: build.seen.staged.findings,
    };
  });
  return { tree: source ?? `generated ${String(files)} files`, edited, rounds, builds: results };
}

const LABELS = {
  cold: 'cold full run (baseline)',
  coldCaching: 'cold, writing the cache',
  warm: 'warm, nothing changed',
  changed: 'one file changed',
  staged: '--staged one file, no cache',
  stagedWarm: '--staged one file, warm cache',
};

export function formatCache(report) {
  const lines = [`${report.tree}: edited and staged ${report.edited}; medians of ${String(report.rounds)}, wall and CPU time`];
  for (const build of report.builds) {
    lines.push(
      `  ${build.build}: ${String(build.files)} files, ${String(build.findings)} findings; --staged read ${String(build.stagedFiles)} files, ${String(build.stagedFindings)} findings`,
    );
    for (const [name, label] of Object.entries(LABELS)) {
      const m = build.medians[name];
      const r = build.ratios[name];
      lines.push(
        `    ${label.padEnd(32)} wall ${(m.ms / 1000).toFixed(2).padStart(6)} s ×${r.ms.toFixed(2)}   cpu ${(m.cpuMs / 1000).toFixed(2).padStart(6)} s ×${r.cpuMs.toFixed(2)}`,
      );
    }
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name) => {
    const index = args.indexOf(name);
    if (index < 0) return null;
    const [value] = args.splice(index, 2).slice(1);
    return value;
  };
  const rounds = Number(option('--rounds') ?? 3);
  const files = Number(option('--files') ?? 5000);
  const file = option('--file');
  const json = option('--json');
  const against = [];
  for (let value = option('--against'); value !== null && value !== undefined; value = option('--against')) against.push(value);
  const sources = args.length > 0 ? args : [null];
  const reports = [];
  for (const source of sources) {
    const report = benchCache({ source, files, rounds, file, against });
    console.log(formatCache(report));
    reports.push(report);
  }
  if (json) writeFileSync(json, `${JSON.stringify(reports, null, 2)}\n`);
}
