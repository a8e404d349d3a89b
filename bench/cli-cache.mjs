// The persistent cache and --staged, whole-process (the built CLI in fresh processes), interleaved
// in one run, medians, every figure as a ratio to the cold full run of the same run:
//   cold           a full run without --cache (the baseline)
//   cold, caching  a full run with --cache and no cache yet (what writing the cache costs)
//   warm           --cache again, nothing changed
//   one changed    --cache after an edit to one file
//   staged         --staged with that file's edit staged, without a cache
//   staged, warm   --staged --cache, the cache of the runs before (the staged content is new each round)
// The tree is copied to a temporary git repository first: nothing is written into a checkout.
// Each figure is CPU time (user + system of the CLI's process: the machine is shared) and wall time.
// With --against <checkout>, the build of that checkout (its dist/, e.g. main's) runs the same steps
// in the same rounds, interleaved, with a cache of its own: `vs` is this build's CPU time over that one's.
// Usage: node bench/cli-cache.mjs [dir | --files n] [--rounds n] [--file path/in/tree.ts] [--against checkout] [--json out.json]
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const BIN = fileURLToPath(new URL('../bin/cache-audit.js', import.meta.url));
/** Loaded before the CLI: at exit, its process's CPU time on stderr, on a line of its own. */
const CPU_HOOK = `data:text/javascript,process.on('exit',()=>{const c=process.cpuUsage();process.stderr.write('\\n@cpu '+String((c.user+c.system)/1000)+'\\n')})`;
const CPU_LINE = /\n?@cpu ([\d.]+)\n/;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function git(cwd, ...args) {
  return execFileSync('git', ['-c', 'user.email=bench@example.invalid', '-c', 'user.name=bench', ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
}

/** One CLI run (of the build `bin`) in a fresh process: wall and CPU time, what it found, its stderr (cache warnings). */
function audit(bin, dir, args) {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', CPU_HOOK, bin, '--format', 'json', ...args], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const ms = performance.now() - started;
  // exit 1: findings
  if (child.status !== 0 && child.status !== 1)
    throw new Error(`${bin} ${args.join(' ')} exited with ${String(child.status)}: ${child.stderr}`);
  const cpu = CPU_LINE.exec(child.stderr);
  const result = JSON.parse(child.stdout);
  return {
    ms,
    cpuMs: cpu ? Number(cpu[1]) : NaN,
    findings: result.findings.length,
    files: result.filesScanned,
    stderr: child.stderr.replace(CPU_LINE, ''),
  };
}

/** A file to edit and stage: the one given, else the first NestJS controller (or any source file) of the tree. */
function pickFile(dir, wanted) {
  if (wanted) return wanted;
  const files = git(dir, 'ls-files').split('\n').filter(Boolean);
  return files.find((f) => f.endsWith('.controller.ts') && !f.includes('test')) ?? files.find((f) => /\.[cm]?[jt]sx?$/.test(f));
}

const STEPS = ['cold', 'coldCaching', 'warm', 'changed', 'staged', 'stagedWarm'];

/**
 * Measures `source` (a directory, copied) or a generated tree of `files` files with this build and
 * the builds of `against` (checkouts); returns, per build, the medians (CPU and wall ms) and the
 * ratios of CPU time to its own cold run.
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
  const builds = [
    { name: 'this build', bin: BIN },
    ...against.map((checkout) => ({ name: checkout, bin: join(resolve(checkout), 'bin/cache-audit.js') })),
  ].map((build, index) => ({
    ...build,
    cacheDir: join(base, `cache-${String(index)}`),
    runs: Object.fromEntries(STEPS.map((s) => [s, []])),
    seen: {},
  }));
  let edits = 0;
  for (let round = 0; round < rounds; round++) {
    for (const build of builds) {
      const cache = ['--cache', '--cache-location', `${build.cacheDir}/`];
      const note = (name, run) => {
        build.runs[name].push(run);
        build.seen[name] = run;
        if (run.stderr.trim()) log(`  ${build.name} ${name}: ${run.stderr.trim()}`);
      };
      note('cold', audit(build.bin, dir, []));
      rmSync(build.cacheDir, { recursive: true, force: true });
      note('coldCaching', audit(build.bin, dir, cache));
      note('warm', audit(build.bin, dir, cache));
      appendFileSync(join(dir, edited), `\n// edit ${String(edits++)}\n`);
      note('changed', audit(build.bin, dir, cache));
      git(dir, 'add', edited);
      note('staged', audit(build.bin, dir, ['--staged']));
      note('stagedWarm', audit(build.bin, dir, ['--staged', ...cache]));
    }
  }
  rmSync(base, { recursive: true, force: true });
  return {
    tree: source ?? `generated ${String(files)} files`,
    edited,
    rounds,
    files: builds[0].seen.cold.files,
    stagedFiles: builds[0].seen.staged.files,
    findings: builds[0].seen.cold.findings,
    builds: builds.map((build) => {
      const cpu = Object.fromEntries(STEPS.map((s) => [s, median(build.runs[s].map((r) => r.cpuMs))]));
      const wall = Object.fromEntries(STEPS.map((s) => [s, median(build.runs[s].map((r) => r.ms))]));
      return {
        name: build.name,
        findings: build.seen.cold.findings,
        cpu,
        wall,
        ratios: Object.fromEntries(STEPS.map((s) => [s, cpu[s] / cpu.cold])),
      };
    }),
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
  const [own, ...others] = report.builds;
  const lines = [
    `${report.tree}: ${String(report.files)} files, ${String(report.findings)} findings; edited and staged: ${report.edited}; --staged read ${String(report.stagedFiles)} files; medians of ${String(report.rounds)}; ×: CPU time over the build's own cold run`,
  ];
  for (const build of report.builds) {
    lines.push(`  ${build.name}${build.findings === own.findings ? '' : ` (${String(build.findings)} findings)`}`);
    for (const [name, label] of Object.entries(LABELS)) {
      const versus =
        build === own ? others.map((other) => `   vs ${other.name} ×${(own.cpu[name] / other.cpu[name]).toFixed(2)}`).join('') : '';
      lines.push(
        `    ${label.padEnd(32)} cpu ${(build.cpu[name] / 1000).toFixed(2).padStart(6)} s  wall ${(build.wall[name] / 1000).toFixed(2).padStart(6)} s   ×${build.ratios[name].toFixed(2)}${versus}`,
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
  const against = option('--against');
  const sources = args.length > 0 ? args : [null];
  const reports = [];
  for (const source of sources) {
    const report = benchCache({ source, files, rounds, file, against: against ? [against] : [] });
    console.log(formatCache(report));
    reports.push(report);
  }
  if (json) writeFileSync(json, `${JSON.stringify(reports, null, 2)}\n`);
}
