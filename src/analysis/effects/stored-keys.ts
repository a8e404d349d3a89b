import type ts from 'typescript';
import { cachedMethods } from '../cached-methods.js';
import type { FileContext } from '../context.js';
import type { Bound } from '../env.js';
import type { StoredKey } from '../facts.js';
import { readPattern } from '../read-pattern.js';
import { enclosingFunction } from '../../ts/syntax.js';
import { summarize } from './summarize.js';

/**
 * The keys this file's functions read, fill or keep in Redis (locks, counters, sessions), as the
 * function that names them sees them: a wrapper's own key parameter is left to its callers, whose
 * summaries hold it bound to their arguments. A key that cannot be read is kept as its text.
 */
export function storedKeys(ctx: FileContext): StoredKey[] {
  const result = new Map<string, StoredKey>();
  const add = (key: Bound, isKey: boolean, isOwnParameterSkipped: boolean, prefix?: string): void => {
    const fact = readPattern(key.ctx, key.expr, isKey, key.env, prefix);
    // `set(key, value)` in a wrapper: its callers say the key.
    if (isOwnParameterSkipped && fact.forwardedBy !== null && key.env === null) return;
    const pattern = fact.pattern && fact.pattern.errors.length === 0 ? fact.pattern : null;
    result.set(pattern === null ? `\u0000${fact.text}` : pattern.source, { pattern, text: fact.text });
  };
  const owners = new Set<ts.Node>();
  for (const call of ctx.nodes.calls) {
    const owner = enclosingFunction(ctx.ts, call);
    if (owner) owners.add(owner);
  }
  for (const owner of owners) {
    for (const effect of summarize(ctx, owner)) {
      if (effect.kind !== 'cache-read' && effect.kind !== 'cache-fill' && effect.kind !== 'redis-other') continue;
      for (const key of effect.keys) if ('bound' in key) add(key.bound, key.isKey, true, key.prefix);
      // The tags a read gives its entry (BentoCache's `getOrSet({ key, tags })`) are kept too: a delete by tag clears them.
      if (effect.kind === 'cache-read')
        for (const tag of effect.tags ?? []) if ('bound' in tag) add(tag.bound, tag.isKey, true, tag.prefix);
    }
  }
  for (const { key } of cachedMethods(ctx)) add(key, true, false);
  return [...result.values()];
}
