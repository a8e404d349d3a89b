import { oneLine } from '../analysis/messages.js';

/**
 * Escapes for what the reports quote of the source (patterns, file names, handler names, messages
 * that name them): data, never layout. A newline in a pattern must not start a line of the report
 * (in a CI log, a line `::warning …` is a GitHub Actions command), a backtick must not close a code
 * span, an HTML tag must not render.
 */

/** The text on one line, its control characters spelled out (`\n`, `\u001b`): for the text report and a terminal. */
export { oneLine };

const HTML: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Markdown text outside code spans: one line, no HTML, no table cell border, no code span. */
export function markdownText(text: string): string {
  return oneLine(text)
    .replace(/[&<>]/g, (c) => HTML[c] ?? c)
    .replace(/[\\`|]/g, (c) => `\\${c}`);
}

/**
 * A Markdown code span of any text: fenced with one backtick more than the longest run inside
 * (CommonMark), padded when it starts or ends with one; in a table, `|` is escaped (GitHub splits
 * cells before it reads code spans).
 */
export function markdownCode(text: string): string {
  const content = oneLine(text).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const padding = content.startsWith('`') || content.endsWith('`') ? ' ' : '';
  return `${fence}${padding}${content}${padding}${fence}`;
}

/**
 * A message of the analysis, whose code spans (`` `quotes:*` ``) quote source text: each span is
 * written again as a code span that holds whatever the source said, the text between as text.
 */
export function markdownMessage(message: string): string {
  return message
    .split('`')
    .map((part, i) => (i % 2 === 1 ? markdownCode(part) : markdownText(part)))
    .join('');
}
