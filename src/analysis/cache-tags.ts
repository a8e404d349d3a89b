import type ts from 'typescript';
import type { FileContext } from './context.js';
import type { StoredKey } from './facts.js';
import { readPattern } from './read-pattern.js';
import { TAG_MARKER } from './sources/next-cache.js';
import { propertyNameText, unwrap } from '../ts/syntax.js';

/**
 * The cache tags a file gives its entries, as keys it keeps: the arguments of `cacheTag(…)` (of
 * `next/cache`), and every element of a `tags: [...]` option (`unstable_cache`, `fetch`'s `next`,
 * Prisma Accelerate's `cacheStrategy`). A tag list that is not written out is kept as its text
 * (any tag that shares its words). A tag revalidated that none of these names is cleared in vain.
 */
export function tagsGiven(ctx: FileContext): StoredKey[] {
  const { ts } = ctx;
  if (!TAG_MARKER.test(ctx.sourceText)) return [];
  const keys: StoredKey[] = [];
  const add = (expr: ts.Expression): void => {
    const fact = readPattern(ctx, expr, true);
    keys.push({ pattern: fact.pattern && fact.pattern.errors.length === 0 ? fact.pattern : null, text: fact.text });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && propertyNameText(ts, node.name) === 'tags') {
      const list = unwrap(ts, node.initializer);
      if (ts.isArrayLiteralExpression(list))
        for (const element of list.elements) add(ts.isSpreadElement(element) ? element.expression : element);
      else add(list);
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const binding = ctx.importOf(node.expression.text);
      if (binding?.module === 'next/cache' && (binding.imported === 'cacheTag' || binding.imported === 'unstable_cacheTag'))
        for (const arg of node.arguments) add(ts.isSpreadElement(arg) ? arg.expression : arg);
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sourceFile);
  return keys;
}
