import type ts from 'typescript';
import type { FileContext } from '../context.js';
import type { CacheFamily } from '../facts.js';
import { ttlSeconds } from '../ttl.js';
import { enclosingFunction, lastName } from '../../ts/syntax.js';
import { isStateKey, isStateWord, readableKeys } from './keys.js';
import { familyTtl, siteOf } from './loaders.js';
import type { Effect } from './model.js';
import { summarize } from './summarize.js';
import { isGivenModel } from '../sources/typeorm-entities.js';

const SETS = /^(m|h|p)?set/i;

/**
 * The families a mutation fills with what it has just written: a write-through fill (of a key read
 * elsewhere as a cache) after a write of a model in the same function (on a branch of a helper it
 * calls is too far to tell). The family holds that model's row (a point lookup: a create of
 * another row changes nothing of it). `readers`: the functions already read as cache readers.
 */
export function projections(ctx: FileContext, readers: ReadonlySet<ts.Node>): CacheFamily[] {
  const { ts } = ctx;
  const families: CacheFamily[] = [];
  const seen = new Set<ts.Node>(readers);
  // A function that sets something, itself or through a helper named for it (`setDomainRedirectUrl(…)`).
  for (const call of ctx.nodes.calls) {
    const name = lastName(ts, call.expression);
    if (name === null || !SETS.test(name)) continue;
    const owner = enclosingFunction(ts, call);
    if (!owner || seen.has(owner)) continue;
    seen.add(owner);
    const effects = summarize(ctx, owner);
    for (const fill of effects) {
      if (fill.kind === 'cache-fill' && fill.isWriteThrough) families.push(...projectionsOf(ctx, effects, fill));
    }
  }
  return families;
}

/** The families of one write-through fill: its keys, holding the models written before it in the same function. */
function projectionsOf(ctx: FileContext, effects: readonly Effect[], fill: Effect & { kind: 'cache-fill' }): CacheFamily[] {
  const at = (fill.at ?? fill.node).getStart();
  const written = effects.filter(
    (e): e is Effect & { kind: 'model-write' } =>
      e.kind === 'model-write' &&
      (e.through.length === 0 || !e.isConditional) &&
      (e.at ?? e.node).getSourceFile() === (fill.at ?? fill.node).getSourceFile() &&
      (e.at ?? e.node).getStart() < at,
  );
  // A token, a session or a one-time code written beside the key is state handed over, not data copied;
  // a generic helper's entity that no caller passed is no model that can be told.
  const models = [...new Set(written.map((w) => w.model))].filter((model) => !isStateWord(model) && !isGivenModel(model));
  if (models.length === 0) return [];
  const loads = models.map((model) => ({ model, lookup: 'point' as const, fields: null, row: null }));
  const where = siteOf(ctx, fill);
  const fills = [{ ...where, ttl: fill.ttl ? ttlSeconds(fill.ttl) : null }];
  const families: CacheFamily[] = [];
  for (const key of readableKeys(fill.keys)) {
    if (isStateKey(key) || !/[a-z]{2}/i.test(key.source.replace(/\{[^}]*\}/g, ''))) continue;
    families.push({ key: key.source, models, loads, ...where, ttl: familyTtl(fills), fills, isProjection: true });
  }
  return families;
}
