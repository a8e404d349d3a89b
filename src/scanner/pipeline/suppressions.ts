/**
 * ESLint disable comments, honoured by the CLI as ESLint honours them: `eslint-disable-next-line`,
 * `eslint-disable-line`, and `eslint-disable` … `eslint-enable` blocks, for all rules or listed
 * `cache-audit/<rule>` ids (a ` -- reason` is allowed and ignored).
 */
export interface Suppressions {
  isSuppressed(ruleId: string, line: number): boolean;
}

const DIRECTIVE = /(?:\/\/|\/\*)\s*eslint-(disable-next-line|disable-line|disable|enable)(?![\w-])([^\n*]*)/g;

function rulesOf(text: string): Set<string> | null {
  const list = text.split(/\s--\s/)[0]?.trim() ?? '';
  if (list === '') return null;
  return new Set(
    list
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
  );
}

const NONE: Suppressions = { isSuppressed: () => false };

/** The index (from 0) of the line that holds `offset`, given the offsets where lines start (ascending, from 0). */
export function lineAt(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

export function parseSuppressions(text: string): Suppressions {
  // Most files have no directive: no line table for them.
  if (!text.includes('eslint-')) return NONE;
  // The line breaks found by the string search, not a loop over every character.
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => lineAt(lineStarts, offset) + 1;
  const single: { line: number; rules: Set<string> | null }[] = [];
  const blocks: { from: number; to: number; rules: Set<string> | null }[] = [];
  let open: { from: number; rules: Set<string> | null } | null = null;
  for (const match of text.matchAll(DIRECTIVE)) {
    const kind = match[1];
    const rules = rulesOf(match[2] ?? '');
    const line = lineOf(match.index);
    if (kind === 'disable-next-line') single.push({ line: line + 1, rules });
    else if (kind === 'disable-line') single.push({ line, rules });
    else if (kind === 'disable') open = { from: line, rules };
    else if (open) {
      blocks.push({ ...open, to: line });
      open = null;
    }
  }
  if (open) blocks.push({ ...open, to: Number.POSITIVE_INFINITY });
  const covers = (rules: Set<string> | null, ruleId: string): boolean => rules === null || rules.has(`cache-audit/${ruleId}`);
  return {
    isSuppressed(ruleId, line) {
      return (
        single.some((s) => s.line === line && covers(s.rules, ruleId)) ||
        blocks.some((b) => line >= b.from && line <= b.to && covers(b.rules, ruleId))
      );
    },
  };
}
