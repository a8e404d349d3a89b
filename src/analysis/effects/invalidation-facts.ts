import type { Invalidation, InvalidationKind, PatternFact } from '../facts.js';
import { readPattern } from '../read-pattern.js';
import { unwrap } from '../../ts/syntax.js';
import { isInProcessStore } from '../sources/clients.js';
import { keyFact } from './keys.js';
import type { Effect, EffectKey } from './model.js';

/** The invalidations among effects, as facts for the checks; `rootFile` is the handler's file. */
export function invalidationsOf(effects: readonly Effect[], rootFile: string, withWriteThrough: boolean): Invalidation[] {
  const result: Invalidation[] = [];
  for (const effect of effects) {
    const isWriteThrough = effect.kind === 'cache-fill' && effect.isWriteThrough && withWriteThrough;
    if (effect.kind !== 'invalidate' && !isWriteThrough) continue;
    const keys = 'keys' in effect ? effect.keys : [];
    const kind: InvalidationKind = effect.kind === 'invalidate' ? effect.invalidationKind : 'key';
    result.push({
      via: 'call',
      name: effect.name,
      kind,
      patterns: kind === 'path' ? [] : keys.flatMap((key) => patternFacts(key, effect)),
      isConditional: effect.isConditional,
      isDeferred: effect.isDeferred,
      ...(effect.kind === 'invalidate' && effect.client ? { client: effect.client } : {}),
      ...(effect.kind === 'invalidate' && isInProcessDelete(effect) ? { isInProcess: true } : {}),
      range: effect.ctx.range(effect.node),
      through: effect.through,
      file: effect.ctx.file === rootFile ? null : effect.ctx.file,
      ...(effect.arms && effect.arms.length > 0 ? { arms: effect.arms } : {}),
    });
  }
  return result;
}

/** Whether an invalidation deletes from a collection of the process: its call's receiver, or the wrapper's it passes the key to. */
export function isInProcessDelete(effect: Effect & { kind: 'invalidate' }): boolean {
  if (effect.isInProcess === true) return true;
  const { ts } = effect.ctx;
  const call = effect.node;
  return (
    ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && isInProcessStore(effect.ctx, call.expression.expression)
  );
}

/** The facts of one key argument: a pattern, or each element of an array of patterns. */
function patternFacts(key: EffectKey, effect: Effect): PatternFact[] {
  if (!('bound' in key)) return [keyFact(key, effect.node, effect.ctx)];
  const { ts } = key.bound.ctx;
  const expression = unwrap(ts, key.bound.expr);
  if (ts.isArrayLiteralExpression(expression)) {
    return expression.elements
      .filter((e) => !ts.isSpreadElement(e))
      .map((element) => readPattern(key.bound.ctx, element, key.isKey, key.bound.env, key.prefix));
  }
  if (ts.isObjectLiteralExpression(expression) || ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) return [];
  if (ts.isNumericLiteral(expression)) return [];
  return [keyFact(key, effect.node, effect.ctx)];
}
