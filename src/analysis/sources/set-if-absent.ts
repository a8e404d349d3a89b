/** Redis's set-if-absent (`SET … NX`), and what it takes its key for. */
import type ts from 'typescript';
import { staticString } from '../context.js';
import type { FileContext } from '../context.js';
import { propertyNameText, unwrap } from '../../ts/syntax.js';

/** `set(k, v, 'NX')`, `set(k, v, { nx: true })`, `set(k, v, { NX: true, EX: 10 })`. */
export function isSetIfAbsent(ctx: FileContext, call: ts.CallExpression): boolean {
  const { ts } = ctx;
  return call.arguments.slice(2).some((arg) => {
    const expression = unwrap(ts, arg);
    if (ts.isStringLiteral(expression)) return expression.text.toUpperCase() === 'NX';
    if (ts.isObjectLiteralExpression(expression)) {
      return expression.properties.some((p) => p.name !== undefined && propertyNameText(ts, p.name)?.toUpperCase() === 'NX');
    }
    return false;
  });
}

/**
 * What a set-if-absent takes its key for: a claim (a lock) where it stores a value written in the
 * code (`set(key, 'processing', { nx: true })`), which no data of the data layer is; a marker otherwise
 * (`setnx(key, JSON.stringify(rows))` may fill a cache once).
 */
export function setIfAbsentRole(ctx: FileContext, call: ts.CallExpression): 'lock' | 'marker' {
  const { ts } = ctx;
  const value = call.arguments[1] ? unwrap(ts, call.arguments[1]) : null;
  if (!value) return 'marker';
  const isWritten =
    value.kind === ts.SyntaxKind.TrueKeyword || value.kind === ts.SyntaxKind.FalseKeyword || staticString(ctx, value) !== null;
  return isWritten ? 'lock' : 'marker';
}
