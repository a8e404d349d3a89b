import type ts from 'typescript';
import { lastName } from '../ts/syntax.js';
import type { FileContext } from './context.js';
import { invalidationsOf, siteEffects, summarize } from './effects.js';
import type { Effect } from './effects.js';
import type { Invalidation } from './facts.js';
import { decoratorInvalidation } from './read-pattern.js';

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

/** Walks the code a handler runs: its body, and the functions it calls, as far as they can be followed. */
export function scanBody(ctx: FileContext, body: ts.Node): BodyScan {
  const effects = withinDepth(summarize(ctx, body), ctx.options.maxHelperDepth);
  const writeThroughs = invalidationsOf(
    effects.filter((e) => e.kind === 'cache-fill'),
    ctx.file,
    true,
  );
  return {
    invalidations: invalidationsOf(effects, ctx.file, false),
    writeThroughs,
    opaqueCalls: [...new Set(effects.flatMap((e) => (e.kind === 'opaque' ? [e.description] : [])))],
    effects,
  };
}

/**
 * Every invalidation written in the file, once, where it is written (helpers are not followed;
 * the patterns passed to a wrapper are taken where they are passed): the subject of the checks on
 * patterns themselves.
 */
export function scanSites(ctx: FileContext): Invalidation[] {
  const { ts } = ctx;
  const sites: Invalidation[] = [];
  for (const decorator of ctx.nodes.decorators) pushDecoratorSite(ctx, decorator.expression, sites);
  for (const call of ctx.nodes.calls) {
    const name = lastName(ts, call.expression);
    if (name !== null && ctx.options.decorators.has(name)) pushDecoratorSite(ctx, call, sites);
  }
  const effects = siteEffects(ctx);
  sites.push(...invalidationsOf(effects, ctx.file, false));
  // One order for the findings, whatever the order of the lists.
  return sites.sort((a, b) => a.range.start - b.range.start);
}

function pushDecoratorSite(ctx: FileContext, expression: ts.Expression, sites: Invalidation[]): void {
  const { ts } = ctx;
  const target = ts.isCallExpression(expression) ? expression.expression : expression;
  const local = lastName(ts, target);
  if (local === null) return;
  const binding = ts.isIdentifier(target) ? ctx.importOf(local) : null;
  const name = binding && binding.imported !== 'default' && binding.imported !== '*' ? binding.imported : local;
  if (!ctx.options.decorators.has(name)) return;
  sites.push(decoratorInvalidation(ctx, expression, name, []));
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
