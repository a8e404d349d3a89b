import type ts from 'typescript';
import { staticString } from '../context.js';
import { enclosingClass, unwrap } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import type { TS } from '../../ts/syntax.js';
import {
  baseOf,
  classOf,
  constructed,
  declarationOf,
  decoratorCall,
  forEachNode,
  functionArgument,
  instanceOrigin,
  modelName,
  typeReference,
} from './declarations.js';
import type { ModelHook, Source, TextTest } from './source.js';

/** What the text of a file that holds its hooks contains: a `Schema`, and a `.pre(…)` or `.post(…)` on it. */
const HOOK_CALL = /\.\s*(?:pre|post)\b/;
const MARKER: TextTest = { test: (text) => text.includes('Schema') && HOOK_CALL.test(text) };

const READS = new Set([
  'find',
  'findOne',
  'findById',
  'countDocuments',
  'estimatedDocumentCount',
  'exists',
  'aggregate',
  'distinct',
  'count',
  // The soft-delete plugin (mongoose-delete): reads that include or only take the deleted rows.
  'findDeleted',
  'findWithDeleted',
  'findOneDeleted',
  'findOneWithDeleted',
  'countDeleted',
  'countWithDeleted',
]);
/** The middleware each write runs (`schema.post('save')` runs for `create` and `doc.save()`). */
const WRITES: Readonly<Record<string, readonly string[]>> = {
  create: ['save', 'validate'],
  insertMany: ['insertMany'],
  updateOne: ['updateOne'],
  updateMany: ['updateMany'],
  replaceOne: ['replaceOne'],
  findByIdAndUpdate: ['findOneAndUpdate'],
  findOneAndUpdate: ['findOneAndUpdate'],
  findOneAndReplace: ['findOneAndReplace'],
  deleteOne: ['deleteOne'],
  deleteMany: ['deleteMany'],
  findByIdAndDelete: ['findOneAndDelete'],
  findOneAndDelete: ['findOneAndDelete'],
  findByIdAndRemove: ['findOneAndRemove', 'findOneAndDelete'],
  findOneAndRemove: ['findOneAndRemove', 'findOneAndDelete'],
  bulkWrite: ['bulkWrite'],
  // The soft-delete plugin (mongoose-delete) marks rows deleted with an update of many.
  delete: ['updateMany'],
  deleteById: ['updateMany'],
  restore: ['updateMany'],
};
/** The writes whose second argument is an update document (`updateOne(filter, { $set: { name } })`). */
const UPDATES = new Set(['updateOne', 'updateMany', 'findByIdAndUpdate', 'findOneAndUpdate']);
const DOCUMENT_WRITES: Readonly<Record<string, readonly string[]>> = {
  save: ['save', 'validate'],
  deleteOne: ['deleteOne'],
  updateOne: ['updateOne'],
  remove: ['remove', 'deleteOne'],
};
const DOCUMENT_MAKERS = new Set(['findById', 'findOne', 'create', 'findByIdAndUpdate', 'findOneAndUpdate', 'hydrate']);

/**
 * `mongoose.model('Website', schema)`, `model('Website', schema)`, `models.Website || model('Website', schema)`: the name;
 * through a constant that holds one (`this.website = Website` in a constructor, `Website` imported from its schema's file).
 */
function modelCallName(ctx: FileContext, init: ts.Expression, depth = 0): string | null {
  const { ts } = ctx;
  const expression = unwrap(ts, init);
  if (ts.isBinaryExpression(expression)) return modelCallName(ctx, expression.right, depth) ?? modelCallName(ctx, expression.left, depth);
  if (ts.isIdentifier(expression) && depth < 3) {
    const declared = declarationOf(ctx, expression);
    return declared?.initializer ? modelCallName(declared.ctx, declared.initializer, depth + 1) : null;
  }
  const made = constructed(ts, expression);
  if (!made || made.name !== 'model' || ts.isNewExpression(made.call)) return null;
  const first = made.call.arguments[0];
  const name = first ? staticString(ctx, first) : null;
  return name === null ? null : modelName(name);
}

/** The model a receiver is: a `model(…)` constant, `@InjectModel(Website.name)`, a member typed `Model<Website>`. */
function modelOf(ctx: FileContext, receiver: ts.Expression): string | null {
  const { ts } = ctx;
  const declared = declarationOf(ctx, receiver);
  if (!declared) return null;
  const injected = decoratorCall(ts, declared.decorators, new Set(['InjectModel']));
  const first = injected?.arguments[0] ? unwrap(ts, injected.arguments[0]) : null;
  if (first && ts.isPropertyAccessExpression(first) && first.name.text === 'name')
    return modelName(first.expression.getText(ctx.sourceFile));
  if (first) {
    const value = staticString(ctx, first);
    if (value !== null) return modelName(value);
  }
  const type = typeReference(ts, declared.type);
  if (type?.name === 'Model' && declared.ctx.importOf(type.root)?.module === 'mongoose') {
    const document = typeReference(ts, type.args[0])?.name;
    if (document && isTypeParameterOf(ts, declared.type, document)) return heldModel(ctx, receiver);
    return document ? document.replace(/Document$/, '') : null;
  }
  return declared.initializer ? modelCallName(declared.ctx, declared.initializer) : null;
}

/** Whether `name` is a type parameter of the class whose member is declared with `type` (`Model<T_DBModel>` of a base repository). */
function isTypeParameterOf(ts: TS, type: ts.TypeNode | undefined, name: string): boolean {
  const owner = type ? enclosingClass(ts, type) : null;
  return owner?.typeParameters?.some((p) => p.name.text === name) === true;
}

/** What a model that only a concrete class names is called until then: the member of the base that holds it. */
const HELD = 'this.';

/** Whether a model is still one a concrete class names (see `concreteModel`). */
export function isHeldModel(model: string): boolean {
  return model.startsWith(HELD);
}

/**
 * `this.MongooseModel.updateOne(…)` where a base repository declares `constructor(protected
 * MongooseModel: Model<T_DBModel>, …)`: the model the class of the call gives its base, else the
 * member's name, for the caller that knows the class (`this.subscriberRepository.update(…)`).
 */
function heldModel(ctx: FileContext, receiver: ts.Expression): string | null {
  const { ts } = ctx;
  const expression = unwrap(ts, receiver);
  if (!ts.isPropertyAccessExpression(expression)) return null;
  const held = `${HELD}${expression.name.text}`;
  const owner = enclosingClass(ts, expression);
  return (owner ? concreteModel(ctx, owner, held) : null) ?? held;
}

/**
 * The model a class gives the member of a base that holds one (`super(Subscriber, SubscriberEntity)`
 * for `constructor(protected MongooseModel: Model<T>, protected entity: …)`), through bases
 * without constructors of their own; the model as given when it is no held one or none is found.
 */
export function concreteModel(ctx: FileContext, cls: ts.ClassLikeDeclaration, model: string): string | null {
  if (!isHeldModel(model)) return model;
  const { ts } = ctx;
  const member = model.slice(HELD.length);
  let current: { cls: ts.ClassLikeDeclaration; ctx: FileContext } | null = { cls, ctx };
  let superCall: { call: ts.CallExpression; ctx: FileContext } | null = null;
  for (let depth = 0; current && depth < 8; depth++) {
    const constructor = current.cls.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
    const index = constructor?.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === member) ?? -1;
    if (constructor && index >= 0) {
      const argument = superCall?.call.arguments[index];
      return argument && superCall ? modelOf(superCall.ctx, argument) : null;
    }
    if (constructor) superCall = superCallIn(ts, constructor, current.ctx);
    const base = baseOf(ts, current.cls);
    current = base && ts.isIdentifier(base.expression) ? classOf(current.ctx, base.expression) : null;
  }
  return null;
}

/** The `super(…)` call of a constructor. */
function superCallIn(
  ts: TS,
  constructor: ts.ConstructorDeclaration,
  ctx: FileContext,
): { call: ts.CallExpression; ctx: FileContext } | null {
  for (const statement of constructor.body?.statements ?? []) {
    const expression = ts.isExpressionStatement(statement) ? statement.expression : null;
    if (expression && ts.isCallExpression(expression) && expression.expression.kind === ts.SyntaxKind.SuperKeyword)
      return { call: expression, ctx };
  }
  return null;
}

/** The model of a document: `new Website(…)`, `await Website.findById(id)`. */
function documentModel(ctx: FileContext, receiver: ts.Expression): string | null {
  const { ts } = ctx;
  const origin = instanceOrigin(ctx, receiver);
  const made = origin ? constructed(ts, origin) : null;
  if (!made) return null;
  const callee = unwrap(ts, made.call.expression);
  if (ts.isNewExpression(made.call)) return modelOf(ctx, callee);
  if (ts.isPropertyAccessExpression(callee) && DOCUMENT_MAKERS.has(made.name)) return modelOf(ctx, callee.expression);
  return null;
}

/** Whether a document was made by `new` of its model (`const doc = new this.MongooseModel(data)`). */
function isNewDocument(ctx: FileContext, receiver: ts.Expression): boolean {
  const origin = instanceOrigin(ctx, receiver);
  return origin !== null && ctx.ts.isNewExpression(unwrap(ctx.ts, origin));
}

/** The model a schema variable belongs to: `model('Website', WebsiteSchema)`, `SchemaFactory.createForClass(Website)`, its name without `Schema`. */
function schemaModels(ts: TS, file: ts.SourceFile): Map<string, string> {
  const models = new Map<string, string>();
  forEachNode(ts, file, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const made = constructed(ts, node.initializer);
      const first = made?.call.arguments?.[0];
      if (made?.name === 'createForClass' && first && ts.isIdentifier(first)) models.set(node.name.text, first.text);
      else if (made && made.name === 'Schema' && !models.has(node.name.text))
        models.set(node.name.text, modelName(node.name.text.replace(/Schema$/, '')));
    }
    if (ts.isCallExpression(node)) {
      const made = constructed(ts, node);
      const [name, schema] = node.arguments;
      if (made?.name === 'model' && name && ts.isStringLiteral(name) && schema && ts.isIdentifier(schema))
        models.set(schema.text, modelName(name.text));
    }
  });
  return models;
}

/** `schema.post('save' | ['save', 'updateOne'] | /^find/, fn)` and `schema.pre(…)` of a schema of the file. */
function mongooseHooks(ts: TS, file: ts.SourceFile): ModelHook[] {
  if (!MARKER.test(file.text)) return [];
  const schemas = schemaModels(ts, file);
  if (schemas.size === 0) return [];
  const hooks: ModelHook[] = [];
  forEachNode(ts, file, (node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression)) {
      const model = schemas.get(node.expression.expression.text);
      const method = node.expression.name.text;
      const [events, ...rest] = node.arguments;
      const fn = functionArgument(ts, file, rest[rest.length - 1]);
      if (model && (method === 'post' || method === 'pre') && events && fn) {
        const bare = unwrap(ts, events);
        const names = ts.isArrayLiteralExpression(bare) ? bare.elements : [bare];
        for (const name of names) {
          if (ts.isStringLiteral(name)) hooks.push({ model, event: name.text, fn });
          else if (ts.isRegularExpressionLiteral(name)) {
            const literal = /^\/(.*)\/([a-z]*)$/s.exec(name.text);
            if (literal) hooks.push({ model, event: new RegExp(literal[1] ?? '', literal[2]), fn });
          }
        }
      }
    }
  });
  return hooks;
}

/**
 * Mongoose: model constants (`const Website = mongoose.model('Website', schema)`), injected
 * models (`@InjectModel(Website.name) model: Model<WebsiteDocument>`) and their documents
 * (`doc.save()`). The model is the name it is registered under.
 */
export const mongoose: Source = {
  id: 'mongoose',
  precedesHelpers: true,
  classify({ ctx, call, name, receiver }) {
    if (!receiver) return null;
    if (READS.has(name) || WRITES[name]) {
      const model = modelOf(ctx, receiver);
      if (model) {
        const events = WRITES[name];
        const update = UPDATES.has(name) ? call.arguments[1] : undefined;
        return events
          ? [{ kind: 'model-write', model, operation: name, events, ...(update ? { update } : {}) }]
          : [{ kind: 'model-read', model, operation: name }];
      }
    }
    const events = DOCUMENT_WRITES[name];
    const model = events ? documentModel(ctx, receiver) : null;
    // `new Website(data).save()` inserts the document it made.
    const operation = name === 'save' && isNewDocument(ctx, receiver) ? 'create' : name;
    return model && events ? [{ kind: 'model-write', model, operation, events }] : null;
  },
  hookMarker: MARKER,
  hooks: mongooseHooks,
};
