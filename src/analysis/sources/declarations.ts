import type ts from 'typescript';
import { staticString } from '../context.js';
import { decoratorsOf, enclosingClass, parentOf, propertyNameText, unwrap } from '../../ts/syntax.js';
import { importBindings, isRequire } from '../../ts/imports.js';
import type { FileContext } from '../context.js';
import { memoTable } from '../session.js';
import type { TS } from '../../ts/syntax.js';
import type { ImportBinding } from '../../ts/imports.js';
import { soleAssignment } from './assignments.js';

/** Where a receiver is declared: what its declaration says about it (type, injection, initial value). */
export interface Declared {
  readonly type: ts.TypeNode | undefined;
  readonly initializer: ts.Expression | undefined;
  readonly decorators: readonly ts.Decorator[];
  /** The function whose parameter it is (`async (tx) => …` of `$transaction`), or null. */
  readonly parameterOf: ts.SignatureDeclaration | null;
  /** The file the declaration is written in (another one for an imported constant). */
  readonly ctx: FileContext;
}

/**
 * The declaration of a receiver: a member of the enclosing class (`this.repo`: a constructor
 * parameter or a property), a parameter or variable in scope (`repo`), or a constant imported
 * from another file of the project (`import { prisma } from '@/lib/prisma'`).
 */
export function declarationOf(ctx: FileContext, receiver: ts.Expression, followImports = true): Declared | null {
  const table = followImports ? DECLARATIONS : LOCAL_DECLARATIONS;
  return ctx.session.memoPair(table, ctx, receiver, () => findDeclaration(ctx, receiver, followImports));
}

/** The declarations of receivers, by file and expression: with imports followed, and without. */
const DECLARATIONS = memoTable<FileContext, WeakMap<ts.Expression, Declared | null>>('declarations');
const LOCAL_DECLARATIONS = memoTable<FileContext, WeakMap<ts.Expression, Declared | null>>('local declarations');

function findDeclaration(ctx: FileContext, receiver: ts.Expression, followImports: boolean): Declared | null {
  const { ts } = ctx;
  const expression = unwrap(ts, receiver);
  if (ts.isPropertyAccessExpression(expression) && unwrap(ts, expression.expression).kind === ts.SyntaxKind.ThisKeyword) {
    return memberDeclaration(ctx, expression, expression.name.text);
  }
  if (!ts.isIdentifier(expression)) return null;
  const name = expression.text;
  let node = parentOf(expression);
  while (node) {
    if (ts.isFunctionLike(node)) {
      const parameter = node.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === name);
      if (parameter)
        return {
          type: parameter.type,
          initializer: parameter.initializer,
          decorators: decoratorsOf(ts, parameter),
          parameterOf: node,
          ctx,
        };
    }
    if (ts.isSourceFile(node)) {
      const declaration = topVariables(ctx, node).get(name);
      const initializer = declaration && (declaration.initializer ?? soleAssignment(ts, node, name));
      if (declaration) return { type: declaration.type, initializer, decorators: [], parameterOf: null, ctx };
    } else if (ts.isBlock(node) || ts.isModuleBlock(node)) {
      for (const statement of node.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name) && declaration.name.text === name) {
            return { type: declaration.type, initializer: declaration.initializer, decorators: [], parameterOf: null, ctx };
          }
        }
      }
    }
    node = parentOf(node);
  }
  if (!followImports || !ctx.importOf(name) || !ctx.resolver?.resolveConstant) return null;
  const remote = ctx.resolver.resolveConstant(expression);
  return remote
    ? { type: undefined, initializer: remote, decorators: [], parameterOf: null, ctx: ctx.contextOf(remote.getSourceFile()) }
    : null;
}

const TOP_VARIABLES = memoTable<ts.SourceFile, ReadonlyMap<string, ts.VariableDeclaration>>('top-level variables');

/**
 * The variable each name is declared as at the top of a file: a statement's first declaration of
 * the name, unless a `require` (`const redis = require('./redis')` is an import, followed as one).
 */
function topVariables({ ts, session }: FileContext, file: ts.SourceFile): ReadonlyMap<string, ts.VariableDeclaration> {
  return session.memo(TOP_VARIABLES, file, () => {
    const byName = new Map<string, ts.VariableDeclaration>();
    for (const statement of file.statements.filter(ts.isVariableStatement)) {
      const seen = new Set<string>();
      for (const d of statement.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || seen.has(d.name.text)) continue;
        seen.add(d.name.text);
        if (!(d.initializer && isRequire(ts, d.initializer)) && !byName.has(d.name.text)) byName.set(d.name.text, d);
      }
    }
    return byName;
  });
}

/** A member of the class enclosing `at`, or of the project's classes it extends (`this.MongooseModel` of a base repository). */
function memberDeclaration(ctx: FileContext, at: ts.Node, name: string): Declared | null {
  const owner = enclosingClass(ctx.ts, at);
  let current: { cls: ts.ClassLikeDeclaration; ctx: FileContext } | null = owner ? { cls: owner, ctx } : null;
  for (let depth = 0; current && depth < 8; depth++) {
    const found = ownMember(current.ctx, current.cls, name);
    if (found) return found;
    const base = baseOf(ctx.ts, current.cls);
    current = base && ctx.ts.isIdentifier(base.expression) ? classOf(current.ctx, base.expression) : null;
  }
  return null;
}

function ownMember(ctx: FileContext, owner: ts.ClassLikeDeclaration, name: string): Declared | null {
  const { ts } = ctx;
  for (const member of owner.members) {
    if (ts.isConstructorDeclaration(member)) {
      for (const parameter of member.parameters) {
        if (ts.isIdentifier(parameter.name) && parameter.name.text === name) {
          return { type: parameter.type, initializer: undefined, decorators: decoratorsOf(ts, parameter), parameterOf: null, ctx };
        }
      }
    }
    // `#prismaClient: PrismaClient` is a field like any other, read as `this.#prismaClient`.
    const key = member.name;
    const isNamed = key !== undefined && (ts.isIdentifier(key) || ts.isPrivateIdentifier(key)) && key.text === name;
    if (ts.isPropertyDeclaration(member) && isNamed) {
      const initializer = member.initializer ?? assignedInConstructor(ts, owner, name);
      return { type: member.type, initializer, decorators: decoratorsOf(ts, member), parameterOf: null, ctx };
    }
    // `get client(): Redis { return this.redis; }`: what the getter says it returns.
    if (ts.isGetAccessorDeclaration(member) && isNamed) {
      const returned = member.body?.statements.length === 1 ? member.body.statements[0] : undefined;
      const initializer = returned && ts.isReturnStatement(returned) ? returned.expression : undefined;
      return { type: member.type, initializer, decorators: [], parameterOf: null, ctx };
    }
  }
  return null;
}

/** `this.queue = new Queue('emails')` in the constructor: the value a property declared without one gets. */
function assignedInConstructor(ts: TS, owner: ts.ClassLikeDeclaration, name: string): ts.Expression | undefined {
  const constructor = owner.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m));
  for (const statement of constructor?.body?.statements ?? []) {
    if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
    const { left, operatorToken, right } = statement.expression;
    if (
      operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(left) &&
      left.expression.kind === ts.SyntaxKind.ThisKeyword &&
      left.name.text === name
    ) {
      return right;
    }
  }
  return undefined;
}

/** `Repository<Website>` → { name: 'Repository', args: [Website] }; `Prisma.TransactionClient` → { name: 'TransactionClient', root: 'Prisma' }. */
export function typeReference(
  ts: TS,
  type: ts.TypeNode | undefined,
): { name: string; root: string; args: readonly ts.TypeNode[]; node: ts.EntityName } | null {
  if (!type || !ts.isTypeReferenceNode(type)) return null;
  const typeName = type.typeName;
  const name = ts.isIdentifier(typeName) ? typeName.text : typeName.right.text;
  const root = ts.isIdentifier(typeName) ? typeName.text : ts.isIdentifier(typeName.left) ? typeName.left.text : name;
  return { name, root, args: type.typeArguments ?? [], node: typeName };
}

/** `undefined` or `null` as a member of a union type (`PostHog | undefined`, `Redis | null`). */
export function isNullishType(ts: TS, node: ts.TypeNode): boolean {
  return node.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword);
}

/** The call of a decorator among `decorators` whose name is one of `names`. */
export function decoratorCall(ts: TS, decorators: readonly ts.Decorator[], names: ReadonlySet<string>): ts.CallExpression | null {
  for (const decorator of decorators) {
    const expression = decorator.expression;
    if (!ts.isCallExpression(expression)) continue;
    const callee = unwrap(ts, expression.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : null;
    if (name !== null && names.has(name)) return expression;
  }
  return null;
}

/** The callee's last name of a call or `new` expression (`Queue` of `new Queue('emails')`), and its root identifier. */
export function constructed(
  ts: TS,
  expression: ts.Expression,
): { name: string; root: string | null; call: ts.CallExpression | ts.NewExpression } | null {
  const init = unwrap(ts, expression);
  if (!ts.isCallExpression(init) && !ts.isNewExpression(init)) return null;
  const callee = unwrap(ts, init.expression);
  if (ts.isIdentifier(callee)) return { name: callee.text, root: callee.text, call: init };
  if (ts.isPropertyAccessExpression(callee)) {
    const base = unwrap(ts, callee.expression);
    return { name: callee.name.text, root: ts.isIdentifier(base) ? base.text : null, call: init };
  }
  return null;
}

/** The class an identifier names, in this file or (with a resolver) another, with that file's context. */
export function classOf(ctx: FileContext, reference: ts.Identifier): { cls: ts.ClassLikeDeclaration; ctx: FileContext } | null {
  const local = ctx.classes.get(reference.text);
  if (local) return { cls: local, ctx };
  if (!ctx.importOf(reference.text) || !ctx.resolver?.resolveClass) return null;
  const remote = ctx.resolver.resolveClass(reference);
  if (!remote) return null;
  const file = remote.getSourceFile();
  return { cls: remote, ctx: file === ctx.sourceFile ? ctx : ctx.contextOf(file) };
}

/** What a class extends: the base's name, expression and type arguments (`Model`, `Repository<Website>`). */
export function baseOf(
  ts: TS,
  cls: ts.ClassLikeDeclaration,
): { name: string; expression: ts.Expression; args: readonly ts.TypeNode[] } | null {
  for (const clause of cls.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
    const type = clause.types[0];
    if (!type) continue;
    const expression = unwrap(ts, type.expression);
    const name = ts.isIdentifier(expression) ? expression.text : ts.isPropertyAccessExpression(expression) ? expression.name.text : null;
    if (name !== null) return { name, expression, args: type.typeArguments ?? [] };
  }
  return null;
}

/**
 * The library base a class reaches through the project's own base classes (`GroupMembership
 * extends ParanoidModel extends IdModel extends Model`): the first base named in `names`, or null.
 */
export function libraryBase(
  ctx: FileContext,
  cls: ts.ClassLikeDeclaration,
  names: ReadonlySet<string>,
): { name: string; args: readonly ts.TypeNode[] } | null {
  const { ts } = ctx;
  let current: { cls: ts.ClassLikeDeclaration; ctx: FileContext } | null = { cls, ctx };
  for (let depth = 0; current && depth < 8; depth++) {
    const base = baseOf(ts, current.cls);
    if (!base) return null;
    if (names.has(base.name)) return base;
    current = ts.isIdentifier(base.expression) ? classOf(current.ctx, base.expression) : null;
  }
  return null;
}

/** The module a decorator of a node is imported from in its file (`sequelize-typescript` for `@AfterSave`). */
export function decoratorModules(ts: TS, file: ts.SourceFile): (name: string) => string | null {
  let imports: Map<string, ImportBinding> | null = null;
  return (name) => {
    imports ??= importBindings(ts, file);
    return imports.get(name)?.module ?? null;
  };
}

/** The interfaces a class implements, with their type arguments. */
export function implementsOf(ts: TS, cls: ts.ClassLikeDeclaration): { name: string; args: readonly ts.TypeNode[] }[] {
  const result: { name: string; args: readonly ts.TypeNode[] }[] = [];
  for (const clause of cls.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ImplementsKeyword) continue;
    for (const type of clause.types) {
      const expression = unwrap(ts, type.expression);
      const name = ts.isIdentifier(expression) ? expression.text : ts.isPropertyAccessExpression(expression) ? expression.name.text : null;
      if (name !== null) result.push({ name, args: type.typeArguments ?? [] });
    }
  }
  return result;
}

/** The normalised model name: the class-name form (`website` → `Website`). */
export function modelName(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The name of a decorator on a node, without its call (`AfterSave` of `@AfterSave()` or `@AfterSave`). */
export function decoratorNames(ts: TS, node: ts.Node): string[] {
  return decoratorsOf(ts, node).flatMap((decorator) => {
    const expression = ts.isCallExpression(decorator.expression) ? decorator.expression.expression : decorator.expression;
    const callee = unwrap(ts, expression);
    return ts.isIdentifier(callee) ? [callee.text] : ts.isPropertyAccessExpression(callee) ? [callee.name.text] : [];
  });
}

/** The function an argument stands for, in the syntax of its file: an inline function or a function of the file. */
export function functionArgument(ts: TS, file: ts.SourceFile, argument: ts.Expression | undefined): ts.FunctionLikeDeclaration | null {
  if (!argument) return null;
  const expression = unwrap(ts, argument);
  if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) return expression;
  if (!ts.isIdentifier(expression)) return null;
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name?.text === expression.text && statement.body) return statement;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || declaration.name.text !== expression.text || !declaration.initializer) continue;
        const init = unwrap(ts, declaration.initializer);
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
      }
    }
  }
  return null;
}

/** The methods and function-valued properties of an object literal, by name. */
export function objectFunctions(
  ts: TS,
  file: ts.SourceFile,
  object: ts.ObjectLiteralExpression,
): { name: string; fn: ts.FunctionLikeDeclaration }[] {
  const result: { name: string; fn: ts.FunctionLikeDeclaration }[] = [];
  for (const property of object.properties) {
    const name = property.name ? propertyNameText(ts, property.name) : null;
    if (name === null) continue;
    if (ts.isMethodDeclaration(property) && property.body) result.push({ name, fn: property });
    else if (ts.isPropertyAssignment(property)) {
      const fn = functionArgument(ts, file, property.initializer);
      if (fn) result.push({ name, fn });
    } else if (ts.isShorthandPropertyAssignment(property)) {
      const fn = functionArgument(ts, file, property.name);
      if (fn) result.push({ name, fn });
    }
  }
  return result;
}

/** The object literal of a property of an object literal (`query` of `{ query: { … } }`). */
export function objectProperty(ts: TS, object: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralExpression | null {
  for (const property of object.properties) {
    if (!ts.isPropertyAssignment(property) || propertyNameText(ts, property.name) !== name) continue;
    const value = unwrap(ts, property.initializer);
    return ts.isObjectLiteralExpression(value) ? value : null;
  }
  return null;
}

/** The expression of a property of an object literal. */
export function propertyValue(ts: TS, object: ts.ObjectLiteralExpression, name: string): ts.Expression | null {
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && propertyNameText(ts, property.name) === name) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return property.name;
  }
  return null;
}

/**
 * The keys a name argument (a queue's, an event's) is known by: its string value when the syntax
 * of the file gives one, and `expr:` with its text, which the other side writing the same
 * expression (`QUEUES.emails`, an imported constant) matches.
 */
export function nameKeys(ctx: FileContext | null, ts: TS, file: ts.SourceFile, expression: ts.Expression): string[] {
  const bare = unwrap(ts, expression);
  if (ts.isStringLiteral(bare) || ts.isNoSubstitutionTemplateLiteral(bare)) return [bare.text];
  const keys: string[] = [];
  const value = ctx ? staticString(ctx, bare) : localString(ts, file, bare);
  if (value !== null) keys.push(value);
  keys.push(`expr:${bare.getText(file).replace(/\s+/g, '')}`);
  return keys;
}

/** A string constant of the file (`const EMAILS = 'emails'`), from the syntax alone. */
function localString(ts: TS, file: ts.SourceFile, expression: ts.Expression): string | null {
  if (!ts.isIdentifier(expression)) return null;
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement) || (statement.declarationList.flags & ts.NodeFlags.Const) === 0) continue;
    for (const d of statement.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.name.text === expression.text && d.initializer && ts.isStringLiteral(d.initializer))
        return d.initializer.text;
    }
  }
  return null;
}

/**
 * What a local variable was assigned from, in the function that uses it (`const site = await
 * Website.findByPk(id)` → the call), or null: where an instance's `save()` gets its model.
 */
export function instanceOrigin(ctx: FileContext, receiver: ts.Expression): ts.Expression | null {
  const declared = declarationOf(ctx, receiver);
  if (!declared?.initializer || declared.ctx !== ctx) return null;
  const { ts } = ctx;
  let init = unwrap(ts, declared.initializer);
  // `const [site] = …` is not followed; `(await X.findOne()) ?? fallback` takes the left side.
  if (ts.isBinaryExpression(init)) init = unwrap(ts, init.left);
  return init;
}

/**
 * The class `this` stands for at a receiver written `this`: in a method, accessor, constructor or
 * property initializer of a class (arrow functions keep it), with whether that member is static
 * (`this` is then the class itself). Null elsewhere: in a plain function `this` is what the call binds.
 */
function thisClass(ts: TS, receiver: ts.Expression): { cls: ts.ClassLikeDeclaration; isStatic: boolean } | null {
  if (unwrap(ts, receiver).kind !== ts.SyntaxKind.ThisKeyword) return null;
  let node = parentOf(receiver);
  while (node && !ts.isSourceFile(node)) {
    if (ts.isMethodDeclaration(node) || ts.isAccessor(node) || ts.isConstructorDeclaration(node) || ts.isPropertyDeclaration(node)) {
      const owner = node.parent;
      const isStatic = (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
      return ts.isClassLike(owner) ? { cls: owner, isStatic } : null;
    }
    if ((ts.isFunctionLike(node) && !ts.isArrowFunction(node)) || ts.isClassStaticBlockDeclaration(node)) return null;
    node = parentOf(node);
  }
  return null;
}

/**
 * The model `this` is in a member of a model class (one that reaches a base of `bases`): its
 * name, and whether `this` is the class (a static member) or an instance.
 */
export function thisModel(
  ctx: FileContext,
  receiver: ts.Expression,
  bases: ReadonlySet<string>,
): { model: string; isStatic: boolean } | null {
  const self = thisClass(ctx.ts, receiver);
  const name = self?.cls.name?.text;
  return self && name !== undefined && libraryBase(ctx, self.cls, bases) ? { model: name, isStatic: self.isStatic } : null;
}

/** Calls `visit` on every node below `root`, depth first. */
export function forEachNode(ts: TS, root: ts.Node, visit: (node: ts.Node) => void): void {
  const walk = (node: ts.Node): void => {
    visit(node);
    ts.forEachChild(node, walk);
  };
  walk(root);
}

/**
 * The hook-table key of a class decorator declared in the project, when `receiver` is the class it
 * decorates: `target` of `export function CounterCache(…) { return (target) => target.addHook(…) }`
 * or of `const Audited = (target) => { … }` is `@CounterCache`, `@Audited`; null for any other receiver.
 */
export function decoratorTarget(ts: TS, receiver: ts.Identifier): string | null {
  let isParameter = false;
  for (let node = parentOf(receiver); node; node = parentOf(node)) {
    if (!ts.isFunctionLike(node)) continue;
    isParameter ||= node.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === receiver.text);
    const holder = parentOf(node);
    if (ts.isFunctionDeclaration(node) && node.name && holder && ts.isSourceFile(holder)) return isParameter ? `@${node.name.text}` : null;
    if (holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) && ts.isSourceFile(holder.parent.parent.parent))
      return isParameter ? `@${holder.name.text}` : null;
  }
  return null;
}
