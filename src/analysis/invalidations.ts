import type ts from 'typescript';
import type { FileContext } from './context.js';
import { invalidationsOf } from './effects/invalidation-facts.js';
import type { Effect } from './effects/model.js';
import { summarize } from './effects/summarize.js';
import type { Invalidation } from './facts.js';

/** What a walk of a handler's code found. */
export interface BodyScan {
  readonly invalidations: Invalidation[];
  /** Fills that are not part of a read (write-through): they replace the entry, in a mutation. */
  readonly writeThroughs: Invalidation[];
  /** Calls into code that cannot be seen from here (described as written). */
  readonly opaqueCalls: string[];
  /** Every effect of the code, for the handler's verdict. */
  readonly effects: readonly Effect[];
}

export const EMPTY_SCAN: BodyScan = { invalidations: [], writeThroughs: [], opaqueCalls: [], effects: [] };

/**
 * Walks the code a handler runs: its body, and the functions it calls, as far as they can be followed.
 * `handlerFile` is the file of the route (by default the body's): what is written in any other file,
 * the body's own when its function is imported into the route's file, is marked as being there.
 */
export function scanBody(ctx: FileContext, body: ts.Node, handlerFile = ctx.file): BodyScan {
  const effects = withinDepth(summarize(ctx, body), ctx.options.maxHelperDepth);
  const writeThroughs = invalidationsOf(
    effects.filter((e) => e.kind === 'cache-fill'),
    handlerFile,
    true,
  );
  // A key the code clears after reading it (a corrupt or expired entry) is part of that read: it
  // is not the handler invalidating what it changes.
  const changes = effects.filter((e) => !(e.kind === 'invalidate' && e.isSelfClearing === true));
  return {
    invalidations: invalidationsOf(changes, handlerFile, false),
    writeThroughs,
    opaqueCalls: [...new Set(effects.flatMap((e) => (e.kind === 'opaque' ? [e.description] : [])))],
    effects,
  };
}

/** Effects reached through more calls than `maxHelperDepth` allows become calls that cannot be followed. */
function withinDepth(effects: readonly Effect[], maxDepth: number): readonly Effect[] {
  if (!Number.isFinite(maxDepth) || effects.every((e) => e.through.length <= maxDepth)) return effects;
  const result: Effect[] = [];
  const cut = new Set<string>();
  for (const effect of effects) {
    if (effect.through.length <= maxDepth) {
      result.push(effect);
      continue;
    }
    const at = effect.through[maxDepth] ?? effect.name;
    if (cut.has(at)) continue;
    cut.add(at);
    result.push({ ...effect, kind: 'opaque', description: `${at} (beyond maxHelperDepth)`, through: effect.through.slice(0, maxDepth) });
  }
  return result;
}
