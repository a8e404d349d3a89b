import type { ScanResult } from '../scanner/result.js';

/** What a reporter may know besides the result: all of it given, so that reporters stay pure. */
export interface ReportContext {
  /** ANSI colours (a TTY, and NO_COLOR unset). */
  readonly color: boolean;
  /** The text of a line of a scanned file (for code frames), or null. */
  readonly sourceLine: (file: string, line: number) => string | null;
  /** Findings left out because the baseline knows them. */
  readonly baselined: number;
  /** Print the coverage matrix in the text report too. */
  readonly matrix?: boolean;
  /** List every note, not only the calls that hide them (text, markdown, html). */
  readonly verbose?: boolean;
}

export type Reporter = (result: ScanResult, context: ReportContext) => string;

const DOCS_BASE = 'https://github.com/cache-audit/cache-audit/blob/main/rules/';
const PROJECT_DOCS = 'https://github.com/cache-audit/cache-audit#whole-project-findings';

export function helpUri(ruleId: string): string {
  return ['stale-key', 'unused-key', 'undeclared-dependency', 'unresolved'].includes(ruleId) ? PROJECT_DOCS : `${DOCS_BASE}${ruleId}.md`;
}

export function percent(ratio: number | null): string {
  return ratio === null ? 'n/a' : `${(ratio * 100).toFixed(1)} %`;
}

export function counts(result: ScanResult): { error: number; warning: number; note: number } {
  const total = { error: 0, warning: 0, note: 0 };
  for (const finding of result.findings) total[finding.severity]++;
  return total;
}

/** `1 error`, `2 errors`. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${String(count)} ${count === 1 ? one : many}`;
}
