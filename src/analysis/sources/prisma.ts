import type ts from 'typescript';
import { enclosingClass, lastName, propertyNameText, unwrap } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import type { TS } from '../../ts/syntax.js';
import {
  classOf,
  libraryBase,
  constructed,
  declarationOf,
  forEachNode,
  modelName,
  objectFunctions,
  objectProperty,
  propertyValue,
  typeReference,
} from './declarations.js';
import { literalKeys, prismaReadFields, prismaWriteFields } from './operations.js';
import type { CallEffect, ModelHook, Source } from './source.js';

/** What the text of a file that holds its hooks contains: a client extension or a middleware. */
const MARKER = /\$extends|\$use/;

const READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate', 'groupBy']);
const WRITES = new Set([
  'create',
  'createMany',
  'createManyAndReturn',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'upsert',
  'delete',
  'deleteMany',
]);
const CLIENT_TYPES = new Set(['PrismaClient', 'TransactionClient', 'PrismaService', 'ExtendedPrismaClient']);
const PRISMA_CLIENT = new Set(['PrismaClient']);
const CLIENT_NAMES = /^(prisma|db|prismaService|prismaClient)$|prisma$/i;

/** Whether a class is (or extends) the Prisma client. */
function extendsPrismaClient(ctx: FileContext, reference: ts.Identifier): boolean {
  const found = classOf(ctx, reference);
  return found !== null && libraryBase(found.ctx, found.cls, PRISMA_CLIENT) !== null;
}

/** What an initializer makes: `new PrismaClient()`, `globalThis.prisma ?? new PrismaClient()`, `prisma.$extends(…)`. */
function makesClient(ctx: FileContext, init: ts.Expression): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, init);
  if (ts.isBinaryExpression(expression)) return makesClient(ctx, expression.left) || makesClient(ctx, expression.right);
  const made = constructed(ts, expression);
  if (!made) return false;
  if (made.name === 'PrismaClient' || made.name === '$extends') return true;
  const callee = unwrap(ts, made.call.expression);
  return ts.isNewExpression(made.call) && ts.isIdentifier(callee) && extendsPrismaClient(ctx, callee);
}

/** Whether a receiver is a Prisma client (declared type, initializer, `$transaction` callback), its name as the fallback. */
function isPrismaClient(ctx: FileContext, receiver: ts.Expression): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, receiver);
  if (expression.kind === ts.SyntaxKind.ThisKeyword) {
    const owner = enclosingClass(ts, expression);
    return owner !== null && libraryBase(ctx, owner, PRISMA_CLIENT) !== null;
  }
  const declared = declarationOf(ctx, expression);
  if (declared) {
    const type = typeReference(ts, declared.type);
    if (type && (CLIENT_TYPES.has(type.name) || (ts.isIdentifier(type.node) && extendsPrismaClient(ctx, type.node)))) return true;
    if (declared.initializer && makesClient(declared.ctx, declared.initializer)) return true;
    // `export const db = { quotes: new Map() }`: known, and no client.
    const init = declared.initializer ? unwrap(ts, declared.initializer) : null;
    if (init && (ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init) || ts.isNewExpression(init))) return false;
    // `prisma.$transaction(async (tx) => { tx.website.update(…) })`
    const owner = declared.parameterOf;
    if (owner && ts.isCallExpression(owner.parent) && lastName(ts, owner.parent.expression) === '$transaction') return true;
  }
  return isNamedLikeClient(ts, expression);
}

/**
 * The fallback: a name of the receiver chain says Prisma (`prisma`, `this.db`, and a client kept
 * on a wrapper object: `prisma.client`, `db.client`, `this.prisma.read`). A Drizzle relational
 * query (`db.query.users`) is Drizzle's.
 */
function isNamedLikeClient(ts: TS, receiver: ts.Expression): boolean {
  let current: ts.Expression = receiver;
  for (let depth = 0; depth < 4; depth++) {
    const name = lastName(ts, current);
    if (name === 'query') return false;
    if (name !== null && CLIENT_NAMES.test(name)) return true;
    const inner = unwrap(ts, current);
    if (!ts.isPropertyAccessExpression(inner)) return false;
    current = inner.expression;
  }
  return false;
}

/**
 * A `$use(async (params, next) => …)` middleware runs for every operation; one that tests
 * `params.model === 'Team'` (and `params.action === 'create'`) is a hook of those models and operations.
 */
function middlewareHooks(ts: TS, fn: ts.ArrowFunction | ts.FunctionExpression): ModelHook[] {
  const compared = { model: new Set<string>(), action: new Set<string>() };
  forEachNode(ts, fn, (node) => {
    if (
      !ts.isBinaryExpression(node) ||
      (node.operatorToken.kind !== ts.SyntaxKind.EqualsEqualsEqualsToken && node.operatorToken.kind !== ts.SyntaxKind.EqualsEqualsToken)
    )
      return;
    for (const [side, other] of [
      [node.left, node.right],
      [node.right, node.left],
    ] as const) {
      if (ts.isPropertyAccessExpression(side) && (side.name.text === 'model' || side.name.text === 'action') && ts.isStringLiteral(other)) {
        compared[side.name.text].add(other.text);
      }
    }
  });
  const actions = [...compared.action];
  const event = actions.length > 0 ? new RegExp(`^(${actions.map((a) => a.replace(/[^\w$]/g, '')).join('|')})$`) : /./;
  const models = compared.model.size > 0 ? [...compared.model].map(modelName) : ['*'];
  return models.map((model) => ({ model, event, fn, name: '$use' }));
}

/** Prisma client extensions: `$extends({ query: { website: { update(…) {…} }, $allModels: { $allOperations … } } })`, and `$use` middleware. */
function prismaHooks(ts: TS, file: ts.SourceFile): ModelHook[] {
  if (!MARKER.test(file.text)) return [];
  const hooks: ModelHook[] = [];
  forEachNode(ts, file, (node) => {
    if (ts.isCallExpression(node)) {
      const name = lastName(ts, node.expression);
      const first = node.arguments[0] ? unwrap(ts, node.arguments[0]) : null;
      if (name === '$extends' && first && ts.isObjectLiteralExpression(first)) {
        const query = objectProperty(ts, first, 'query');
        for (const property of query?.properties ?? []) {
          if (!ts.isPropertyAssignment(property) || !ts.isObjectLiteralExpression(unwrap(ts, property.initializer))) continue;
          const key = property.name.getText(file).replace(/^['"]|['"]$/g, '');
          const model = key === '$allModels' ? '*' : modelName(key);
          for (const { name: event, fn } of objectFunctions(ts, file, unwrap(ts, property.initializer) as ts.ObjectLiteralExpression)) {
            hooks.push({ model, event, fn });
          }
        }
      }
      if (name === '$use' && first && (ts.isArrowFunction(first) || ts.isFunctionExpression(first)))
        hooks.push(...middlewareHooks(ts, first));
    }
  });
  return hooks;
}

/**
 * Prisma Accelerate's cache of a read (`findMany({ where, cacheStrategy: { ttl, swr, tags } })`):
 * the read is its own loader, its family named by its first tag (what
 * `$accelerate.invalidate({ tags })` clears), `ttl` in seconds. A read with no tag can only expire:
 * no family.
 */
function cachedRead(ctx: FileContext, call: ts.CallExpression): CallEffect[] {
  const { ts } = ctx;
  const strategy = cacheStrategy(ts, call);
  if (!strategy) return [];
  const [tag] = listElements(ts, propertyValue(ts, strategy, 'tags'));
  if (!tag) return [];
  const ttl = propertyValue(ts, strategy, 'ttl');
  return [
    { kind: 'cache-read', keys: [{ expr: tag, isKey: true }], loader: call, ...(ttl ? { ttl: { expr: ttl, unit: 'seconds' } } : {}) },
  ];
}

/** The `cacheStrategy` option of a read (`findMany({ cacheStrategy: { ttl, tags } })`). */
function cacheStrategy(ts: TS, call: ts.CallExpression): ts.ObjectLiteralExpression | null {
  const options = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  return options && ts.isObjectLiteralExpression(options) ? objectProperty(ts, options, 'cacheStrategy') : null;
}

/** `prisma.$accelerate.invalidate({ tags: ['quotes'] })` clears the reads cached under those tags; `invalidateAll()` every one. */
function accelerateInvalidation(ctx: FileContext, call: ts.CallExpression, callee: ts.Expression, name: string): CallEffect[] | null {
  const { ts } = ctx;
  if ((name !== 'invalidate' && name !== 'invalidateAll') || !ts.isPropertyAccessExpression(callee)) return null;
  const accelerate = unwrap(ts, callee.expression);
  if (!ts.isPropertyAccessExpression(accelerate) || accelerate.name.text !== '$accelerate' || !isPrismaClient(ctx, accelerate.expression))
    return null;
  if (name === 'invalidateAll') return [{ kind: 'invalidate', invalidationKind: 'pattern', keys: [{ flush: true }] }];
  const options = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  const tags = options && ts.isObjectLiteralExpression(options) ? listElements(ts, propertyValue(ts, options, 'tags')) : [];
  return [{ kind: 'invalidate', invalidationKind: 'tag', keys: tags.map((expr) => ({ expr, isKey: true })) }];
}

/**
 * The rows of relations a read selects fields of (`select: { project: { select: { id: true, name:
 * true } } }`, also under `include`): a read of the related model, named by the relation's field
 * (`project` → `Project`), of those fields. A relation named in the plural (`members`) is a list of
 * rows beside the one found; one in the singular the row its key points at. A relation taken whole
 * (`project: true`) is left to the parent's fields: what the entry keeps of it is not said.
 */
function relationReads(ts: TS, call: ts.CallExpression, operation: string, parent: string): CallEffect[] {
  const first = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  if (!first || !ts.isObjectLiteralExpression(first)) return [];
  const reads: CallEffect[] = [];
  for (const option of ['select', 'include']) {
    const chosen = objectProperty(ts, first, option);
    for (const property of chosen?.properties ?? []) {
      if (!ts.isPropertyAssignment(property)) continue;
      const field = propertyNameText(ts, property.name);
      const value = unwrap(ts, property.initializer);
      const fields = ts.isObjectLiteralExpression(value) ? literalKeys(ts, objectProperty(ts, value, 'select')) : null;
      if (field === null || fields === null || fields.includes('_count')) continue;
      const isMany = /[^s]s$/.test(field);
      const model = modelName(isMany ? field.slice(0, -1) : field);
      // A relation's own filter (`surveys: { where: { status: 'inProgress' }, select }`) may keep out the row written.
      const hasWhere =
        ts.isObjectLiteralExpression(value) && value.properties.some((p) => p.name && propertyNameText(ts, p.name) === 'where');
      const filtered = hasWhere ? { hasUnreadFilter: true } : {};
      reads.push(
        isMany
          ? { kind: 'model-read', model, operation, fields, lookup: 'list', isRelated: true, via: [field], parent, ...filtered }
          : { kind: 'model-read', model, operation, fields, lookup: 'point', via: [field] },
      );
    }
  }
  return reads;
}

/**
 * The document an update writes (an upsert's `update`), read for its fields where they are not
 * written out in place: a spread of a choice of documents (`...(flag ? {} : { digest: false })`),
 * a payload built beside it or passed in (see `updatedFields`).
 */
function updatedData(ts: TS, call: ts.CallExpression, operation: string): { update?: ts.Expression } {
  const first = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  const option = operation === 'upsert' ? 'update' : operation.startsWith('update') ? 'data' : null;
  const update = option && first && ts.isObjectLiteralExpression(first) ? propertyValue(ts, first, option) : null;
  return update ? { update } : {};
}

/** The rows a create writes: its `data` (an upsert's `create`). */
function createdData(ts: TS, call: ts.CallExpression, operation: string): { created?: ts.Expression } {
  const first = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  const option = operation === 'upsert' ? 'create' : operation.startsWith('create') ? 'data' : null;
  const created = option && first && ts.isObjectLiteralExpression(first) ? propertyValue(ts, first, option) : null;
  return created ? { created } : {};
}

/** The elements of an array literal (spreads aside); none for anything else. */
function listElements(ts: TS, value: ts.Expression | null): ts.Expression[] {
  const list = value ? unwrap(ts, value) : null;
  return list && ts.isArrayLiteralExpression(list) ? list.elements.filter((e) => !ts.isSpreadElement(e)) : [];
}

/**
 * Prisma: `prisma.website.findMany()`, `this.prisma.website.update()`, `tx.website.create()` in
 * `$transaction(async (tx) => …)`. The model is the delegate's name in the class-name form
 * (`website` → `Website`). Writes fire the operation's name and `$allOperations` for extensions.
 */
export const prisma: Source = {
  id: 'prisma',
  precedesHelpers: true,
  classify({ ctx, call, callee, name }) {
    const { ts } = ctx;
    // `$transaction`, `$connect`, `$extends` of a client: plumbing, no effect of their own (the callback is walked).
    const accelerate = accelerateInvalidation(ctx, call, callee, name);
    if (accelerate) return accelerate;
    if (
      name.startsWith('$') &&
      name !== '$executeRaw' &&
      name !== '$executeRawUnsafe' &&
      ts.isPropertyAccessExpression(callee) &&
      isPrismaClient(ctx, callee.expression)
    )
      return [];
    if ((!READS.has(name) && !WRITES.has(name)) || !ts.isPropertyAccessExpression(callee)) return null;
    const delegate = unwrap(ts, callee.expression);
    if (!ts.isPropertyAccessExpression(delegate)) return null;
    const model = delegate.name.text;
    if (model.startsWith('$') || model === 'query' || !isPrismaClient(ctx, delegate.expression)) return null;
    if (READS.has(name))
      return [
        { kind: 'model-read', model: modelName(model), operation: name, fields: prismaReadFields(ts, call) },
        ...relationReads(ts, call, name, modelName(model)),
        ...cachedRead(ctx, call),
      ];
    return [
      {
        kind: 'model-write',
        model: modelName(model),
        operation: name,
        events: [name, '$allOperations', '$use'],
        fields: prismaWriteFields(ts, call, name),
        ...updatedData(ts, call, name),
        ...createdData(ts, call, name),
      },
    ];
  },
  isCachedRead: (ts, call) => cacheStrategy(ts, call) !== null,
  hookMarker: MARKER,
  hooks: prismaHooks,
};
