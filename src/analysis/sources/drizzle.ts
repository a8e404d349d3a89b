import type ts from 'typescript';
import { staticString } from '../context.js';
import { lastName, parentOf, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import { memoTable } from '../session.js';
import { constructed, declarationOf, modelName, propertyValue } from './declarations.js';
import { isIdField } from './operations.js';
import type { CallEffect, KeyArgument, ModelRelation, RelationTarget, Source } from './source.js';

/** The functions that declare a Drizzle table (`pgTable('users', …)`). */
export const TABLE_FACTORIES = /^(pg|mysql|sqlite|singlestore|gel)Table$|^table$/;
const WRITES = new Set(['insert', 'update', 'delete']);
const SELECTS = new Set(['select', 'selectDistinct', 'selectDistinctOn']);
const QUERY_READS = new Set(['findMany', 'findFirst']);

const DRIZZLE_MODULES = /^drizzle-orm(\/|$)/;
/** Files that declare relations between tables (`relations(keys, ({ one, many }) => …)`). */
const RELATIONS_MARKER = /\brelations\s*\(/;
/** Modules whose names say they hold the tables (`./schema`, `@/db/tables`, `@unkey/db`). */
const SCHEMA_MODULES = /schema|tables?\b|\bdb\b/i;

/** Per file: whether it imports Drizzle, itself or through a module of the project that passes its exports on. */
const IMPORTS_DRIZZLE = memoTable<FileContext, boolean>('imports drizzle');

/** Whether a file imports Drizzle: `drizzle-orm`, or a module of the project that re-exports it (`@unkey/db`'s `export * from 'drizzle-orm'`). */
function importsDrizzle(ctx: FileContext): boolean {
  return ctx.session.memo(IMPORTS_DRIZZLE, ctx, () =>
    ctx.importsModule(
      (m) =>
        DRIZZLE_MODULES.test(m) ||
        (ctx.isProjectModule(m) && (ctx.resolver?.reexportedPackages?.(m, ctx.sourceFile) ?? []).some((p) => DRIZZLE_MODULES.test(p))),
    ),
  );
}

/** A Drizzle table: a constant made by `pgTable(…)` (here or imported), or, unread, a name imported from a schema module. */
function tableName(ctx: FileContext, argument: ts.Expression | undefined): string | null {
  if (!argument) return null;
  const { ts } = ctx;
  const expression = unwrap(ts, argument);
  // `schema.keys`: a table of the schema module imported whole (`import * as schema`, `import { schema } from '@unkey/db'`).
  if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
    const binding = ctx.importOf(expression.expression.text);
    const isSchema = binding !== null && (SCHEMA_MODULES.test(binding.module) || /schema/i.test(expression.expression.text));
    return isSchema && importsDrizzle(ctx) ? modelName(expression.name.text) : null;
  }
  if (!ts.isIdentifier(expression)) return null;
  const declared = declarationOf(ctx, expression);
  if (declared) {
    const made = declared.initializer ? constructed(ts, declared.initializer) : null;
    return made && TABLE_FACTORIES.test(made.name) ? modelName(expression.text) : null;
  }
  // Imported from a schema module that cannot be read here (no resolver): the module's name says it.
  const binding = ctx.importOf(expression.text);
  return binding && importsDrizzle(ctx) && SCHEMA_MODULES.test(binding.module) ? modelName(expression.text) : null;
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
  const document = name === 'update' ? chainedArgument(ctx.ts, call, 'set') : undefined;
  const created = name === 'insert' ? chainedArgument(ctx.ts, call, 'values') : undefined;
  const effects: CallEffect[] = [
    { kind: 'model-write', model, operation: name, events: [], ...(document ? { update: document } : {}), ...(created ? { created } : {}) },
  ];
  const table = call.arguments[0] ? storedName(ctx, call.arguments[0]) : null;
  if (table === null || isInTransaction(ctx, receiver) || isInBatch(ctx, call) || isUncached(ctx, receiver)) return effects;
  return [...effects, { kind: 'invalidate', invalidationKind: 'tag', keys: [{ literal: table }] }];
}

/** The document of `db.update(t).set({ limit, duration })` (`set`), or the rows of `db.insert(t).values(rows)` (`values`). */
function chainedArgument(ts: TS, call: ts.CallExpression, method: 'set' | 'values'): ts.Expression | undefined {
  const access = parentOf(call);
  const chained = access && ts.isPropertyAccessExpression(access) && access.name.text === method ? parentOf(access) : undefined;
  return chained && ts.isCallExpression(chained) && chained.expression === access ? chained.arguments[0] : undefined;
}

/**
 * The columns a relational query, or one relation of its `with`, returns and filters on: those its
 * `columns` names (`{ limit: true }`) with those its `where` callback reads of the table; null when
 * it lists none (every column), excludes some (`{ secret: false }`) or they cannot be read.
 */
function selectedColumns(ts: TS, options: ts.Expression | null | undefined): string[] | null {
  const bare = options ? unwrap(ts, options) : null;
  const columns = bare && ts.isObjectLiteralExpression(bare) ? propertyValue(ts, bare, 'columns') : null;
  const listed = columns ? unwrap(ts, columns) : null;
  if (!bare || !ts.isObjectLiteralExpression(bare) || !listed || !ts.isObjectLiteralExpression(listed)) return null;
  const fields = new Set<string>();
  for (const property of listed.properties) {
    const isListed =
      ts.isPropertyAssignment(property) &&
      (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) &&
      unwrap(ts, property.initializer).kind === ts.SyntaxKind.TrueKeyword;
    if (!isListed) return null;
    fields.add(property.name.text);
  }
  const where = propertyValue(ts, bare, 'where');
  const filtered = where ? filteredColumns(ts, where) : [];
  if (filtered === null) return null;
  for (const field of filtered) fields.add(field);
  return [...fields].sort();
}

/** The columns a `where: (table, { eq }) => eq(table.slug, slug)` callback reads of its table; null for any other filter. */
function filteredColumns(ts: TS, where: ts.Expression): string[] | null {
  const filter = unwrap(ts, where);
  const table = (ts.isArrowFunction(filter) || ts.isFunctionExpression(filter)) && filter.parameters[0]?.name;
  if (!table || !ts.isIdentifier(table) || !(ts.isArrowFunction(filter) || ts.isFunctionExpression(filter))) return null;
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === table.text)
      found.add(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(filter.body);
  return [...found];
}

/**
 * A relational `findFirst` whose filter pins the row's id (`where: (table, { and, eq }) =>
 * and(eq(table.id, keyId), isNull(table.deletedAtM))`), with no `orderBy`: a point lookup, as
 * `findFirst({ where: { id } })` is; any other filter finds the first row it matches.
 */
function isFoundById(ts: FileContext['ts'], call: ts.CallExpression, name: string): boolean {
  const options = name === 'findFirst' && call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  if (!options || !ts.isObjectLiteralExpression(options) || propertyValue(ts, options, 'orderBy') !== null) return false;
  const where = propertyValue(ts, options, 'where');
  return where !== null && pinsId(ts, where);
}

/** `eq(table.id, value)`, alone, in `and(…)`, or returned by the filter's callback. */
function pinsId(ts: FileContext['ts'], where: ts.Expression): boolean {
  const bare = unwrap(ts, where);
  const filter = ts.isArrowFunction(bare) && !ts.isBlock(bare.body) ? unwrap(ts, bare.body) : bare;
  if (!ts.isCallExpression(filter)) return false;
  const operator = lastName(ts, filter.expression);
  if (operator === 'and') return filter.arguments.some((condition) => pinsId(ts, condition));
  const column = filter.arguments[0] ? unwrap(ts, filter.arguments[0]) : null;
  return (
    operator === 'eq' &&
    filter.arguments.length === 2 &&
    column !== null &&
    ts.isPropertyAccessExpression(column) &&
    isIdField(column.name.text)
  );
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
      if (!model) return null;
      return [{ kind: 'model-read', model, operation: 'select', ...(isSelectedById(ts, call) ? { lookup: 'point' as const } : {}) }];
    }
    // db.query.websites.findMany()
    if (QUERY_READS.has(name) && ts.isPropertyAccessExpression(callee)) {
      const table = unwrap(ts, callee.expression);
      if (ts.isPropertyAccessExpression(table) && lastName(ts, table.expression) === 'query' && importsDrizzle(ctx)) {
        const model = modelName(table.name.text);
        const lookup = isFoundById(ts, call, name) ? { lookup: 'point' as const } : {};
        // The row a one-to-one relation points at is found by its key: a row created since is none of them.
        const related = relatedModels(ctx, model, call.arguments[0], []).map((other): CallEffect =>
          other.isMany
            ? {
                kind: 'model-read',
                model: other.target,
                operation: name,
                fields: other.fields,
                lookup: 'list',
                isRelated: true,
                via: other.via,
                parent: other.parent,
              }
            : { kind: 'model-read', model: other.target, operation: name, fields: other.fields, lookup: 'point', via: other.via },
        );
        return [{ kind: 'model-read', model, operation: name, fields: selectedColumns(ts, call.arguments[0]), ...lookup }, ...related];
      }
    }
    return null;
  },
  isCachedRead: (ts, call) => ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === '$withCache',
  hookMarker: RELATIONS_MARKER,
  relations: relationsIn,
};

/** How deep the `with` of a relational query is followed (`roles: { with: { role: { with: { permissions } } } }`). */
const MAX_WITH_DEPTH = 6;

/** A table a relational query's `with` loads, with the columns it returns of it (null: every one). */
interface Related extends RelationTarget {
  readonly fields: readonly string[] | null;
  /** The relations followed from the row found to reach it (`['roles', 'role']`). */
  readonly via: readonly string[];
  /** The model whose relation loads it (`Keys` for `with: { ratelimits: true }` of a key). */
  readonly parent: string;
}

/**
 * The tables the `with` of a relational query loads beside its own rows (`with: { permissions: {
 * with: { permission: true } } }`), each relation's table from the schema's `relations(…)`: a
 * change of any of their rows changes what the query returns. A relation the schema does not name
 * is left out.
 */
function relatedModels(ctx: FileContext, model: string, options: ts.Expression | undefined, via: readonly string[]): Related[] {
  const { ts } = ctx;
  const bare = options ? unwrap(ts, options) : null;
  const loaded = bare && ts.isObjectLiteralExpression(bare) ? propertyValue(ts, bare, 'with') : null;
  const relations = loaded && via.length < MAX_WITH_DEPTH ? unwrap(ts, loaded) : null;
  if (!relations || !ts.isObjectLiteralExpression(relations)) return [];
  const named = ctx.resolver?.relationsOf?.(model);
  const found = new Map<string, Related>();
  for (const property of relations.properties) {
    if (!ts.isPropertyAssignment(property) && !ts.isShorthandPropertyAssignment(property)) continue;
    const value = ts.isPropertyAssignment(property) ? unwrap(ts, property.initializer) : null;
    const name = ts.isIdentifier(property.name) ? property.name.text : null;
    const relation = name === null ? undefined : named?.get(name);
    if (name === null || relation === undefined || value?.kind === ts.SyntaxKind.FalseKeyword) continue;
    const path = [...via, name];
    const entry = { ...relation, fields: selectedColumns(ts, value), via: path, parent: model };
    for (const reached of [entry, ...relatedModels(ctx, relation.target, value ?? undefined, path)]) {
      const key = `${reached.target} ${String(reached.isMany)} ${String(reached.fields)} ${reached.via.join('.')}`;
      if (!found.has(key)) found.set(key, reached);
    }
  }
  return [...found.values()];
}

/**
 * The relations a file declares: `export const keysRelations = relations(keys, ({ one, many }) => ({
 * roles: many(keysRoles), identity: one(identities, { … }) }))`, each relation to the table `one`
 * or `many` names.
 */
function relationsIn(ts: TS, file: ts.SourceFile): ModelRelation[] {
  if (!RELATIONS_MARKER.test(file.text)) return [];
  const found: ModelRelation[] = [];
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const call = declaration.initializer ? unwrap(ts, declaration.initializer) : null;
      if (!call || !ts.isCallExpression(call) || lastName(ts, call.expression) !== 'relations') continue;
      const [table, define] = call.arguments;
      const owner = table ? unwrap(ts, table) : null;
      const body = define && (ts.isArrowFunction(define) || ts.isFunctionExpression(define)) ? returnedObject(ts, define) : null;
      if (!owner || !ts.isIdentifier(owner) || !body) continue;
      const model = modelName(owner.text);
      for (const property of body.properties) {
        if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) continue;
        const made = unwrap(ts, property.initializer);
        const target = ts.isCallExpression(made) && made.arguments[0] ? unwrap(ts, made.arguments[0]) : null;
        const kind = ts.isCallExpression(made) ? lastName(ts, made.expression) : null;
        if ((kind === 'one' || kind === 'many') && target && ts.isIdentifier(target))
          found.push({ model, name: property.name.text, target: modelName(target.text), isMany: kind === 'many' });
      }
    }
  }
  return found;
}

/** The object literal a relations callback returns (`({ one }) => ({ … })`, or `{ return { … }; }`). */
function returnedObject(ts: TS, fn: ts.ArrowFunction | ts.FunctionExpression): ts.ObjectLiteralExpression | null {
  const body = ts.isBlock(fn.body) ? fn.body.statements.find((s): s is ts.ReturnStatement => ts.isReturnStatement(s))?.expression : fn.body;
  const value = body ? unwrap(ts, body) : null;
  return value && ts.isObjectLiteralExpression(value) ? value : null;
}

/** The calls a select may chain after `from(t)` and still find one row by its id. */
const BY_ID_CHAIN = new Set(['where', 'limit', '$withCache']);

/**
 * `db.select().from(quotes).where(eq(quotes.id, id))`: a where that pins the row's id, with no
 * join, order or grouping after it: a point lookup, as `findFirst({ where: { id } })` is.
 */
function isSelectedById(ts: TS, from: ts.CallExpression): boolean {
  let node: ts.Expression = from;
  let pinned = false;
  for (;;) {
    const access = parentOf(node);
    const call = access ? parentOf(access) : undefined;
    if (!access || !call || !ts.isPropertyAccessExpression(access) || access.expression !== node) break;
    if (!ts.isCallExpression(call) || call.expression !== access) break;
    if (!BY_ID_CHAIN.has(access.name.text)) return false;
    if (access.name.text === 'where' && call.arguments[0] && pinsId(ts, call.arguments[0])) pinned = true;
    node = call;
  }
  return pinned;
}

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
