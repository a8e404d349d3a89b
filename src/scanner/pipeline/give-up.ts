import type ts from 'typescript';
import type { FileFacts } from '../../analysis/facts.js';
import { gaveUp, gaveUpMessage } from '../../analysis/limits.js';
import type { ScanSetup } from './load.js';

/**
 * Runs one step of one file's analysis. When the analysis gives up on the file (a limit met, the
 * stack exhausted: see `gaveUp`), the file gets one diagnostic, `fallback` stands for what the step
 * would have given, and the audit goes on with the other files. Any other error is thrown.
 */
export function guardFile<T>(
  setup: Pick<ScanSetup, 'diagnostics' | 'rel'>,
  sourceFile: ts.SourceFile,
  fallback: T,
  run: () => T,
  onGiveUp?: () => void,
): T {
  try {
    return run();
  } catch (error) {
    const why = gaveUp(error);
    if (!why) throw error;
    onGiveUp?.();
    const where = why.node?.getSourceFile();
    const at = where?.getLineAndCharacterOfPosition(why.node?.getStart(where) ?? 0);
    const isHere = where === sourceFile && at !== undefined;
    const elsewhere = !isHere && where && at ? `${setup.rel(where.fileName)}:${String(at.line + 1)}` : null;
    const diagnostic = {
      file: setup.rel(sourceFile.fileName),
      line: isHere ? at.line + 1 : 1,
      column: isHere ? at.character + 1 : 1,
      message: gaveUpMessage(why.reason, elsewhere),
    };
    const isKnown = setup.diagnostics.some((d) => d.file === diagnostic.file && d.message === diagnostic.message);
    if (!isKnown) setup.diagnostics.push(diagnostic);
    return fallback;
  }
}

/** The facts of a file the analysis gave up on: none, as for a file that holds nothing the rules judge. */
export function noFacts(sourceFile: ts.SourceFile): FileFacts {
  return { file: sourceFile.fileName, handlers: [], otherInvalidations: [], reads: [], families: [], isRelevant: false };
}
