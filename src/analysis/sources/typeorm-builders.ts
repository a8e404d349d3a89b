import type ts from 'typescript';
import { staticString } from '../context.js';
import type { FileContext } from '../context.js';
import { lastName, parentOf, unwrap } from '../../ts/syntax.js';
import { forEachNode } from './declarations.js';

/** The methods of a query builder that choose the rows it reads, in a way not read here. */
const BUILDER_FILTERS = new Set([
  'where',
  'andWhere',
  'orWhere',
  'whereInIds',
  'andWhereInIds',
  'orWhereInIds',
  'innerJoin',
  'innerJoinAndSelect',
  'setFindOptions',
  'take',
  'limit',
  'skip',
  'offset',
]);
/** The methods of a query builder that run its read: one that ends where the builder is made reads what the chain says. */
const BUILDER_RUNS = new Set([
  'getMany',
  'getManyAndCount',
  'getOne',
  'getOneOrFail',
  'getCount',
  'getExists',
  'getRawMany',
  'getRawOne',
  'getRawAndEntities',
  'stream',
]);
/** The methods of a query builder that write (`insert()`, `relation('channels').of(id).add(ids)`): the others read. */
const BUILDER_WRITES = new Set(['insert', 'update', 'delete', 'softDelete', 'restore', 'relation']);

/**
 * The methods called on the query builder a call makes: along its chain
 * (`createQueryBuilder().relation('channels').of(id).add(ids)`) and, where a variable holds it
 * (`const qb = repo.createQueryBuilder('c')`), on that variable in the function; with the calls.
 */
function builderCalls(ctx: FileContext, made: ts.CallExpression): ts.CallExpression[] {
  const { ts } = ctx;
  const calls: ts.CallExpression[] = [];
  let current: ts.Expression = made;
  for (;;) {
    const access = parentOf(current);
    const call = access ? parentOf(access) : undefined;
    if (!access || !call || !ts.isPropertyAccessExpression(access) || !ts.isCallExpression(call) || call.expression !== access) break;
    calls.push(call);
    current = call;
  }
  let holder = parentOf(current);
  while (holder && (ts.isAwaitExpression(holder) || ts.isParenthesizedExpression(holder))) holder = parentOf(holder);
  if (!holder || !ts.isVariableDeclaration(holder) || !ts.isIdentifier(holder.name)) return calls;
  const variable = holder.name.text;
  let scope = parentOf(holder);
  while (scope && !ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = parentOf(scope);
  if (scope)
    forEachNode(ts, scope, (node) => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const target = unwrap(ts, node.expression.expression);
        if (ts.isIdentifier(target) && target.text === variable) calls.push(node);
      }
    });
  return calls;
}

/** What a query builder is made for: a read (with rows chosen in a way not read here, or not), or a write. */
export type BuilderUse =
  | { readonly kind: 'read'; readonly hasUnreadFilter: boolean }
  /** `relation`: the relation whose join rows it writes (`?` when its name cannot be read). */
  | {
      readonly kind: 'write';
      readonly operation: string;
      readonly relation?: string;
      /** The entity the chain names for the write (`insert().into(ProductTaxRate)`, `delete().from(…)`, `update(Quote)`), else the builder's. */
      readonly entity?: ts.Expression;
    };

/** The builder methods that name the entity a write is of: `insert().into(E)`, `delete().from(E)`, `update(E)`. */
const WRITE_TARGETS: Readonly<Record<string, string>> = {
  insert: 'into',
  delete: 'from',
  softDelete: 'from',
  restore: 'from',
  update: 'update',
};

/**
 * What the query builder a repository's `createQueryBuilder()` makes is for: a read of its entity
 * (the rows come at `getMany()`, `getOne()`, wherever the builder is handed), unless it writes:
 * `update()`, `delete()`, … of the entity, or `relation('channels').of(id).add(ids)`, a write of
 * that relation's join rows, which TypeORM's subscribers do not hear.
 */
export function builderUse(ctx: FileContext, made: ts.CallExpression): BuilderUse {
  const { ts } = ctx;
  const calls = builderCalls(ctx, made);
  const names = calls.map((call) => lastName(ts, call.expression) ?? '');
  const [first] = calls.filter((_, i) => BUILDER_WRITES.has(names[i] ?? ''));
  if (!first) {
    // A builder handed to callers (returned, passed on) may be refined there: its rows are not known here.
    const hasUnreadFilter = names.some((name) => BUILDER_FILTERS.has(name)) || !names.some((name) => BUILDER_RUNS.has(name));
    return { kind: 'read', hasUnreadFilter };
  }
  const operation = lastName(ts, first.expression) ?? '';
  if (operation !== 'relation') {
    const target = WRITE_TARGETS[operation];
    const named = calls.find((call, i) => names[i] === target && call.arguments[0] !== undefined)?.arguments[0];
    return named ? { kind: 'write', operation, entity: named } : { kind: 'write', operation };
  }
  const last = first.arguments[first.arguments.length - 1];
  return { kind: 'write', operation, relation: (last ? staticString(ctx, last) : null) ?? '?' };
}
