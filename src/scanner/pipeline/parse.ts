import { readFileSync } from 'node:fs';
import type ts from 'typescript';
import { parseSource } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import type { ScanDiagnostic } from '../result.js';
import type { ScanOptions } from '../scan-options.js';
import type { AnalysisOptions } from '../../analysis/options.js';
import { gaveUp, gaveUpMessage, MAX_FILE_BYTES, nestingError, tooDeeplyNested, tooLargeMessage } from '../../analysis/limits.js';
import { treeExportableNames } from '../../project/exports.js';
import { exportableNames, fileRelevance } from '../../project/relevance.js';
import type { Relevance } from '../../project/relevance.js';

/**
 * The project's files: each read once to decide whether it can matter, and parsed only when it can
 * or when module resolution reaches it. Nothing of a file that was not parsed is kept.
 */
export interface SourceReader {
  /**
   * Whether a file can matter (see `fileRelevance`), or null when it cannot be read (a diagnostic
   * says why). The text of a relevant file is kept until it is parsed; the text of another is let go.
   */
  relevance(file: string): Relevance | null;
  /** The parsed file, or null when it cannot be audited (when reported, a diagnostic says why). */
  read(file: string, isReported: boolean): ts.SourceFile | null;
  /** What `read` gave for a file (its text and positions, all that is asked of it); undefined when it was not read. */
  sourceOf(file: string): SourceText | null | undefined;
  textOf(file: string): string | undefined;
  /** A file's text, parsed or not (read again when it was let go); null when it cannot be read. */
  fullTextOf(file: string): string | null;
  /** The lines of a parsed file, split once: ask only for a file with findings. */
  linesOf(file: string): string[];
  /** Whether a file can export `name`: from its tree once parsed (see `treeExportableNames`), else from its text (see `exportableNames`). */
  mayExport(file: string, name: string): boolean;
}

/** A file's text and TypeScript's positions in it: a parsed file is one. */
export interface SourceText {
  readonly text: string;
  getLineAndCharacterOfPosition(position: number): ts.LineAndCharacter;
}

type Problem = (message: string, line?: number, column?: number) => void;

/** Step 2: reading and parsing, with a diagnostic for each file that is skipped. */
export function createReader(
  ts: TS,
  options: ScanOptions,
  analysisOptions: AnalysisOptions,
  rel: (file: string) => string,
  diagnostics: ScanDiagnostic[],
): SourceReader {
  const sources = new Map<string, ts.SourceFile | null>();
  /** Texts read to decide relevance, kept until the file is parsed. */
  const pending = new Map<string, string>();
  const texts = sourceTexts(options, rel, diagnostics);
  const relevance = (file: string): Relevance | null => {
    const text = texts.textOf(file, texts.problemOf(file, true));
    if (text === null) {
      // Said once: a later read of the file (module resolution reaching it) gives null quietly.
      sources.set(file, null);
      return null;
    }
    const verdict = fileRelevance(file, text, analysisOptions);
    if (verdict.relevant) pending.set(file, text);
    return verdict;
  };
  const read = (file: string, isReported: boolean): ts.SourceFile | null => {
    const known = sources.get(file);
    if (known !== undefined) return known;
    const shared = options.parsed?.get(file);
    if (shared) {
      pending.delete(file);
      sources.set(file, shared);
      return shared;
    }
    const problem = texts.problemOf(file, isReported);
    const text = pending.get(file) ?? texts.textOf(file, problem);
    pending.delete(file);
    let sourceFile: ts.SourceFile | null = null;
    if (text !== null) {
      sourceFile = parseAuditable(ts, file, text, problem);
      if (sourceFile) options.parsed?.set(file, sourceFile);
    }
    sources.set(file, sourceFile);
    return sourceFile;
  };
  return {
    relevance,
    read,
    mayExport: exportChecker(ts, sources, pending, texts),
    sourceOf: (file) => sources.get(file),
    textOf: (file) => sources.get(file)?.text,
    fullTextOf: (file) => sources.get(file)?.text ?? pending.get(file) ?? texts.textOf(file, () => undefined),
    linesOf: lineSplitter(sources),
  };
}

/** Reading a file's text: each problem with it told as a diagnostic when the file is reported. */
interface SourceTexts {
  problemOf(file: string, isReported: boolean): Problem;
  /** The file's text (the staged one with `readFile`), or null (with a problem) when it cannot be audited. */
  textOf(file: string, problem: Problem): string | null;
}

function sourceTexts(options: ScanOptions, rel: (file: string) => string, diagnostics: ScanDiagnostic[]): SourceTexts {
  const maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return {
    problemOf:
      (file, isReported) =>
      (message, line = 1, column = 1) => {
        if (isReported) diagnostics.push({ file: rel(file), line, column, message });
      },
    textOf: (file, problem) => {
      try {
        return decodeSource(options.readFile?.(file) ?? readFileSync(file), maxBytes, decoder, problem);
      } catch (error) {
        problem(`Cannot read this file: ${(error as Error).message}.`);
        return null;
      }
    },
  };
}

/**
 * Whether a file can export a name (the targets of `export *`): once it is parsed, from its tree
 * (a barrel's lookup then skips the parsed modules that cannot hold the name); before, from the
 * identifiers of its text, kept instead of the text. A file that could not be parsed says yes: reading it says why.
 */
function exportChecker(
  ts: TS,
  sources: ReadonlyMap<string, ts.SourceFile | null>,
  pending: ReadonlyMap<string, string>,
  texts: SourceTexts,
): (file: string, name: string) => boolean {
  const byText = new Map<string, ReadonlySet<string> | 'any' | null>();
  const byTree = new Map<string, ReadonlySet<string> | 'any'>();
  return (file, name) => {
    if (name === 'default') return true;
    const parsed = sources.get(file);
    if (parsed === null) return true;
    let names: ReadonlySet<string> | 'any' | null | undefined;
    if (parsed) {
      names = byTree.get(file);
      if (names === undefined) {
        names = treeExportableNames(ts, parsed);
        byTree.set(file, names);
      }
    } else {
      names = byText.get(file);
      if (names === undefined) {
        const text = pending.get(file) ?? texts.textOf(file, () => undefined);
        names = text === null ? null : exportableNames(text);
        byText.set(file, names);
      }
    }
    return names === 'any' || names?.has(name) === true;
  };
}

/** The lines of a parsed file, split once. */
function lineSplitter(sources: ReadonlyMap<string, ts.SourceFile | null>): (file: string) => string[] {
  const lineCache = new Map<string, string[]>();
  return (file) => {
    let lines = lineCache.get(file);
    if (!lines) {
      lines = sources.get(file)?.text.split('\n') ?? [];
      lineCache.set(file, lines);
    }
    return lines;
  };
}

/**
 * The parsed file, or null (with a problem) when it has a syntax error or nests too deeply for the
 * analysis's walks (which recurse): such a file is left out, the others are audited.
 */
function parseAuditable(ts: TS, file: string, text: string, problem: Problem): ts.SourceFile | null {
  let parsed: ts.SourceFile;
  try {
    parsed = parseSource(ts, file, text);
  } catch (error) {
    const why = gaveUp(error);
    if (!why) throw error;
    problem(gaveUpMessage(why.reason, null));
    return null;
  }
  if (hasSyntaxError(ts, parsed, problem)) return null;
  const deep = tooDeeplyNested(ts, parsed);
  if (!deep) return parsed;
  const at = parsed.getLineAndCharacterOfPosition(deep.getStart(parsed));
  problem(gaveUpMessage(nestingError(deep).reason, null), at.line + 1, at.character + 1);
  return null;
}

/** The text of a file, or null (with a problem) when it is too large, binary or not UTF-8. */
function decodeSource(bytes: Buffer, maxBytes: number, decoder: { decode(bytes: Uint8Array): string }, problem: Problem): string | null {
  if (bytes.length > maxBytes) {
    problem(tooLargeMessage(bytes.length, maxBytes));
    return null;
  }
  if (bytes.includes(0)) {
    problem('Skipped: a binary file, not source text.');
    return null;
  }
  try {
    return decoder.decode(bytes);
  } catch {
    problem('Skipped: the file is not valid UTF-8; save it as UTF-8.');
    return null;
  }
}

/** Whether the file has a syntax error; the first one is the problem. */
function hasSyntaxError(ts: TS, sourceFile: ts.SourceFile, problem: Problem): boolean {
  const syntax = (sourceFile as ts.SourceFile & { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const first = syntax[0];
  if (!first) return false;
  const at = sourceFile.getLineAndCharacterOfPosition(first.start);
  problem(
    `Syntax error: ${ts.flattenDiagnosticMessageText(first.messageText, ' ').replace(/\.$/, '')}; the file is not audited until it parses.`,
    at.line + 1,
    at.character + 1,
  );
  return true;
}
