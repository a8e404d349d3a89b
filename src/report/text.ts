import { createColors } from 'picocolors';
import type { ScanFinding, ScanResult } from '../scanner/result.js';
import { counts, coverageText, hasCache, plural } from './context.js';
import type { Reporter, ReportContext } from './context.js';
import { oneLine } from './escape.js';
import { blindSpots, blindSpotSummary, groupByPlace } from './group.js';

/** The first line of a report: how mutations are judged. */
export const MODE_LINES = {
  inference: 'Inference: an error proves a write, a cached family that holds the data, and no invalidation of that family.',
  policy: 'Policy: every mutation invalidates what it changes or states its exception; stale families are named.',
} as const;

/** How many blind spots the text report names before pointing at --verbose. */
const BLIND_SPOTS_SHOWN = 10;
/** What to do about a call that hides handlers, in the configuration's words. */
const BLIND_SPOT_NEXT_STEP =
  'A call that invalidates: name it in `additionalCalls` of the configuration; one checked to reach no cache: `// eslint-disable-next-line cache-audit/unresolved -- why` above the handler.';

/** From how many errors and warnings a report ends with a count per rule (to see at a glance what dominates). */
const BY_RULE_FROM = 20;

/**
 * Grouped by file, with code frames and a summary: for people at a terminal or in a CI log. Findings
 * of one rule at one place are one entry; notes are summarised by the call that hides them, each
 * one listed with --verbose.
 */
export const textReporter: Reporter = (result, context) => {
  const colors = createColors(context.color);
  const lines = [
    ...findingLines(result, context, colors),
    ...(context.verbose === true ? [] : blindSpotLines(result, colors)),
    ...diagnosticLines(result, colors),
    ...(context.matrix ? matrixLines(result, colors) : []),
    ...summaryLines(result, context, colors),
  ];
  return `${lines.join('\n')}\n`;
};

type Colors = ReturnType<typeof createColors>;

/** The findings, grouped by file and then by place, each with its code frame. */
function findingLines(result: ScanResult, context: ReportContext, colors: Colors): string[] {
  const { red, yellow, cyan: blue, dim, bold } = colors;
  const level = (finding: ScanFinding): string =>
    finding.severity === 'error' ? red('error') : finding.severity === 'warning' ? yellow('warning') : blue('note');
  // The run's first line says how mutations are judged, so that an error is read for what it
  // proves; a project with no cache has nothing judged, and its one line says so.
  const lines: string[] = result.mode && hasCache(result) ? [dim(MODE_LINES[result.mode]), ''] : [];
  const isListed = (finding: ScanFinding): boolean => context.verbose === true || finding.ruleId !== 'unresolved';
  const byFile = new Map<string, ScanFinding[]>();
  for (const finding of result.findings.filter(isListed)) {
    const list = byFile.get(finding.file) ?? [];
    list.push(finding);
    byFile.set(finding.file, list);
  }
  for (const [file, findings] of byFile) {
    // A path that starts like a workflow command (`::warning …`) is written as the relative path it is.
    const shown = oneLine(file);
    lines.push(bold(shown.startsWith(':') ? `./${shown}` : shown));
    for (const { first, findings: group } of groupByPlace(findings)) {
      lines.push(`  ${String(first.line)}:${String(first.column)}  ${level(first)}  ${oneLine(first.message)}  ${dim(first.ruleId)}`);
      lines.push(...(first.details ?? []).map((detail) => `      ${oneLine(detail)}`));
      for (const more of group.slice(1)) {
        lines.push(`      ${dim('also:')} ${oneLine(more.message)}`, ...(more.details ?? []).map((detail) => `        ${oneLine(detail)}`));
      }
      if (first.via.length > 0) lines.push(`      ${dim(`via ${oneLine(first.via.join(' → '))}`)}`);
      lines.push(...frame(first, context, first.severity === 'error' ? red : first.severity === 'warning' ? yellow : blue, dim));
    }
    lines.push('');
  }
  return lines;
}

/** The calls that hide handlers or take unreadable patterns, the first few of them (all with --verbose, as findings). */
function blindSpotLines(result: ScanResult, { cyan: blue, dim, bold }: Colors): string[] {
  const spots = blindSpots(result.findings);
  if (spots.length === 0) return [];
  const lines = [bold('Blind spots') + dim(`  ${blindSpotSummary(spots).join('; ')}`)];
  const width = Math.max(...spots.slice(0, BLIND_SPOTS_SHOWN).map((s) => oneLine(s.call).length));
  for (const spot of spots.slice(0, BLIND_SPOTS_SHOWN)) {
    const what =
      spot.kind === 'hides-handlers'
        ? `hides ${plural(spot.findings.length, 'handler')}`
        : `takes ${plural(spot.findings.length, 'unreadable pattern')}`;
    const examples = spot.findings.slice(0, 1).map((f) => `${oneLine(f.file)}:${String(f.line)}`);
    lines.push(
      `  ${blue(oneLine(spot.call).padEnd(width))}  ${what}  ${dim(`e.g. ${examples.join(', ')}${spot.findings.length > 1 ? ', …' : ''}`)}`,
    );
  }
  const rest = spots.length - BLIND_SPOTS_SHOWN;
  if (spots.some((s) => s.kind === 'hides-handlers')) lines.push(dim(`  ${BLIND_SPOT_NEXT_STEP}`));
  lines.push(
    dim(`  ${rest > 0 ? `and ${plural(rest, 'more call')}; ` : ''}--verbose lists every note (so do the json and sarif reports)`),
    '',
  );
  return lines;
}

function diagnosticLines(result: ScanResult, { bold }: Colors): string[] {
  if (result.diagnostics.length === 0) return [];
  return [
    bold('Inputs that could not be read as they are'),
    ...result.diagnostics.map((d) => `  ${oneLine(d.file)}:${String(d.line)}:${String(d.column)}  ${oneLine(d.message)}`),
    '',
  ];
}

/** The coverage matrix of the mutation handlers (--matrix). */
function matrixLines(result: ScanResult, { dim, bold }: Colors): string[] {
  const mutationRows = result.matrix.rows.filter((row) => row.status !== 'read');
  if (mutationRows.length === 0) return [];
  const symbols = { full: '●', tenant: '◐', partial: '◔', none: '·' } as const;
  const width = Math.max(...mutationRows.map((r) => oneLine(r.handler).length));
  const lines = [bold('Coverage matrix') + dim("  ● every key  ◐ the request's keys ({tenantId}, {id})  ◔ some keys  · none")];
  result.matrix.keys.forEach((key, i) => lines.push(`${' '.repeat(width + 2)}${'│ '.repeat(i)}┌ ${oneLine(key)}`));
  for (const row of mutationRows) {
    const cells = row.cells
      .map((cell) => (cell === 'full' ? bold(symbols.full) : cell === 'none' ? dim(symbols.none) : symbols[cell]))
      .join(' ');
    // The verdict where the cells cannot show it: nothing invalidated, or code that cannot be followed.
    const verdict =
      row.exception !== null
        ? `  exception: ${oneLine(row.exception)}`
        : row.status === 'unknown'
          ? '  unknown: calls code that cannot be followed'
          : row.status === 'none'
            ? '  invalidates nothing'
            : result.matrix.keys.length === 0
              ? `  invalidates ${[...new Set(row.invalidations.map((i) => oneLine(i.pattern)))].join(', ')}`
              : '';
    lines.push(`${oneLine(row.handler).padEnd(width)}  ${cells}${dim(verdict)}`);
  }
  lines.push('');
  return lines;
}

/** The counts by rule (when there are many), the totals and the coverage, and what ran without a configuration. */
function summaryLines(result: ScanResult, context: ReportContext, { red, dim, bold }: Colors): string[] {
  const lines: string[] = [];
  const total = counts(result);
  if (total.error + total.warning >= BY_RULE_FROM) lines.push(`${bold('By rule')}  ${byRule(result.findings).join(', ')}`, '');
  const summary = [
    plural(total.error, 'error'),
    plural(total.warning, 'warning'),
    plural(total.note, 'note'),
    plural(result.filesScanned, 'file'),
    coverageText(result),
  ];
  if (context.baselined > 0) summary.push(`${plural(context.baselined, 'known finding')} left out by the baseline`);
  lines.push((total.error > 0 ? red : (s: string) => s)(summary.join(', ')));
  if (result.configuration === null && hasCache(result)) {
    const families = result.families.length;
    lines.push(
      dim(
        `No configuration: audited with the defaults and ${String(families)} cache ${families === 1 ? 'family' : 'families'} read in the code (\`cache-audit registry\` lists them).`,
      ),
    );
  }
  return lines;
}

/** The source line of a finding with its columns marked (notes too: the call they name). */
function frame(finding: ScanFinding, context: ReportContext, mark: (s: string) => string, dim: (s: string) => string): string[] {
  const source = context.sourceLine(finding.file, finding.line);
  if (source === null) return [];
  const gutter = `${String(finding.line)} | `;
  const width = finding.endLine === finding.line ? Math.max(1, finding.endColumn - finding.column) : 1;
  return [
    dim(`    ${gutter}`) + oneLine(source.replace(/\t/g, ' ')),
    `    ${' '.repeat(gutter.length + finding.column - 1)}${mark('^'.repeat(width))}`,
  ];
}

/** `require-invalidation 248 in 120 files`, largest first, errors and warnings only. */
function byRule(findings: readonly ScanFinding[]): string[] {
  const rules = new Map<string, { count: number; files: Set<string> }>();
  for (const f of findings) {
    if (f.severity === 'note') continue;
    const rule = rules.get(f.ruleId) ?? { count: 0, files: new Set<string>() };
    rule.count++;
    rule.files.add(f.file);
    rules.set(f.ruleId, rule);
  }
  return [...rules]
    .sort(([a, x], [b, y]) => y.count - x.count || a.localeCompare(b))
    .map(([rule, { count, files }]) => `${rule} ${String(count)} in ${plural(files.size, 'file')}`);
}
