import type ts from 'typescript';
import { staticString } from '../context.js';
import type { FileContext } from '../context.js';
import { unwrap } from '../../ts/syntax.js';
import { constructed, declarationOf, forEachNode, propertyValue } from './declarations.js';
import type { KeyArgument, Source } from './source.js';

/** GraphQL Yoga's and Envelop's response caches, and the stores made for them. */
const MODULES = /^(@graphql-yoga\/plugin-response-cache|@envelop\/response-cache(-redis|-cloudflare-kv)?)$/;
const CACHE_FACTORIES = new Set(['createInMemoryCache', 'createRedisCache', 'createKvCache']);

function isImported(ctx: FileContext, name: string): boolean {
  const module = ctx.importOf(name)?.module;
  return module !== undefined && MODULES.test(module);
}

/** Whether a receiver is a response cache's store: made by `createInMemoryCache()` (or the Redis one) of those modules. */
function isResponseCache(ctx: FileContext, receiver: ts.Expression): boolean {
  const declared = declarationOf(ctx, receiver);
  const made = declared?.initializer ? constructed(ctx.ts, declared.initializer) : null;
  return made !== null && CACHE_FACTORIES.has(made.name) && made.root !== null && isImported(declared?.ctx ?? ctx, made.root);
}

/**
 * What a file sets up for every GraphQL operation: a response cache (`useResponseCache({ … })` of
 * those modules), which keeps every query's response, and whether it invalidates the entities a
 * mutation returns (`invalidateViaMutation`, true unless written `false`). Null: none here.
 */
export function responseCacheSetup(ctx: FileContext): { readonly byMutation: boolean } | null {
  const { ts } = ctx;
  if (!/useResponseCache/.test(ctx.sourceText)) return null;
  let found: { byMutation: boolean } | null = null;
  forEachNode(ts, ctx.sourceFile, (node) => {
    if (found || !ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || !isImported(ctx, node.expression.text)) return;
    if (ctx.importOf(node.expression.text)?.imported !== 'useResponseCache') return;
    const options = node.arguments[0] ? unwrap(ts, node.arguments[0]) : null;
    const flag = options && ts.isObjectLiteralExpression(options) ? propertyValue(ts, options, 'invalidateViaMutation') : null;
    found = { byMutation: !flag || unwrap(ts, flag).kind !== ts.SyntaxKind.FalseKeyword };
  });
  return found;
}

/**
 * A response cache's store (`cache.invalidate([{ typename: 'Quote', id }])`): clears the responses
 * that hold entities of those types, each a tag named by its type (the id is not told apart).
 */
export const responseCache: Source = {
  id: 'response-cache',
  libraries: [{ modules: MODULES }],
  cacheText: /response-cache/,
  classify({ ctx, call, name, receiver }) {
    const { ts } = ctx;
    if (name !== 'invalidate' || !receiver || !isResponseCache(ctx, receiver)) return null;
    const list = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
    const entities = list && ts.isArrayLiteralExpression(list) ? list.elements : [];
    const typenames = entities.map((entity) => {
      const bare = ts.isSpreadElement(entity) ? null : unwrap(ts, entity);
      const typename = bare && ts.isObjectLiteralExpression(bare) ? propertyValue(ts, bare, 'typename') : null;
      return typename ? staticString(ctx, typename) : null;
    });
    // A type that cannot be read leaves what it clears unknown.
    const keys: KeyArgument[] =
      typenames.length === 0 || typenames.includes(null) ? [] : typenames.map((literal) => ({ literal: literal ?? '' }));
    return [{ kind: 'invalidate', invalidationKind: 'tag', keys }];
  },
};
