import type ts from 'typescript';
import { parentOf, propertyNameText, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import { declarationOf, modelName } from './declarations.js';
import { objectProperty } from './operations.js';
import { isSqlText, readSql } from './sql-text.js';
import type { SqlAccess } from './sql-text.js';
import type { CallEffect, Source } from './source.js';

/**
 * The calls that run a SQL string, whatever the client: `pg` and `mysql2` (`query`, `execute`),
 * `better-sqlite3` (`prepare`), pg-promise (`one`, `many`, `any`, `none`…), Knex's `raw`, Prisma's
 * `$queryRawUnsafe`, Sequelize's and TypeORM's `query`.
 */
const RAW_CALLS = new Set([
  'query',
  'execute',
  'raw',
  'run',
  'all',
  'get',
  'exec',
  'prepare',
  'one',
  'oneOrNone',
  'many',
  'manyOrNone',
  'any',
  'none',
  'result',
  'unsafe',
  '$queryRaw',
  '$executeRaw',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
]);

/** The text of a SQL string argument: a literal, a template (its holes read `?`), a tagged template, a constant, `{ text }`. */
function sqlTextOf(ctx: FileContext, node: ts.Expression | undefined, depth = 0): string | null {
  if (!node || depth > 3) return null;
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return expression.text;
  if (ts.isTemplateExpression(expression))
    return expression.head.text + expression.templateSpans.map((span) => `?${span.literal.text}`).join('');
  if (ts.isTaggedTemplateExpression(expression)) return sqlTextOf(ctx, expression.template, depth + 1);
  if (ts.isIdentifier(expression)) return sqlTextOf(ctx, declarationOf(ctx, expression, false)?.initializer, depth + 1);
  if (ts.isObjectLiteralExpression(expression)) {
    return sqlTextOf(ctx, objectProperty(ts, expression, 'text') ?? objectProperty(ts, expression, 'sql') ?? undefined, depth + 1);
  }
  return null;
}

function effectsOf(accesses: readonly SqlAccess[]): CallEffect[] {
  return accesses.map((access) =>
    access.operation === 'select'
      ? {
          kind: 'model-read',
          model: modelName(access.table),
          operation: 'select',
          fields: access.fields,
          lookup: access.isPoint ? 'point' : 'list',
        }
      : { kind: 'model-write', model: modelName(access.table), operation: access.operation, events: [], fields: access.fields },
  );
}

/** What a SQL statement's text does: undefined when it is not SQL, null when no table of it can be read. */
function statementEffects(text: string | null): CallEffect[] | null | undefined {
  if (text === null || !isSqlText(text)) return undefined;
  const accesses = readSql(text);
  return accesses.length > 0 ? effectsOf(accesses) : null;
}

/** One call of a builder chain, innermost first: its method name (null for the root's plain call) and the call. */
interface Link {
  readonly name: string | null;
  readonly call: ts.CallExpression;
}

/** The calls of the builder chain that ends at `call`, innermost first (`knex('t')`, `.where(…)`, `.update(…)`). */
function chainOf(ts: TS, call: ts.CallExpression): Link[] {
  const links: Link[] = [];
  let current: ts.Expression = call;
  for (;;) {
    const node = unwrap(ts, current);
    if (!ts.isCallExpression(node)) break;
    const callee = unwrap(ts, node.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      links.unshift({ name: callee.name.text, call: node });
      current = callee.expression;
      continue;
    }
    links.unshift({ name: null, call: node });
    break;
  }
  return links;
}

/** Whether a call is the outermost of its chain (`.update(…)` of `knex('t').where(…).update(…)`), where a builder's effect is said once. */
function isOutermost(ts: TS, call: ts.CallExpression): boolean {
  const { node, parent } = beyondWrappers(ts, call);
  return !(parent && ts.isPropertyAccessExpression(parent) && parent.expression === node);
}

/** An expression with the parentheses, `!` and `as` around it, and what holds them. */
function beyondWrappers(ts: TS, expression: ts.Expression): { node: ts.Node; parent: ts.Node | undefined } {
  let node: ts.Node = expression;
  let parent = parentOf(node);
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isNonNullExpression(parent) || ts.isAsExpression(parent))) {
    node = parent;
    parent = parentOf(parent);
  }
  return { node, parent };
}

/**
 * Whether a tagged template runs where it stands: awaited, or returned (to be awaited by the
 * caller). postgres.js, `@vercel/postgres` and Neon run a statement only then; a template passed
 * to a call is the call's argument, read with the call.
 */
function isRunAlone(ts: TS, template: ts.TaggedTemplateExpression): boolean {
  const { node, parent } = beyondWrappers(ts, template);
  if (!parent) return false;
  return ts.isAwaitExpression(parent) || ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === node);
}

const KNEX_WRITES: Readonly<Record<string, SqlAccess['operation']>> = {
  insert: 'insert',
  update: 'update',
  increment: 'update',
  decrement: 'update',
  del: 'delete',
  delete: 'delete',
  truncate: 'delete',
  merge: 'upsert',
  upsert: 'upsert',
};
const KNEX_METHODS = new Set([
  ...Object.keys(KNEX_WRITES),
  'where',
  'whereIn',
  'select',
  'first',
  'returning',
  'join',
  'orderBy',
  'pluck',
  'count',
]);
const KNEX_NAMES = /^(knex|db|trx|tx|database|connection|conn|qb|k)$/i;

/** A string literal table argument, without its alias (`'websites as w'` → `websites`). */
function tableArgument(ctx: FileContext, node: ts.Expression | undefined): string | null {
  const expression = node ? unwrap(ctx.ts, node) : null;
  if (!expression || !(ctx.ts.isStringLiteral(expression) || ctx.ts.isNoSubstitutionTemplateLiteral(expression))) return null;
  const table = expression.text.trim().split(/\s+/)[0] ?? '';
  return /^[A-Za-z_][\w$.]*$/.test(table) ? (table.split('.').pop() ?? null) : null;
}

/** Knex: `knex('websites').where({ id }).update(data)`, `trx('websites').insert(row)`, `db('websites').select()`. */
function knexEffects(ctx: FileContext, links: readonly Link[]): CallEffect[] | null {
  const { ts } = ctx;
  const root = links[0];
  if (!root || root.name !== null || links.length < 2) return null;
  const callee = unwrap(ts, root.call.expression);
  const rootName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : null;
  const hasKnex = ctx.importsModule((m) => m === 'knex');
  if (rootName === null || (!KNEX_NAMES.test(rootName) && !hasKnex)) return null;
  const table = tableArgument(ctx, root.call.arguments[0]);
  const methods = links.slice(1).map((link) => link.name ?? '');
  if (!table || !methods.some((m) => KNEX_METHODS.has(m))) return null;
  const write = links.slice(1).find((link) => link.name !== null && KNEX_WRITES[link.name] !== undefined);
  if (write?.name) {
    const operation = KNEX_WRITES[write.name] ?? 'update';
    const fields = operation === 'update' && write.name === 'update' ? writtenKeys(ctx, write.call.arguments[0]) : null;
    return [{ kind: 'model-write', model: modelName(table), operation, events: [], fields }];
  }
  // `.first()` unordered: the first row the filter finds (see `ReadLookup`).
  const lookup = methods.includes('first') && !methods.includes('orderBy') ? 'first' : 'list';
  return [{ kind: 'model-read', model: modelName(table), operation: 'select', fields: knexColumns(ctx, links), lookup }];
}

/** The Knex calls that name the columns a read returns. */
const COLUMN_CALLS = new Set(['select', 'first', 'pluck', 'column', 'columns']);

/**
 * The columns a Knex read returns (`select('id')`, `first('id', 'name as n')`, `pluck('id')`,
 * `select(['id'])`); null where it returns every column (no column named, `*`, one not written out).
 */
function knexColumns(ctx: FileContext, links: readonly Link[]): string[] | null {
  const { ts } = ctx;
  const columns: string[] = [];
  for (const link of links) {
    if (link.name === null || !COLUMN_CALLS.has(link.name)) continue;
    const [first] = link.call.arguments;
    const list = first && link.call.arguments.length === 1 ? unwrap(ts, first) : null;
    for (const argument of list && ts.isArrayLiteralExpression(list) ? list.elements : link.call.arguments) {
      const text = unwrap(ts, argument);
      if (!ts.isStringLiteral(text) && !ts.isNoSubstitutionTemplateLiteral(text)) return null;
      const column =
        text.text
          .trim()
          .split(/\s+as\s+/i)[0]
          ?.split('.')
          .pop() ?? '';
      if (!/^\w+$/.test(column)) return null;
      columns.push(column);
    }
  }
  return columns.length > 0 ? columns : null;
}

/**
 * The keys an update's object writes, through spreads of objects written in the code (`{ ...data,
 * updated_at }` beside `const data = { email, ...(role && { role }) }`); null where one is not written out.
 */
function writtenKeys(ctx: FileContext, node: ts.Expression | undefined, depth = 0): string[] | null {
  const { ts } = ctx;
  const expression = node ? unwrap(ts, node) : null;
  if (!expression || depth > 4) return null;
  if (ts.isIdentifier(expression)) return writtenKeys(ctx, declarationOf(ctx, expression, false)?.initializer, depth + 1);
  // `...(cond && { role })`: the keys, when the condition holds.
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)
    return writtenKeys(ctx, expression.right, depth + 1);
  if (!ts.isObjectLiteralExpression(expression)) return null;
  const keys: string[] = [];
  for (const property of expression.properties) {
    const inner = ts.isSpreadAssignment(property) ? writtenKeys(ctx, property.expression, depth + 1) : null;
    const name = ts.isSpreadAssignment(property) ? null : propertyNameText(ts, property.name);
    if (inner === null && name === null) return null;
    keys.push(...(inner ?? [name ?? '']));
  }
  return keys;
}

const KYSELY_ROOTS: Readonly<Record<string, SqlAccess['operation']>> = {
  selectFrom: 'select',
  insertInto: 'insert',
  replaceInto: 'upsert',
  mergeInto: 'upsert',
  updateTable: 'update',
  deleteFrom: 'delete',
};

/** Kysely: `db.updateTable('websites').set({ name }).where('id', '=', id).execute()`, `db.selectFrom('websites')…`. */
function kyselyEffects(ctx: FileContext, links: readonly Link[]): CallEffect[] | null {
  const start = links.find((link) => link.name !== null && KYSELY_ROOTS[link.name] !== undefined);
  if (!start?.name) return null;
  const table = tableArgument(ctx, start.call.arguments[0]);
  if (!table) return null;
  const operation = KYSELY_ROOTS[start.name] ?? 'select';
  const isUpsert = links.some((link) => link.name === 'onConflict' || link.name === 'onDuplicateKeyUpdate');
  if (operation === 'select') return [{ kind: 'model-read', model: modelName(table), operation: 'select', fields: null, lookup: 'list' }];
  const set = links.find((link) => link.name === 'set');
  const fields = operation === 'update' && set ? writtenKeys(ctx, set.call.arguments[0]) : null;
  return [{ kind: 'model-write', model: modelName(table), operation: isUpsert ? 'upsert' : operation, events: [], fields }];
}

/**
 * SQL written in the code: a statement passed to a client's `query`, `execute`, `prepare`… (the
 * tables after `FROM`, `JOIN`, `INSERT INTO`, `UPDATE`, `DELETE FROM`; the columns an `UPDATE`
 * sets and a one-table `SELECT` reads), and the Knex and Kysely query builders by their table
 * argument. The model is the table's name in the class-name form (`websites` → `Websites`). A
 * table whose name is a runtime value is not read.
 */
export const sql: Source = {
  id: 'sql',
  precedesHelpers: true,
  classifyTemplate(ctx, template) {
    return isRunAlone(ctx.ts, template) ? (statementEffects(sqlTextOf(ctx, template)) ?? null) : null;
  },
  classify({ ctx, call, name, receiver }) {
    const { ts } = ctx;
    if (RAW_CALLS.has(name)) {
      const found = statementEffects(sqlTextOf(ctx, call.arguments[0]));
      if (found !== undefined) return found;
    }
    if (!isOutermost(ts, call)) return null;
    const links = chainOf(ts, call);
    if (receiver !== null && links.length > 1) return kyselyEffects(ctx, links) ?? knexEffects(ctx, links);
    return null;
  },
};
