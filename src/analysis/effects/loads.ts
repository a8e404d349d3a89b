import type ts from 'typescript';
import type { FileContext } from '../context.js';
import type { ModelRead } from '../facts.js';
import { unwrap } from '../../ts/syntax.js';
import { distinctReads } from './loaders.js';
import type { Effect, ModelReadEffect } from './model.js';
import { summarize } from './summarize.js';

/** What a function reads of the models, as a family's loads: for a cached handler, method or `'use cache'` function. */
export function loadsOf(ctx: FileContext, fn: ts.FunctionLikeDeclaration): ModelRead[] {
  return distinctReads(summarize(ctx, fn).filter((e): e is ModelReadEffect => e.kind === 'model-read'));
}

/**
 * The reads of a loader handed by name to a loading read (`unstable_cache(loadAuthors, ['authors'])`,
 * `cache.wrap(key, loadQuotes)`): the function it names, in this file or (with a resolver) another.
 */
export function namedLoaderReads(read: Effect & { kind: 'cache-read' }): ModelRead[] {
  const { ctx, node } = read;
  const { ts } = ctx;
  if (read.loadedBy) return loadsOf(read.loadedBy.ctx, read.loadedBy.fn);
  if (!read.hasLoader || read.at !== undefined || !ts.isCallExpression(node)) return [];
  for (const arg of node.arguments) {
    const bare = unwrap(ts, arg);
    if (!ts.isIdentifier(bare)) continue;
    const fn = ctx.functions.get(bare.text) ?? (ctx.importOf(bare.text) ? ctx.resolver?.resolveIdentifier?.(bare)?.[0] : undefined);
    if (!fn) continue;
    const file = fn.getSourceFile();
    return loadsOf(file === ctx.sourceFile ? ctx : ctx.contextOf(file), fn);
  }
  return [];
}
