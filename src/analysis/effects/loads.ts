import type ts from 'typescript';
import { namedFunction } from '../bound-values.js';
import type { FileContext } from '../context.js';
import { callersRead, usedFields } from '../document-fields.js';
import type { ModelRead } from '../facts.js';
import { readLookup } from '../sources/operations.js';
import type { ReadLookup } from '../sources/operations.js';
import { enclosingFunction, unwrap } from '../../ts/syntax.js';
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
    const fn = namedFunction(ctx, bare);
    if (!fn) continue;
    const file = fn.getSourceFile();
    return loadsOf(file === ctx.sourceFile ? ctx : ctx.contextOf(file), fn);
  }
  return [];
}

/**
 * What a cached function reads of the models (a method a caching decorator wraps, the loader a
 * memoizer is given): each read narrowed to the fields the function uses of it, and looked up as
 * the filter written at its call says.
 */
export function cachedLoads(ctx: FileContext, fn: ts.FunctionLikeDeclaration): ModelRead[] {
  const effects = summarize(ctx, fn);
  // A row a helper reads and writes back on the way (an access token refreshed) is its bookkeeping, not what is cached.
  const rewritten = new Set(effects.flatMap((e) => (e.kind === 'model-write' ? [placeOf(e)] : [])));
  const reads = effects
    .filter((e): e is ModelReadEffect => e.kind === 'model-read' && !rewritten.has(placeOf(e)))
    .flatMap((e) => {
      const used = e.fields === null ? fieldsUsedAt(ctx, e, fn) : null;
      const lookup = e.lookup === 'point' ? e.lookup : lookupAt(ctx, e);
      return distinctReads([{ ...e, fields: e.fields ?? used, lookup }]).map((read) => (used ? { ...read, hasFieldsByUse: true } : read));
    });
  return [...new Map(reads.map((read) => [JSON.stringify(read), read])).values()];
}

/**
 * The fields a function's read depends on by how the function uses it (see `usedFields`), for a read
 * made by a call of the function's own; what a method returns of the read, by what its callers read.
 */
function fieldsUsedAt(ctx: FileContext, read: ModelReadEffect, fn: ts.FunctionLikeDeclaration): readonly string[] | null {
  const { ts } = ctx;
  const call = read.at ?? read.node;
  if (!ts.isCallExpression(call) || call.getSourceFile() !== ctx.sourceFile) return null;
  const isOwnMethod = ts.isMethodDeclaration(fn) && enclosingFunction(ts, call) === fn;
  return usedFields(ctx, call, isOwnMethod ? (property) => callersRead(ctx, fn, property) : undefined);
}

/**
 * How a function's read looks up, from the filter the function writes at its call (`repo.findOne({ _id })`
 * reaching the library's `findOne(query)`): a point lookup when that filter is the row's id alone.
 */
function lookupAt(ctx: FileContext, read: ModelReadEffect): ReadLookup {
  const call = read.at ?? read.node;
  return read.at && ctx.ts.isCallExpression(call) ? readLookup(ctx.ts, call, read.operation) : read.lookup;
}

/** The model an effect reads or writes and the function it is written in, as one key. */
function placeOf(effect: Effect & { kind: 'model-read' | 'model-write' }): string {
  const owner = enclosingFunction(effect.ctx.ts, effect.node);
  return `${effect.model}\u0000${effect.ctx.file}:${String(owner?.pos ?? -1)}`;
}
