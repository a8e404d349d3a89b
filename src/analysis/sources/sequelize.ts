import type ts from 'typescript';
import { propertyNameText, unwrap } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import type { TS } from '../../ts/syntax.js';
import {
  classOf,
  decoratorModules,
  libraryBase,
  constructed,
  declarationOf,
  decoratorNames,
  decoratorTarget,
  forEachNode,
  functionArgument,
  instanceOrigin,
  modelName,
  objectFunctions,
  objectProperty,
  thisModel,
  typeReference,
} from './declarations.js';
import type { CallEffect, ModelHook, Source } from './source.js';

/** What the text of a file that holds its hooks contains: Sequelize's name, or `addHook`. */
const MARKER = /sequelize|addHook/i;

const STATIC_READS = new Set(['findByPk', 'findOne', 'findAll', 'findAndCountAll', 'count', 'max', 'min', 'sum', 'aggregate']);
const INSTANCE_READS = new Set(['reload']);
const CREATE = ['beforeValidate', 'afterValidate', 'beforeCreate', 'afterCreate', 'beforeSave', 'afterSave'];
const UPDATE = ['beforeValidate', 'afterValidate', 'beforeUpdate', 'afterUpdate', 'beforeSave', 'afterSave'];
const DESTROY = ['beforeDestroy', 'afterDestroy'];
const RESTORE = ['beforeRestore', 'afterRestore'];

/**
 * The events a static write fires. `Model.update()` and `Model.destroy()` fire the bulk hooks
 * only, the per-instance ones (`afterUpdate`, `afterDestroy`) only with `individualHooks: true`.
 */
const STATIC_WRITES: Readonly<Record<string, { events: readonly string[]; individual: readonly string[]; optionsAt: number }>> = {
  create: { events: CREATE, individual: [], optionsAt: 1 },
  findOrCreate: { events: CREATE, individual: [], optionsAt: 0 },
  findCreateFind: { events: CREATE, individual: [], optionsAt: 0 },
  bulkCreate: { events: ['beforeBulkCreate', 'afterBulkCreate'], individual: CREATE, optionsAt: 1 },
  update: { events: ['beforeBulkUpdate', 'afterBulkUpdate'], individual: UPDATE, optionsAt: 1 },
  destroy: { events: ['beforeBulkDestroy', 'afterBulkDestroy'], individual: DESTROY, optionsAt: 0 },
  truncate: { events: ['beforeBulkDestroy', 'afterBulkDestroy'], individual: [], optionsAt: 0 },
  restore: { events: ['beforeBulkRestore', 'afterBulkRestore'], individual: RESTORE, optionsAt: 0 },
  upsert: { events: ['beforeUpsert', 'afterUpsert'], individual: [], optionsAt: 1 },
  increment: { events: [], individual: [], optionsAt: 1 },
  decrement: { events: [], individual: [], optionsAt: 1 },
};
const INSTANCE_WRITES: Readonly<Record<string, readonly string[]>> = {
  save: [...new Set([...CREATE, ...UPDATE])],
  update: UPDATE,
  destroy: DESTROY,
  restore: RESTORE,
  increment: [],
  decrement: [],
};
/** Calls whose result is an instance of the model. */
const INSTANCE_MAKERS = new Set(['findByPk', 'findOne', 'create', 'build', 'findOrCreate', 'findOrBuild']);
const HOOK_EVENT =
  /^(before|after)(Validate|Create|Update|Save|Destroy|Restore|Upsert|BulkCreate|BulkUpdate|BulkDestroy|BulkRestore|Find|Count|Sync|BulkSync)$/;
const MODEL_BASES = new Set(['Model']);

/** Static methods no other library's models have: enough to know a model that cannot be resolved. */
const DISTINCTIVE = new Set(['findByPk', 'findAll', 'findAndCountAll', 'findOrCreate', 'findCreateFind', 'bulkCreate', 'destroy']);

/**
 * The model a receiver names: a class extending `Model` (through the project's own base classes),
 * `sequelize.define(…)`'s result, `sequelize.models.Website`. An import that cannot be resolved
 * (an alias the resolver does not follow) is a model when `method` is one only Sequelize has, or
 * when Sequelize hooks are registered for that name.
 */
function modelOf(ctx: FileContext, receiver: ts.Expression, method: string | null = null): string | null {
  const { ts } = ctx;
  // `this.findAll()`, `this.update(…)` in a static method of a model: the model itself.
  const self = thisModel(ctx, receiver, MODEL_BASES);
  if (self) return self.isStatic ? self.model : null;
  const expression = unwrap(ts, receiver);
  if (ts.isPropertyAccessExpression(expression) && ts.isPropertyAccessExpression(unwrap(ts, expression.expression))) {
    const models = unwrap(ts, expression.expression) as ts.PropertyAccessExpression;
    if (models.name.text === 'models') return modelName(expression.name.text);
  }
  if (!ts.isIdentifier(expression)) return null;
  const found = classOf(ctx, expression);
  if (found) return libraryBase(found.ctx, found.cls, MODEL_BASES) ? expression.text : null;
  const declared = declarationOf(ctx, expression);
  const made = declared?.initializer ? constructed(ts, declared.initializer) : null;
  if (made?.name === 'define') return expression.text;
  if (declared || !ctx.importOf(expression.text) || !/^[A-Z]/.test(expression.text) || method === null) return null;
  if (DISTINCTIVE.has(method)) return expression.text;
  const hooks = ctx.resolver?.hooksOf?.(expression.text) ?? ctx.fileHooks(expression.text);
  return hooks.some((hook) => hook.library === 'sequelize' && hook.model === expression.text) ? expression.text : null;
}

/**
 * What names the model of an instance: the class of `const site = await Website.findByPk(id)` or
 * `new Website()`, or the type of a parameter `site: Website`; with the call that made it.
 */
function instanceMaker(ctx: FileContext, receiver: ts.Expression): { ref: ts.Expression; how: string } | null {
  const { ts } = ctx;
  const origin = instanceOrigin(ctx, receiver);
  const made = origin ? constructed(ts, origin) : null;
  if (made) {
    const callee = unwrap(ts, made.call.expression);
    if (ts.isNewExpression(made.call)) return { ref: callee, how: 'new' };
    if (ts.isPropertyAccessExpression(callee) && INSTANCE_MAKERS.has(made.name)) return { ref: callee.expression, how: made.name };
    return null;
  }
  const declared = declarationOf(ctx, receiver);
  const type = typeReference(ts, declared?.type);
  return type && ts.isIdentifier(type.node) ? { ref: type.node, how: 'typed' } : null;
}

/** The model of an instance: made or typed as `instanceMaker` says, or `this` in an instance method of the model. */
function instanceModel(ctx: FileContext, receiver: ts.Expression): string | null {
  const self = thisModel(ctx, receiver, MODEL_BASES);
  if (self) return self.isStatic ? null : self.model;
  const maker = instanceMaker(ctx, receiver);
  return maker ? modelOf(ctx, maker.ref, maker.how) : null;
}

/** The project's model class of an instance (`site` of `const site = await Website.findByPk(id)`), whose own methods it runs. */
function instanceClass(ctx: FileContext, receiver: ts.Expression): { cls: ts.ClassLikeDeclaration; ctx: FileContext } | null {
  const ref = instanceMaker(ctx, receiver)?.ref;
  const expression = ref ? unwrap(ctx.ts, ref) : null;
  const found = expression && ctx.ts.isIdentifier(expression) ? classOf(ctx, expression) : null;
  return found && libraryBase(found.ctx, found.cls, MODEL_BASES) ? found : null;
}

/** Whether an options argument says `individualHooks: true`. */
function individualHooks(ctx: FileContext, options: ts.Expression | undefined): boolean {
  const { ts } = ctx;
  const object = options ? unwrap(ts, options) : null;
  if (!object || !ts.isObjectLiteralExpression(object)) return false;
  return object.properties.some(
    (p) =>
      ts.isPropertyAssignment(p) && propertyNameText(ts, p.name) === 'individualHooks' && p.initializer.kind === ts.SyntaxKind.TrueKeyword,
  );
}

function staticEffect(ctx: FileContext, call: ts.CallExpression, model: string, name: string): CallEffect[] | null {
  if (STATIC_READS.has(name)) return [{ kind: 'model-read', model, operation: name }];
  const write = STATIC_WRITES[name];
  if (!write) return null;
  const events = individualHooks(ctx, call.arguments[write.optionsAt]) ? [...write.events, ...write.individual] : write.events;
  return [{ kind: 'model-write', model, operation: name, events }];
}

/** The hook function of `addHook('afterSave', fn)` / `addHook('afterSave', 'name', fn)` / `afterSave(fn)`. */
function hookFunction(ts: TS, file: ts.SourceFile, args: readonly ts.Expression[]): ts.FunctionLikeDeclaration | null {
  return functionArgument(ts, file, args[args.length - 1]);
}

/**
 * sequelize-typescript hook decorators (`@AfterSave static invalidate()`), `Website.addHook('afterSave', fn)`,
 * `Website.afterCreate(fn)`, `hooks: { … }` of `Website.init(…)` and `sequelize.define(…)`, and
 * `sequelize.addHook(…)` for every model.
 */
function sequelizeHooks(ts: TS, file: ts.SourceFile): ModelHook[] {
  if (!MARKER.test(file.text)) return [];
  const hooks: ModelHook[] = [];
  const moduleOf = decoratorModules(ts, file);
  const fromOptions = (model: string, options: ts.Expression | undefined): void => {
    const object = options ? unwrap(ts, options) : null;
    const table = object && ts.isObjectLiteralExpression(object) ? objectProperty(ts, object, 'hooks') : null;
    for (const { name, fn } of table ? objectFunctions(ts, file, table) : [])
      if (HOOK_EVENT.test(name)) hooks.push({ model, event: name, fn });
  };
  forEachNode(ts, file, (node) => {
    // Hook decorators of sequelize-typescript, on a model class (its base may be the project's own).
    if (ts.isClassDeclaration(node) && node.name) {
      for (const member of node.members) {
        if (!ts.isMethodDeclaration(member) || !member.body) continue;
        for (const decorator of decoratorNames(ts, member)) {
          const event = decorator.charAt(0).toLowerCase() + decorator.slice(1);
          if (HOOK_EVENT.test(event) && /sequelize/.test(moduleOf(decorator) ?? ''))
            hooks.push({ model: node.name.text, event, fn: member });
        }
      }
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(unwrap(ts, node.expression))) {
      const callee = unwrap(ts, node.expression) as ts.PropertyAccessExpression;
      const target = unwrap(ts, callee.expression);
      const method = callee.name.text;
      // `target.addHook(…)` in a class decorator of the project registers on every class it decorates.
      const owner = ts.isIdentifier(target)
        ? /^sequelize$/i.test(target.text)
          ? '*'
          : (decoratorTarget(ts, target) ?? target.text)
        : null;
      if (owner !== null && (method === 'addHook' || method === 'hook') && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        const fn = hookFunction(ts, file, node.arguments);
        if (fn && HOOK_EVENT.test(node.arguments[0].text)) hooks.push({ model: owner, event: node.arguments[0].text, fn });
      } else if (owner !== null && owner !== '*' && HOOK_EVENT.test(method)) {
        const fn = hookFunction(ts, file, node.arguments);
        if (fn) hooks.push({ model: owner, event: method, fn });
      } else if (owner !== null && owner !== '*' && method === 'init') {
        fromOptions(owner, node.arguments[1]);
      } else if (method === 'define' && ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)) {
        fromOptions(node.parent.name.text, node.arguments[2]);
      }
    }
  });
  return hooks;
}

/**
 * Sequelize and sequelize-typescript: static calls on a model (`Website.findAll()`,
 * `Website.update(…)`, `sequelize.models.Website.create(…)`) and instance writes
 * (`site.save()`, `site.destroy()`) where the instance comes from such a call or a `new` in the
 * same function, a parameter typed with the model, or `this` in the model's own methods. The model
 * is the class (or the `define`d variable's) name.
 */
export const sequelize: Source = {
  id: 'sequelize',
  precedesHelpers: true,
  classify({ ctx, call, name, receiver }) {
    if (!receiver) return null;
    const model = STATIC_READS.has(name) || STATIC_WRITES[name] ? modelOf(ctx, receiver, name) : null;
    if (model) return staticEffect(ctx, call, model, name);
    if (!INSTANCE_WRITES[name] && !INSTANCE_READS.has(name)) return null;
    const instance = instanceModel(ctx, receiver);
    if (!instance) return null;
    const events = INSTANCE_WRITES[name];
    return events
      ? [{ kind: 'model-write', model: instance, operation: name, events }]
      : [{ kind: 'model-read', model: instance, operation: name }];
  },
  instanceClass,
  hookMarker: MARKER,
  hooks: sequelizeHooks,
};
