import type { Cell } from '../scanner/result.js';
import { counts, helpUri, percent } from './context.js';
import type { Reporter } from './context.js';

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const CELL_TITLES: Readonly<Record<Cell, string>> = {
  full: 'invalidates every key',
  tenant: "invalidates the request tenant's keys",
  partial: 'invalidates some keys',
  none: 'does not invalidate',
};

/** One self-contained page: summary, findings, and the coverage matrix as a heat map. */
export const htmlReporter: Reporter = (result, context) => {
  const total = counts(result);
  const findings = result.findings
    .map(
      (f) =>
        `<tr class="${f.severity}"><td>${f.severity}</td><td><code>${escape(f.file)}:${String(f.line)}:${String(f.column)}</code></td><td><a href="${escape(helpUri(f.ruleId))}">${escape(f.ruleId)}</a></td><td>${escape(f.message)}${f.via.length > 0 ? `<br><small>via ${escape(f.via.join(' → '))}</small>` : ''}</td></tr>`,
    )
    .join('\n');
  const head = result.matrix.keys.map((key) => `<th class="key" scope="col"><span>${escape(key)}</span></th>`).join('');
  const rows = result.matrix.rows
    .filter((row) => row.status !== 'read')
    .map(
      (row) =>
        `<tr><th scope="row" title="${escape(`${row.file}:${String(row.line)}`)}">${escape(row.handler)}${row.exception !== null ? ' <small>(exception)</small>' : ''}</th>${row.cells
          .map((cell, i) => `<td class="cell ${cell}" title="${escape(`${row.handler} ${CELL_TITLES[cell]} of ${result.matrix.keys[i] ?? ''}`)}"></td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  const reads = result.matrix.keys
    .map((key) => `<li><code>${escape(key)}</code>: ${(result.matrix.reads[key] ?? []).map((r) => `<code>${escape(r.file)}:${String(r.line)}</code>`).join(', ') || 'not read'}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cache-audit report</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1f2328; background: #fff; }
  body { margin: 2rem; max-width: 1200px; }
  h1 { margin-bottom: 0.2rem; }
  .summary { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0 2rem; }
  .tile { border: 1px solid #d0d7de; border-radius: 8px; padding: 0.8rem 1.2rem; min-width: 8rem; }
  .tile b { display: block; font-size: 1.6rem; }
  .tile.bad b { color: #cf222e; }
  table { border-collapse: collapse; }
  .findings td, .findings th { border-bottom: 1px solid #d0d7de; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
  .findings tr.error td:first-child { color: #cf222e; font-weight: 600; }
  .findings tr.warning td:first-child { color: #9a6700; font-weight: 600; }
  .findings tr.note td:first-child { color: #0969da; }
  .matrix th[scope=row] { text-align: right; padding-right: 0.6rem; font-weight: 500; white-space: nowrap; }
  .matrix th.key { height: 12rem; vertical-align: bottom; padding: 0; width: 2.2rem; }
  .matrix th.key span { display: block; writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; margin: 0 auto 0.3rem; font-weight: 500; }
  .cell { width: 2.2rem; height: 1.8rem; border: 2px solid #fff; }
  .cell.full { background: #1a7f37; }
  .cell.tenant { background: #4ac26b; }
  .cell.partial { background: #d4a72c; }
  .cell.none { background: #eaeef2; }
  .legend span { display: inline-block; width: 1rem; height: 1rem; vertical-align: middle; margin: 0 0.3rem 0 1rem; }
</style>
</head>
<body>
<h1>cache-audit</h1>
<p>${escape(result.root)} · ${String(result.filesScanned)} files · cache-audit ${escape(result.tool.version)}</p>
<section class="summary" aria-label="summary">
  <div class="tile ${total.error > 0 ? 'bad' : ''}"><b>${String(total.error)}</b>errors</div>
  <div class="tile"><b>${String(total.warning)}</b>warnings</div>
  <div class="tile"><b>${String(total.note)}</b>notes</div>
  <div class="tile"><b>${percent(result.coverage.ratio)}</b>coverage (${String(result.coverage.covered)}/${String(result.coverage.mutations)})</div>
  ${context.baselined > 0 ? `<div class="tile"><b>${String(context.baselined)}</b>in the baseline</div>` : ''}
</section>
<h2>Findings</h2>
${result.findings.length > 0 ? `<table class="findings"><thead><tr><th>level</th><th>location</th><th>rule</th><th>finding</th></tr></thead><tbody>\n${findings}\n</tbody></table>` : '<p>No findings.</p>'}
<h2>Coverage matrix</h2>
<p class="legend">mutation handlers × registry keys:<span style="background:#1a7f37"></span>every key<span style="background:#4ac26b"></span>per tenant<span style="background:#d4a72c"></span>some keys<span style="background:#eaeef2"></span>none</p>
<table class="matrix"><thead><tr><th></th>${head}</tr></thead><tbody>
${rows}
</tbody></table>
<h2>Reads</h2>
<ul>
${reads}
</ul>
</body>
</html>
`;
};
