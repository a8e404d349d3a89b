export type TemplatePiece =
  | { readonly kind: 'text'; readonly text: string; readonly start: number; readonly end: number }
  | { readonly kind: 'param'; readonly name: string; readonly start: number; readonly end: number };

export interface ParsedTemplate {
  readonly source: string;
  readonly pieces: readonly TemplatePiece[];
  /** Parameter names in order of appearance. */
  readonly params: readonly string[];
  readonly errors: readonly TemplateDiagnostic[];
}

export interface TemplateDiagnostic {
  readonly message: string;
  /** Character offsets in the template, end exclusive. */
  readonly start: number;
  readonly end: number;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const GLOB_CHARACTERS = new Set(['*', '?', '[', ']', '\\']);

/**
 * Parses a registry key template such as `quotes:list:{tenantId}:{hash}`: literal text and
 * `{name}` parameters, each parameter one segment (non-empty, no `:`) of the key.
 */
export function parseTemplate(source: string): ParsedTemplate {
  const pieces: TemplatePiece[] = [];
  const errors: TemplateDiagnostic[] = [];
  const params: string[] = [];
  let text = '';
  let textStart = 0;
  const flush = (end: number): void => {
    if (text !== '') pieces.push({ kind: 'text', text, start: textStart, end });
    text = '';
  };
  if (source.length === 0) errors.push({ message: 'The template is empty.', start: 0, end: 0 });
  if (source.trim() !== source) {
    errors.push({ message: 'The template starts or ends with whitespace.', start: 0, end: source.length });
  }
  let i = 0;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (ch === '{') {
      const close = source.indexOf('}', i + 1);
      if (close === -1) {
        errors.push({ message: 'A `{` without `}`: write parameters as `{name}`.', start: i, end: source.length });
        break;
      }
      const name = source.slice(i + 1, close);
      if (!IDENTIFIER.test(name)) {
        errors.push({
          message: `The parameter \`{${name}}\` is not an identifier: write parameters as \`{name}\`.`,
          start: i,
          end: close + 1,
        });
      } else if (params.includes(name)) {
        errors.push({ message: `The parameter \`{${name}}\` appears twice.`, start: i, end: close + 1 });
      } else {
        flush(i);
        params.push(name);
        pieces.push({ kind: 'param', name, start: i, end: close + 1 });
      }
      i = close + 1;
      textStart = i;
      continue;
    }
    if (ch === '}') {
      errors.push({ message: 'A `}` without a matching `{`.', start: i, end: i + 1 });
    } else if (GLOB_CHARACTERS.has(ch)) {
      errors.push({
        message: `The template contains \`${ch}\`, a glob character in Redis patterns: keys should not contain it.`,
        start: i,
        end: i + 1,
      });
    }
    if (text === '') textStart = i;
    text += ch;
    i++;
  }
  flush(source.length);
  return { source, pieces, params, errors };
}
