import type { ScanFinding } from '../scanner/result.js';
import { SEVERITY_ORDER } from '../scanner/result.js';

/** Findings of one rule at one place (a handler that forgets several keys): read as one. */
export interface FindingGroup {
  readonly first: ScanFinding;
  readonly findings: readonly ScanFinding[];
}

/** Findings grouped by rule and place, in the order of the first of each group. */
export function groupByPlace(findings: readonly ScanFinding[]): FindingGroup[] {
  const groups = new Map<string, ScanFinding[]>();
  for (const finding of findings) {
    const key = `${finding.ruleId}\u0000${finding.file}\u0000${String(finding.line)}\u0000${String(finding.column)}`;
    const list = groups.get(key);
    if (list) list.push(finding);
    else groups.set(key, [finding]);
  }
  return [...groups.values()].map((list) => ({ first: list[0] as ScanFinding, findings: list }));
}

/** Errors first, then warnings, then notes; within a level the result's order (file, line, column). */
export function bySeverity(findings: readonly ScanFinding[]): ScanFinding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity]);
}

/** The blind spots behind one call: the handlers it hides, or the patterns it takes that cannot be read. */
export interface BlindSpot {
  readonly call: string;
  readonly kind: 'hides-handlers' | 'unreadable-patterns';
  readonly findings: readonly ScanFinding[];
}

const OPAQUE = /calls code this audit cannot follow \(([^)]*)\)/;
const UNREADABLE = / of ([\w$.]+)\(\) cannot be read statically/;

/**
 * The notes of `unresolved`, summarised by the call that causes them: each note of a handler that
 * calls code the audit cannot follow counts for the call of its list that hides the most handlers
 * (so the counts add up); each unreadable pattern for the function it is given to. Largest first.
 */
export function blindSpots(findings: readonly ScanFinding[]): BlindSpot[] {
  const notes = findings.filter((f) => f.ruleId === 'unresolved');
  const callsOf = new Map<ScanFinding, string[]>();
  const frequency = new Map<string, number>();
  for (const note of notes) {
    const listed = OPAQUE.exec(note.message)?.[1];
    if (listed === undefined) continue;
    const calls = listed
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    callsOf.set(note, calls);
    for (const call of calls) frequency.set(call, (frequency.get(call) ?? 0) + 1);
  }
  const spots = new Map<string, { call: string; kind: BlindSpot['kind']; findings: ScanFinding[] }>();
  const add = (call: string, kind: BlindSpot['kind'], note: ScanFinding): void => {
    const key = `${kind}\u0000${call}`;
    const spot = spots.get(key) ?? { call, kind, findings: [] };
    spot.findings.push(note);
    spots.set(key, spot);
  };
  for (const note of notes) {
    const calls = callsOf.get(note);
    if (calls && calls.length > 0) {
      const best = calls.reduce((a, b) => ((frequency.get(b) ?? 0) > (frequency.get(a) ?? 0) ? b : a));
      add(best, 'hides-handlers', note);
    } else {
      add(UNREADABLE.exec(note.message)?.[1] ?? 'other', 'unreadable-patterns', note);
    }
  }
  return [...spots.values()].sort((a, b) => b.findings.length - a.findings.length || a.call.localeCompare(b.call));
}

/** `3 helpers hide 56 handlers`, `2 calls take 7 patterns that cannot be read`. */
export function blindSpotSummary(spots: readonly BlindSpot[]): string[] {
  const lines: string[] = [];
  const hiding = spots.filter((s) => s.kind === 'hides-handlers');
  const unreadable = spots.filter((s) => s.kind === 'unreadable-patterns');
  const count = (list: readonly BlindSpot[]): number => list.reduce((n, s) => n + s.findings.length, 0);
  if (hiding.length > 0) {
    const n = count(hiding);
    lines.push(
      `${String(hiding.length)} ${hiding.length === 1 ? 'call hides' : 'calls hide'} ${String(n)} mutation ${n === 1 ? 'handler' : 'handlers'} from the audit`,
    );
  }
  if (unreadable.length > 0) {
    const n = count(unreadable);
    lines.push(
      `${String(unreadable.length)} ${unreadable.length === 1 ? 'call takes' : 'calls take'} ${String(n)} ${n === 1 ? 'pattern' : 'patterns'} that cannot be read statically`,
    );
  }
  return lines;
}
