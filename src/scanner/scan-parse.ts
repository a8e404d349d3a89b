import { readFileSync } from 'node:fs';
import type ts from 'typescript';
import { scriptKindOf } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import type { ScanDiagnostic } from './result.js';
import type { ScanOptions } from './scan.js';

/** The project's files, each read and parsed once. */
export interface SourceReader {
  /** The parsed file, or null when it cannot be audited (when reported, a diagnostic says why). */
  read(file: string, isReported: boolean): ts.SourceFile | null;
  /** What `read` gave for a file; undefined when it was not read. */
  sourceOf(file: string): ts.SourceFile | null | undefined;
  textOf(file: string): string | undefined;
  /** The lines of a read file, split once. */
  linesOf(file: string): string[];
}

type Problem = (message: string, line?: number, column?: number) => void;

/** Step 2: reading and parsing, with a diagnostic for each file that is skipped. */
export function createReader(ts: TS, options: ScanOptions, rel: (file: string) => string, diagnostics: ScanDiagnostic[]): SourceReader {
  const maxBytes = options.maxFileBytes ?? 2 * 1024 * 1024;
  const sources = new Map<string, ts.SourceFile | null>();
  const texts = new Map<string, string>();
  const lineCache = new Map<string, string[]>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const read = (file: string, isReported: boolean): ts.SourceFile | null => {
    const known = sources.get(file);
    if (known !== undefined) return known;
    const shared = options.parsed?.get(file);
    if (shared) {
      sources.set(file, shared);
      texts.set(file, shared.text);
      return shared;
    }
    let sourceFile: ts.SourceFile | null = null;
    const problem: Problem = (message, line = 1, column = 1) => {
      if (isReported) diagnostics.push({ file: rel(file), line, column, message });
    };
    try {
      const text = decodeSource(options.readFile?.(file) ?? readFileSync(file), maxBytes, decoder, problem);
      if (text !== null) {
        const parsed = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindOf(ts, file));
        texts.set(file, text);
        sourceFile = hasSyntaxError(ts, parsed, problem) ? null : parsed;
        if (sourceFile) options.parsed?.set(file, sourceFile);
      }
    } catch (error) {
      problem(`Cannot read this file: ${(error as Error).message}.`);
    }
    sources.set(file, sourceFile);
    return sourceFile;
  };
  const linesOf = (file: string): string[] => {
    let lines = lineCache.get(file);
    if (!lines) {
      lines = texts.get(file)?.split('\n') ?? [];
      lineCache.set(file, lines);
    }
    return lines;
  };
  return { read, sourceOf: (file) => sources.get(file), textOf: (file) => texts.get(file), linesOf };
}

/** The text of a file, or null (with a problem) when it is too large, binary or not UTF-8. */
function decodeSource(bytes: Buffer, maxBytes: number, decoder: { decode(bytes: Uint8Array): string }, problem: Problem): string | null {
  if (bytes.length > maxBytes) {
    problem(
      `Skipped: ${(bytes.length / 1024 / 1024).toFixed(1)} MB is larger than ${(maxBytes / 1024 / 1024).toFixed(1)} MB (generated code?).`,
    );
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
