import type { ScanFinding } from '../scanner/result.js';
import { counts, hasCache, helpUri, noCacheSentence, percent, plural } from './context.js';
import type { Reporter } from './context.js';
import { markdownCode, markdownMessage } from './escape.js';
import { blindSpots, blindSpotSummary, bySeverity, groupByPlace } from './group.js';

const ICONS = { error: '🔴', warning: '🟡', note: 'ℹ️' } as const;

function table(findings: readonly ScanFinding[]): string[] {
  const lines = ['| | location | rule | finding |', '| --- | --- | --- | --- |'];
  for (const { first, findings: group } of groupByPlace(findings)) {
    const messages = group.map((f) => [f.message, ...(f.details ?? [])].map(markdownMessage).join('<br>')).join('<br>');
    lines.push(
      `| ${ICONS[first.severity]} | ${markdownCode(`${first.file}:${String(first.line)}`)} | [${first.ruleId}](${helpUri(first.ruleId)}) | ${messages} |`,
    );
  }
  return lines;
}

/** A pull-request comment or a job summary: the summary, the findings (errors first), the blind spots, the coverage. */
export const markdownReporter: Reporter = (result, context) => {
  const total = counts(result);
  const lines = [
    '## cache-audit',
    '',
    `**${plural(total.error, 'error')}**, **${plural(total.warning, 'warning')}**, **${plural(total.note, 'note')}** in ${plural(result.filesScanned, 'file')}. ${
      hasCache(result)
        ? `Coverage: **${percent(result.coverage.ratio)}** (${String(result.coverage.covered)} of ${String(result.coverage.mutations)} mutation handlers invalidate or state an exception).`
        : noCacheSentence(result)
    }`,
  ];
  if (context.baselined > 0)
    lines.push('', `${plural(context.baselined, 'known finding')} ${context.baselined === 1 ? 'is' : 'are'} left out by the baseline.`);
  const problems = bySeverity(result.findings.filter((f) => f.severity !== 'note'));
  if (problems.length > 0) lines.push('', ...table(problems));
  const spots = blindSpots(result.findings);
  if (spots.length > 0) {
    lines.push(
      '',
      `### Blind spots`,
      '',
      `${blindSpotSummary(spots).join('; ')}.`,
      '',
      '| call | what it hides | e.g. |',
      '| --- | --- | --- |',
    );
    for (const spot of spots.slice(0, 20)) {
      const what =
        spot.kind === 'hides-handlers' ? plural(spot.findings.length, 'handler') : plural(spot.findings.length, 'unreadable pattern');
      lines.push(
        `| ${markdownCode(spot.call)} | ${what} | ${spot.findings
          .slice(0, 2)
          .map((f) => markdownCode(`${f.file}:${String(f.line)}`))
          .join(', ')} |`,
      );
    }
    const notes = result.findings.filter((f) => f.severity === 'note');
    lines.push('', `<details><summary>Every note (${String(notes.length)})</summary>`, '', ...table(notes), '', '</details>');
  }
  if (result.diagnostics.length > 0) {
    lines.push('', '<details><summary>Inputs that could not be read as they are</summary>', '');
    for (const d of result.diagnostics) lines.push(`- ${markdownCode(`${d.file}:${String(d.line)}`)}: ${markdownMessage(d.message)}`);
    lines.push('', '</details>');
  }
  return `${lines.join('\n')}\n`;
};
