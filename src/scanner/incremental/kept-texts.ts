import { readFileSync } from 'node:fs';
import type { SourceReader, SourceText } from '../pipeline/parse.js';
import { lineAt } from '../pipeline/suppressions.js';
import type { ScanOptions } from '../scan-options.js';

/**
 * The reader, with the text and the positions of the files whose facts were kept (they are not
 * parsed): what the checks and the project-wide findings ask of a file besides its facts.
 */
export function withKeptTexts(reader: SourceReader, kept: ReadonlySet<string>, options: ScanOptions): SourceReader {
  const texts = new Map<string, SourceText | null>();
  const decoder = new TextDecoder('utf-8');
  const keptText = (file: string): SourceText | null => {
    if (!kept.has(file)) return null;
    let known = texts.get(file);
    if (known === undefined) {
      try {
        known = textPositions(decoder.decode(options.readFile?.(file) ?? readFileSync(file)));
      } catch {
        known = null;
      }
      texts.set(file, known);
    }
    return known;
  };
  return {
    ...reader,
    sourceOf: (file) => reader.sourceOf(file) ?? keptText(file) ?? undefined,
    textOf: (file) => reader.textOf(file) ?? keptText(file)?.text,
    linesOf: (file) => (reader.sourceOf(file) ? reader.linesOf(file) : (keptText(file)?.text.split('\n') ?? [])),
  };
}

/** A text with TypeScript's line map (lines end at \r\n, \n, \r, U+2028 and U+2029), without a parse. */
export function textPositions(text: string): SourceText {
  const starts = [0];
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === 0x0d && text.charCodeAt(at + 1) === 0x0a) at++;
    if (code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029) starts.push(at + 1);
  }
  return {
    text,
    getLineAndCharacterOfPosition: (position) => {
      const line = lineAt(starts, position);
      return { line, character: position - (starts[line] ?? 0) };
    },
  };
}
