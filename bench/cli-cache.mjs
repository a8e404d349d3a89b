// The persistent cache and --staged, whole-process (the built CLI in fresh processes), interleaved
// in one run, medians, every figure as a ratio to the cold full run of the same run:
//   cold           a full run without --cache (the baseline)
//   cold, caching  a full run with --cache and no cache yet (what writing the cache costs)
//   warm           --cache again, nothing changed
//   one changed    --cache after an edit to one file
//   staged         --staged with that file's edit staged, without a cache
//   staged, warm   --staged --cache, the cache of the runs before (the staged content is new each round)
// The tree is copied to a temporary git repository first: nothing is written into a checkout.
// Usage: node bench/cli-cache.mjs [dir | --files n] [--rounds n] [--file path/in/tree.ts] [--json out.json]
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const BIN = fileURLToPath(new URL('../bin/cache-audit.js', import.meta.url));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function git(cwd, ...args) {
  return execFileSync('git', ['-c', 'user.email=bench@example.invalid', '-c', 'user.name=bench', ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
}

/** One CLI run in a fresh process: wall time, what it found, its stderr (cache warnings). */
function audit(dir, args) {
  const started = performance.now();
  let stdout;
  let stderr = '';
  try {
    stdout = execFileSync(process.execPath, [BIN, '--format', 'json', ...args], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      stdio: 'pipe',
    });
  } catch (error) {
    // exit 1: findings
    if (error.status !== 1) throw error;
    stdout = error.stdout;
    stderr = error.stderr;
  }
  const ms = performance.now() - started;
  const result = JSON.parse(stdout);
  return { ms, findings: result.findings.length, files: result.filesScanned, stderr };
}

/** A file to edit and stage: the one given, else the first NestJS controller (or any source file) of the tree. */
function pickFile(dir, wanted) {
  if (wanted) return wanted;
  const files = git(dir, 'ls-files').split('\n').filter(Boolean);
  return files.find((f) => f.endsWith('.controller.ts') && !f.includes('test')) ?? files.find((f) => /\.[cm]?[jt]sx?$/.test(f));
}

/**
 * Measures `source` (a directory, copied) or a generated tree of `files` files; returns the medians
 * in ms and the ratios to the cold run.
 */
export function benchCache({ source = null, files = 5000, rounds = 3, file = null, log = console.log } = {}) {
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
  const cacheDir = join(base, 'cache');
  const cache = ['--cache', '--cache-location', `${cacheDir}/`];
  const times = { cold: [], coldCaching: [], warm: [], changed: [], staged: [], stagedWarm: [] };
  const seen = {};
  const note = (name, run) => {
    times[name].push(run.ms);
    seen[name] = run;
    if (run.stderr) log(`  ${name}: ${run.stderr.trim()}`);
  };
  for (let round = 0; round < rounds; round++) {
    note('cold', audit(dir, []));
    rmSync(cacheDir, { recursive: true, force: true });
    note('coldCaching', audit(dir, cache));
    note('warm', audit(dir, cache));
    appendFileSync(join(dir, edited), `\n// edit ${String(round)}\n`);
    note('changed', audit(dir, cache));
    git(dir, 'add', edited);
    note('staged', audit(dir, ['--staged']));
    note('stagedWarm', audit(dir, ['--staged', ...cache]));
  }
  rmSync(base, { recursive: true, force: true });
  const medians = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
  const ratios = Object.fromEntries(Object.entries(medians).map(([name, ms]) => [name, ms / medians.cold]));
  return {
    tree: source ?? `generated ${String(files)} files`,
    edited,
    rounds,
    medians,
    ratios,
    files: seen.cold.files,
    stagedFiles: seen.staged.files,
    findings: seen.cold.findings,
  };
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
  const lines = [
    `${report.tree}: ${String(report.files)} files, ${String(report.findings)} findings; edited and staged: ${report.edited}; --staged read ${String(report.stagedFiles)} files; medians of ${String(report.rounds)}`,
  ];
  for (const [name, label] of Object.entries(LABELS))
    lines.push(`  ${label.padEnd(32)} ${(report.medians[name] / 1000).toFixed(2).padStart(7)} s   ×${report.ratios[name].toFixed(2)}`);
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
  const sources = args.length > 0 ? args : [null];
  const reports = [];
  for (const source of sources) {
    const report = benchCache({ source, files, rounds, file });
    console.log(formatCache(report));
    reports.push(report);
  }
  if (json) writeFileSync(json, `${JSON.stringify(reports, null, 2)}\n`);
}
