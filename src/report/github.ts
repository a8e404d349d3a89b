import type { Reporter } from './context.js';

const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub Actions workflow commands: one annotation per finding, on the line in the pull request. */
export const githubReporter: Reporter = (result) => {
  const lines = result.findings.map((f) => {
    const command = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
    const properties = [
      `file=${escapeProperty(f.file)}`,
      `line=${String(f.line)}`,
      `endLine=${String(f.endLine)}`,
      `col=${String(f.column)}`,
      `endColumn=${String(f.endColumn)}`,
      `title=${escapeProperty(`cache-audit/${f.ruleId}`)}`,
    ];
    return `::${command} ${properties.join(',')}::${escapeData(f.message)}`;
  });
  for (const d of result.diagnostics) lines.push(`::warning file=${escapeProperty(d.file)},line=${String(d.line)},col=${String(d.column)},title=cache-audit::${escapeData(d.message)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
