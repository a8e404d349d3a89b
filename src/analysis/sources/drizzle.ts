import type ts from 'typescript';
import { lastName, unwrap } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import { chainRoot, constructed, declarationOf, modelName } from './declarations.js';
import type { Source } from './source.js';

const TABLE_FACTORIES = /^(pg|mysql|sqlite|singlestore|gel)Table$|^table$/;
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
 * Drizzle: `db.select().from(websites)`, `db.insert(websites)`, `db.update(websites)`,
 * `db.delete(websites)`, `db.query.websites.findMany()`. The model is the table's variable in
 * the class-name form (`websites` → `Websites`). Drizzle has no lifecycle hooks.
 */
export const drizzle: Source = {
  id: 'drizzle',
  precedesHelpers: true,
  classify({ ctx, call, callee, name, receiver }) {
    const { ts } = ctx;
    if (!receiver) return null;
    if (WRITES.has(name)) {
      const model = tableName(ctx, call.arguments[0]);
      return model && call.arguments.length === 1 ? [{ kind: 'model-write', model, operation: name, events: [] }] : null;
    }
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
};
