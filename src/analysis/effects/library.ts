import type ts from 'typescript';
import { constantInitializer, staticString } from '../context.js';
import type { CascadeSchema } from '../prisma-schema.js';
import type { FileContext } from '../context.js';
import { returnedExpression } from '../factories.js';
import { runsOnlyWith } from '../../ts/guards.js';
import { lastName, propertyNameText, unwrap } from '../../ts/syntax.js';
import { SOURCES } from '../sources/index.js';
import { readLookup, rowSelector, writeChange } from '../sources/operations.js';
import type { CallEffect, KeyArgument, SourceCall, TtlArgument } from '../sources/source.js';
import { memoTable } from '../session.js';
import type { MemoTable } from '../session.js';
import type { Effect, EffectBase, EffectKey, EffectTtl } from './model.js';
import { isFreshToken } from './rotation.js';

/**
 * What the library sources say of a call: the effects the first source that recognises it gives,
 * or null. `stage` picks the sources asked before the project's own functions are followed
 * (`precedesHelpers`), those asked after, or all of them in order.
 */
export function libraryEffects(site: SourceCall, stage: Stage = 'all'): readonly CallEffect[] | null {
  return site.ctx.session.memoPair(SOURCE_EFFECTS[stage], site.ctx, site.call, () => sourceEffects(site, stage));
}

type Stage = 'before-helpers' | 'after-helpers' | 'all';

/** What the sources of each stage say of a call, by file and call: a call is read by every summary that reaches it, and by its file's sites. */
const SOURCE_EFFECTS: Record<Stage, MemoTable<FileContext, WeakMap<ts.CallExpression, readonly CallEffect[] | null>>> = {
  'before-helpers': memoTable('source effects before helpers'),
  'after-helpers': memoTable('source effects after helpers'),
  all: memoTable('source effects'),
};

function sourceEffects(site: SourceCall, stage: Stage): readonly CallEffect[] | null {
  for (const source of SOURCES) {
    if (stage !== 'all' && (stage === 'before-helpers') !== (source.precedesHelpers === true)) continue;
    const classified = source.classify(site);
    if (classified) return withCascades(site.ctx, classified, source.id === 'prisma' ? 'prisma' : 'code');
  }
  return null;
}

/**
 * A source's effects with the deletes the database makes with each delete they hold (the schema's
 * cascading relations: a Prisma `onDelete: Cascade`, a Knex, Drizzle, TypeORM or Sequelize
 * `onDelete: 'CASCADE'`). Those are writes of the other models too, which fire none of the ORM's
 * hooks: the database makes them.
 */
function withCascades(ctx: FileContext, effects: readonly CallEffect[], schema: CascadeSchema): readonly CallEffect[] {
  const cascades = (effect: CallEffect): CallEffect[] => {
    if (effect.kind !== 'model-write' || effect.cascade || writeChange(effect.operation) !== 'delete') return [];
    return (ctx.resolver?.cascadesOf?.(effect.model, schema) ?? []).map((cascade) => ({
      kind: 'model-write',
      model: cascade.model,
      operation: effect.operation,
      events: [],
      cascade: cascade.chain,
    }));
  };
  const added = effects.flatMap(cascades);
  return added.length === 0 ? effects : [...effects, ...added];
}

/** What the sources say of a tagged template that runs where it stands (see `Source.classifyTemplate`). */
export function templateEffects(ctx: FileContext, template: ts.TaggedTemplateExpression): readonly CallEffect[] | null {
  for (const source of SOURCES) {
    const classified = source.classifyTemplate?.(ctx, template) ?? null;
    if (classified) return withCascades(ctx, classified, 'code');
  }
  return null;
}

/** The properties of an options object that name what an invalidation clears (`invalidateByKey({ key })`). */
const KEY_PROPERTIES = new Set(['key', 'keys', 'pattern', 'patterns', 'tag', 'tags']);

/**
 * A call named like an invalidation (`invalidate*`, `deletePattern`): its arguments are the
 * patterns, or, for an options object, its `key`, `keys`, `pattern` or `tags` property.
 */
export function namedInvalidation(ctx: FileContext, call: ts.CallExpression, base: EffectBase): Effect {
  const { ts } = ctx;
  const expressions = call.arguments.flatMap((argument) => {
    const value = unwrap(ts, argument);
    if (!ts.isObjectLiteralExpression(value)) return [argument];
    return value.properties.flatMap((property) => {
      const key = property.name ? propertyNameText(ts, property.name) : null;
      if (key === null || !KEY_PROPERTIES.has(key)) return [];
      if (ts.isPropertyAssignment(property)) return [property.initializer];
      return ts.isShorthandPropertyAssignment(property) ? [property.name] : [];
    });
  });
  return {
    ...base,
    kind: 'invalidate',
    invalidationKind: 'pattern',
    keys: expressions.map((expr) => ({ bound: { expr, ctx, env: null }, isKey: false })),
  };
}

/**
 * A key argument as the effect model holds it: the expression where it is written, or, through a
 * keyed cache's builder, what the builder returns with its parameter bound to the argument.
 */
function effectKey(ctx: FileContext, key: Extract<KeyArgument, { expr: ts.Expression }>): EffectKey {
  const builder = key.builder;
  const returned = builder?.fn.body ? returnedExpression(ctx.ts, builder.fn.body) : null;
  if (!builder || !returned) return { bound: { expr: key.expr, ctx, env: null }, isKey: key.isKey };
  return { bound: { expr: returned, ctx: builder.ctx, env: { fn: builder.fn, args: [key.expr], ctx, next: null } }, isKey: key.isKey };
}

/** An effect a library source gives, as the effect model holds it (its expressions read where they are written). */
export function fromSource(ctx: FileContext, effect: CallEffect, base: EffectBase): Effect {
  const keysOf = (keys: readonly KeyArgument[]): EffectKey[] =>
    keys.map((key) => (!('expr' in key) ? key : { ...effectKey(ctx, key), ...(key.prefix ? { prefix: key.prefix } : {}) }));
  const ttlOf = (ttl: TtlArgument | undefined): EffectTtl | null =>
    ttl ? { bound: { expr: ttl.expr, ctx, env: null }, unit: ttl.unit } : null;
  switch (effect.kind) {
    case 'invalidate':
      return {
        ...base,
        kind: 'invalidate',
        invalidationKind: effect.invalidationKind,
        keys: keysOf(effect.keys),
        ...(effect.client ? { client: effect.client } : {}),
      };
    case 'cache-read': {
      const tags = effect.tags && effect.tags.length > 0 ? { tags: keysOf(effect.tags) } : {};
      const clearedBy = effect.clearedBy ? { clearedBy: effect.clearedBy } : {};
      const loadedBy = effect.loadedBy ? { loadedBy: effect.loadedBy } : {};
      const isLocal = effect.isLocal === true ? { isLocal: true } : {};
      const valueIn = effect.valueIn !== undefined ? { valueIn: effect.valueIn } : {};
      return {
        ...base,
        kind: 'cache-read',
        keys: keysOf(effect.keys),
        hasLoader: effect.loader !== null || effect.loadedBy !== undefined,
        ...loadedBy,
        ...isLocal,
        ...valueIn,
        ttl: ttlOf(effect.ttl),
        ...tags,
        ...clearedBy,
      };
    }
    case 'cache-fill': {
      const isFreshValue = effect.value !== undefined && isFreshToken(ctx, effect.value);
      const isOnlyFound = effect.value !== undefined && storesOnlyFound(ctx.ts, effect.value);
      const fill = { ...base, kind: 'cache-fill' as const, keys: keysOf(effect.keys), isCacheAside: false, isWriteThrough: false };
      const stored = effect.value === undefined ? {} : { stored: { expr: effect.value, ctx, env: null } };
      return {
        ...fill,
        ttl: ttlOf(effect.ttl),
        ...(isFreshValue ? { isFreshValue } : {}),
        ...(isOnlyFound ? { isOnlyFound } : {}),
        ...stored,
      };
    }
    case 'redis-other':
      return { ...base, kind: 'redis-other', role: effect.role, keys: keysOf(effect.keys) };
    case 'key-scan':
      return { ...base, kind: 'key-scan', keys: keysOf(effect.keys) };
    case 'model-read':
    case 'model-write':
      return modelEffect(ctx, effect, base);
    case 'emit':
      return { ...base, kind: 'emit', target: staticString(ctx, effect.event) ?? ctx.text(effect.event) };
    case 'enqueue':
      return { ...base, kind: 'enqueue', target: `${effect.queue ?? '?'}:${effect.job ?? '*'}` };
  }
}

function modelEffect(ctx: FileContext, effect: CallEffect & { kind: 'model-read' | 'model-write' }, base: EffectBase): Effect {
  const call = ctx.ts.isCallExpression(base.node) ? base.node : null;
  // The rows a cascade deletes are those of the deleted parent: the call's filter names none of them.
  if (effect.kind === 'model-write' && effect.cascade) {
    const { model, operation, cascade } = effect;
    return { ...base, kind: 'model-write', model, operation, fields: null, row: null, change: 'delete', cascade };
  }
  const selected = call ? rowSelector(ctx.ts, call, effect.operation) : null;
  const row = selected ? { field: selected.field, value: { expr: selected.expr, ctx, env: null } } : null;
  const given = effect.given ? { given: { expr: effect.given, ctx, env: null } } : {};
  const common = { ...base, model: effect.model, operation: effect.operation, fields: effect.fields ?? null, row, ...given };
  if (effect.kind === 'model-write') {
    const update = effect.update ? { update: { expr: effect.update, ctx, env: null } } : {};
    const created = effect.created ? { created: { expr: effect.created, ctx, env: null } } : {};
    const relation = effect.relation === undefined ? {} : { relation: effect.relation };
    return { ...common, kind: 'model-write', change: writeChange(effect.operation), ...update, ...created, ...relation };
  }
  const pinned = call ? pinnedFields(ctx, call) : [];
  return {
    ...common,
    kind: 'model-read',
    lookup: effect.lookup ?? readLookup(ctx.ts, call, effect.operation),
    ...(pinned.length > 0 ? { pinned } : {}),
    ...(effect.hasUnreadFilter === true ? { hasUnreadFilter: true } : {}),
    ...(effect.isRelated === true ? { isRelated: true } : {}),
    ...(effect.via ? { via: effect.via } : {}),
    ...(effect.parent === undefined ? {} : { parent: effect.parent, ...joinedBy(ctx, effect.model, effect.parent) }),
  };
}

/** The fields by which a row joins the list of a parent a read loads it under, where the project's schema says them. */
function joinedBy(ctx: FileContext, model: string, parent: string): { joinedBy?: readonly string[] } {
  const keys = ctx.resolver?.joinKeysOf?.(model, parent) ?? null;
  return keys === null || keys.length === 0 ? {} : { joinedBy: keys };
}

/**
 * The fields a read's filter holds to a value written in the code: the filter object (Prisma's
 * `where`, the first argument of Mongoose and TypeORM finds, or a `const` of the function that
 * holds it) and its properties whose value is a literal (`isBlueprint: true`, `status: 'live'`).
 */
function pinnedFields(ctx: FileContext, call: ts.CallExpression): string[] {
  const { ts } = ctx;
  const objectOf = (expression: ts.Expression | undefined): ts.ObjectLiteralExpression | null => {
    if (!expression) return null;
    const node = unwrap(ts, expression);
    if (ts.isObjectLiteralExpression(node)) return node;
    const init = ts.isIdentifier(node) ? constantInitializer(ctx, node) : null;
    const value = init ? unwrap(ts, init) : null;
    return value && ts.isObjectLiteralExpression(value) ? value : null;
  };
  const first = objectOf(call.arguments[0]);
  if (!first) return [];
  const where = first.properties.find((p) => p.name !== undefined && propertyNameText(ts, p.name) === 'where');
  const filter = where && ts.isPropertyAssignment(where) ? objectOf(where.initializer) : first;
  if (!filter) return [];
  const pinned: string[] = [];
  for (const property of filter.properties) {
    if (!ts.isPropertyAssignment(property)) continue;
    const value = unwrap(ts, property.initializer);
    const isLiteral =
      ts.isStringLiteral(value) ||
      ts.isNumericLiteral(value) ||
      value.kind === ts.SyntaxKind.TrueKeyword ||
      value.kind === ts.SyntaxKind.FalseKeyword;
    const name = propertyNameText(ts, property.name);
    if (isLiteral && name !== null) pinned.push(name);
  }
  return pinned;
}

/** Whether a fill's value, as found or serialised (`JSON.stringify(link)`), is stored only where it holds one (`if (link) …`). */
function storesOnlyFound(ts: FileContext['ts'], value: ts.Expression): boolean {
  const bare = unwrap(ts, value);
  const first = ts.isCallExpression(bare) && SERIALISERS.has(lastName(ts, bare.expression) ?? '') ? bare.arguments[0] : undefined;
  const stored = first ? unwrap(ts, first) : bare;
  return ts.isIdentifier(stored) && runsOnlyWith(ts, value, stored.text);
}

const SERIALISERS = new Set(['stringify', 'serialize', 'encode', 'pack']);
