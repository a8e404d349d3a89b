import type ts from 'typescript';
import { enclosingClass, lastName, parentOf, propertyNameText, unwrap } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import { addCascade, cascadesOf, cascadeTable, joinKeysTable, prismaModels } from './prisma-schema.js';
import type { Cascade, CascadeSchema, CascadeTable, JoinKeysTable, SchemaText } from './prisma-schema.js';
import { modelName } from './sources/declarations.js';
import { TABLE_FACTORIES } from './sources/drizzle.js';
import type { TextTest } from './sources/source.js';

/**
 * The text of a file that can declare a relation whose parent's delete deletes its rows: Knex's
 * `.onDelete('CASCADE')`, Drizzle's `references(() => users.id, { onDelete: 'cascade' })`, TypeORM's
 * and Sequelize's `{ onDelete: 'CASCADE' }`.
 */
export const CASCADE_MARKER: TextTest = /onDelete['"]?\s*[:(]\s*['"`]cascade['"`]/i;

/** One relation read from the code: the parent's delete deletes the child's rows (each named as its source names the model). */
interface CodeCascade {
  readonly parent: string;
  readonly child: string;
}

/**
 * The cascades the project's code declares, by the shapes of the libraries that declare them:
 *
 * - Knex: `table.foreign('user_id').references('id').inTable('users').onDelete('CASCADE')` (or
 *   `.references('users.id')`) in `knex.schema.createTable('links', …)`, `alterTable` or `table`
 *   (the model is the table's name, as the Knex source names it: `links` → `Links`);
 * - Drizzle: `references(() => users.id, { onDelete: 'cascade' })` in a table's columns, or
 *   `foreignKey({ foreignColumns: [users.id] }).onDelete('cascade')` (the model is the table's
 *   variable, as the Drizzle source names it);
 * - TypeORM and sequelize-typescript: `@ManyToOne(() => User, …, { onDelete: 'CASCADE' })`,
 *   `@OneToOne` and `@BelongsTo` on a property of the child's class, `@HasMany` / `@HasOne` on the
 *   parent's (the model is the entity's class);
 * - Sequelize: `Link.belongsTo(User, { onDelete: 'CASCADE' })`, `User.hasMany(Link, { onDelete: 'CASCADE' })`.
 *
 * A declaration whose parent or child is not written out (a runtime value) adds nothing.
 */
export function codeCascadeTable(ts: TS, files: readonly ts.SourceFile[]): CascadeTable {
  const table = new Map<string, string[]>();
  for (const file of files) {
    if (!CASCADE_MARKER.test(file.text)) continue;
    const visit = (node: ts.Node): void => {
      const found = isCascadeValue(ts, node) ? cascadeAt(ts, node) : null;
      if (found) addCascade(table, modelName(found.parent), modelName(found.child));
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return table;
}

/**
 * A project's cascades, each table read when a delete first asks: the code's relations (see
 * `codeCascadeTable`), and for a Prisma client's delete those and the Prisma schema's, whose files
 * are looked for only then.
 */
export class CascadeTables {
  private code: CascadeTable | null = null;
  private withPrisma: CascadeTable | null = null;
  private models: ReturnType<typeof prismaModels> | null = null;
  private joins: JoinKeysTable | null = null;

  constructor(
    private readonly ts: TS,
    /** The parsed files that can declare a cascading relation. */
    private readonly files: () => readonly ts.SourceFile[],
    /** The project's Prisma schema files. */
    private readonly prismaSchemas: () => readonly SchemaText[],
  ) {}

  cascadesOf(model: string, schema: CascadeSchema): Cascade[] {
    this.code ??= codeCascadeTable(this.ts, this.files());
    if (schema === 'code') return cascadesOf(this.code, model);
    this.models ??= prismaModels(this.prismaSchemas());
    this.withPrisma ??= mergedCascades(cascadeTable(this.models, modelName), this.code);
    return cascadesOf(this.withPrisma, model);
  }

  /** The fields by which a created row of `child` joins a `parent`'s list, by the Prisma schema (see `joinKeysTable`); null when it does not relate them. */
  joinKeysOf(child: string, parent: string): readonly string[] | null {
    this.models ??= prismaModels(this.prismaSchemas());
    this.joins ??= joinKeysTable(this.models, modelName);
    return this.joins.get(child)?.get(parent) ?? null;
  }
}

/** The tables of several schemas as one (a project may declare some relations in a Prisma schema and others in code). */
export function mergedCascades(...tables: readonly CascadeTable[]): CascadeTable {
  const merged = new Map<string, string[]>();
  for (const table of tables) for (const [parent, children] of table) for (const child of children) addCascade(merged, parent, child);
  return merged;
}

/** `'cascade'` as the value of an `onDelete` property, or as the argument of an `onDelete(…)` call. */
function isCascadeValue(ts: TS, node: ts.Node): node is ts.StringLiteralLike {
  if (!ts.isStringLiteralLike(node) || node.text.toLowerCase() !== 'cascade') return false;
  const parent = parentOf(node);
  if (!parent) return false;
  if (ts.isPropertyAssignment(parent)) return parent.initializer === node && propertyNameText(ts, parent.name) === 'onDelete';
  return ts.isCallExpression(parent) && parent.arguments[0] === node && lastName(ts, parent.expression) === 'onDelete';
}

function cascadeAt(ts: TS, value: ts.StringLiteralLike): CodeCascade | null {
  const parent = parentOf(value);
  if (parent && ts.isCallExpression(parent)) return chainedCascade(ts, parent);
  // `{ onDelete: 'cascade' }`: an argument of the call that declares the relation.
  const options = parent ? parentOf(parent) : undefined;
  const call = options && ts.isObjectLiteralExpression(options) ? parentOf(options) : undefined;
  if (!call || !ts.isCallExpression(call) || !call.arguments.includes(options as ts.Expression)) return null;
  return relationCall(ts, call);
}

/** A relation declared by a call given `{ onDelete: 'cascade' }`: a decorator, a Sequelize association, a Drizzle column's `references`. */
function relationCall(ts: TS, call: ts.CallExpression): CodeCascade | null {
  const name = lastName(ts, call.expression);
  const target = call.arguments[0] ? targetName(ts, call.arguments[0]) : null;
  if (!name || !target) return null;
  const callee = unwrap(ts, call.expression);
  if (ts.isPropertyAccessExpression(callee) && (name === 'belongsTo' || name === 'hasMany' || name === 'hasOne')) {
    // Sequelize: `Link.belongsTo(User, …)`, `User.hasMany(Link, …)`.
    const receiver = unwrap(ts, callee.expression);
    if (!ts.isIdentifier(receiver)) return null;
    return name === 'belongsTo' ? { parent: target, child: receiver.text } : { parent: receiver.text, child: target };
  }
  if (name === 'references') {
    const child = drizzleTable(ts, call);
    return child ? { parent: modelName(target), child } : null;
  }
  const owner = parentOf(call);
  const owningClass = owner && ts.isDecorator(owner) ? enclosingClass(ts, owner) : null;
  const className = owningClass?.name?.text;
  if (!className) return null;
  if (name === 'ManyToOne' || name === 'OneToOne' || name === 'BelongsTo') return { parent: target, child: className };
  if (name === 'HasMany' || name === 'HasOne') return { parent: className, child: target };
  return null;
}

/** A chained `.onDelete('cascade')`: Knex's column builder, or Drizzle's `foreignKey(…)`. */
function chainedCascade(ts: TS, call: ts.CallExpression): CodeCascade | null {
  let parentTable: string | null = null;
  let foreignColumns: ts.Expression | null = null;
  let link: ts.Expression = call.expression;
  // Down the chain: `.inTable('users')`, `.references('users.id')`, `foreignKey({ foreignColumns })`.
  for (let depth = 0; depth < 12; depth += 1) {
    const node = unwrap(ts, link);
    const inner = ts.isPropertyAccessExpression(node) ? unwrap(ts, node.expression) : node;
    if (!ts.isCallExpression(inner)) break;
    const name = lastName(ts, inner.expression);
    const argument = inner.arguments[0] ? unwrap(ts, inner.arguments[0]) : null;
    if (name === 'inTable' && argument && ts.isStringLiteralLike(argument)) parentTable = argument.text;
    if (name === 'references' && argument && ts.isStringLiteralLike(argument) && argument.text.includes('.'))
      parentTable ??= argument.text.split('.')[0] ?? null;
    if (name === 'foreignKey' && argument && ts.isObjectLiteralExpression(argument)) {
      for (const property of argument.properties)
        if (ts.isPropertyAssignment(property) && propertyNameText(ts, property.name) === 'foreignColumns')
          foreignColumns = property.initializer;
    }
    link = inner.expression;
  }
  if (parentTable) {
    const child = knexTable(ts, call);
    return child ? { parent: modelName(parentTable), child: modelName(child) } : null;
  }
  if (foreignColumns) {
    const list = unwrap(ts, foreignColumns);
    const first = ts.isArrayLiteralExpression(list) ? list.elements[0] : undefined;
    const target = first ? targetName(ts, first) : null;
    const child = drizzleTable(ts, call);
    return target && child ? { parent: modelName(target), child } : null;
  }
  return null;
}

/**
 * The model a relation's argument names: `() => User` or `(type) => User` (its returned class),
 * `User`, `'User'`, or a Drizzle column `users.id` (its table `users`).
 */
function targetName(ts: TS, argument: ts.Expression): string | null {
  let node = unwrap(ts, argument);
  if (ts.isArrowFunction(node) && !ts.isBlock(node.body)) node = unwrap(ts, node.body);
  if (ts.isPropertyAccessExpression(node)) node = unwrap(ts, node.expression);
  if (ts.isIdentifier(node)) return node.text;
  return ts.isStringLiteralLike(node) && /^[A-Za-z_$][\w$]*$/.test(node.text) ? node.text : null;
}

const KNEX_TABLE_CALLS = new Set(['createTable', 'createTableIfNotExists', 'alterTable', 'table']);

/** The table a Knex column builder belongs to: the name given to the `createTable` / `alterTable` / `table` call around it. */
function knexTable(ts: TS, node: ts.Node): string | null {
  for (let current = parentOf(node); current; current = parentOf(current)) {
    if (!ts.isCallExpression(current)) continue;
    const name = lastName(ts, current.expression);
    const first = current.arguments[0] ? unwrap(ts, current.arguments[0]) : null;
    if (name && KNEX_TABLE_CALLS.has(name) && first && ts.isStringLiteralLike(first)) return first.text;
  }
  return null;
}

/** The Drizzle table a column or foreign key is declared in: the variable a `pgTable(…)` call around it is given to, as a model name. */
function drizzleTable(ts: TS, node: ts.Node): string | null {
  for (let current = parentOf(node); current; current = parentOf(current)) {
    if (!ts.isCallExpression(current) || !TABLE_FACTORIES.test(lastName(ts, current.expression) ?? '')) continue;
    const declaration = parentOf(current);
    return declaration && ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name)
      ? modelName(declaration.name.text)
      : null;
  }
  return null;
}
