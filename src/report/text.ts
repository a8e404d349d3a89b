import { createColors } from 'picocolors';
import type { ScanFinding } from '../scanner/result.js';
import { counts, percent, plural } from './context.js';
import type { Reporter } from './context.js';

/** Grouped by file, with code frames and a summary: for people at a terminal or in a CI log. */
export const textReporter: Reporter = (result, context) => {
  const { red, yellow, cyan: blue, dim, bold } = createColors(context.color);
  const level = (finding: ScanFinding): string =>
    finding.severity === 'error' ? red('error') : finding.severity === 'warning' ? yellow('warning') : blue('note');
  const lines: string[] = [];
  const byFile = new Map<string, ScanFinding[]>();
  for (const finding of result.findings) {
    const list = byFile.get(finding.file) ?? [];
    list.push(finding);
    byFile.set(finding.file, list);
  }
  for (const [file, findings] of byFile) {
    lines.push(bold(file));
    for (const finding of findings) {
      lines.push(`  ${String(finding.line)}:${String(finding.column)}  ${level(finding)}  ${finding.message}  ${dim(finding.ruleId)}`);
      if (finding.via.length > 0) lines.push(`      ${dim(`via ${finding.via.join(' → ')}`)}`);
      const source = context.sourceLine(file, finding.line);
      if (source !== null && finding.severity !== 'note') {
        const gutter = `${String(finding.line)} | `;
        lines.push(dim(`    ${gutter}`) + source.replace(/\t/g, ' '));
        const width = finding.endLine === finding.line ? Math.max(1, finding.endColumn - finding.column) : 1;
        lines.push(`    ${' '.repeat(gutter.length + finding.column - 1)}${red('^'.repeat(width))}`);
      }
    }
    lines.push('');
  }
  if (result.diagnostics.length > 0) {
    lines.push(bold('Inputs that could not be read as they are'));
    for (const d of result.diagnostics) lines.push(`  ${d.file}:${String(d.line)}:${String(d.column)}  ${d.message}`);
    lines.push('');
  }
  if (context.matrix && result.matrix.rows.length > 0) {
    const symbols = { full: '●', tenant: '◐', partial: '◔', none: '·' } as const;
    const width = Math.max(...result.matrix.rows.map((r) => r.handler.length));
    lines.push(bold('Coverage matrix') + dim('  ● every key  ◐ per tenant  ◔ some keys  · none'));
    result.matrix.keys.forEach((key, i) => lines.push(`${' '.repeat(width + 2)}${'│ '.repeat(i)}┌ ${key}`));
    for (const row of result.matrix.rows) {
      const cells = row.cells.map((cell) => (cell === 'full' ? bold(symbols.full) : cell === 'none' ? dim(symbols.none) : symbols[cell])).join(' ');
      lines.push(`${row.handler.padEnd(width)}  ${cells}${row.exception !== null ? dim(`  exception: ${row.exception}`) : ''}`);
    }
    lines.push('');
  }
  const total = counts(result);
  const summary = [
    plural(total.error, 'error'),
    plural(total.warning, 'warning'),
    plural(total.note, 'note'),
    plural(result.filesScanned, 'file'),
    `coverage ${percent(result.coverage.ratio)} (${String(result.coverage.covered)}/${String(result.coverage.mutations)} mutation handlers invalidate or state an exception)`,
  ];
  if (context.baselined > 0) summary.push(`${plural(context.baselined, 'known finding')} left out by the baseline`);
  lines.push((total.error > 0 ? red : (s: string) => s)(summary.join(', ')));
  return `${lines.join('\n')}\n`;
};
