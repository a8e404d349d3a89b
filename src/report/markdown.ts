import { counts, helpUri, percent } from './context.js';
import type { Reporter } from './context.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A pull-request comment: the summary, the findings, the coverage. */
export const markdownReporter: Reporter = (result, context) => {
  const total = counts(result);
  const lines = [
    '## cache-audit',
    '',
    `**${String(total.error)}** errors, **${String(total.warning)}** warnings, **${String(total.note)}** notes in ${String(result.filesScanned)} files. Coverage: **${percent(result.coverage.ratio)}** (${String(result.coverage.covered)} of ${String(result.coverage.mutations)} mutation handlers invalidate or state an exception).`,
  ];
  if (context.baselined > 0) lines.push('', `${String(context.baselined)} known findings are left out by the baseline.`);
  if (result.findings.length > 0) {
    lines.push('', '| | location | rule | finding |', '| --- | --- | --- | --- |');
    for (const f of result.findings) {
      const icon = f.severity === 'error' ? '🔴' : f.severity === 'warning' ? '🟡' : 'ℹ️';
      lines.push(`| ${icon} | \`${cell(f.file)}:${String(f.line)}\` | [${f.ruleId}](${helpUri(f.ruleId)}) | ${cell(f.message)} |`);
    }
  }
  if (result.diagnostics.length > 0) {
    lines.push('', '<details><summary>Inputs that could not be read as they are</summary>', '');
    for (const d of result.diagnostics) lines.push(`- \`${cell(d.file)}:${String(d.line)}\`: ${cell(d.message)}`);
    lines.push('', '</details>');
  }
  return `${lines.join('\n')}\n`;
};
