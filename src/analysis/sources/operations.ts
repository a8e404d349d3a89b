import type ts from 'typescript';
import { propertyNameText, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';

/** What a model write does to the rows: adds one, changes some, removes some, or either adds or changes. */
export type WriteChange = 'create' | 'update' | 'delete' | 'upsert';

/**
 * How a model read finds its rows: one row by its key (a point lookup), the first row a filter
 * finds (`findOne({ email })`, unordered), or a list, count or aggregate.
 */
export type ReadLookup = 'point' | 'first' | 'list';

/**
 * The write methods of the ORM sources by what they do (Prisma, TypeORM, Sequelize, Mongoose,
 * Drizzle spell many alike). An instance `save()` inserts or updates: an upsert. A method named in
 * none of these lists changes rows (an update).
 */
const CREATES = new Set([
  'create',
  'createMany',
  'createManyAndReturn',
  'insert',
  'insertMany',
  'bulkCreate',
  'findOrCreate',
  'findCreateFind',
]);
const DELETES = new Set([
  'delete',
  'deleteById',
  'deleteMany',
  'deleteOne',
  'destroy',
  'remove',
  'softDelete',
  'softRemove',
  'truncate',
  'clear',
  'findByIdAndDelete',
  'findOneAndDelete',
  'findByIdAndRemove',
  'findOneAndRemove',
]);
const UPSERTS = new Set(['upsert', 'save', 'bulkWrite']);

/** Reads of one row by its primary key or a unique field, whatever the arguments. */
const POINT_READS = new Set(['findUnique', 'findUniqueOrThrow', 'findByPk', 'findById', 'reload', 'preload']);
/** Reads of the first row a filter finds: a point lookup when the filter is the row's id alone, a list when ordered. */
const FIRST_READS = new Set(['findFirst', 'findFirstOrThrow', 'findOne', 'findOneBy', 'findOneOrFail', 'findOneByOrFail']);
const ID_FIELDS = new Set(['id', '_id', 'uuid']);

/** Whether a field is a row's id (`id`, `_id`, `uuid`). */
export function isIdField(name: string): boolean {
  return ID_FIELDS.has(name);
}

export function writeChange(operation: string): WriteChange {
  if (CREATES.has(operation)) return 'create';
  if (DELETES.has(operation)) return 'delete';
  if (UPSERTS.has(operation)) return 'upsert';
  return 'update';
}

const ORDERS = ['orderBy', 'order', 'sort'];

/**
 * `findUnique(…)`, `findByPk(id)`, `findOne({ where: { id } })`, `findOneBy({ id })`: a point
 * lookup; `findOne(filter)` / `findFirst(filter)` of another filter, the first row it finds (a list
 * when the call orders the rows: `orderBy`, `order`, `sort`); the rest list.
 */
export function readLookup(ts: TS, call: ts.CallExpression | null, operation: string): ReadLookup {
  if (POINT_READS.has(operation)) return 'point';
  if (!FIRST_READS.has(operation)) return 'list';
  const first = call?.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  if (!first || !ts.isObjectLiteralExpression(first)) return 'first';
  if (ORDERS.some((name) => objectProperty(ts, first, name) !== null)) return 'list';
  const where = objectProperty(ts, first, 'where');
  const filter = where ? unwrap(ts, where) : first;
  if (!ts.isObjectLiteralExpression(filter) || filter.properties.length !== 1) return 'first';
  const only = filter.properties[0];
  const name = only?.name ? propertyNameText(ts, only.name) : null;
  return name !== null && ID_FIELDS.has(name) ? 'point' : 'first';
}

/**
 * The one row a call selects by one field, when its filter is that field alone (`where: { key }`,
 * `findOneBy({ slug })`): the field and the expression of its value.
 */
export function rowSelector(ts: TS, call: ts.CallExpression, operation: string): { field: string; expr: ts.Expression } | null {
  const first = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  if (!first || !ts.isObjectLiteralExpression(first)) return null;
  const where = objectProperty(ts, first, 'where');
  const filter = where ? unwrap(ts, where) : operation.startsWith('findOneBy') ? first : null;
  if (!filter || !ts.isObjectLiteralExpression(filter) || filter.properties.length !== 1) return null;
  const only = filter.properties[0];
  if (!only) return null;
  if (ts.isShorthandPropertyAssignment(only)) return { field: only.name.text, expr: only.name };
  if (!ts.isPropertyAssignment(only)) return null;
  const field = propertyNameText(ts, only.name);
  const value = unwrap(ts, only.initializer);
  // `{ key: { in: [...] } }`: a filter, not one row.
  return field === null || ts.isObjectLiteralExpression(value) ? null : { field, expr: only.initializer };
}

/** The initializer of a property of an object literal, or null. */
export function objectProperty(ts: TS, object: ts.ObjectLiteralExpression, name: string): ts.Expression | null {
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && propertyNameText(ts, property.name) === name) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return property.name;
  }
  return null;
}

/** The keys of an object literal written out (no spread, no computed name), or null. */
export function literalKeys(ts: TS, expression: ts.Expression | null): string[] | null {
  const object = expression ? unwrap(ts, expression) : null;
  if (!object || !ts.isObjectLiteralExpression(object)) return null;
  const keys: string[] = [];
  for (const property of object.properties) {
    if (ts.isSpreadAssignment(property)) return null;
    const name = propertyNameText(ts, property.name);
    if (name === null) return null;
    keys.push(name);
  }
  return keys;
}

const FILTER_COMBINATORS = new Set(['AND', 'OR', 'NOT']);

/** The fields a Prisma filter tests, through `AND`/`OR`/`NOT`; null when it is not written out. */
export function filterFields(ts: TS, expression: ts.Expression | null, depth = 0): string[] | null {
  if (!expression) return [];
  const keys = literalKeys(ts, expression);
  if (keys === null || depth > 4) return null;
  const object = unwrap(ts, expression) as ts.ObjectLiteralExpression;
  const fields: string[] = [];
  for (const key of keys) {
    if (!FILTER_COMBINATORS.has(key)) {
      fields.push(key);
      continue;
    }
    const value = objectProperty(ts, object, key);
    const inner = value ? unwrap(ts, value) : null;
    const parts = inner && ts.isArrayLiteralExpression(inner) ? inner.elements : inner ? [inner] : [];
    for (const part of parts) {
      const nested = filterFields(ts, part, depth + 1);
      if (nested === null) return null;
      fields.push(...nested);
    }
  }
  return fields;
}

/**
 * The fields a Prisma read depends on, when the call says: its `select`, and what its `where`,
 * `orderBy`, `distinct` and `include` name. Without a `select` (every field), or with a part that
 * is not written out, null.
 */
export function prismaReadFields(ts: TS, call: ts.CallExpression): string[] | null {
  const first = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  if (!first || !ts.isObjectLiteralExpression(first)) return null;
  const selected = literalKeys(ts, objectProperty(ts, first, 'select'));
  // `_count` counts the rows of a relation: another model's writes, not a field.
  if (selected === null || selected.includes('_count')) return null;
  const fields = new Set(selected);
  const where = filterFields(ts, objectProperty(ts, first, 'where'));
  if (where === null) return null;
  for (const field of where) fields.add(field);
  for (const name of ['orderBy', 'include', 'distinct']) {
    const value = objectProperty(ts, first, name);
    if (!value) continue;
    const inner = unwrap(ts, value);
    const items = ts.isArrayLiteralExpression(inner) ? [...inner.elements] : [inner];
    for (const item of items) {
      if (ts.isStringLiteral(item)) {
        fields.add(item.text);
        continue;
      }
      const keys = literalKeys(ts, item);
      if (keys === null) return null;
      for (const key of keys) fields.add(key);
    }
  }
  return [...fields];
}

/**
 * The fields a Prisma update writes to an existing row, when the call says: the keys of its `data`
 * (of `update` for an upsert). A create or a delete writes whole rows: null.
 */
export function prismaWriteFields(ts: TS, call: ts.CallExpression, operation: string): string[] | null {
  const change = writeChange(operation);
  // A delete removes whole rows; a create writes the fields its `data` names, the rest defaults.
  if (change === 'delete' || operation === 'createMany' || operation === 'createManyAndReturn') return null;
  const first = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  if (!first || !ts.isObjectLiteralExpression(first)) return null;
  return literalKeys(ts, objectProperty(ts, first, change === 'upsert' ? 'update' : 'data'));
}

interface Row {
  readonly field: string;
  readonly value: string;
}

/**
 * A point lookup of one row and a write of another, both by the same unique field with other
 * values (`key: 'CURRENCIES'` against `key: 'BENCHMARKS'`), where the write provably leaves that
 * field alone (it cannot move its row under the looked-up value).
 */
function isOtherRow(
  write: { readonly change: WriteChange; readonly fields: readonly string[] | null; readonly row: Row | null },
  read: { readonly lookup: ReadLookup; readonly row: Row | null },
): boolean {
  if (!write.row || !read.row || read.lookup !== 'point' || write.row.field !== read.row.field || write.row.value === read.row.value)
    return false;
  return write.change === 'delete' || (write.fields !== null && !write.fields.includes(write.row.field));
}

/** A point lookup whose every field is the id it looks the row up by. */
export function isExistenceCheck(read: { readonly lookup: ReadLookup; readonly fields: readonly string[] | null }): boolean {
  return read.lookup === 'point' && read.fields !== null && read.fields.length > 0 && read.fields.every((field) => field === 'id');
}

/** Fields every update changes without naming them (Prisma's `@updatedAt`, Sequelize's timestamps). */
const IMPLICIT_ON_UPDATE = new Set(['updatedAt', 'updated_at']);

/**
 * Whether a write can change what a read returns. A create adds a row that no point lookup made
 * before it found (the entry is keyed by the new row's key), but lists, counts and aggregates
 * change, and so may the first row a filter finds (see `isOnlyMaybeFound`); an update of fields the
 * read provably does not depend on changes nothing it returns; an upsert is both.
 */
export function canChange(
  write: {
    readonly change: WriteChange;
    readonly fields: readonly string[] | null;
    readonly row: Row | null;
    readonly freshFields?: readonly string[];
  },
  read: {
    readonly lookup: ReadLookup;
    readonly fields: readonly string[] | null;
    readonly row: Row | null;
    readonly readerFields?: readonly string[];
    readonly isRelated?: boolean;
    readonly parent?: string;
    readonly joinedBy?: readonly string[];
  },
): boolean {
  if (isOtherRow(write, read) || joinsNoListed(write, read)) return false;
  if (write.change === 'delete') return true;
  if (read.lookup !== 'point' && write.change !== 'update') return true;
  // An upsert that updates no field (`update: {}`) leaves an existing row alone: it only creates one.
  if (write.change === 'create' || (write.change === 'upsert' && write.fields?.length === 0)) return false;
  // A point lookup that reads nothing but the row's id (an existence check: `select: { id: true }`)
  // is changed by a create or a delete, not by an update that leaves the id alone.
  if (write.change === 'update' && isExistenceCheck(read) && !(write.fields ?? []).includes('id')) return false;
  if (write.fields === null) return true;
  const written = new Set(write.fields);
  const isSeen = (field: string): boolean => written.has(field) || IMPLICIT_ON_UPDATE.has(field);
  // An update of fields that no code reading the entry uses changes nothing its readers see.
  if (write.change === 'update' && read.readerFields !== undefined && !read.readerFields.some(isSeen)) return false;
  return read.fields === null || read.fields.some(isSeen);
}

/**
 * A row created in a related list (a key's `ratelimits`) that joins the list of no row an entry can
 * hold: its data sets none of the fields that join it to the parent, by the project's schema (an
 * integration created with no `rules`), or its key to the parent is made new where it is created
 * (`keyId` of the key the handler has just inserted). Without a schema the key is the one named
 * after the parent (`keyId`, `key_id` for `Keys`).
 */
function joinsNoListed(
  write: { readonly change: WriteChange; readonly fields: readonly string[] | null; readonly freshFields?: readonly string[] },
  read: { readonly isRelated?: boolean; readonly parent?: string; readonly joinedBy?: readonly string[] },
): boolean {
  if (write.change !== 'create' || read.isRelated !== true || read.parent === undefined) return false;
  const keys = read.joinedBy ?? parentKeys(read.parent);
  if (read.joinedBy && write.fields !== null && !write.fields.some((field) => keys.includes(field))) return true;
  return (write.freshFields ?? []).some((field) => keys.includes(field));
}

/** The names a row's key to a parent model has: `keyId` and `key_id` for `Keys`, `organizationId` for `Organization`. */
function parentKeys(parent: string): string[] {
  const singular = parent.replace(/ies$/, 'y').replace(/([^s])s$/, '$1');
  const camel = singular.charAt(0).toLowerCase() + singular.slice(1);
  const snake = camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  return [`${camel}Id`, `${snake}_id`];
}

/**
 * A create against the first row a filter finds (`findOne({ apiKey })`): the new row is found only
 * where no row matched before, so only an entry that kept the miss is stale. The code seldom shows
 * that it does: not a proof.
 */
export function isOnlyMaybeFound(write: { readonly change: WriteChange }, read: { readonly lookup: ReadLookup }): boolean {
  return write.change === 'create' && read.lookup === 'first';
}
