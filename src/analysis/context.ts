import type ts from 'typescript';
import { importBindings, isRequire, requiredModule } from '../ts/imports.js';
import type { ImportBinding } from '../ts/imports.js';
import { bindsName, enclosingClass, functionOfInitializer, hasDirective, parentOf, propertyNameText, unwrap } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import type { AnalysisOptions } from './options.js';
import type { ParsedPattern } from '../patterns/parse.js';
import type { Range } from './facts.js';
import { memoTable } from './session.js';
import type { AnalysisSession } from './session.js';
import { collectHooks, hooksIn } from './hooks.js';
import type { HookTable } from './hooks.js';
import { collectListeners } from './listeners.js';
import { isProjectImport } from './project-modules.js';
import type { JobProcessor, ModelHook, RelationTarget } from './sources/source.js';
import type { Cascade, CascadeSchema } from './prisma-schema.js';

/**
 * Resolves a call to the functions it may run, across files, with type information (ESLint's
 * typed mode) or a whole project (the CLI). Without one, only calls within the file are followed.
 */
export interface CallResolver {
  /** Declarations with bodies that `call` may run, or null when it cannot tell. */
  resolveCall(call: ts.CallExpression): readonly ts.FunctionLikeDeclaration[] | null;
  /** Declarations with bodies that a function reference (`router.post('/q', createQuote)`) stands for. */
  resolveIdentifier?(reference: ts.Expression): readonly ts.FunctionLikeDeclaration[] | null;
  /** Whether the expression's type is a number, boolean or similar value that holds no glob character. */
  isGlobSafe?(expression: ts.Expression): boolean;
  /** The class an identifier names (`@UseInterceptors(InvalidateQuotesInterceptor)`), across files. */
  resolveClass?(reference: ts.Identifier): ts.ClassLikeDeclaration | null;
  /** The top-level classes of the project's files declared under a name (`QuoteService`), for a container's registration of that name. */
  classesNamed?(name: string): readonly ts.ClassLikeDeclaration[];
  /** The function a file exports under `name`, through re-exports (`export { default } from '@/ee/…/handler'`). */
  resolveExport?(file: ts.SourceFile, name: string): ts.FunctionLikeDeclaration | null;
  /** The initializer of the `const` a file exports under `name`, through re-exports and imports (`export { POST } from '…/route'`). */
  resolveExportedConstant?(file: ts.SourceFile, name: string): ts.Expression | null;
  /** The enum, type alias or interface an imported name stands for (`CacheKeyPrefixEnum`, `type Client = Redis | Cluster`), across files. */
  resolveDeclaration?(reference: ts.Identifier): ts.EnumDeclaration | ts.TypeAliasDeclaration | ts.InterfaceDeclaration | null;
  /** The listeners of an event (`@OnEvent('quote.changed')` methods) across the project. */
  listenersOf?(event: string): readonly ts.FunctionLikeDeclaration[];
  /** The classes of the project that implement an interface of this name (`class RedisCache implements ICacheService`). */
  implementationsOf?(name: string): readonly ts.ClassLikeDeclaration[];
  /** The identifiers across the project that use a module's `const` (`getProjectByIdCached`); null when one cannot be told. */
  referencesOf?(declaration: ts.VariableDeclaration): readonly ts.Identifier[] | null;
  /** The initializer of a `const` imported from another file of the project (`import { QUOTES } from './keys'`). */
  resolveConstant?(reference: ts.Identifier): ts.Expression | null;
  /** The roles of the keys of the whole project (see `keyRolesOfFile`); without it, the file's own. */
  keyRoles?(): Readonly<Record<'others' | 'cached' | 'claims', readonly ParsedPattern[]>>;
  /**
   * Whether `specifier`, imported or required by `fromFile`, resolves to a source file of the
   * project (not a package in node_modules, not a declaration file); undefined when it cannot tell.
   */
  isProjectModule?(specifier: string, fromFile: string): boolean | undefined;
  /**
   * The packages a project module passes exports of on (`export * from 'drizzle-orm'`), itself or
   * through modules it re-exports; with `name`, none when a project module among them exports it.
   */
  reexportedPackages?(specifier: string, fromFile: ts.SourceFile, name?: string): readonly string[];
  /** The package a project module passes `name` on from by an `export { … }` of its own (one file read), or null. */
  packageOfExport?(specifier: string, fromFile: ts.SourceFile, name: string): string | null;
  /** The ORM lifecycle hooks of a model (normalised name, see sources/source.ts) across the project. */
  hooksOf?(model: string): readonly ModelHook[];
  /** The model each named relation of a model reaches (Drizzle's `relations(…)`), across the project. */
  relationsOf?(model: string): ReadonlyMap<string, RelationTarget>;
  /**
   * The models a delete of `model` removes rows of by cascade, across the project: by the relations the code declares
   * (see `codeCascadeTable`), and for a Prisma client's delete (`schema: 'prisma'`) by its schema's `onDelete: Cascade` too.
   */
  cascadesOf?(model: string, schema: CascadeSchema): readonly Cascade[];
  /** The fields by which a created row of `child` joins a list of `parent` rows (a Prisma schema's relation field and keys); null when unknown. */
  joinKeysOf?(child: string, parent: string): readonly string[] | null;
  /** The prefix the routes registered on a router are served under, from where the project mounts it (`app.use('/api', router)`). */
  routePrefix?(router: ts.Identifier): string | null;
  /** The processors of a queue, by queue key (its name, or `expr:` and the expression's text), across the project. */
  processorsOf?(queue: string): readonly JobProcessor[];
  /**
   * The route files of the project that serve a URL path (`/api/revalidate`, runtime values as
   * `*`), the best match only: the route table needs every file's path, so only a whole project has one.
   */
  routesOf?(path: string): readonly ServedRoute[];
}

/** The code a route serves for one method, with where it is (`GET /api/revalidate`). */
export interface RouteCode {
  readonly ctx: FileContext;
  readonly fn: ts.FunctionLikeDeclaration;
  readonly bodies: readonly ts.Node[];
  readonly label: string;
}

/** A route file that serves a requested path, and what it runs for a method. */
export interface ServedRoute {
  readonly file: ts.SourceFile;
  code(ctx: FileContext, method: string): readonly RouteCode[];
}

/** The nodes the extractors look at, gathered in one walk of the file. */
export interface FileNodes {
  readonly classes: readonly ts.ClassLikeDeclaration[];
  /** Calls outside decorators. */
  readonly calls: readonly ts.CallExpression[];
  readonly decorators: readonly ts.Decorator[];
  /** Functions with a block body; gathered only when the file mentions 'use server'. */
  readonly functions: readonly ts.FunctionLikeDeclaration[];
}

function collectNodes(ts: TS, sourceFile: ts.SourceFile): FileNodes {
  const classes: ts.ClassLikeDeclaration[] = [];
  const calls: ts.CallExpression[] = [];
  const decorators: ts.Decorator[] = [];
  const functions: ts.FunctionLikeDeclaration[] = [];
  const wantsFunctions = sourceFile.text.includes('use server');
  const visit = (node: ts.Node): void => {
    if (ts.isDecorator(node)) {
      // Decorators are read as a whole; the calls inside them are not calls of the code.
      decorators.push(node);
      return;
    }
    if (ts.isCallExpression(node)) calls.push(node);
    else if (ts.isClassLike(node)) classes.push(node);
    else if (
      wantsFunctions &&
      (ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) &&
      node.body &&
      ts.isBlock(node.body)
    ) {
      functions.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return { classes, calls, decorators, functions };
}

/**
 * What the tests before any walk read of a file: its path, its text and the modules it names. A
 * parsed file's context is one; the scanner builds one from the text alone to decide what to parse.
 */
export interface FileSurface {
  readonly file: string;
  readonly sourceText: string;
  readonly modules: readonly string[];
  importsModule(test: (module: string) => boolean): boolean;
}

/** Everything the extraction knows about one source file, built once. */
export class FileContext implements FileSurface {
  private collected: FileNodes | null = null;
  private moduleList: string[] | null = null;
  /** Whether each module the file names is the project's, asked once per module. */
  private readonly projectModules = new Map<string, boolean>();

  readonly imports: Map<string, ImportBinding>;
  readonly functions = new Map<string, ts.FunctionLikeDeclaration>();
  readonly classes = new Map<string, ts.ClassLikeDeclaration>();
  readonly enums = new Map<string, ts.EnumDeclaration>();
  readonly topConstants = new Map<string, ts.Expression>();
  readonly hasUseServer: boolean;

  constructor(
    readonly ts: TS,
    readonly sourceFile: ts.SourceFile,
    readonly options: AnalysisOptions,
    readonly resolver: CallResolver | null,
    /** Contexts of other files reached through the resolver. */
    readonly contextOf: (file: ts.SourceFile) => FileContext,
    /** The analysis this file is read in: it holds every memo (see `AnalysisSession`). */
    readonly session: AnalysisSession,
  ) {
    const sf = sourceFile;
    this.hasUseServer = hasDirective(ts, sf.statements, 'use server');
    this.imports = importBindings(ts, sf);
    for (const statement of sf.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name) {
        this.functions.set(statement.name.text, statement);
      } else if (ts.isClassDeclaration(statement) && statement.name) {
        this.classes.set(statement.name.text, statement);
      } else if (ts.isEnumDeclaration(statement)) {
        this.enums.set(statement.name.text, statement);
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
          const init = unwrap(ts, declaration.initializer);
          const fn = functionOfInitializer(ts, init);
          if (fn) this.functions.set(declaration.name.text, fn);
          else if (ts.isClassExpression(init)) this.classes.set(declaration.name.text, init);
          // `const redis = require('./redis')` is an import: its value is what that module exports.
          if ((statement.declarationList.flags & ts.NodeFlags.Const) !== 0 && !isRequire(ts, init)) {
            this.topConstants.set(declaration.name.text, declaration.initializer);
          }
        }
      }
    }
  }

  get file(): string {
    return this.sourceFile.fileName;
  }

  get sourceText(): string {
    return this.sourceFile.text;
  }

  /** Classes, calls, decorators (and functions) of the file, from one shared walk. */
  get nodes(): FileNodes {
    this.collected ??= collectNodes(this.ts, this.sourceFile);
    return this.collected;
  }

  range(node: ts.Node): Range {
    return { start: node.getStart(this.sourceFile), end: node.getEnd() };
  }

  text(node: ts.Node): string {
    return node.getText(this.sourceFile);
  }

  /** The module an identifier is imported from, or null. */
  importOf(name: string): ImportBinding | null {
    return this.imports.get(name) ?? null;
  }

  /** Whether a module this file imports is the project's own: module resolution decides, the spelling when there is none. */
  isProjectModule(module: string): boolean {
    let answer = this.projectModules.get(module);
    if (answer === undefined) {
      answer = isProjectImport(this, module);
      this.projectModules.set(module, answer);
    }
    return answer;
  }

  /** Every module the file imports or requires, bound to a name or not (`require('express').Router()`). */
  get modules(): readonly string[] {
    if (!this.moduleList) {
      const modules = new Set([...this.imports.values()].map((binding) => binding.module));
      if (this.sourceFile.text.includes('require(')) {
        for (const call of this.nodes.calls) {
          const module = requiredModule(this.ts, call);
          if (module !== null) modules.add(module);
        }
      }
      this.moduleList = [...modules];
    }
    return this.moduleList;
  }

  private listenerTable: Map<string, ts.FunctionLikeDeclaration[]> | null = null;

  /** The event listeners written in this file, by event key (without a resolver, the file is the world). */
  fileListeners(key: string): readonly ts.FunctionLikeDeclaration[] {
    this.listenerTable ??= collectListeners(this.ts, [this.sourceFile]);
    return this.listenerTable.get(key) ?? [];
  }

  private hookTable: HookTable | null = null;

  /** The ORM hooks of a model written in this file (without a resolver, the file is the world). */
  fileHooks(model: string): readonly ModelHook[] {
    this.hookTable ??= collectHooks(this.ts, [this.sourceFile]);
    return hooksIn(this.hookTable, model);
  }

  /** The job processors of a queue declared in this file. */
  fileProcessors(queue: string): readonly JobProcessor[] {
    this.hookTable ??= collectHooks(this.ts, [this.sourceFile]);
    return this.hookTable.processors.get(queue) ?? [];
  }

  importsModule(test: (module: string) => boolean): boolean {
    return this.modules.some(test);
  }
}

/**
 * The constant an identifier stands for, with the context of the file that holds it: a `const` of
 * this file, or (with a resolver) one imported from another file of the project.
 */
export function constantOf(ctx: FileContext, identifier: ts.Identifier): { init: ts.Expression; ctx: FileContext } | null {
  const local = constantInitializer(ctx, identifier);
  if (local) return { init: local, ctx };
  const binding = ctx.importOf(identifier.text);
  if (!binding || !ctx.resolver?.resolveConstant) return null;
  const remote = ctx.resolver.resolveConstant(identifier);
  return remote ? { init: remote, ctx: ctx.contextOf(remote.getSourceFile()) } : null;
}

/** A static string: a literal, a constant of the file (or imported), a member of a constant object. */
export function staticString(ctx: FileContext, node: ts.Expression, depth = 0): string | null {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  if (depth > 8) return null;
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return expression.text;
  if (ts.isNumericLiteral(expression)) return expression.text;
  if (ts.isIdentifier(expression)) {
    const constant = constantOf(ctx, expression);
    return constant ? staticString(constant.ctx, constant.init, depth + 1) : null;
  }
  if (ts.isPropertyAccessExpression(expression)) {
    const member = classPropertyInitializer(ctx, expression) ?? enumMemberInitializer(ctx, expression);
    if (member)
      return staticString(member.getSourceFile() === ctx.sourceFile ? ctx : ctx.contextOf(member.getSourceFile()), member, depth + 1);
    const found = staticObjectIn(ctx, expression.expression, depth + 1);
    const property = found?.object.properties.find(
      (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(ts, p.name) === expression.name.text,
    );
    return property && found ? staticString(found.ctx, property.initializer, depth + 1) : null;
  }
  if (ts.isTemplateExpression(expression)) {
    let text = expression.head.text;
    for (const span of expression.templateSpans) {
      const value = staticString(ctx, span.expression, depth + 1);
      if (value === null) return null;
      text += value + span.literal.text;
    }
    return text;
  }
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = staticString(ctx, expression.left, depth + 1);
    const right = left === null ? null : staticString(ctx, expression.right, depth + 1);
    return left === null || right === null ? null : left + right;
  }
  return null;
}

/** The initializer of an enum member (`CacheKeyPrefixEnum.SUBSCRIBER = 'subscriber'`), of an enum of this file or imported. */
function enumMemberInitializer(ctx: FileContext, access: ts.PropertyAccessExpression): ts.Expression | null {
  const { ts } = ctx;
  const object = unwrap(ts, access.expression);
  if (!ts.isIdentifier(object)) return null;
  const remote = ctx.importOf(object.text) ? (ctx.resolver?.resolveDeclaration?.(object) ?? null) : null;
  const declaration = ctx.enums.get(object.text) ?? (remote && ts.isEnumDeclaration(remote) ? remote : null);
  const member = declaration?.members.find((m) => propertyNameText(ts, m.name) === access.name.text);
  return member?.initializer ?? null;
}

/** The class a member access is made on: the enclosing one for `this`, a class of this file named by an identifier (`Service.TTL`). */
export function receiverClass(ctx: FileContext, receiver: ts.Expression, at: ts.Node): ts.ClassLikeDeclaration | null {
  const { ts } = ctx;
  const object = unwrap(ts, receiver);
  if (object.kind === ts.SyntaxKind.ThisKeyword) return enclosingClass(ts, at);
  return ts.isIdentifier(object) ? (ctx.classes.get(object.text) ?? null) : null;
}

/**
 * The initializer of `this.name` where the class declares `name = …` and never assigns it again
 * (`private rolesCacheKey = 'RoleService.allRoles'`, `private rolesCache = this.cacheService.createCache(…)`).
 */
export function classPropertyInitializer(ctx: FileContext, access: ts.PropertyAccessExpression): ts.Expression | null {
  const { ts } = ctx;
  if (unwrap(ts, access.expression).kind !== ts.SyntaxKind.ThisKeyword) return null;
  const owner = enclosingClass(ts, access);
  if (!owner) return null;
  const name = access.name.text;
  const declaration = owner.members.find(
    (m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && m.name.getText(ctx.sourceFile) === name,
  );
  if (!declaration?.initializer) return null;
  return assignedProperties(ctx, owner).has(name) ? null : declaration.initializer;
}

/** The names `this.name = …` assigns anywhere in a class (nested functions and classes too), by class: one walk for all its properties. */
const ASSIGNED_PROPERTIES = memoTable<ts.ClassLikeDeclaration, ReadonlySet<string>>('assigned properties');

function assignedProperties(ctx: FileContext, owner: ts.ClassLikeDeclaration): ReadonlySet<string> {
  const { ts } = ctx;
  return ctx.session.memo(ASSIGNED_PROPERTIES, owner, () => {
    const names = new Set<string>();
    const visit = (node: ts.Node): void => {
      const left = ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken ? node.left : null;
      if (left && ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword) names.add(left.name.text);
      ts.forEachChild(node, visit);
    };
    visit(owner);
    return names;
  });
}

export function staticObject(ctx: FileContext, node: ts.Expression, depth = 0): ts.ObjectLiteralExpression | null {
  return staticObjectIn(ctx, node, depth)?.object ?? null;
}

/** A constant object literal, with the context of the file that holds it. */
export function staticObjectIn(
  ctx: FileContext,
  node: ts.Expression,
  depth = 0,
): { object: ts.ObjectLiteralExpression; ctx: FileContext } | null {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  if (ts.isObjectLiteralExpression(expression)) return { object: expression, ctx };
  if (ts.isIdentifier(expression) && depth < 8) {
    const constant = constantOf(ctx, expression);
    return constant ? staticObjectIn(constant.ctx, constant.init, depth + 1) : null;
  }
  // `createCacheKey.workspace`: an object held by a property of a constant object (`module.exports = { key }` too).
  if (ts.isPropertyAccessExpression(expression) && depth < 8) {
    const outer = staticObjectIn(ctx, expression.expression, depth + 1);
    const property = outer?.object.properties.find(
      (p): p is ts.PropertyAssignment | ts.ShorthandPropertyAssignment =>
        (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && propertyNameText(ts, p.name) === expression.name.text,
    );
    if (!property || !outer) return null;
    return staticObjectIn(outer.ctx, ts.isPropertyAssignment(property) ? property.initializer : property.name, depth + 1);
  }
  return null;
}

/**
 * The initializer of the `const` an identifier refers to: in an enclosing block declared before
 * the use, or at the top of the file. Null for parameters, `let`s and anything unknown.
 */
export function constantInitializer(ctx: FileContext, identifier: ts.Identifier): ts.Expression | null {
  return ctx.session.memoPair(CONSTANTS, ctx, identifier, () => findConstantInitializer(ctx, identifier));
}

/** The constant each identifier refers to, by file and identifier: a key's parts are read at every level of a call path. */
const CONSTANTS = memoTable<FileContext, WeakMap<ts.Identifier, ts.Expression | null>>('constants');

function findConstantInitializer(ctx: FileContext, identifier: ts.Identifier): ts.Expression | null {
  const { ts } = ctx;
  const name = identifier.text;
  const use = identifier.getStart(ctx.sourceFile);
  let node = parentOf(identifier);
  while (node && !ts.isSourceFile(node)) {
    if (ts.isFunctionLike(node) && node.parameters.some((p) => bindsName(ts, p.name, name))) return null;
    if (ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseClause(node)) {
      for (const statement of node.statements) {
        // A statement that ends before the use starts before it too: its start (a scan past its trivia) is asked only of the others.
        if (statement.end > use && statement.getStart(ctx.sourceFile) > use) break;
        const found = constInStatement(ts, statement, name);
        if (found !== undefined) return found;
      }
    }
    node = parentOf(node);
  }
  return ctx.topConstants.get(name) ?? null;
}

/** undefined: not declared here; null: declared but not a constant with an initializer. */
function constInStatement(ts: TS, statement: ts.Statement, name: string): ts.Expression | null | undefined {
  if (!ts.isVariableStatement(statement)) return undefined;
  for (const declaration of statement.declarationList.declarations) {
    if (ts.isIdentifier(declaration.name) && declaration.name.text === name) {
      const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
      return isConst && declaration.initializer ? declaration.initializer : null;
    }
  }
  return undefined;
}
