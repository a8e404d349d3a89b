import type ts from 'typescript';
import { staticString } from '../context.js';
import type { FileContext } from '../context.js';
import { boundArgument } from '../env.js';
import type { Bound } from '../env.js';
import { enclosingFunction, parentOf, unwrap } from '../../ts/syntax.js';
import { testedBefore } from './entry-shapes.js';
import type { CacheFill, ModelRead, ModelRow, Range } from '../facts.js';
import { readPattern } from '../read-pattern.js';
import { isHeldModel } from '../sources/mongoose.js';
import { filterFields, objectProperty } from '../sources/operations.js';
import { isGivenModel } from '../sources/typeorm-entities.js';
import { memoTable } from '../session.js';
import { ttlSeconds } from '../ttl.js';
import { overlapsAny, readableKeys } from './keys.js';
import type { ParsedPattern } from '../../patterns/parse.js';
import type { Effect, EffectRow, EffectTtl, ModelReadEffect } from './model.js';

type CacheReadEffect = Effect & { kind: 'cache-read' };

/** Where an effect happens in the function summarised: the call there (a wrapper's call), else the library call itself. */
export function siteOf(ctx: FileContext, effect: Effect): { file: string; range: Range } {
  return effect.at ? { file: ctx.file, range: ctx.range(effect.at) } : { file: effect.ctx.file, range: effect.ctx.range(effect.node) };
}

/** The expiry of a family: the longest its fills give, when every fill says one (an unknown one may be longer, or none). */
export function familyTtl(fills: readonly { readonly ttl: number | null }[]): number | null {
  if (fills.length === 0 || fills.some((f) => f.ttl === null)) return null;
  return Math.max(...fills.map((f) => f.ttl ?? 0));
}

/**
 * Where a read's entry is written: a loading read (`wrap(key, loader, ttl)`, a wrapper given the
 * loader) fills a miss itself; a cache-aside read is filled by the fills of the same key after it.
 */
export function fillsOf(ctx: FileContext, effects: readonly Effect[], read: CacheReadEffect): CacheFill[] {
  const fills: CacheFill[] = [];
  const add = (effect: Effect, ttl: EffectTtl | null): void => {
    const where = siteOf(ctx, effect);
    if (fills.some((f) => f.file === where.file && f.range.start === where.range.start)) return;
    const isOnlyFound = effect.kind === 'cache-fill' && effect.isOnlyFound === true;
    fills.push({ ...where, ttl: ttl ? ttlSeconds(ttl) : null, ...(isOnlyFound ? { isOnlyFound } : {}) });
  };
  if (read.hasLoader) add(read, read.ttl);
  const keys = readableKeys(read.keys);
  const after = (read.at ?? read.node).getStart();
  for (const effect of effects) {
    if (effect.kind !== 'cache-fill' || !effect.isCacheAside || !overlapsAny(readableKeys(effect.keys), keys)) continue;
    const at = effect.at ?? effect.node;
    if (at.getSourceFile() === (read.at ?? read.node).getSourceFile() && at.getStart() < after) continue;
    add(effect, effect.ttl);
  }
  return fills;
}

/**
 * The model reads among effects that run inside `call`: in a function it is given (the loader), not
 * in a value its arguments compute before it runs (`saveUser(await this.defaults())`), unless the
 * call stores what it is given (`isStored`).
 */
function readsWithin(ctx: FileContext, effects: readonly Effect[], call: ts.Node, isStored: boolean): ModelReadEffect[] {
  const { ts } = ctx;
  // A read in an argument runs before the call, unless a function given there makes it.
  const inLoader = (at: ts.Node): boolean => {
    let node: ts.Node = at;
    for (let parent = parentOf(node); parent && parent !== call; parent = parentOf(node)) {
      if (ts.isFunctionLike(node)) return true;
      node = parent;
    }
    return ts.isFunctionLike(node) || !(call as ts.CallExpression).arguments.some((argument) => argument === node);
  };
  return effects.filter((e): e is ModelReadEffect => {
    const at = e.at ?? e.node;
    return (
      e.kind === 'model-read' &&
      at.getSourceFile() === call.getSourceFile() &&
      at.getStart() >= call.getStart() &&
      at.getEnd() <= call.getEnd() &&
      (isStored || !ts.isCallExpression(call) || inLoader(at))
    );
  });
}

/** The row a read or write selects, when its value is known text (`'BENCHMARKS'`, through the callers' arguments). */
export function rowOf(row: EffectRow | null): ModelRow | null {
  if (!row) return null;
  const fact = readPattern(row.value.ctx, row.value.expr, true, row.value.env);
  const tokens = fact.pattern?.tokens ?? [];
  if (!fact.pattern || fact.pattern.errors.length > 0 || tokens.length === 0) return null;
  const bytes: number[] = [];
  for (const token of tokens) {
    if (token.kind !== 'byte') return null;
    bytes.push(token.byte);
  }
  return { field: row.field, value: Buffer.from(bytes).toString('utf8') };
}

/** Whether an effect runs under an arm of a function reached through a call (an arm's place behind a call: `<call>><place>#<arm>`). */
function isOnHelperBranch(effect: Effect): boolean {
  return (effect.arms ?? []).some((arm) => arm.includes('#') && arm.includes('>'));
}

/** The reads of a loader, once per model, lookup, fields and row. */
export function distinctReads(reads: readonly ModelReadEffect[]): ModelRead[] {
  const result = new Map<string, ModelRead>();
  for (const e of reads) {
    // A base repository's read whose class no caller named, or a generic helper's whose entity no caller
    // passed, reads no model that can be told.
    if (isHeldModel(e.model) || isGivenModel(e.model)) continue;
    const read = {
      model: e.model,
      lookup: e.lookup,
      fields: e.fields,
      row: rowOf(e.row),
      ...(e.pinned ? { pinned: e.pinned } : {}),
      ...(e.hasUnreadFilter === true ? { hasUnreadFilter: true } : {}),
      ...(e.isRelated === true ? { isRelated: true } : {}),
      ...(e.via ? { via: e.via } : {}),
      ...(e.parent === undefined ? {} : { parent: e.parent }),
      ...(e.joinedBy ? { joinedBy: e.joinedBy } : {}),
      ...(isOnHelperBranch(e) ? { isOnHelperBranch: true } : {}),
    };
    result.set(JSON.stringify(read), read);
  }
  return [...result.values()];
}

type CacheFillEffect = Effect & { kind: 'cache-fill' };

/** A function's cache fills with their keys' patterns, and the keys its cache reads read under each call that reaches them. */
interface CacheIndex {
  readonly readsAt: ReadonlyMap<ts.Node, readonly ParsedPattern[]>;
  readonly fills: readonly { readonly effect: CacheFillEffect; readonly patterns: readonly ParsedPattern[] }[];
}

const CACHE_INDEXES = memoTable<readonly Effect[], CacheIndex>('cache indexes');

/** The cache index of a function's effects, made once for all its reads: a function that reaches many helpers has thousands. */
function cacheIndex(ctx: FileContext, effects: readonly Effect[]): CacheIndex {
  return ctx.session.memo(CACHE_INDEXES, effects, () => {
    const readsAt = new Map<ts.Node, ParsedPattern[]>();
    const fills: { effect: CacheFillEffect; patterns: ParsedPattern[] }[] = [];
    for (const e of effects) {
      if (e.kind === 'cache-fill') fills.push({ effect: e, patterns: readableKeys(e.keys) });
      if (e.kind !== 'cache-read' || e.at === undefined) continue;
      const patterns = readsAt.get(e.at) ?? [];
      patterns.push(...readableKeys(e.keys));
      readsAt.set(e.at, patterns);
    }
    return { readsAt, fills };
  });
}

/**
 * The model reads a cached read is loaded from: what the loader given to the read (or to the
 * wrapper that reads) reads; for a cache-aside read, what is read between the miss and the fill of
 * the same key. A read that is never filled from a model (a key-value store, a session) has none.
 */
export function loaderReads(effects: readonly Effect[], read: CacheReadEffect): ModelRead[] {
  const where = (e: Effect): ts.Node => e.at ?? e.node;
  const sameFile = (e: Effect): boolean => where(e).getSourceFile() === where(read).getSourceFile();
  const call = where(read);
  // A model read the library caches by its own options (Prisma Accelerate's `cacheStrategy`) is its loader.
  const own = effects.filter((e): e is ModelReadEffect => e.kind === 'model-read' && e.node === read.node && e.at === read.at);
  if (own.length > 0) return distinctReads(own);
  const keys = readableKeys(read.keys);
  // The loader given to the read, or to the wrapper that reads: what runs inside the call's
  // arguments, not what the wrapper itself does elsewhere. A value an argument computes before the
  // call is its loader only where the call stores it (`remember(key, await load())`), not where the
  // call only reads the key (`saveUser(await this.defaults())`).
  if (read.hasLoader || read.at !== undefined) {
    const isStored = effects.some((e) => e.kind === 'cache-fill' && e.at === call && overlapsAny(readableKeys(e.keys), keys));
    const within = readsWithin(
      read.ctx,
      effects.filter((e) => where(e) !== call),
      call,
      isStored,
    );
    // A wrapper's plain get (`userCache.get(id)`), then the model read and the wrapper's set of the
    // same key in the caller: cache-aside through the wrapper, read as below.
    if (read.hasLoader || within.length > 0) return distinctReads(within);
  }
  const { readsAt, fills } = cacheIndex(read.ctx, effects);
  // A call that reads the key too (a function that caches on its own, `taxes.ratesFor(…)`) fills its own miss,
  // not this one: what the caller reads before it is no loader.
  const readsToo = (fill: Effect): boolean => fill.at !== undefined && overlapsAny(readsAt.get(fill.at) ?? [], keys);
  const after = fills
    .filter(
      ({ effect, patterns }) =>
        effect.isCacheAside &&
        sameFile(effect) &&
        where(effect).getStart() > call.getEnd() &&
        overlapsAny(patterns, keys) &&
        !readsToo(effect),
    )
    .map(({ effect }) => effect);
  const [fill] = after;
  if (!fill) return [];
  const start = call.getEnd();
  const end = where(fill).getStart();
  const between = effects.filter(
    (e): e is ModelReadEffect => e.kind === 'model-read' && sameFile(e) && where(e).getStart() >= start && where(e).getEnd() <= end,
  );
  // Where every fill after the read stores a marker (`'1'`, `'api-key-non-existent'`), the entry keeps
  // whether the reads found a row: what their filters test and what decides the fills, none of its other fields.
  if (!after.every((f) => storesConstant(f.stored))) return distinctReads(between);
  return between.flatMap((e) => {
    const tested = markerFields(e, after);
    return distinctReads([e]).map((load) => (tested ? { ...load, readerFields: tested } : load));
  });
}

/** The fields a marker keeps of a read: those its filter names and those tested before each fill; null where one cannot be told. */
function markerFields(read: ModelReadEffect, fills: readonly Effect[]): string[] | null {
  const filter = filterFieldsOf(read);
  if (!filter) return null;
  const fields = new Set(filter);
  for (const fill of fills) {
    const at = fill.at ?? fill.node;
    const fn = enclosingFunction(read.ctx.ts, at);
    if (!fn || at.getSourceFile() !== read.ctx.sourceFile) return null;
    for (const path of testedBefore(read.ctx, fn as ts.FunctionLikeDeclaration, at, read.at ?? read.node)) {
      if (path === '*' || path.startsWith('*')) return null;
      fields.add(path.split('.')[0] ?? path);
    }
  }
  return [...fields].sort();
}

/** The fields a read's filter names (`where: { hash, revoked: false }`, through `AND`/`OR`/`NOT`), with those it pins; null where it is not written out. */
function filterFieldsOf(read: ModelReadEffect): string[] | null {
  const { ts } = read.ctx;
  const call = read.node;
  const first = ts.isCallExpression(call) && call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  const where = first && ts.isObjectLiteralExpression(first) ? objectProperty(ts, first, 'where') : null;
  const fields = where ? filterFields(ts, where) : null;
  return fields ? [...new Set([...fields.map((field) => field.split('.')[0] ?? field), ...(read.pinned ?? [])])] : null;
}

/**
 * Whether a fill stores a value written in the code (`'api-key-non-existent'`, `true`), through
 * `JSON.stringify` and the parameters it is passed by: a marker of whether a row was found.
 */
function storesConstant(given: Bound | undefined): boolean {
  const stored = given ? storedValue(given, () => false, 7) : null;
  if (!stored) return false;
  const { ctx } = stored;
  const { ts } = ctx;
  const value = unwrap(ts, stored.expr);
  const isLiteral =
    value.kind === ts.SyntaxKind.TrueKeyword || value.kind === ts.SyntaxKind.FalseKeyword || value.kind === ts.SyntaxKind.NullKeyword;
  return isLiteral || staticString(ctx, value) !== null;
}

/**
 * The value a fill stores, through `JSON.stringify` and the parameters it is passed by (a fill
 * helper's `value`), until `isFound` says a value is the one wanted, in at most `hops` steps; null
 * where a step cannot be told or the steps run out.
 */
export function storedValue(stored: Bound, isFound: (value: Bound) => boolean, hops: number): Bound | null {
  let current: Bound = stored;
  for (let depth = 0; !isFound(current); depth++) {
    const { ctx, env } = current;
    const { ts } = ctx;
    const value: ts.Expression = unwrap(ts, current.expr);
    const isText = ts.isCallExpression(value) && ctx.text(value.expression) === 'JSON.stringify';
    const next: Bound | null =
      isText && value.arguments[0]
        ? { ...current, expr: value.arguments[0] }
        : ts.isIdentifier(value)
          ? boundArgument(ctx, value, env)
          : null;
    if (!next) return current;
    if (depth >= hops) return null;
    current = next;
  }
  return current;
}
