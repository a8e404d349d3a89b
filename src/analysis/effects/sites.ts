import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { boundArgument, boundProperty } from '../env.js';
import type { Bound, Frame } from '../env.js';
import { appendFrame } from '../env.js';
import type { Invalidation } from '../facts.js';
import { decoratorInvalidation } from '../read-pattern.js';
import { enclosingFunction, lastName, unwrap, writtenName } from '../../ts/syntax.js';
import { matchesCallName, readByName, readCall, sourceCall } from './classify.js';
import type { CallReading } from './classify.js';
import { fieldClears, handedKeys } from './handed-keys.js';
import { invalidationsOf, isInProcessDelete } from './invalidation-facts.js';
import { fromSource, namedInvalidation } from './library.js';
import type { Effect, EffectBase, Target } from './model.js';
import { settle } from './settle.js';
import { summarize } from './summarize.js';

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
  sites.push(
    ...invalidationsOf(siteEffects(ctx), ctx.file, false).map((site) => (isNamedFlush(ctx, site) ? { ...site, isNamedFlush: true } : site)),
  );
  // One order for the findings, whatever the order of the lists.
  return sites.sort((a, b) => a.range.start - b.range.start);
}

/** The names of functions written to clear a whole cache: `flush`, `flushAll`, `resetCache`, `clearAllCaches`, `invalidateAll`. */
const FLUSH_NAMES = /^(?:flush|reset|clear|purge|wipe|empty|invalidate)(?:All|Everything)?(?:Cache|Caches|Store|Storage)?$/i;

/** Whether a clear of every key (`*`, `cache.reset()`) is made in a function whose name says it clears the whole cache. */
function isNamedFlush(ctx: FileContext, site: Invalidation): boolean {
  const { ts } = ctx;
  if (site.kind !== 'pattern' || !site.patterns.some((p) => p.pattern?.source === '*')) return false;
  const call = ctx.nodes.calls.find((c) => ctx.range(c).start === site.range.start);
  const fn = call ? enclosingFunction(ts, call) : null;
  const name = fn ? writtenName(ts, fn) : null;
  return name !== null && FLUSH_NAMES.test(name.replace(/^#/, ''));
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

/** The effects of the calls written in a file, each where it is written (helpers not followed). */
function siteEffects(ctx: FileContext): Effect[] {
  const byFunction = new Map<ts.Node, Effect[]>();
  for (const call of ctx.nodes.calls) {
    const site = sourceCall(ctx, call);
    // Decorator factories called as functions (inside applyDecorators) are read as decorators.
    if (site === null || ctx.options.decorators.has(site.name)) continue;
    const base: EffectBase = { name: site.name, node: call, ctx, through: [], isConditional: false, isDeferred: false };
    const found: Effect[] = [];
    const read = (reading: CallReading<never>): void => {
      if (reading?.kind === 'library') for (const effect of reading.effects) found.push(fromSource(ctx, effect, base));
      if (reading?.kind === 'named') found.push(namedInvalidation(ctx, call, base));
      if (reading?.kind !== 'helpers') return;
      found.push(...forwardedPatterns(ctx, call, reading.targets, base));
      // A function that hands keys on clears those, in its own file (see `handedKeys`).
      const isInvalidating = (t: Target): boolean =>
        summarize(t.ctx, t.declaration).some((e) => e.kind === 'invalidate') ||
        handedKeys(t.ctx, t.declaration).length > 0 ||
        fieldClears(t.ctx, t.declaration) !== null;
      if (found.length > 0 || reading.isReadAsWritten || !matchesCallName(ctx, site.name) || reading.targets.some(isInvalidating)) return;
      read(readByName(site));
    };
    // A request to the app's own route is no invalidation written here.
    read(readCall(site, () => []));
    if (found.length === 0) continue;
    const owner = enclosingFunction(ctx.ts, call) ?? ctx.sourceFile;
    const list = byFunction.get(owner) ?? [];
    list.push(...found);
    byFunction.set(owner, list);
  }
  return [...byFunction.values()].flatMap((effects) => settle(ctx, effects));
}

/**
 * A call of a wrapper that deletes what its caller passes (`cacheService.invalidate('quotes:*')`):
 * the pattern is written here, at the argument, and is checked here.
 */
function forwardedPatterns(ctx: FileContext, call: ts.CallExpression, targets: readonly Target[], base: EffectBase): Effect[] {
  const result: Effect[] = [];
  const seen = new Set<ts.Expression>();
  for (const target of targets) {
    const frame: Frame = { fn: target.declaration, args: call.arguments, ctx, next: target.outer ?? null };
    for (const effect of summarize(target.ctx, target.declaration)) {
      if (effect.kind !== 'invalidate') continue;
      for (const key of effect.keys) {
        if (!('bound' in key)) continue;
        const origin = originOf({ ...key.bound, env: appendFrame(key.bound.env, frame) });
        if (origin.ctx !== ctx || !call.arguments.includes(origin.expr) || seen.has(origin.expr)) continue;
        seen.add(origin.expr);
        result.push({
          ...base,
          kind: 'invalidate',
          invalidationKind: effect.invalidationKind,
          keys: [{ bound: { expr: origin.expr, ctx, env: null }, isKey: key.isKey }],
          ...(isInProcessDelete(effect) ? { isInProcess: true } : {}),
        });
      }
    }
  }
  return result;
}

/** Where a bound expression's value is written: parameters followed to the arguments they were given. */
function originOf(bound: Bound): Bound {
  let current = bound;
  for (let i = 0; i < 16; i++) {
    const { ts } = current.ctx;
    const expression = unwrap(ts, current.expr);
    const next = ts.isIdentifier(expression)
      ? boundArgument(current.ctx, expression, current.env)
      : ts.isPropertyAccessExpression(expression)
        ? boundProperty(current.ctx, expression, current.env)
        : null;
    if (!next) return { ...current, expr: expression };
    current = next;
  }
  return current;
}
