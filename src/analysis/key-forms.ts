import type ts from 'typescript';
import { staticString } from './context.js';
import type { FileContext } from './context.js';

/** Calls around a key that keep it the key it was, as a pattern reads it. */

/** `key.replaceAll(/\s/g, '')`, `key.replace(/\s+/g, '')`: the key whose whitespace is taken out. */
export function whitespaceStripped(ctx: FileContext, expression: ts.Expression): ts.Expression | null {
  const { ts } = ctx;
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return null;
  const method = expression.expression.name.text;
  const [pattern, replacement] = expression.arguments;
  if ((method !== 'replace' && method !== 'replaceAll') || !pattern || !replacement) return null;
  const isWhitespace = ts.isRegularExpressionLiteral(pattern) && /^\/\\s\+?\/g?$/.test(pattern.text);
  return isWhitespace && staticString(ctx, replacement) === '' ? expression.expression.expression : null;
}
