import type { CheckInput } from '../checks.js';
import type { Invalidation, RouteHandler } from '../facts.js';
import type { AnalysisOptions } from '../options.js';
import { isFullyKnown, isReadOnlyRoute, resolvePattern } from './helpers.js';

/** A mutation with no stated exception, on a route the configuration does not call read-only. */
function isJudged(handler: RouteHandler, input: CheckInput): boolean {
  return handler.isMutation && !handler.exception && !isReadOnlyRoute(handler, input.options);
}

/**
 * How far the handler's invalidations can be read, so that a family it does not reach is known to
 * be left alone (null: not far enough to judge any). `isPartly`: it makes all those it makes in code
 * the audit follows, but it calls code the audit cannot follow (an injected interface, a module out
 * of sight), which may clear a family too: only a family it clears on another branch than a write's,
 * or one kept in a process's memory, is then reported, as a warning. `unreadable`: it deletes a key
 * that cannot be read, which may be one of any family kept under a key: only the families kept in a
 * process's memory, which nothing but a call on their owner clears, are judged, and the writes on
 * branches none of those deletes is on (`unreadable`: the deletes). `unjudged`: any other
 * invalidation that cannot be read (a call the configuration names, whose body may do anything;
 * only Next.js tags and paths, another cache, which a tag may stand for): only the writes on
 * branches none of them is on are judged. Not judged with a registry: a pattern that cannot be read
 * or any call it cannot follow.
 */
export function judgeability(input: CheckInput, handler: RouteHandler): Judgeability | null {
  const { registry, options } = input;
  if (!isJudged(handler, input)) return null;
  const isOpaque = handler.opaqueCalls.length > 0;
  if (registry) {
    const isKnown = handler.invalidations.length === 0 ? !isOpaque : isFullyKnown(handler, registry);
    return isKnown ? { isPartly: false, unreadable: [], unjudged: [] } : null;
  }
  const hasDeclared = handler.invalidations.some((i) => i.via !== 'call');
  // Next.js tags are read too: they clear the tags of `'use cache'` and `unstable_cache` families.
  const unreadable = handler.invalidations.filter(
    (i) =>
      !(i.kind === 'pattern' || i.kind === 'key' || i.kind === 'tag') ||
      i.patterns.length === 0 ||
      i.patterns.some((p) => resolvePattern(p, null) === null),
  );
  return {
    isPartly: isOpaque && !hasDeclared,
    unreadable: unreadable.filter((i) => isUnreadDelete(i, options)),
    unjudged: unreadable.filter((i) => !isUnreadDelete(i, options)),
  };
}

export interface Judgeability {
  readonly isPartly: boolean;
  /** The deletes of keys that cannot be read (see `judgeability`). */
  readonly unreadable: readonly Invalidation[];
  /** The other invalidations that cannot be read, which may clear anything on their paths (see `judgeability`). */
  readonly unjudged: readonly Invalidation[];
}

/**
 * A delete the code makes of a key that cannot be read (`cache.delete(key)` of a key from a loop),
 * not a decorator or a call the configuration names as invalidating (whose body may do anything):
 * a delete of a key, which reaches no family kept in memory by an object of its own.
 */
function isUnreadDelete(invalidation: Invalidation, options: AnalysisOptions): boolean {
  const isNamed = options.callNames.has(invalidation.name) || options.callGlobs.some((glob) => glob.test(invalidation.name));
  return (
    invalidation.via === 'call' &&
    !isNamed &&
    (invalidation.kind === 'pattern' || invalidation.kind === 'key') &&
    invalidation.patterns.length > 0
  );
}
