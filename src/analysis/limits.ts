import type ts from 'typescript';
import type { TS } from '../ts/syntax.js';

/** Files larger than this are skipped with a diagnostic, by the CLI and the ESLint rules alike (generated code, bundles). */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/**
 * How deeply the syntax of a file may nest (a generated `'a' + x + 'b' + …` chain, arrays in arrays)
 * before the analysis gives up on it: its walks recurse once per level.
 */
export const MAX_NESTING = 500;

/** How many calls deep the effects of a function are followed before the analysis gives up on the file. */
export const MAX_CALL_DEPTH = 200;

/** The analysis gave up on a file: something in it goes deeper than a limit above. */
export class AnalysisLimitError extends Error {
  constructor(
    /** Why, as a phrase (`calls nested deeper than 200 levels`). */
    readonly reason: string,
    /** Where it gave up, when known (it may be in another file than the one analysed). */
    readonly node: ts.Node | null,
  ) {
    super(`analysis gave up: ${reason}`);
    this.name = 'AnalysisLimitError';
  }
}

/** The first node nested deeper than `MAX_NESTING` levels, or null; the walk stops there, and recurses no deeper. */
export function tooDeeplyNested(ts: TS, root: ts.Node, limit = MAX_NESTING): ts.Node | null {
  let depth = 0;
  let found: ts.Node | null = null;
  const visit = (node: ts.Node): true | undefined => {
    if (++depth > limit) {
      found = node;
      return true;
    }
    const stop = ts.forEachChild(node, visit);
    depth--;
    return stop;
  };
  visit(root);
  return found;
}

/** The error of a file nested too deeply (see `tooDeeplyNested`). */
export function nestingError(node: ts.Node, limit = MAX_NESTING): AnalysisLimitError {
  return new AnalysisLimitError(`an expression is nested deeper than ${String(limit)} levels`, node);
}

/**
 * Why the analysis of a file gave up, when `error` says it did: a limit was met, or the stack ran
 * out (a recursion no limit guards). Null for any other error, which is a bug to report.
 */
export function gaveUp(error: unknown): { reason: string; node: ts.Node | null } | null {
  if (error instanceof AnalysisLimitError) return { reason: error.reason, node: error.node };
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return { reason: 'the code is nested too deeply to follow (the stack ran out)', node: null };
  }
  return null;
}

/** The sentence a front end reports for a file skipped for its size. */
export function tooLargeMessage(bytes: number, maxBytes = MAX_FILE_BYTES): string {
  const megabytes = (n: number): string => (n / 1024 / 1024).toFixed(1);
  return `Skipped: ${megabytes(bytes)} MB is larger than ${megabytes(maxBytes)} MB (generated code?).`;
}

/** The sentence a front end reports for a file the analysis gave up on. */
export function gaveUpMessage(reason: string, elsewhere: string | null): string {
  return `Analysis gave up: ${reason}${elsewhere === null ? '' : ` (at ${elsewhere})`}; the file is not audited.`;
}
