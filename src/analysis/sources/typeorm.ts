import type ts from 'typescript';
import { lastName, parentOf, propertyNameText, unwrap } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import type { TS } from '../../ts/syntax.js';
import {
  classOf,
  decoratorModules,
  libraryBase,
  constructed,
  declarationOf,
  decoratorCall,
  decoratorNames,
  forEachNode,
  implementsOf,
  instanceOrigin,
  objectProperty,
  propertyValue,
  thisModel,
  typeReference,
} from './declarations.js';
import { isIdField } from './operations.js';
import type { CallEffect, ModelHook, Source, TextTest } from './source.js';
import { builderUse } from './typeorm-builders.js';
import { repositoryMethod, repositoryStep } from './typeorm-repositories.js';
import { entityName, GIVEN, givenEntity } from './typeorm-entities.js';

/**
 * What the text of a file that holds its hooks contains: TypeORM's name (an import), and the name of
 * a subscriber method or entity listener decorator (`afterInsert`, `@BeforeUpdate`).
 */
const HOOK_NAME = /(?:[Bb]efore|[Aa]fter)(?:Insert|Update|Remove|SoftRemove|Recover)/;
const MARKER: TextTest = { test: (text) => text.includes('typeorm') && HOOK_NAME.test(text) };

const READS = new Set([
  'find',
  'findOne',
  'findOneBy',
  'findBy',
  'findAndCount',
  'findAndCountBy',
  'findOneOrFail',
  'findOneByOrFail',
  'findByIds',
  'count',
  'countBy',
  'exist',
  'exists',
  'existsBy',
  'sum',
  'average',
  'minimum',
  'maximum',
  'preload',
]);
const SUBSCRIBER = (name: string): string[] => [`before${name}`, `after${name}`];
const ENTITY = (name: string): string[] => [`entity:before${name}`, `entity:after${name}`];
/**
 * The events each write fires. Entity listeners (`@AfterInsert` methods) run only for writes of
 * entity instances (`save`, `remove`, …); subscribers also run for the query-builder writes
 * (`insert`, `update`, `delete`), as TypeORM broadcasts them.
 */
const WRITES: Readonly<Record<string, readonly string[]>> = {
  save: [...SUBSCRIBER('Insert'), ...SUBSCRIBER('Update'), ...ENTITY('Insert'), ...ENTITY('Update')],
  insert: SUBSCRIBER('Insert'),
  upsert: SUBSCRIBER('Insert'),
  update: SUBSCRIBER('Update'),
  increment: SUBSCRIBER('Update'),
  decrement: SUBSCRIBER('Update'),
  delete: SUBSCRIBER('Remove'),
  remove: [...SUBSCRIBER('Remove'), ...ENTITY('Remove')],
  softDelete: SUBSCRIBER('SoftRemove'),
  softRemove: [...SUBSCRIBER('SoftRemove'), ...ENTITY('SoftRemove')],
  restore: SUBSCRIBER('Recover'),
  recover: [...SUBSCRIBER('Recover'), ...ENTITY('Recover')],
  clear: [],
};
/** How many steps back a custom repository is followed to the repository it extends. */
const MAX_REPOSITORY_STEPS = 8;
const REPOSITORY_TYPES = new Set(['Repository', 'MongoRepository', 'TreeRepository']);
const ACTIVE_RECORD = new Set(['BaseEntity']);
/** The writes an active-record entity makes of itself (`site.save()`). */
const INSTANCE_WRITES = new Set(['save', 'remove', 'softRemove', 'recover']);
const REPOSITORY_FACTORIES = new Set(['getRepository', 'getMongoRepository', 'getTreeRepository']);
const MANAGER_TYPES = new Set(['EntityManager', 'MongoEntityManager']);
const IN_MEMORY = new Set(['create', 'merge', 'hasId', 'getId']);
const DATA_SOURCE_TYPES = new Set(['DataSource', 'Connection', 'EntityManager', 'QueryRunner']);
/** Calls on a data source or manager that only hand out repositories or run a callback: no effect of their own. */
const PLUMBING = new Set([
  'getRepository',
  'getMongoRepository',
  'getTreeRepository',
  'getCustomRepository',
  'withRepository',
  'transaction',
  'createQueryRunner',
  'connect',
  'startTransaction',
  'commitTransaction',
  'rollbackTransaction',
  'release',
]);
const ENTITY_HOOKS: Readonly<Record<string, string>> = {
  AfterInsert: 'entity:afterInsert',
  BeforeInsert: 'entity:beforeInsert',
  AfterUpdate: 'entity:afterUpdate',
  BeforeUpdate: 'entity:beforeUpdate',
  AfterRemove: 'entity:afterRemove',
  BeforeRemove: 'entity:beforeRemove',
  AfterSoftRemove: 'entity:afterSoftRemove',
  BeforeSoftRemove: 'entity:beforeSoftRemove',
  AfterRecover: 'entity:afterRecover',
  BeforeRecover: 'entity:beforeRecover',
};
const SUBSCRIBER_METHODS = /^(before|after)(Insert|Update|Remove|SoftRemove|Recover)$/;

/** The model of a repository: an entity class's name, or the parameter that a generic helper is given it by. */
interface RepositoryModel {
  readonly model: string;
  readonly given?: ts.Identifier;
}

/** The entity a repository is for: `Repository<Website>`, `@InjectRepository(Website)`, `getRepository(Website)`, a class extending `Repository<Website>`. */
function repositoryEntity(ctx: FileContext, receiver: ts.Expression): string | null {
  const model = repositoryModel(ctx, receiver);
  return model && !model.given ? model.model : null;
}

/**
 * The model a repository is for (see `repositoryEntity`), or the parameter of a generic helper that
 * gives it (`getRepository(ctx, entityType)`); a custom repository's is the one it extends.
 */
function repositoryModel(ctx: FileContext, receiver: ts.Expression, depth = 0): RepositoryModel | null {
  const { ts } = ctx;
  const expression = unwrap(ts, receiver);
  // `manager.withRepository(this.taxRateRepository_)`, `getRepository(TaxRate).extend({ … })`, `this` in that object.
  const further = (): RepositoryModel | null => {
    const next = depth < MAX_REPOSITORY_STEPS ? repositoryStep({ expr: expression, ctx }) : null;
    return next ? repositoryModel(next.ctx, next.expr, depth + 1) : null;
  };
  const fromCall = (init: ts.Expression): RepositoryModel | null => {
    const bare = unwrap(ts, init);
    // `ctx ? connection.getRepository(ctx, entity) : rawConnection.getRepository(entity)`: both the same entity's.
    if (ts.isConditionalExpression(bare)) {
      const [yes, no] = [fromCall(bare.whenTrue), fromCall(bare.whenFalse)];
      return yes && no && yes.model === no.model ? yes : null;
    }
    const made = constructed(ts, bare);
    if (!made || !REPOSITORY_FACTORIES.has(made.name)) return null;
    // `getRepository(Website)`, and a wrapper's `getRepository(ctx, Website)` given a context first.
    for (const argument of made.call.arguments ?? []) {
      const entity = entityName(ctx, argument);
      if (entity !== null) return { model: entity };
      const given = givenEntity(ctx, argument);
      if (given) return { model: `${GIVEN}${given.text}`, given };
    }
    return null;
  };
  if (ts.isCallExpression(expression)) return fromCall(expression) ?? further();
  const declared = declarationOf(ctx, expression);
  if (!declared) return further();
  const named = (model: string | null | undefined): RepositoryModel | null => (model ? { model } : null);
  const injected = decoratorCall(ts, declared.decorators, new Set(['InjectRepository']));
  if (injected) return named(entityName(ctx, injected.arguments[0]));
  const type = typeReference(ts, declared.type);
  if (type && REPOSITORY_TYPES.has(type.name)) return named(typeReference(ts, type.args[0])?.name);
  if (type && ts.isIdentifier(type.node)) {
    const custom = classOf(ctx, type.node);
    const base = custom ? libraryBase(custom.ctx, custom.cls, REPOSITORY_TYPES) : null;
    if (base && REPOSITORY_TYPES.has(base.name)) return named(typeReference(ts, base.args[0])?.name);
  }
  return (declared.initializer ? fromCall(declared.initializer) : null) ?? further();
}

/** Whether a receiver is an entity manager: typed so, `dataSource.manager`, the callback parameter of `transaction(…)`. */
function isManager(ctx: FileContext, receiver: ts.Expression): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, receiver);
  if (ts.isPropertyAccessExpression(expression) && expression.name.text === 'manager') return true;
  const declared = declarationOf(ctx, expression);
  if (!declared) return false;
  const type = typeReference(ts, declared.type);
  if (type && MANAGER_TYPES.has(type.name)) return true;
  if (decoratorCall(ts, declared.decorators, new Set(['InjectEntityManager']))) return true;
  const owner = declared.parameterOf;
  return (
    owner !== null &&
    ts.isCallExpression(owner.parent) &&
    lastName(ts, owner.parent.expression) === 'transaction' &&
    ctx.importsModule((m) => m === 'typeorm' || m === '@nestjs/typeorm')
  );
}

/** A data source, connection, manager or query runner: typed so, or injected by `@InjectDataSource()`. */
function isDataSource(ctx: FileContext, receiver: ts.Expression): boolean {
  const { ts } = ctx;
  if (isManager(ctx, receiver)) return true;
  const declared = declarationOf(ctx, receiver);
  if (!declared) return false;
  const type = typeReference(ts, declared.type);
  return (
    (type !== null && DATA_SOURCE_TYPES.has(type.name)) ||
    decoratorCall(ts, declared.decorators, new Set(['InjectDataSource', 'InjectConnection'])) !== null
  );
}

/** A class that is an active-record entity (`class Website extends BaseEntity`). */
function activeRecord(ctx: FileContext, receiver: ts.Expression): string | null {
  const { ts } = ctx;
  const expression = unwrap(ts, receiver);
  if (!ts.isIdentifier(expression)) return null;
  const found = classOf(ctx, expression);
  return found && libraryBase(found.ctx, found.cls, ACTIVE_RECORD) ? expression.text : null;
}

/** Whether an object literal names a row's id (`{ id, ...dto }`): saving it may update that row. */
function namesId(ts: TS, object: ts.ObjectLiteralExpression): boolean {
  return object.properties.some((p) => p.name !== undefined && isIdField(propertyNameText(ts, p.name) ?? ''));
}

/** Whether the function that holds a variable sets its id (`quote.id = id`), making a new entity an existing row. */
function setsId(ctx: FileContext, variable: ts.Identifier): boolean {
  const { ts } = ctx;
  let scope = parentOf(variable);
  while (scope && !ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = parentOf(scope);
  let found = false;
  if (scope)
    forEachNode(ts, scope, (node) => {
      if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
      const left = unwrap(ts, node.left);
      if (ts.isPropertyAccessExpression(left) && isIdField(left.name.text) && ctx.text(unwrap(ts, left.expression)) === variable.text)
        found = true;
    });
  return found;
}

/**
 * Whether a value saved is a new row, so that `save` inserts it: an entity made in memory here
 * (`repo.create(dto)`, `new Quote()`, directly or through a `const`) or an object literal, none of
 * them given an id (`repo.create({ id, ...dto })` and `quote.id = id` may name an existing row).
 */
function isNewRow(ctx: FileContext, value: ts.Expression | undefined): boolean {
  if (!value) return false;
  const { ts } = ctx;
  const bare = unwrap(ts, value);
  const origin = ts.isIdentifier(bare) ? instanceOrigin(ctx, bare) : bare;
  if (!origin || (ts.isIdentifier(bare) && setsId(ctx, bare))) return false;
  if (ts.isObjectLiteralExpression(origin)) return !namesId(ts, origin);
  const made = constructed(ts, origin);
  if (!made) return false;
  const isEntity = ts.isNewExpression(made.call) ? /^[A-Z]/.test(made.name) : made.name === 'create';
  const first = made.call.arguments?.[0] ? unwrap(ts, made.call.arguments[0]) : null;
  return isEntity && !(first && ts.isObjectLiteralExpression(first) && namesId(ts, first));
}

/** A repository's `createQueryBuilder()` (see `builderUse`): a read of its model, or a write. */
function queryBuilderEffects(ctx: FileContext, made: ts.CallExpression, model: string): CallEffect[] {
  const use = builderUse(ctx, made);
  if (use.kind === 'read')
    return [
      {
        kind: 'model-read',
        model,
        operation: 'createQueryBuilder',
        lookup: 'list',
        ...(use.hasUnreadFilter ? { hasUnreadFilter: true } : {}),
      },
    ];
  const { operation, relation } = use;
  // `this.createQueryBuilder().insert().into(ProductTaxRate)`: a write of the entity the chain names.
  const target = (use.entity ? entityName(ctx, use.entity) : null) ?? model;
  if (relation === undefined) return [{ kind: 'model-write', model: target, operation, events: WRITES[operation] ?? [] }];
  return [{ kind: 'model-write', model, operation: 'update', events: [], fields: [relation], relation }];
}

/**
 * A manager's `createQueryBuilder(Entity, alias)`, or `createQueryBuilder().insert().into(Entity)`: a
 * read or write of the entity it names; nothing known where it names none.
 */
function managerBuilderEffects(ctx: FileContext, made: ts.CallExpression): CallEffect[] {
  const use = builderUse(ctx, made);
  const named = use.kind === 'write' && use.entity ? null : entityName(ctx, made.arguments[0]);
  const model = named ?? (use.kind === 'write' && use.entity ? entityName(ctx, use.entity) : null);
  return model === null ? [] : queryBuilderEffects(ctx, made, model);
}

/** `save` of a new row (see `isNewRow`): an insert, with the events of one. */
function insertOf(model: string): CallEffect[] {
  return [{ kind: 'model-write', model, operation: 'insert', events: [...SUBSCRIBER('Insert'), ...ENTITY('Insert')] }];
}

function effectFor(model: string, name: string, call?: ts.CallExpression, ts?: TS): CallEffect[] | null {
  if (READS.has(name)) return [{ kind: 'model-read', model, operation: name }, ...(call && ts ? cachedRead(ts, call) : [])];
  const events = WRITES[name];
  return events ? [{ kind: 'model-write', model, operation: name, events }] : null;
}

/** The `cache: { id, milliseconds }` option of a find (`repo.find({ where, cache: { id: 'quotes', milliseconds: 60_000 } })`). */
function queryCache(ts: TS, call: ts.CallExpression): { id: ts.Expression; ms: ts.Expression | null } | null {
  const options = call.arguments.find((a) => ts.isObjectLiteralExpression(unwrap(ts, a)));
  const cache = options ? objectProperty(ts, unwrap(ts, options) as ts.ObjectLiteralExpression, 'cache') : null;
  const id = cache ? propertyValue(ts, cache, 'id') : null;
  return cache && id ? { id, ms: propertyValue(ts, cache, 'milliseconds') } : null;
}

/**
 * A find that TypeORM's query result cache keeps under an id: the read is its own loader, its
 * family the id (what `queryResultCache.remove([id])` clears), `milliseconds` its expiry. A find
 * cached with no id (`cache: true`, `cache: 60_000`) is keyed by its SQL: it only expires, no family.
 */
function cachedRead(ts: TS, call: ts.CallExpression): CallEffect[] {
  const cache = queryCache(ts, call);
  if (!cache) return [];
  const ttl = cache.ms ? { ttl: { expr: cache.ms, unit: 'milliseconds' as const } } : {};
  return [{ kind: 'cache-read', keys: [{ expr: cache.id, isKey: true }], loader: call, ...ttl }];
}

/** `dataSource.queryResultCache.remove(['quotes'])` (`?.` too) clears those ids; `clear()` the whole cache. */
function resultCacheInvalidation(ctx: FileContext, name: string, receiver: ts.Expression, call: ts.CallExpression): CallEffect[] | null {
  const { ts } = ctx;
  if (name !== 'remove' && name !== 'clear') return null;
  const cache = unwrap(ts, receiver);
  if (!ts.isPropertyAccessExpression(cache) || cache.name.text !== 'queryResultCache') return null;
  const owner = unwrap(ts, cache.expression);
  if (!isDataSource(ctx, owner) && !/^(dataSource|connection|manager)$/i.test(lastName(ts, owner) ?? '')) return null;
  if (name === 'clear') return [{ kind: 'invalidate', invalidationKind: 'pattern', keys: [{ flush: true }] }];
  const first = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
  const ids = first && ts.isArrayLiteralExpression(first) ? first.elements.filter((e) => !ts.isSpreadElement(e)) : [];
  return [{ kind: 'invalidate', invalidationKind: 'key', keys: ids.map((expr) => ({ expr, isKey: true })) }];
}

/** The effects of a repository of a model a parameter gives, each marked with that parameter. */
function givenBy(effects: CallEffect[], repository: RepositoryModel): CallEffect[] {
  const { given } = repository;
  if (!given) return effects;
  return effects.map((effect) => (effect.kind === 'model-read' || effect.kind === 'model-write' ? { ...effect, given } : effect));
}

/** Entity listeners (`@AfterInsert` methods of an entity) and subscribers (`EntitySubscriberInterface<Website>`, `listenTo()`). */
function typeormHooks(ts: TS, file: ts.SourceFile): ModelHook[] {
  if (!MARKER.test(file.text)) return [];
  const hooks: ModelHook[] = [];
  const moduleOf = decoratorModules(ts, file);
  forEachNode(ts, file, (node) => {
    if (ts.isClassDeclaration(node) && node.name) {
      const subscriber = implementsOf(ts, node).find((i) => i.name === 'EntitySubscriberInterface');
      const isSubscriber = subscriber !== undefined || decoratorNames(ts, node).includes('EventSubscriber');
      let model = subscriber ? (typeReference(ts, subscriber.args[0])?.name ?? '*') : '*';
      for (const member of node.members) {
        if (isSubscriber && ts.isMethodDeclaration(member) && member.name.getText(file) === 'listenTo' && member.body) {
          const returned = member.body.statements.find((s): s is ts.ReturnStatement => ts.isReturnStatement(s))?.expression;
          if (returned && ts.isIdentifier(unwrap(ts, returned))) model = (unwrap(ts, returned) as ts.Identifier).text;
        }
      }
      for (const member of node.members) {
        if (!ts.isMethodDeclaration(member) || !member.body) continue;
        const name = member.name.getText(file);
        if (isSubscriber && SUBSCRIBER_METHODS.test(name)) hooks.push({ model, event: name, fn: member });
        for (const decorator of decoratorNames(ts, member)) {
          const event = ENTITY_HOOKS[decorator];
          if (event && moduleOf(decorator) === 'typeorm') hooks.push({ model: node.name.text, event, fn: member });
        }
      }
    }
  });
  return hooks;
}

/**
 * TypeORM: repositories (`@InjectRepository(Website) repo: Repository<Website>`,
 * `dataSource.getRepository(Website)`, custom repositories), the entity manager
 * (`manager.save(Website, …)`, `manager.save(entity)`), active-record entities (`Website.find()`,
 * `website.save()`). The model is the entity class's name.
 */
export const typeorm: Source = {
  id: 'typeorm',
  precedesHelpers: true,
  classify({ ctx, call, name, receiver }) {
    const invalidation = receiver ? resultCacheInvalidation(ctx, name, receiver, call) : null;
    if (invalidation) return invalidation;
    if (receiver && PLUMBING.has(name) && isDataSource(ctx, receiver)) return [];
    // `repo.create(dto)`, `repo.merge(…)`: entities made in memory, nothing read or written.
    if (receiver && IN_MEMORY.has(name) && repositoryEntity(ctx, receiver) !== null) return [];
    const given = receiver && (READS.has(name) || WRITES[name] || name === 'createQueryBuilder') ? repositoryModel(ctx, receiver) : null;
    if (given && name === 'createQueryBuilder') return givenBy(queryBuilderEffects(ctx, call, given.model), given);
    if (given?.given) return givenBy(effectFor(given.model, name, call, ctx.ts) ?? [], given);
    if (receiver && name === 'createQueryBuilder' && isManager(ctx, receiver)) return managerBuilderEffects(ctx, call);
    if (!receiver || (!READS.has(name) && !WRITES[name])) return null;
    // `this.save()` in a method of an active-record entity, `this.find()` in a static one.
    const self = thisModel(ctx, receiver, ACTIVE_RECORD);
    if (self && (self.isStatic || INSTANCE_WRITES.has(name))) return effectFor(self.model, name);
    const repository = repositoryEntity(ctx, receiver) ?? activeRecord(ctx, receiver);
    if (repository)
      return name === 'save' && isNewRow(ctx, call.arguments[0]) ? insertOf(repository) : effectFor(repository, name, call, ctx.ts);
    if (isManager(ctx, receiver)) {
      const { ts } = ctx;
      const first = call.arguments[0];
      const named = entityName(ctx, first);
      if (named) return name === 'save' && isNewRow(ctx, call.arguments[1]) ? insertOf(named) : effectFor(named, name, call, ts);
      // `manager.save(site)` where `const site = new Website()` or `repo.create(…)`.
      const origin = first ? instanceOrigin(ctx, first) : null;
      const made = origin ? constructed(ts, origin) : null;
      const model = made && ts.isNewExpression(made.call) ? made.name : '?';
      return effectFor(model, name);
    }
    // `site.save()` of `const site = new Website()` (active record), `await Website.findOneBy(…)`.
    const origin = instanceOrigin(ctx, receiver);
    const made = origin ? constructed(ctx.ts, origin) : null;
    if (made && INSTANCE_WRITES.has(name)) {
      const calleeRoot = unwrap(ctx.ts, made.call.expression);
      const base = ctx.ts.isPropertyAccessExpression(calleeRoot) ? calleeRoot.expression : calleeRoot;
      const model = activeRecord(ctx, base);
      if (model) return effectFor(model, name);
    }
    return null;
  },
  isCachedRead: (ts, call) => queryCache(ts, call) !== null,
  extendedMethod: repositoryMethod,
  hookMarker: MARKER,
  hooks: typeormHooks,
};
