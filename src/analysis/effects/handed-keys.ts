import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { memoTable } from '../session.js';
import { unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import { isLogging, sourceCall } from './classify.js';

/** A call in a function's body and the key-shaped arguments it is handed. */
export interface HandedKeys {
  readonly call: ts.CallExpression;
  readonly name: string;
  readonly keys: readonly ts.Expression[];
}

const HANDED = memoTable<ts.Node, readonly HandedKeys[]>('handed keys');

/** Text that starts a key: a word, then `:` (`env:`, `user:profile:`), with no space anywhere; not a URL (`https://…`). */
const KEY_HEAD = /^[A-Za-z][\w.-]*:(?!\/\/)\S*$/;

/**
 * The keys a function hands to the calls in its body (`this.#bump(\`env:${id}\`)`): arguments
 * written as a key, a literal word and `:` first, with no space (a message is not a key, nor a URL). For a
 * function named like an invalidation whose calls reach no cache client the audit knows (an epoch
 * map, a cache class of its own), the keys it hands on are what it clears.
 */
export function handedKeys(ctx: FileContext, fn: ts.FunctionLikeDeclaration): readonly HandedKeys[] {
  return ctx.session.memo(HANDED, fn, () => {
    const { ts } = ctx;
    const found: HandedKeys[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isClassLike(node)) return;
      const site = ts.isCallExpression(node) ? sourceCall(ctx, node) : null;
      if (site && !isLogging(site)) {
        const keys = site.call.arguments.filter((argument) => isKeyShaped(ts, argument));
        if (keys.length > 0) found.push({ call: site.call, name: site.name, keys });
      }
      ts.forEachChild(node, visit);
    };
    if (fn.body) visit(fn.body);
    return found;
  });
}

/** `'settings:all'`, `` `env:${id}` ``, `'user:' + id`: an expression written as a cache key. */
function isKeyShaped(ts: TS, argument: ts.Expression): boolean {
  const value = unwrap(ts, argument);
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return KEY_HEAD.test(value.text);
  if (ts.isTemplateExpression(value)) {
    return KEY_HEAD.test(value.head.text) && value.templateSpans.every((span) => !/\s/.test(span.literal.text));
  }
  let first = value;
  while (ts.isBinaryExpression(first) && first.operatorToken.kind === ts.SyntaxKind.PlusToken) first = unwrap(ts, first.left);
  return first !== value && ts.isStringLiteral(first) && KEY_HEAD.test(first.text);
}
