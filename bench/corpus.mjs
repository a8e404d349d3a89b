// The CLI on real checkouts: per app, files scanned, mutation handlers, coverage, findings by rule and
// severity, blind spots (`unresolved` notes), exit code and wall time.
// `handlers` counts the mutation handlers (matrix rows whose status is not `read`; every row before
// report version 2), `reads` the read handlers, `families` the cache families read in the code.
// Usage: npm run bench:corpus -- [dir…] [--list file] [--json out.json] [--compare old.json]
//   dir…            checkout directories (default: every directory below $CORPUS or /work/corpus)
//   --list <file>   a file naming one checkout directory per line (# starts a comment)
//   --json <file>   also write the per-app figures as JSON, for a later --compare
//   --compare <f>   print each figure before (from f) and after (this run)
//   --errors        list every error finding of the apps with labels, for judging by reading the code
//   --unseen        list every labelled invalidation path a report does not show, with what it shows instead
// An app whose checkout is named like a labels file (bench/labels/<app>.tsv) is also scored against
// its labels: handlers found, invalidation paths seen, false alarms, flags, defects found (score.mjs).
// The checkouts are never written to. A checkout with no cache-audit configuration of its own is
// audited through a temporary directory that holds an empty configuration and a symbolic link to
// the checkout: the configuration search walks up from the link and finds the temporary one.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONFIG_FILES } from '../dist/esm/src/config/load-config.js';
import { readFamilyKeys, readLabels, score, scoreLines } from './score.mjs';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'cache-audit.js');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    list: { type: 'string' },
    json: { type: 'string' },
    compare: { type: 'string' },
    errors: { type: 'boolean' },
    unseen: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('//'))
      .map((l) => l.slice(3))
      .join('\n'),
  );
  process.exit(0);
}

function checkouts() {
  const dirs = [...positionals];
  if (values.list) {
    const base = dirname(resolve(values.list));
    for (const line of readFileSync(values.list, 'utf8').split('\n')) {
      const entry = line.replace(/#.*/, '').trim();
      if (entry) dirs.push(resolve(base, entry));
    }
  }
  if (dirs.length > 0) return dirs.map((d) => resolve(d));
  const corpus = resolve(process.env.CORPUS ?? '/work/corpus');
  if (!existsSync(corpus)) throw new Error(`No checkouts given and ${corpus} does not exist: pass directories or --list <file>.`);
  return readdirSync(corpus)
    .map((name) => join(corpus, name))
    .filter((d) => statSync(d).isDirectory())
    .sort();
}

function hasOwnConfig(dir) {
  if (CONFIG_FILES.some((name) => existsSync(join(dir, name)))) return true;
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).cacheAudit !== undefined;
  } catch {
    return false;
  }
}

/** Runs the CLI on one checkout; never throws (a crash is a result too). */
function audit(dir) {
  const scratch = mkdtempSync(join(tmpdir(), 'cache-audit-corpus-'));
  const report = join(scratch, 'report.json');
  let target = dir;
  const isOwnConfig = hasOwnConfig(dir);
  if (!isOwnConfig) {
    writeFileSync(join(scratch, 'cache-audit.config.json'), '{}\n');
    target = join(scratch, basename(dir));
    symlinkSync(dir, target, 'dir');
  }
  const started = performance.now();
  let code = 0;
  let stderr = '';
  try {
    execFileSync(process.execPath, [CLI, target, '--format', 'json', '--output', report, '--no-color'], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 1 << 28,
    });
  } catch (error) {
    code = typeof error.status === 'number' ? error.status : -1;
    stderr = String(error.stderr ?? error.message);
  }
  const wallMs = performance.now() - started;
  const result = readReport(report);
  rmSync(scratch, { recursive: true, force: true });
  return summarize(dir, { code, stderr, wallMs, result, config: isOwnConfig ? 'own' : 'temporary {}' });
}

function readReport(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function summarize(dir, { code, stderr, wallMs, result, config }) {
  const app = basename(dir);
  if (!result) {
    const reason = code === 2 && /configuration/i.test(stderr) ? 'no configuration' : stderr.trim().split('\n')[0] || `exit ${code}`;
    return { app, dir, config, exit: code, wallMs: Math.round(wallMs), error: reason };
  }
  const findings = result.findings ?? [];
  const byRule = {};
  const bySeverity = {};
  for (const f of findings) {
    byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  }
  const rows = result.matrix?.rows ?? [];
  const labels = join(dirname(fileURLToPath(import.meta.url)), 'labels', `${app}.tsv`);
  return {
    ...(existsSync(labels) ? { score: score(readLabels(labels), result, readFamilyKeys(labels.replace(/\.tsv$/, '.families.tsv'))) } : {}),
    app,
    dir,
    config,
    exit: code,
    wallMs: Math.round(wallMs),
    files: result.filesScanned ?? null,
    handlers: rows.filter((r) => r.status !== 'read').length,
    statuses: Object.fromEntries(
      ['invalidates', 'exception', 'none', 'unknown', 'read'].map((s) => [s, rows.filter((r) => r.status === s).length]),
    ),
    families: (result.families ?? []).length,
    mutations: result.coverage?.mutations ?? null,
    covered: result.coverage?.covered ?? null,
    coverage: result.coverage?.ratio ?? null,
    reads: rows.filter((r) => r.status === 'read').length,
    keys: (result.matrix?.keys ?? []).length,
    findings: findings.length,
    byRule,
    bySeverity,
    blindSpots: byRule.unresolved ?? 0,
    diagnostics: (result.diagnostics ?? []).length,
  };
}

const pct = (ratio) => (ratio === null || ratio === undefined ? '-' : `${(100 * ratio).toFixed(1)} %`);
const counts = (map) =>
  Object.entries(map ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '-';

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => String(cell).padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function print(results) {
  const header = [
    'app',
    'files',
    'handlers',
    'reads',
    'covered',
    'coverage',
    'unknown',
    'families',
    'findings',
    'blind spots',
    'diagnostics',
    'exit',
    'wall',
  ];
  const rows = results.map((r) =>
    r.error
      ? [r.app, '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', r.exit, `${(r.wallMs / 1000).toFixed(1)} s  (${r.error})`]
      : [
          r.app,
          r.files,
          r.handlers,
          r.reads,
          r.covered,
          pct(r.coverage),
          r.statuses?.unknown ?? '-',
          r.families ?? '-',
          r.findings,
          r.blindSpots,
          r.diagnostics,
          r.exit,
          `${(r.wallMs / 1000).toFixed(1)} s`,
        ],
  );
  console.log(table([header, ...rows]));
  console.log('');
  for (const r of results) {
    if (r.error) continue;
    console.log(`${r.app} (configuration: ${r.config})`);
    console.log(`  by severity: ${counts(r.bySeverity)}`);
    console.log(`  by rule:     ${counts(r.byRule)}`);
  }
  for (const r of results) {
    if (!r.score) continue;
    console.log('');
    console.log(scoreLines(r.app, r.score, { withErrors: values.errors === true, withUnseen: values.unseen === true }).join('\n'));
  }
}

function compare(before, after) {
  const old = new Map(before.map((r) => [r.app, r]));
  const fields = [
    ['files', (r) => r.files],
    ['handlers', (r) => r.handlers],
    ['coverage', (r) => (r.coverage === null || r.coverage === undefined ? null : Number((100 * r.coverage).toFixed(1)))],
    ['findings', (r) => r.findings],
    ['blind spots', (r) => r.blindSpots],
    ['exit', (r) => r.exit],
    ['wall s', (r) => (r.wallMs / 1000).toFixed(1)],
  ];
  const rows = [['app', ...fields.map(([name]) => name)]];
  for (const r of after) {
    const o = old.get(r.app);
    rows.push([
      r.app,
      ...fields.map(([, get]) => {
        const now = r.error ? '-' : (get(r) ?? '-');
        const was = !o || o.error ? '-' : (get(o) ?? '-');
        return String(was) === String(now) ? String(now) : `${was} → ${now}`;
      }),
    ]);
  }
  console.log('');
  console.log(`Before (${values.compare}) → after (this run)`);
  console.log(table(rows));
  for (const r of after) {
    const o = old.get(r.app);
    if (!o || o.error || r.error) continue;
    const rules = [...new Set([...Object.keys(o.byRule), ...Object.keys(r.byRule)])].sort();
    const changed = rules.filter((rule) => (o.byRule[rule] ?? 0) !== (r.byRule[rule] ?? 0));
    if (changed.length > 0)
      console.log(`  ${r.app}: ${changed.map((rule) => `${rule} ${o.byRule[rule] ?? 0} → ${r.byRule[rule] ?? 0}`).join(', ')}`);
  }
}

const previous = values.compare ? JSON.parse(readFileSync(values.compare, 'utf8')).apps : null;
const results = [];
for (const dir of checkouts()) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    results.push({ app: basename(dir), dir, config: '-', exit: -1, wallMs: 0, error: 'not a directory' });
    continue;
  }
  process.stderr.write(`cache-audit on ${dir} …\n`);
  results.push(audit(dir));
}
print(results);
if (previous) compare(previous, results);
if (values.json) {
  writeFileSync(
    values.json,
    `${JSON.stringify({ version: 1, date: new Date().toISOString(), node: process.version, apps: results }, null, 2)}\n`,
  );
  console.log(`\nWrote ${values.json}`);
}
