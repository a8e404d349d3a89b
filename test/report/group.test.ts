import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANNOTATIONS_PER_TYPE } from '../../src/report/github.js';
import { blindSpots, blindSpotSummary, groupByPlace } from '../../src/report/group.js';
import { REPORTERS } from '../../src/report/index.js';
import type { ReportContext } from '../../src/report/index.js';
import type { ScanFinding, ScanResult, Severity } from '../../src/scanner/result.js';
import { run } from '../support/cli.js';

const context: ReportContext = { color: false, baselined: 0, sourceLine: () => null };

function finding(ruleId: string, severity: Severity, file: string, line: number, message: string): ScanFinding {
  return {
    ruleId,
    severity,
    message,
    file,
    line,
    column: 3,
    endLine: line,
    endColumn: 9,
    via: [],
    fingerprint: `${file}:${String(line)}:${message}`,
  };
}

const opaque = (handler: string, calls: string): string =>
  `${handler} calls code this audit cannot follow (${calls}): whether it invalidates is unknown.`;

function resultOf(findings: ScanFinding[]): ScanResult {
  return {
    version: 2,
    tool: { name: 'cache-audit', version: '0.0.0' },
    root: '/project',
    registry: null,
    configuration: 'cache-audit.config.json',
    families: [],
    tsconfigs: [],
    filesScanned: 3,
    findings,
    diagnostics: [],
    matrix: { keys: [], rows: [], reads: {} },
    coverage: { mutations: 0, covered: 0, ratio: null },
    durationMs: 0,
  };
}

// 56 handlers hidden by three helpers, as on a real Next.js app; each note lists up to three calls.
const notes = Array.from({ length: 56 }, (_, i) =>
  finding(
    'unresolved',
    'note',
    `app/${String(i % 7)}/actions.ts`,
    10 + i,
    opaque(`action${String(i)}`, i < 30 ? 'getUser, checkAuth' : i < 50 ? 'getOrg, logEvent' : 'audit'),
  ),
);

describe('grouping in the report layer', () => {
  it('groups the findings of one rule at one place', () => {
    const groups = groupByPlace([
      finding('require-dependent-invalidation', 'error', 'a.ts', 4, 'forgets `quotesList`'),
      finding('require-dependent-invalidation', 'error', 'a.ts', 4, 'forgets `quotesSummary`'),
      finding('require-invalidation', 'error', 'a.ts', 4, 'other rule'),
      finding('require-dependent-invalidation', 'error', 'a.ts', 9, 'forgets `quotesList`'),
    ]);
    expect(groups.map((g) => g.findings.map((f) => f.message))).toEqual([
      ['forgets `quotesList`', 'forgets `quotesSummary`'],
      ['other rule'],
      ['forgets `quotesList`'],
    ]);
  });

  it('summarises blind spots by the call that hides them, counts adding up', () => {
    const spots = blindSpots([
      ...notes,
      finding(
        'unresolved',
        'note',
        'b.ts',
        3,
        'The pattern `key` of invalidateTag() cannot be read statically (`key` is a parameter): it is not checked.',
      ),
    ]);
    expect(spots.map((s) => [s.call, s.kind, s.findings.length])).toEqual([
      ['getUser', 'hides-handlers', 30],
      ['getOrg', 'hides-handlers', 20],
      ['audit', 'hides-handlers', 6],
      ['invalidateTag', 'unreadable-patterns', 1],
    ]);
    expect(blindSpotSummary(spots)).toEqual([
      '3 calls hide 56 mutation handlers from the audit',
      '1 call takes 1 pattern that cannot be read statically',
    ]);
  });

  it('prints blind spots as a summary in text, every note with --verbose, and keeps every note in JSON', () => {
    const result = resultOf([finding('require-invalidation', 'error', 'a.ts', 2, 'A changes data'), ...notes]);
    const text = REPORTERS.text(result, context);
    expect(text).toContain('Blind spots  3 calls hide 56 mutation handlers from the audit');
    expect(text).toMatch(/\n {2}getUser {2}hides 30 handlers {2}e\.g\. app\/0\/actions\.ts:10, …\n/);
    expect(text).toContain(
      '\n  A call that invalidates: name it in `additionalCalls` of the configuration; one checked to reach no cache: `// eslint-disable-next-line cache-audit/unresolved -- why` above the handler.\n',
    );
    expect(text).not.toContain('action12 calls code');
    expect(text.trim().split('\n').at(-1)).toBe(
      '1 error, 0 warnings, 56 notes, 3 files, coverage n/a (0/0 mutation handlers invalidate or state an exception)',
    );
    const verbose = REPORTERS.text(result, { ...context, verbose: true });
    expect(verbose).toContain('action12 calls code this audit cannot follow');
    expect(verbose).not.toContain('Blind spots');
    expect((JSON.parse(REPORTERS.json(result, context)) as { findings: unknown[] }).findings).toHaveLength(57);
  });

  it('caps GitHub annotations per type, errors first, and says how many more', () => {
    const errors = Array.from({ length: 14 }, (_, i) => finding('require-invalidation', 'error', 'z.ts', i + 1, `error ${String(i)}`));
    const output = REPORTERS.github(resultOf([...notes, ...errors]), context)
      .trim()
      .split('\n');
    expect(output[0]).toMatch(/^::error file=z\.ts,line=1,/);
    expect(output.filter((l) => l.startsWith('::error'))).toHaveLength(ANNOTATIONS_PER_TYPE);
    expect(output.filter((l) => l.startsWith('::notice file='))).toHaveLength(ANNOTATIONS_PER_TYPE);
    const text = REPORTERS.text(
      resultOf([...notes, ...errors, ...errors.slice(0, 6).map((e) => ({ ...e, ruleId: 'no-broad-pattern', file: 'y.ts' }))]),
      context,
    );
    expect(text).toContain('\nBy rule  require-invalidation 14 in 1 file, no-broad-pattern 6 in 1 file\n');
    expect(REPORTERS.text(resultOf(errors), context)).not.toContain('By rule');
    expect(output.at(-1)).toBe(
      `::notice title=cache-audit::${String(14 + 56 - 2 * ANNOTATIONS_PER_TYPE)} more findings are not annotated (GitHub shows about 10 of each type): every finding is in the job summary.`,
    );
  });

  it('writes every finding to $GITHUB_STEP_SUMMARY when it annotates', async () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'cache-audit-summary-')), 'summary.md');
    const result = await run(['fixtures/quotes-app-defects', '--format', 'github'], undefined, { GITHUB_STEP_SUMMARY: summary });
    expect(result.code).toBe(1);
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toMatch(/^## cache-audit\n\n\*\*7 errors\*\*, \*\*0 warnings\*\*, \*\*0 notes\*\* in 9 files\./);
    expect(markdown).toContain('`src/quotes/quotes.controller.ts:45` | [require-dependent-invalidation]');
  });
});
