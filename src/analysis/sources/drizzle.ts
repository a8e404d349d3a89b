import type ts from 'typescript';
import { staticString } from '../context.js';
import { lastName, parentOf, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import { constructed, declarationOf, modelName, propertyValue } from './declarations.js';
import type { CallEffect, KeyArgument, Source } from './source.js';

/** The functions that declare a Drizzle table (`pgTable('users', …)`). */
export const TABLE_FACTORIES = /^(pg|mysql|sqlite|singlestore|gel)Table$|^table$/;
const WRITES = new Set(['insert', 'update', 'delete']);
const SELECTS = new Set(['select', 'selectDistinct', 'selectDistinctOn']);
const QUERY_READS = new Set(['findMany', 'findFirst']);

function importsDrizzle(ctx: FileContext): boolean {
  return ctx.importsModule((m) => m === 'drizzle-orm' || m.startsWith('drizzle-orm/'));
}

/** A Drizzle table: a constant made by `pgTable(…)` (here or imported), or, unread, a name imported from a schema module. */
function tableName(ctx: FileContext, argument: ts.Expression | undefined): string | null {
  if (!argument) return null;
  const { ts } = ctx;
  const expression = unwrap(ts, argument);
  if (!ts.isIdentifier(expression)) return null;
  const declared = declarationOf(ctx, expression);
  if (declared) {
    const made = declared.initializer ? constructed(ts, declared.initializer) : null;
    return made && TABLE_FACTORIES.test(made.name) ? modelName(expression.text) : null;
  }
  // Imported from a schema module that cannot be read here (no resolver): the module's name says it.
  const binding = ctx.importOf(expression.text);
  return binding && importsDrizzle(ctx) && /schema|tables?\b|\bdb\b/i.test(binding.module) ? modelName(expression.text) : null;
}

/**
 * The name a table is stored under, as Drizzle's cache names it: the first argument of
 * `pgTable('quotes', …)` for a table's variable, the text of a string (`tables: 'quotes'`); the
 * variable's name where its declaration cannot be read.
 */
function storedName(ctx: FileContext, argument: ts.Expression): string | null {
  const { ts } = ctx;
  const expression = unwrap(ts, argument);
  if (!ts.isIdentifier(expression)) return staticString(ctx, expression);
  const declared = declarationOf(ctx, expression);
  const made = declared?.initializer ? constructed(ts, declared.initializer) : null;
  const name =
    made && TABLE_FACTORIES.test(made.name) && made.call.arguments?.[0] ? staticString(declared?.ctx ?? ctx, made.call.arguments[0]) : null;
  return name ?? (tableName(ctx, expression) === null ? null : expression.text);
}

/** The elements of a value that may be one item or an array of them (`tables: quotes`, `tags: ['a', 'b']`). */
function items(ts: FileContext['ts'], value: ts.Expression | null): ts.Expression[] {
  if (!value) return [];
  const bare = unwrap(ts, value);
  return ts.isArrayLiteralExpression(bare) ? bare.elements.filter((e) => !ts.isSpreadElement(e)) : [bare];
}

/** The tables a select chain reads (`from(quotes)`, `innerJoin(clients, …)`), by their stored names. */
function tablesRead(ctx: FileContext, chain: ts.Expression): string[] {
  const { ts } = ctx;
  const names: string[] = [];
  for (let current = unwrap(ts, chain); ts.isCallExpression(current);) {
    const callee = unwrap(ts, current.expression);
    if (!ts.isPropertyAccessExpression(callee)) break;
    const method = callee.name.text;
    if ((method === 'from' || /Join$/.test(method)) && current.arguments[0]) {
      const name = storedName(ctx, current.arguments[0]);
      if (name !== null) names.unshift(name);
    }
    current = unwrap(ts, callee.expression);
  }
  return names;
}

/**
 * `….$withCache({ tag, config: { ex }, autoInvalidate })` on a select: a read Drizzle's cache keeps
 * under its tag (else under its query, named here by its first table), loaded by the select itself,
 * `ex` its expiry in seconds. With `autoInvalidate` (the default) a write through Drizzle of a table
 * it reads clears it, as does `$cache.invalidate({ tables })`; without, only its tag does, and
 * one with no tag only expires: no family.
 */
function cachedSelect(ctx: FileContext, call: ts.CallExpression, receiver: ts.Expression): CallEffect[] | null {
  const { ts } = ctx;
  const root = chainRoot(ts, receiver);
  if (!root || !SELECTS.has(lastName(ts, root.expression) ?? '')) return null;
  const first = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  if (first && first.kind === ts.SyntaxKind.FalseKeyword) return [];
  const options = first && ts.isObjectLiteralExpression(first) ? first : null;
  const tag = options ? propertyValue(ts, options, 'tag') : null;
  const auto = options ? propertyValue(ts, options, 'autoInvalidate') : null;
  const isAuto = !auto || unwrap(ts, auto).kind !== ts.SyntaxKind.FalseKeyword;
  const tables = isAuto ? tablesRead(ctx, receiver).map((literal): KeyArgument => ({ literal })) : [];
  const key: KeyArgument[] = tag ? [{ expr: tag, isKey: true }] : tables.slice(0, 1);
  if (key.length === 0) return [];
  const config = options ? propertyValue(ts, options, 'config') : null;
  const bare = config ? unwrap(ts, config) : null;
  const ex = bare && ts.isObjectLiteralExpression(bare) ? propertyValue(ts, bare, 'ex') : null;
  const tagText = tag ? staticString(ctx, tag) : null;
  const named = tag ? `tags: [${tagText === null ? ctx.text(tag) : `'${tagText}'`}]` : `tables: ['${tablesRead(ctx, receiver)[0] ?? ''}']`;
  const clearedBy = `${ctx.text(chainStart(ts, receiver))}.$cache.invalidate({ ${named} })`;
  const ttl = ex ? { ttl: { expr: ex, unit: 'seconds' as const } } : {};
  return [{ kind: 'cache-read', keys: key, loader: receiver, ...ttl, tags: tables, clearedBy }];
}

/** `db.$cache.invalidate({ tables, tags })`: the tables' cached queries and the tagged ones. */
function cacheInvalidation(ctx: FileContext, callee: ts.Expression, call: ts.CallExpression): CallEffect[] | null {
  const { ts } = ctx;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'invalidate') return null;
  const cache = unwrap(ts, callee.expression);
  if (!ts.isPropertyAccessExpression(cache) || cache.name.text !== '$cache') return null;
  const options = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  if (!options || !ts.isObjectLiteralExpression(options)) return [{ kind: 'invalidate', invalidationKind: 'tag', keys: [] }];
  const tables = items(ts, propertyValue(ts, options, 'tables')).map((t) => storedName(ctx, t));
  const tags = items(ts, propertyValue(ts, options, 'tags')).map((expr): KeyArgument => ({ expr, isKey: true }));
  // A table that cannot be named leaves what it clears unknown.
  const keys = tables.includes(null) ? [] : [...tables.map((literal): KeyArgument => ({ literal: literal ?? '' })), ...tags];
  return [{ kind: 'invalidate', invalidationKind: 'tag', keys }];
}

/** Whether a write goes through a transaction (`db.transaction(async (tx) => tx.update(…))`): Drizzle's cache is not told of it. */
function isInTransaction(ctx: FileContext, receiver: ts.Expression): boolean {
  const { ts } = ctx;
  const owner = declarationOf(ctx, chainStart(ts, receiver), false)?.parameterOf;
  return (
    owner !== undefined && owner !== null && ts.isCallExpression(owner.parent) && lastName(ts, owner.parent.expression) === 'transaction'
  );
}

/** The receiver a chain starts from (`tx` of `tx.update(quotes).set(…)`). */
function chainStart(ts: FileContext['ts'], expression: ts.Expression): ts.Expression {
  let current = unwrap(ts, expression);
  while (ts.isCallExpression(current) || ts.isPropertyAccessExpression(current)) {
    const next = ts.isCallExpression(current) ? current.expression : current.expression;
    if (ts.isPropertyAccessExpression(current) && unwrap(ts, current.expression).kind === ts.SyntaxKind.ThisKeyword) break;
    current = unwrap(ts, next);
  }
  return current;
}

/** Whether a write is one of a batch (`db.batch([db.update(quotes)…, …])`): Drizzle's cache is not told of it. */
function isInBatch(ctx: FileContext, call: ts.CallExpression): boolean {
  const { ts } = ctx;
  for (let node = parentOf(call); node && !ts.isFunctionLike(node); node = parentOf(node)) {
    if (ts.isCallExpression(node) && lastName(ts, node.expression) === 'batch') return true;
  }
  return false;
}

/** Whether the database is known to have no cache: made here by `drizzle(…)` with no `cache` option. */
function isUncached(ctx: FileContext, receiver: ts.Expression): boolean {
  const { ts } = ctx;
  const declared = declarationOf(ctx, chainStart(ts, receiver));
  const made = declared?.initializer ? constructed(ts, declared.initializer) : null;
  if (made?.name !== 'drizzle') return false;
  return !(made.call.arguments ?? []).some((a) => {
    const bare = unwrap(ts, a);
    return ts.isObjectLiteralExpression(bare) && propertyValue(ts, bare, 'cache') !== null;
  });
}

/**
 * A write through Drizzle: with a cache, Drizzle clears the cached queries of the table it writes,
 * except for a write in a transaction or a batch (and raw SQL, which is no model write here).
 */
function write(ctx: FileContext, call: ts.CallExpression, receiver: ts.Expression, name: string, model: string): CallEffect[] {
  const effects: CallEffect[] = [{ kind: 'model-write', model, operation: name, events: [] }];
  const table = call.arguments[0] ? storedName(ctx, call.arguments[0]) : null;
  if (table === null || isInTransaction(ctx, receiver) || isInBatch(ctx, call) || isUncached(ctx, receiver)) return effects;
  return [...effects, { kind: 'invalidate', invalidationKind: 'tag', keys: [{ literal: table }] }];
}

/**
 * Drizzle: `db.select().from(websites)`, `db.insert(websites)`, `db.update(websites)`,
 * `db.delete(websites)`, `db.query.websites.findMany()`. The model is the table's variable in
 * the class-name form (`websites` → `Websites`). Drizzle has no lifecycle hooks.
 */
export const drizzle: Source = {
  id: 'drizzle',
  precedesHelpers: true,
  libraries: [{ modules: /^drizzle-orm\/cache(\/|$)/ }],
  cacheText: /\$withCache|\$cache\b/,
  classify({ ctx, call, callee, name, receiver }) {
    const { ts } = ctx;
    if (!receiver) return null;
    if (WRITES.has(name)) {
      const model = tableName(ctx, call.arguments[0]);
      return model && call.arguments.length === 1 ? write(ctx, call, receiver, name, model) : null;
    }
    if (name === '$withCache' && ts.isCallExpression(unwrap(ts, receiver))) return cachedSelect(ctx, call, receiver);
    const invalidation = cacheInvalidation(ctx, callee, call);
    if (invalidation) return invalidation;
    if (name === 'from' && ts.isCallExpression(unwrap(ts, receiver))) {
      const root = chainRoot(ts, receiver);
      const model = root && SELECTS.has(lastName(ts, root.expression) ?? '') ? tableName(ctx, call.arguments[0]) : null;
      return model ? [{ kind: 'model-read', model, operation: 'select' }] : null;
    }
    // db.query.websites.findMany()
    if (QUERY_READS.has(name) && ts.isPropertyAccessExpression(callee)) {
      const table = unwrap(ts, callee.expression);
      if (ts.isPropertyAccessExpression(table) && lastName(ts, table.expression) === 'query' && importsDrizzle(ctx)) {
        return [{ kind: 'model-read', model: modelName(table.name.text), operation: name }];
      }
    }
    return null;
  },
  isCachedRead: (ts, call) => ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === '$withCache',
};

/** Calls chained before a call: `db.select().from(t).where(…)` → the `select()` call for `from`. */
function chainRoot(ts: TS, expression: ts.Expression): ts.CallExpression | null {
  let current = unwrap(ts, expression);
  let last: ts.CallExpression | null = null;
  while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(unwrap(ts, current.expression))) {
    last = current;
    current = unwrap(ts, (unwrap(ts, current.expression) as ts.PropertyAccessExpression).expression);
  }
  return last;
}
