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
  /**
   * The scanned directory as the report shows it: relative to where the command ran (`.` for that
   * directory). Without it, its last segment: a report is forwarded, and the scanning machine's
   * absolute path means nothing to its reader.
   */
  readonly rootLabel?: string;
}

export type Reporter = (result: ScanResult, context: ReportContext) => string;

const DOCS_BASE = 'https://github.com/cache-audit/cache-audit/blob/main/rules/';

/** The page of a rule, an ESLint rule or a whole-project finding alike: `rules/<id>.md`. */
export function helpUri(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
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

/** The scanned directory as a report names it (see `ReportContext.rootLabel`). */
export function rootLabel(result: ScanResult, context: ReportContext): string {
  return (
    context.rootLabel ??
    result.root
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .at(-1) ??
    '.'
  );
}

/**
 * Whether the project uses a cache at all: a registry, a family the code reads or fills, a
 * mutation that invalidates something or states an exception, or a finding (a note aside) that
 * says how. Without one, coverage means nothing; nor with keys of runtime values alone, which hold
 * nothing the audit can name.
 */
export function hasCache(result: ScanResult): boolean {
  if (hasOnlyUnnamedKeys(result)) return false;
  return (
    result.registry !== null ||
    result.families.length > 0 ||
    result.matrix.rows.some((row) => row.invalidations.length > 0 || row.exception !== null) ||
    result.findings.some((finding) => finding.severity !== 'note')
  );
}

/**
 * Whether the only keys the code reads from a cache are runtime values (`${scope}:${id}`), with no
 * registry to say what they hold: the audit has no family to judge a mutation against.
 */
export function hasOnlyUnnamedKeys(result: ScanResult): boolean {
  return result.registry === null && result.families.length === 0 && (result.unnamedKeys ?? []).length > 0;
}

/** The one line said instead of the coverage of a project with no cache. */
const NO_CACHE = 'no cache: nothing reads, fills or invalidates one, so there is nothing to keep fresh';

/** The one line said instead of the coverage where there is nothing to judge: no cache, or only keys of runtime values. */
export function noCacheText(result: ScanResult): string {
  const [first, ...others] = hasOnlyUnnamedKeys(result) ? (result.unnamedKeys ?? []) : [];
  if (!first) return NO_CACHE;
  const key = `\`${first.key}\` (${first.file}:${String(first.line)})`;
  const said = others.length === 0 ? `the cache key ${key} is` : `the cache keys ${key} and ${plural(others.length, 'other')} are`;
  return `nothing to check: ${said} made of runtime values only, so what ${others.length === 0 ? 'it holds' : 'they hold'} is unknown; begin each key with the name of its data (\`<name>:${first.key}\`)`;
}

/** The same as a sentence of its own. */
export function noCacheSentence(result: ScanResult): string {
  const text = noCacheText(result);
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** `coverage 88.9 % (8/9 mutation handlers invalidate or state an exception)`, or the no-cache line. */
export function coverageText(result: ScanResult): string {
  if (!hasCache(result)) return noCacheText(result);
  const { ratio, covered, mutations } = result.coverage;
  return `coverage ${percent(ratio)} (${String(covered)}/${String(mutations)} mutation handlers invalidate or state an exception)`;
}
