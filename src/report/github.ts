import type { ScanFinding } from '../scanner/result.js';
import type { Reporter } from './context.js';
import { bySeverity } from './group.js';

const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub shows about ten annotations of each type per step: more are written and never seen. */
export const ANNOTATIONS_PER_TYPE = 10;

type Command = 'error' | 'warning' | 'notice';

const commandOf = (f: ScanFinding): Command => (f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice');

/**
 * GitHub Actions workflow commands: annotations on the lines of the pull request, errors first, at
 * most ANNOTATIONS_PER_TYPE of each type; then one notice saying how many more there are. The
 * command line writes every finding to the job summary ($GITHUB_STEP_SUMMARY) beside it.
 */
export const githubReporter: Reporter = (result) => {
  const shown: Record<Command, number> = { error: 0, warning: 0, notice: 0 };
  const lines: string[] = [];
  let left = 0;
  const annotate = (command: Command, properties: string[], message: string): void => {
    if (shown[command] >= ANNOTATIONS_PER_TYPE) {
      left++;
      return;
    }
    shown[command]++;
    lines.push(`::${command} ${properties.join(',')}::${escapeData(message)}`);
  };
  for (const f of bySeverity(result.findings)) {
    annotate(
      commandOf(f),
      [
        `file=${escapeProperty(f.file)}`,
        `line=${String(f.line)}`,
        `endLine=${String(f.endLine)}`,
        `col=${String(f.column)}`,
        `endColumn=${String(f.endColumn)}`,
        `title=${escapeProperty(`cache-audit/${f.ruleId}`)}`,
      ],
      [f.message, ...(f.details ?? [])].join('\n'),
    );
  }
  for (const d of result.diagnostics) {
    annotate(
      'warning',
      [`file=${escapeProperty(d.file)}`, `line=${String(d.line)}`, `col=${String(d.column)}`, 'title=cache-audit'],
      d.message,
    );
  }
  if (left > 0) {
    lines.push(
      `::notice title=cache-audit::${String(left)} more findings are not annotated (GitHub shows about ${String(ANNOTATIONS_PER_TYPE)} of each type): every finding is in the job summary.`,
    );
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
