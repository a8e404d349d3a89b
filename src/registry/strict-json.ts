import { typescript } from '../ts/typescript.js';

/** Where a JSON file writes what JSON does not allow, and what to do. */
export interface JsonProblem {
  readonly start: number;
  readonly length: number;
  readonly message: string;
}

/** What a JSON syntax error adds: what the file must be. */
export const STRICT_JSON =
  'The file must be JSON: names and strings in double quotes, a comma between items and none after the last, no comments.';

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * What TypeScript's JSON parser accepts and JSON does not (it reads tsconfig files, JavaScript
 * object literals really): a comma after the last item, comments, single quotes, names without
 * quotes, numbers JavaScript writes (`0x10`, `1_000`). Editors, `JSON.parse` and the other tools
 * reject such a file; so does the audit, rather than read it one way while they read it another.
 */
export function beyondJson(text: string): JsonProblem[] {
  const ts = typescript();
  const kind = ts.SyntaxKind;
  const punctuation = new Set([
    kind.OpenBraceToken,
    kind.CloseBraceToken,
    kind.OpenBracketToken,
    kind.CloseBracketToken,
    kind.ColonToken,
    kind.CommaToken,
    kind.MinusToken,
    kind.TrueKeyword,
    kind.FalseKeyword,
    kind.NullKeyword,
  ]);
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const problems: JsonProblem[] = [];
  let comma: number | null = null;
  for (let token = scanner.scan(); token !== kind.EndOfFileToken; token = scanner.scan()) {
    if (token === kind.WhitespaceTrivia || token === kind.NewLineTrivia) continue;
    const start = scanner.getTokenStart();
    const written = scanner.getTokenText();
    const problem = (message: string): void => {
      problems.push({ start, length: written.length, message });
    };
    if (token === kind.SingleLineCommentTrivia || token === kind.MultiLineCommentTrivia) {
      problem('A comment, which JSON does not allow: remove it, or write this file in TypeScript (.ts), where comments are allowed.');
      continue;
    }
    if (comma !== null && (token === kind.CloseBraceToken || token === kind.CloseBracketToken)) {
      problems.push({ start: comma, length: 1, message: 'A comma after the last item, which JSON does not allow: remove it.' });
    }
    comma = token === kind.CommaToken ? start : null;
    if (token === kind.StringLiteral) {
      if (!written.startsWith('"')) problem(`${written}, in single quotes, which JSON does not allow: write it in double quotes.`);
    } else if (token === kind.NumericLiteral) {
      if (!JSON_NUMBER.test(written)) problem(`The number ${written}, which JSON does not write so: write it in decimal.`);
    } else if (!punctuation.has(token)) {
      problem(`\`${written}\`, which JSON does not allow: a name or a string goes in double quotes ("${written}").`);
    }
  }
  return problems;
}
