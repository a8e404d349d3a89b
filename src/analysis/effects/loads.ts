import type ts from 'typescript';
import type { FileContext } from '../context.js';
import type { ModelRead } from '../facts.js';
import { distinctReads } from './loaders.js';
import type { ModelReadEffect } from './model.js';
import { summarize } from './summarize.js';

/** What a function reads of the models, as a family's loads: for a cached handler, method or `'use cache'` function. */
export function loadsOf(ctx: FileContext, fn: ts.FunctionLikeDeclaration): ModelRead[] {
  return distinctReads(summarize(ctx, fn).filter((e): e is ModelReadEffect => e.kind === 'model-read'));
}
