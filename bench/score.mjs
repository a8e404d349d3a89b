// Scores a cache-audit JSON report against hand labels of the same app (bench/labels/<app>.tsv, the
// format of shared/dev-corpus: one row per mutation handler, with `invalidates` yes/indirect/no and
// `MISSED:` notes for verified stale-cache defects).
// Usage: node bench/score.mjs <labels.tsv> <report.json> [--errors] [--unseen]
//   --errors   also list every error finding, for judging each by reading the code
//   --unseen   also list every labelled invalidation path the report does not show, with what the row shows instead
// bench/corpus.mjs scores each app it audits that has labels.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** How far a report's handler line may be from the labelled one (decorators, a method branch). */
const LINE_SLACK = 3;

/** The rows of a labels file, as objects keyed by the header's columns. */
export function readLabels(file) {
  const [header, ...lines] = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const columns = header.split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(columns.map((name, i) => [name, (cells[i] ?? '').trim()]));
  });
}

/** Whether two paths name the same file, one relative to the repository, the other to an application in it. */
function sameFile(labelled, reported) {
  if (labelled === reported) return true;
  return labelled.endsWith(`/${reported}`) || reported.endsWith(`/${labelled}`);
}

function near(row, file, line) {
  return sameFile(row.file, file) && Math.abs(Number(row.line) - line) <= LINE_SLACK;
}

/** Where a handler declared apart from its route is registered (`registered_at`, `file:line`), as a row to match, or null. */
function registration(label) {
  const at = /^(.+):(\d+)$/.exec(label.registered_at ?? '');
  return at ? { file: at[1], line: at[2] } : null;
}

/**
 * The report's handler for a labelled row: the row of the same name and method in the file (a
 * method branch the report names `action … (DELETE)`, at the branch's line); at the labelled line;
 * at the route registration of a handler declared in a file of its own (Express `router.post(path,
 * require('./create').default)`); or, for one method branch of a Pages Router API route (labelled at
 * the default export), the row of that method in the file.
 */
function matchRow(label, rows) {
  const names = [label.class_or_function, `${label.class_or_function} (${label.http_method})`];
  const named = rows.find((r) => sameFile(label.file, r.file) && r.method === label.http_method && names.includes(r.handler));
  if (named) return named;
  const registered = registration(label);
  const atLine = rows.find(
    (r) => near(label, r.file, r.line) || (registered !== null && r.method === label.http_method && near(registered, r.file, r.line)),
  );
  if (atLine || !label.class_or_function.startsWith('default handler')) return atLine;
  return rows.find((r) => sameFile(label.file, r.file) && r.method === label.http_method);
}

/**
 * Whether a finding is at another handler of the report than the matched row: a row of the same file
 * nearer to it (a Pages Router route's `PUT` and `DELETE` branches two lines apart).
 */
function isOtherRows(finding, row, rows) {
  if (row === undefined) return false;
  const distance = (r) => Math.abs(r.line - finding.line);
  return rows.some((r) => r !== row && sameFile(r.file, finding.file) && distance(r) < distance(row));
}

/** The report's applications flattened: a monorepo report holds one result per application. */
function parts(report) {
  if (Array.isArray(report.applications)) return report.applications.map((a) => a.result ?? a);
  return [report];
}

/**
 * The cache keys an app's families file (`<app>.families.tsv`) names with no colon, which a note's text
 * alone does not mark as keys: a template that is one token, then nothing or a parenthesis
 * (`RoleService.allRoles (CacheService key; …)`, not `Next.js path /…`).
 */
export function readFamilyKeys(file) {
  if (!existsSync(file)) return [];
  return readLabels(file)
    .filter((row) => row.role === 'cache')
    .map((row) => /^([A-Za-z][\w-]*[^\w\s:/][^\s:/]+)(?:$|\s+\()/.exec(row.family_template ?? '')?.[1])
    .filter((key) => key !== undefined);
}

/**
 * The literal text a finding must quote to name a key of the note: its first segments up to a hole,
 * whatever separates them (`user:profile:{id}` gives `user:profile:`, `FacetValueChecker.{id}` gives
 * `FacetValueChecker.`), and any key of the families file the note names whole.
 */
function keyStems(note, familyKeys = []) {
  const stems = new Set();
  for (const match of note.matchAll(/[A-Za-z][\w-]*:[\w{}:.-]*/g)) {
    // `file.ts:63` is a place, not a key.
    if (note[match.index - 1] === '.' || /^[a-z]+:\d+$/.test(match[0])) continue;
    const stem = match[0].split('{')[0];
    // `user:profile:{id}` gives `user:profile:`; `api-key:{hash}` gives `api-key:`.
    const isKey = /^[^:]+:[^:]/.test(stem) || (/^[^:]+:$/.test(stem) && match[0].length > stem.length);
    if (isKey && !/^https?:/.test(stem)) stems.add(stem);
  }
  // Another separator before a hole (not `/`: a path is labelled as a path).
  for (const match of note.matchAll(/(?<![\w.:/{=-])([A-Za-z][\w-]*(?:[.#|][\w-]+)*[.#|_-])\{\w+\}/g)) stems.add(match[1]);
  for (const key of familyKeys) {
    const stem = key.split('{')[0];
    if (note.includes(stem)) stems.add(stem);
  }
  return [...stems];
}

/** Whether an invalidation of the report is one of the labelled key, tag or path (not another key the handler clears). */
function reaches(invalidation, labelled, familyKeys) {
  const isPathOrTag = invalidation.kind === 'path' || invalidation.kind === 'tag';
  if (/\/|\btags?\b/i.test(labelled)) return isPathOrTag;
  if (isPathOrTag) return false;
  const stems = keyStems(labelled, familyKeys);
  // A key wrapped in a Redis Cluster hash tag (`\{entity:user:…\}`) is labelled by what the tag holds.
  const pattern = (invalidation.pattern ?? '').replace(/^\\\{/, '');
  // A pattern that starts with a hole (`{variantIds}`: an argument taken for the key) names no stem.
  const literal = pattern.split(/[*{?[]/)[0];
  return stems.length === 0
    ? pattern !== ''
    : stems.some((stem) => pattern.startsWith(stem) || (literal !== '' && stem.startsWith(literal)));
}

/**
 * Per app: handlers found, invalidation paths seen, false alarms (an invalidating handler flagged as
 * invalidating nothing), flags on handlers with nothing to invalidate, defects found (a `MISSED:`
 * row with a finding at the handler that names the stale key), and the error findings.
 */
export function score(labels, report, familyKeys = []) {
  const rows = parts(report).flatMap((p) => p.matrix?.rows ?? []);
  const findings = parts(report)
    .flatMap((p) => p.findings ?? [])
    .filter((f) => f.severity === 'error' || f.severity === 'warning');
  const result = {
    labelled: labels.length,
    found: 0,
    invalidating: 0,
    seen: 0,
    falseAlarms: 0,
    quiet: 0,
    flagged: 0,
    defects: 0,
    defectsFound: 0,
    errors: findings.filter((f) => f.severity === 'error').length,
    errorsOnLabelled: 0,
    missedRows: [],
    flaggedRows: [],
    unseenRows: [],
    unfound: [],
  };
  const onLabelled = new Set();
  for (const label of labels) {
    const row = matchRow(label, rows);
    const at = findings.filter(
      (f) => (near(label, f.file, f.line) || (row !== undefined && near(row, f.file, f.line))) && !isOtherRows(f, row, rows),
    );
    for (const f of at) onLabelled.add(f);
    const isDefect = /(^|\s)MISSED:/.test(label.notes ?? '');
    const invalidates = label.invalidates === 'yes' || label.invalidates === 'indirect';
    if (row) result.found++;
    else result.unfound.push(`${label.file}:${label.line} ${label.class_or_function}`);
    if (invalidates) {
      result.invalidating++;
      if (row && row.invalidations.some((i) => reaches(i, label.key_or_pattern, familyKeys))) result.seen++;
      else result.unseenRows.push(`${label.file}:${label.line} ${label.class_or_function} (${label.key_or_pattern}): ${shown(row)}`);
      if (at.some((f) => f.ruleId === 'require-invalidation')) result.falseAlarms++;
    }
    if (isDefect) {
      result.defects++;
      const stems = keyStems(label.notes, familyKeys);
      const named = at.some((f) => stems.some((stem) => f.message.includes(stem)));
      if (named) result.defectsFound++;
      else result.missedRows.push(`${label.file}:${label.line} ${label.class_or_function} (${stems.join(', ') || 'no key in the note'})`);
    } else if (!invalidates) {
      result.quiet++;
      if (at.length > 0) {
        result.flagged++;
        result.flaggedRows.push(`${label.file}:${label.line} ${at.map((f) => `${f.severity} ${f.ruleId}`).join(', ')}`);
      }
    }
  }
  result.errorsOnLabelled = [...onLabelled].filter((f) => f.severity === 'error').length;
  result.errorList = findings
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.file}:${f.line} ${f.ruleId}: ${f.message.split('\n')[0]}`);
  return result;
}

/** What a report's row shows of its invalidations, for a labelled path it does not reach. */
function shown(row) {
  if (!row) return 'handler not found';
  const patterns = row.invalidations.map((i) => (i.kind === 'path' || i.kind === 'tag' ? `${i.kind} ${i.pattern}` : i.pattern));
  return `${row.status}${patterns.length > 0 ? `, shows ${[...new Set(patterns)].join(' ')}` : ''}`;
}

const ratio = (part, whole) => (whole === 0 ? '-' : `${part}/${whole} (${((100 * part) / whole).toFixed(0)} %)`);

/** The score as the lines bench:corpus prints. */
export function scoreLines(app, s, { withErrors = false, withUnseen = false } = {}) {
  const lines = [
    `${app}: labelled handlers ${s.labelled}`,
    `  handlers found:                 ${ratio(s.found, s.labelled)}`,
    `  invalidation paths seen:        ${ratio(s.seen, s.invalidating)}`,
    `  false alarms:                   ${s.falseAlarms} (invalidating handlers flagged as invalidating nothing)`,
    `  flags on handlers w/o a defect: ${ratio(s.flagged, s.quiet)}`,
    `  defects found (key named):      ${ratio(s.defectsFound, s.defects)}`,
    `  errors:                         ${s.errors} (${s.errorsOnLabelled} on labelled handlers)`,
  ];
  for (const row of s.unfound) lines.push(`    handler not found: ${row}`);
  for (const row of s.missedRows) lines.push(`    defect not reported: ${row}`);
  for (const row of s.flaggedRows) lines.push(`    flagged without a defect: ${row}`);
  if (withUnseen) for (const row of s.unseenRows) lines.push(`    path not seen: ${row}`);
  if (withErrors) for (const e of s.errorList) lines.push(`    error: ${e}`);
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [labelsFile, reportFile] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!labelsFile || !reportFile) {
    console.error('Usage: node bench/score.mjs <labels.tsv> <report.json> [--errors] [--unseen]');
    process.exit(2);
  }
  const familyKeys = readFamilyKeys(labelsFile.replace(/\.tsv$/, '.families.tsv'));
  const s = score(readLabels(labelsFile), JSON.parse(readFileSync(reportFile, 'utf8')), familyKeys);
  const withErrors = process.argv.includes('--errors');
  console.log(scoreLines(labelsFile, s, { withErrors, withUnseen: process.argv.includes('--unseen') }).join('\n'));
}
