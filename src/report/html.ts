import type { Cell, HandlerStatus, MatrixRow, ScanFinding, ScanResult, Severity } from '../scanner/result.js';
import { SEVERITY_ORDER } from '../scanner/result.js';
import { counts, hasCache, hasOnlyUnnamedKeys, helpUri, noCacheSentence, percent, plural, rootLabel } from './context.js';
import type { Reporter, ReportContext } from './context.js';
import { blindSpots, blindSpotSummary, bySeverity, groupByPlace } from './group.js';
import type { FindingGroup } from './group.js';

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** A message as HTML: escaped, and what it quotes in backticks (`quotes:*`, `escapeGlob()`) set as code. */
const messageHtml = (text: string): string => escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const CELL_TITLES: Readonly<Record<Cell, string>> = {
  full: 'every key',
  tenant: "the request's keys (its tenant, its id)",
  partial: 'some keys',
  none: 'nothing',
};

/** How far (in lines) from a handler's name a finding still belongs to its matrix row: decorators above, the body below. */
const ROW_REACH = 40;

/** The worst finding level of each matrix row: the findings of its file nearest to its line. */
/** The lines that prove a finding (each stale family, with its proof), as a list below its message. */
function detailList(finding: ScanFinding): string {
  const details = finding.details ?? [];
  return details.length > 0
    ? `<ul class="details">${details.map((d) => `<li>${messageHtml(d.replace(/^- /, ''))}</li>`).join('')}</ul>`
    : '';
}

function rowVerdicts(result: ScanResult): Map<MatrixRow, Severity> {
  const verdicts = new Map<MatrixRow, Severity>();
  const rowsByFile = new Map<string, MatrixRow[]>();
  for (const row of result.matrix.rows.filter((r) => r.status !== 'read'))
    rowsByFile.set(row.file, [...(rowsByFile.get(row.file) ?? []), row]);
  for (const finding of result.findings) {
    if (finding.severity === 'note') continue;
    let nearest: MatrixRow | null = null;
    for (const row of rowsByFile.get(finding.file) ?? []) {
      const distance = Math.abs(row.line - finding.line);
      if (distance <= ROW_REACH && (nearest === null || distance < Math.abs(nearest.line - finding.line))) nearest = row;
    }
    if (!nearest) continue;
    const known = verdicts.get(nearest);
    if (!known || SEVERITY_ORDER[finding.severity] > SEVERITY_ORDER[known]) verdicts.set(nearest, finding.severity);
  }
  return verdicts;
}

function codeFrame(finding: ScanFinding, context: ReportContext): string {
  const source = context.sourceLine(finding.file, finding.line);
  if (source === null) return '';
  const text = source.replace(/\t/g, ' ');
  const start = Math.max(0, finding.column - 1);
  const end = finding.endLine === finding.line ? Math.max(start + 1, finding.endColumn - 1) : text.length;
  return `<pre class="frame"><span class="ln">${String(finding.line)}</span>${escape(text.slice(0, start))}<mark>${escape(text.slice(start, end))}</mark>${escape(text.slice(end))}</pre>`;
}

function findingHtml({ first, findings }: FindingGroup, context: ReportContext): string {
  const also =
    findings.length > 1
      ? `<ul class="also">${findings
          .slice(1)
          .map((f) => `<li>${messageHtml(f.message)}${detailList(f)}</li>`)
          .join('')}</ul>`
      : '';
  const via = first.via.length > 0 ? `<p class="via">via ${escape(first.via.join(' → '))}</p>` : '';
  return `<li class="finding ${first.severity}" data-severity="${first.severity}" data-rule="${escape(first.ruleId)}"><div class="head"><span class="sev">${first.severity}</span><code>${String(first.line)}:${String(first.column)}</code><a href="${escape(helpUri(first.ruleId))}">${escape(first.ruleId)}</a></div><p>${messageHtml(first.message)}</p>${detailList(first)}${also}${via}${codeFrame(first, context)}</li>`;
}

function findingsSection(findings: readonly ScanFinding[], context: ReportContext): string {
  const byFile = new Map<string, ScanFinding[]>();
  for (const finding of findings) byFile.set(finding.file, [...(byFile.get(finding.file) ?? []), finding]);
  const worst = (list: readonly ScanFinding[]): number => Math.max(...list.map((f) => SEVERITY_ORDER[f.severity]));
  const files = [...byFile].sort(([a, x], [b, y]) => worst(y) - worst(x) || a.localeCompare(b));
  return files
    .map(([file, list]) => {
      const total = { error: 0, warning: 0, note: 0 };
      for (const f of list) total[f.severity]++;
      const badges = (['error', 'warning', 'note'] as const)
        .filter((s) => total[s] > 0)
        .map((s) => `<span class="badge ${s}">${String(total[s])}</span>`)
        .join('');
      const items = groupByPlace(bySeverity(list))
        .map((group) => findingHtml(group, context))
        .join('');
      return `<details class="file"${total.error + total.warning > 0 ? ' open' : ''}><summary><code>${escape(file)}</code>${badges}</summary><ul>${items}</ul></details>`;
    })
    .join('\n');
}

function filters(findings: readonly ScanFinding[]): string {
  const bySeverityCount = { error: 0, warning: 0, note: 0 };
  const byRule = new Map<string, number>();
  for (const f of findings) {
    bySeverityCount[f.severity]++;
    byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
  }
  const box = (kind: string, value: string, count: number, label: string): string =>
    `<label><input type="checkbox" data-filter="${kind}" value="${escape(value)}" checked> ${escape(label)} <small>${String(count)}</small></label>`;
  const severities = (['error', 'warning', 'note'] as const)
    .filter((s) => bySeverityCount[s] > 0)
    .map((s) => box('severity', s, bySeverityCount[s], s));
  const rules = [...byRule].sort(([a], [b]) => a.localeCompare(b)).map(([rule, count]) => box('rule', rule, count, rule));
  return `<form class="filters" aria-label="filters"><fieldset><legend>level</legend>${severities.join('')}</fieldset><fieldset><legend>rule</legend>${rules.join('')}</fieldset><fieldset><legend>files</legend><button type="button" data-files="open">expand all</button><button type="button" data-files="close">collapse all</button></fieldset></form>`;
}

const STATUS_TEXT: Readonly<Record<Exclude<HandlerStatus, 'read'>, string>> = {
  invalidates: 'invalidates',
  exception: 'states an exception',
  none: 'invalidates nothing',
  unknown: 'calls code that cannot be followed',
};

/**
 * Without registry keys there are no columns: each mutation handler with what it invalidates, so
 * that the list agrees with the coverage (the handlers that invalidate or state an exception).
 */
function handlerList(rows: readonly MatrixRow[], verdicts: ReadonlyMap<MatrixRow, Severity>): string {
  const body = rows
    .map((row) => {
      const verdict = verdicts.get(row);
      const flag = verdict === 'error' || verdict === 'warning' ? verdict : 'ok';
      const status = row.status === 'read' ? '' : STATUS_TEXT[row.status];
      const what =
        row.exception !== null
          ? escape(row.exception)
          : [...new Set(row.invalidations.map((i) => i.pattern))].map((pattern) => `<code>${escape(pattern)}</code>`).join(', ');
      return `<tr class="${flag}" data-status="${row.status}"><th scope="row" title="${escape(`${row.file}:${String(row.line)}`)}">${escape(row.handler)}</th><td>${status}</td><td>${what}</td></tr>`;
    })
    .join('\n');
  return `<p class="legend">No registry: each mutation handler with what it invalidates (<code>cache-audit init</code> writes a registry, whose keys make the columns of a matrix).</p>
<table class="spots handlers"><thead><tr><th>mutation handler</th><th>verdict</th><th>invalidates</th></tr></thead><tbody>
${body}
</tbody></table>`;
}

function matrixSection(result: ScanResult): string {
  if (!hasCache(result)) return `<p>${escape(noCacheSentence(result))}</p>`;
  const { keys } = result.matrix;
  // Reads are rows of the JSON report; the heat map is about mutations.
  const rows = result.matrix.rows.filter((row) => row.status !== 'read');
  if (keys.length === 0 && rows.length > 0) return handlerList(rows, rowVerdicts(result));
  const usedColumns = keys.map((_, i) => rows.some((row) => row.cells[i] !== 'none'));
  const shownRows = rows.filter((row) => row.exception !== null || row.cells.some((cell) => cell !== 'none'));
  if (shownRows.length === 0 || !usedColumns.some(Boolean)) {
    return rows.length > 0 ? `<p>No mutation handler invalidates a registered key.</p>` : '<p>No mutation handlers, or no registry.</p>';
  }
  const verdicts = rowVerdicts(result);
  const head = keys.map((key, i) => (usedColumns[i] ? `<th class="key" scope="col"><span>${escape(key)}</span></th>` : '')).join('');
  const body = shownRows
    .map((row) => {
      const verdict = verdicts.get(row);
      const flag = verdict === 'error' || verdict === 'warning' ? verdict : 'ok';
      const cells = row.cells
        .map((cell, i) =>
          usedColumns[i] ? `<td class="cell ${cell}" title="${escape(`${keys[i] ?? ''}: ${CELL_TITLES[cell]}`)}"></td>` : '',
        )
        .join('');
      const mark =
        flag === 'ok'
          ? ''
          : ` <span class="badge ${flag}" title="has ${flag === 'error' ? 'an error' : 'a warning'}: see the findings">${flag}</span>`;
      return `<tr class="${flag}"><th scope="row" title="${escape(`${row.file}:${String(row.line)}`)}">${escape(row.handler)}${row.exception !== null ? ' <small>(exception)</small>' : ''}${mark}</th>${cells}</tr>`;
    })
    .join('\n');
  const hiddenRows = rows.length - shownRows.length;
  const hiddenColumns = usedColumns.filter((used) => !used).length;
  const hidden = [
    hiddenRows > 0 ? `${plural(hiddenRows, 'handler')} that ${hiddenRows === 1 ? 'invalidates' : 'invalidate'} no key` : '',
    hiddenColumns > 0 ? `${plural(hiddenColumns, 'key')} that no handler invalidates` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return `<p class="legend">mutation handlers × registry keys:<span class="cell full"></span>every key<span class="cell tenant"></span>the request's keys ({tenantId}, {id})<span class="cell partial"></span>some keys<span class="cell none"></span>none<span class="cell flagged"></span>invalidates, but has an error (a pattern that spans every namespace, say)</p>
<div class="scroll"><table class="matrix"><thead><tr><th></th>${head}</tr></thead><tbody>
${body}
</tbody></table></div>${hidden ? `<p class="hint">Not drawn: ${hidden} (see the findings and the JSON report).</p>` : ''}`;
}

function blindSpotsSection(result: ScanResult): string {
  const spots = blindSpots(result.findings);
  if (spots.length === 0) return '';
  const rows = spots
    .slice(0, 30)
    .map(
      (s) =>
        `<tr><td><code>${escape(s.call)}</code></td><td>${s.kind === 'hides-handlers' ? plural(s.findings.length, 'handler') : plural(s.findings.length, 'unreadable pattern')}</td><td>${s.findings
          .slice(0, 3)
          .map((f) => `<code>${escape(f.file)}:${String(f.line)}</code>`)
          .join(', ')}</td></tr>`,
    )
    .join('');
  return `<h2 id="blind-spots">Blind spots</h2><p>${messageHtml(blindSpotSummary(spots).join('; '))}. Where the audit cannot see, it says nothing: these calls are where to look.</p><table class="spots"><thead><tr><th>call</th><th>hides</th><th>e.g.</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const SCRIPT = `
const form = document.querySelector('.filters');
const apply = () => {
  const on = (kind) => new Set([...form.querySelectorAll('input[data-filter="' + kind + '"]:checked')].map((i) => i.value));
  const severities = on('severity'), rules = on('rule');
  for (const item of document.querySelectorAll('.finding')) item.hidden = !(severities.has(item.dataset.severity) && rules.has(item.dataset.rule));
  for (const file of document.querySelectorAll('details.file')) file.hidden = !file.querySelector('.finding:not([hidden])');
};
if (form) {
  form.addEventListener('change', apply);
  form.addEventListener('click', (event) => {
    const wanted = event.target.dataset && event.target.dataset.files;
    if (wanted) for (const file of document.querySelectorAll('details.file')) file.open = wanted === 'open';
  });
}
`;

/** A monorepo's applications: where each one's files are, its counts and coverage (the findings below carry its directory). */
function applicationsSection(result: ScanResult): string {
  if (result.apps === undefined) return '';
  const rows = result.apps.map((app) => {
    const inApp = result.findings.filter((f) => f.file.startsWith(`${app.path}/`));
    const of = (severity: Severity): string => String(inApp.filter((f) => f.severity === severity).length);
    return `<tr><td>${escape(app.name)}</td><td><code>${escape(app.path)}/</code></td><td>${String(app.filesScanned)}</td><td>${of('error')}</td><td>${of('warning')}</td><td>${percent(app.coverage.ratio)}</td></tr>`;
  });
  return `<h2>Applications</h2>\n<table class="spots"><thead><tr><th>application</th><th>directory</th><th>files</th><th>errors</th><th>warnings</th><th>coverage</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The verdict and the tiles of the counts, the coverage and the baseline. */
function summarySection(result: ScanResult, context: ReportContext): string {
  const total = counts(result);
  const verdict = total.error > 0 ? 'error' : total.warning > 0 ? 'warning' : 'ok';
  return `<p class="verdict ${verdict}">${verdict === 'error' ? `${plural(total.error, 'error')} to fix` : verdict === 'warning' ? `${plural(total.warning, 'warning')} to review` : 'No errors or warnings'}${total.note > 0 ? `; ${plural(total.note, 'blind spot')} (notes) where the audit cannot see` : ''}.</p>
<section class="summary" aria-label="summary">
  <div class="tile${total.error > 0 ? ' error' : ''}"><b>${String(total.error)}</b>${total.error === 1 ? 'error' : 'errors'}</div>
  <div class="tile${total.warning > 0 ? ' warning' : ''}"><b>${String(total.warning)}</b>${total.warning === 1 ? 'warning' : 'warnings'}</div>
  <div class="tile"><b>${String(total.note)}</b>${total.note === 1 ? 'note' : 'notes'}</div>
  ${hasCache(result) ? `<div class="tile"><b>${percent(result.coverage.ratio)}</b>coverage (${String(result.coverage.covered)}/${String(result.coverage.mutations)})</div>` : hasOnlyUnnamedKeys(result) ? `<div class="tile"><b>no family</b>keys of runtime values only</div>` : `<div class="tile"><b>no cache</b>nothing to keep fresh</div>`}
  ${context.baselined > 0 ? `<div class="tile"><b>${String(context.baselined)}</b>in the baseline</div>` : ''}
</section>`;
}

/** Where each key is read. */
function readsSection(result: ScanResult): string {
  const reads = result.matrix.keys
    .map(
      (key) =>
        `<li><code>${escape(key)}</code>: ${(result.matrix.reads[key] ?? []).map((r) => `<code>${escape(r.file)}:${String(r.line)}</code>`).join(', ') || 'not read'}</li>`,
    )
    .join('\n');
  return reads ? `<h2>Reads</h2>\n<ul>\n${reads}\n</ul>` : '';
}

/** Every note, in a closed list, when the findings above show only the calls that hide them. */
function everyNoteSection(result: ScanResult, context: ReportContext): string {
  const notes = result.findings.filter((f) => f.severity === 'note');
  return notes.length > 0 && context.verbose !== true
    ? `<details class="notes"><summary>Every note (${String(notes.length)})</summary><ul>${notes.map((f) => `<li><code>${escape(f.file)}:${String(f.line)}</code> ${messageHtml(f.message)}</li>`).join('')}</ul></details>`
    : '';
}

/** The inputs that could not be read as they are. */
function diagnosticsSection(result: ScanResult): string {
  return result.diagnostics.length > 0
    ? `<h2>Inputs that could not be read as they are</h2><ul>${result.diagnostics.map((d) => `<li><code>${escape(d.file)}:${String(d.line)}:${String(d.column)}</code> ${messageHtml(d.message)}</li>`).join('')}</ul>`
    : '';
}

/** The page's style sheet. */
const STYLE = `
  :root { font-family: system-ui, sans-serif; color: #1f2328; background: #fff; --error: #cf222e; --warning: #9a6700; --note: #0969da; --ok: #1a7f37; }
  body { margin: 2rem auto; max-width: 1200px; padding: 0 1rem; overflow-wrap: anywhere; }
  h1 { margin-bottom: 0.2rem; }
  code, pre { font-family: ui-monospace, monospace; font-size: 0.85rem; }
  .verdict { border-left: 6px solid var(--ok); padding: 0.6rem 1rem; background: #dafbe1; font-weight: 600; }
  .verdict.error { border-color: var(--error); background: #ffebe9; }
  .verdict.warning { border-color: var(--warning); background: #fff8c5; }
  .summary { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0 1.5rem; }
  .tile { border: 1px solid #d0d7de; border-radius: 8px; padding: 0.8rem 1.2rem; min-width: 8rem; }
  .tile b { display: block; font-size: 1.6rem; }
  .tile.error b { color: var(--error); } .tile.warning b { color: var(--warning); }
  .filters { display: flex; gap: 1rem; flex-wrap: wrap; margin-bottom: 1rem; }
  .filters fieldset { border: 1px solid #d0d7de; border-radius: 6px; display: flex; gap: 0.8rem; flex-wrap: wrap; align-items: center; }
  .filters small { color: #656d76; }
  details.file { border: 1px solid #d0d7de; border-radius: 6px; margin: 0.5rem 0; }
  details.file > summary { padding: 0.5rem 0.8rem; cursor: pointer; background: #f6f8fa; }
  details.file > ul { list-style: none; margin: 0; padding: 0; }
  .finding { padding: 0.5rem 0.8rem; border-top: 1px solid #d0d7de; border-left: 4px solid var(--note); }
  .finding.error { border-left-color: var(--error); } .finding.warning { border-left-color: var(--warning); }
  .finding .head { display: flex; gap: 0.8rem; align-items: baseline; }
  .finding p { margin: 0.3rem 0; }
  .sev { font-weight: 600; text-transform: uppercase; font-size: 0.75rem; }
  .finding.error .sev { color: var(--error); } .finding.warning .sev { color: var(--warning); } .finding.note .sev { color: var(--note); }
  .also { margin: 0.2rem 0; padding-left: 1.2rem; }
  .via { color: #656d76; font-size: 0.85rem; }
  .frame { background: #f6f8fa; padding: 0.4rem 0.6rem; border-radius: 4px; white-space: pre-wrap; margin: 0.3rem 0; }
  .frame .ln { color: #656d76; margin-right: 0.8rem; user-select: none; }
  .frame mark { background: #ffd8d3; text-decoration: underline wavy var(--error); }
  .badge { display: inline-block; border-radius: 1rem; padding: 0 0.5rem; margin-left: 0.4rem; font-size: 0.75rem; color: #fff; background: var(--note); }
  .badge.error { background: var(--error); } .badge.warning { background: var(--warning); }
  table { border-collapse: collapse; }
  .spots td, .spots th { border-bottom: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
  .scroll { overflow-x: auto; }
  .matrix th[scope=row] { text-align: right; padding-right: 0.6rem; font-weight: 500; white-space: nowrap; }
  .matrix th.key { height: 12rem; vertical-align: bottom; padding: 0; width: 2.2rem; }
  .matrix th.key span { display: block; writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; margin: 0 auto 0.3rem; font-weight: 500; }
  .cell { width: 2.2rem; height: 1.8rem; border: 2px solid #fff; }
  .cell.full { background: #1a7f37; } .cell.tenant { background: #4ac26b; } .cell.partial { background: #d4a72c; } .cell.none { background: #eaeef2; }
  tr.error .cell:not(.none), .cell.flagged { background: repeating-linear-gradient(45deg, #cf222e, #cf222e 4px, #ff8182 4px, #ff8182 8px); }
  tr.warning .cell:not(.none) { background: repeating-linear-gradient(45deg, #9a6700, #9a6700 4px, #d4a72c 4px, #d4a72c 8px); }
  .legend .cell { display: inline-block; width: 1rem; height: 1rem; vertical-align: middle; margin: 0 0.3rem 0 1rem; border: 0; }
  .hint { color: #656d76; }
  .handlers tr.error th { color: var(--error); } .handlers tr.warning th { color: var(--warning); }
`;

/**
 * One self-contained page: a verdict, findings by file (errors first, grouped per place, with code
 * frames, filters by level and rule), the blind spots by the call that hides them, the coverage
 * matrix (only rows and columns with something in them, coloured by verdict), the reads.
 */
export const htmlReporter: Reporter = (result, context) => {
  const listed = context.verbose === true ? result.findings : result.findings.filter((f) => f.severity !== 'note');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cache-audit report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>cache-audit</h1>
<p><code>${escape(rootLabel(result, context))}</code> · ${plural(result.filesScanned, 'file')} · cache-audit ${escape(result.tool.version)}</p>
${summarySection(result, context)}
${applicationsSection(result)}
<h2>Findings</h2>
${listed.length > 0 ? `${filters(listed)}\n${findingsSection(listed, context)}` : '<p>No findings.</p>'}
${blindSpotsSection(result)}
${everyNoteSection(result, context)}
<h2>Coverage matrix</h2>
${matrixSection(result)}
${readsSection(result)}
${diagnosticsSection(result)}
<script>${SCRIPT}</script>
</body>
</html>
`;
};
