import type ts from 'typescript';
import type { AnalysisOptions } from './options.js';
import type { Range } from './facts.js';
import { collectHooks, hooksIn } from './hooks.js';
import type { HookTable } from './hooks.js';
import { collectListeners } from './listeners.js';
import type { JobProcessor, ModelHook } from './sources/source.js';

export type TS = typeof ts;

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
  /** The listeners of an event (`@OnEvent('quote.changed')` methods) across the project. */
  listenersOf?(event: string): readonly ts.FunctionLikeDeclaration[];
  /** The initializer of a `const` imported from another file of the project (`import { QUOTES } from './keys'`). */
  resolveConstant?(reference: ts.Identifier): ts.Expression | null;
  /** Whether a module specifier, imported from `fromFile`, is a module of the project (by module resolution). */
  isProjectModule?(specifier: string, fromFile: string): boolean;
  /** The ORM lifecycle hooks of a model (normalised name, see sources/source.ts) across the project. */
  hooksOf?(model: string): readonly ModelHook[];
  /** The processors of a queue, by queue key (its name, or `expr:` and the expression's text), across the project. */
  processorsOf?(queue: string): readonly JobProcessor[];
}

/** A module of the project by its spelling (relative, or a path alias as commonly written): the fallback without resolution. */
export function isProjectSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('@/') || specifier.startsWith('~/') || specifier.startsWith('#') || specifier.startsWith('src/');
}

export interface ImportBinding {
  readonly module: string;
  /** The exported name (`default` for default imports, `*` for namespaces). */
  readonly imported: string;
}

/** The names a file imports: local name → module and exported name. */
export function importBindings(ts: TS, sourceFile: ts.SourceFile): Map<string, ImportBinding> {
  const imports = new Map<string, ImportBinding>();
  for (const statement of sourceFile.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const module = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (clause?.name) imports.set(clause.name.text, { module, imported: 'default' });
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) imports.set(element.name.text, { module, imported: (element.propertyName ?? element.name).text });
    } else if (bindings && ts.isNamespaceImport(bindings)) {
      imports.set(bindings.name.text, { module, imported: '*' });
    }
  }
  return imports;
}

/** The script kind TypeScript should parse a file as, from its extension. */
export function scriptKindOf(ts: TS, fileName: string): ts.ScriptKind {
  const extension = /\.[^./\\]*$/.exec(fileName)?.[0]?.toLowerCase() ?? '';
  if (extension === '.ts' || extension === '.mts' || extension === '.cts') return ts.ScriptKind.TS;
  if (extension === '.tsx') return ts.ScriptKind.TSX;
  if (extension === '.jsx') return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

/** The class a node is written in, or null. */
export function enclosingClass(ts: TS, node: ts.Node): ts.ClassLikeDeclaration | null {
  let current = node.parent as ts.Node | undefined;
  while (current) {
    if (ts.isClassLike(current)) return current;
    current = current.parent as ts.Node | undefined;
  }
  return null;
}

/** Source text on one line, cut to `max` characters, for messages. */
export function truncate(text: string, max = 50): string {
  const single = text.replace(/\s+/g, ' ');
  return single.length > max ? `${single.slice(0, max - 3)}...` : single;
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
    else if (wantsFunctions && (ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && node.body && ts.isBlock(node.body)) {
      functions.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return { classes, calls, decorators, functions };
}

/** Everything the extraction knows about one source file, built once. */
export class FileContext {
  private collected: FileNodes | null = null;

  readonly imports: Map<string, ImportBinding>;
  readonly functions = new Map<string, ts.FunctionLikeDeclaration>();
  readonly classes = new Map<string, ts.ClassLikeDeclaration>();
  readonly topConstants = new Map<string, ts.Expression>();
  readonly hasUseServer: boolean;

  constructor(
    readonly ts: TS,
    readonly sourceFile: ts.SourceFile,
    readonly options: AnalysisOptions,
    readonly resolver: CallResolver | null,
    /** Contexts of other files reached through the resolver. */
    readonly contextOf: (file: ts.SourceFile) => FileContext,
  ) {
    const sf = sourceFile;
    this.hasUseServer = hasDirective(ts, sf.statements, 'use server');
    this.imports = importBindings(ts, sf);
    for (const statement of sf.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name) {
        this.functions.set(statement.name.text, statement);
      } else if (ts.isClassDeclaration(statement) && statement.name) {
        this.classes.set(statement.name.text, statement);
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
          const init = unwrap(ts, declaration.initializer);
          if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) this.functions.set(declaration.name.text, init);
          else if (ts.isClassExpression(init)) this.classes.set(declaration.name.text, init);
          if ((statement.declarationList.flags & ts.NodeFlags.Const) !== 0) {
            this.topConstants.set(declaration.name.text, declaration.initializer);
          }
        }
      }
    }
  }

  get file(): string {
    return this.sourceFile.fileName;
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
    return this.resolver?.isProjectModule?.(module, this.file) ?? isProjectSpecifier(module);
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
    for (const binding of this.imports.values()) if (test(binding.module)) return true;
    return false;
  }
}

export function hasDirective(ts: TS, statements: readonly ts.Statement[], directive: string): boolean {
  for (const statement of statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) return false;
    if (statement.expression.text === directive) return true;
  }
  return false;
}

/** Strips `as`, `satisfies`, `!`, parentheses and `<T>` casts. */
export function unwrap(ts: TS, node: ts.Expression): ts.Expression {
  let current = node;
  while (
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isParenthesizedExpression(current) ||
    ts.isTypeAssertionExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isAwaitExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/** The last name of a callee or receiver: `a.b.c` → `c`, `f` → `f`, `this` → `this`. */
export function lastName(ts: TS, node: ts.Expression): string | null {
  const expression = unwrap(ts, node);
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  if (ts.isElementAccessExpression(expression) && ts.isStringLiteral(expression.argumentExpression)) return expression.argumentExpression.text;
  if (expression.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isCallExpression(expression)) return lastName(ts, expression.expression);
  return null;
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

export function staticObject(ctx: FileContext, node: ts.Expression, depth = 0): ts.ObjectLiteralExpression | null {
  return staticObjectIn(ctx, node, depth)?.object ?? null;
}

/** A constant object literal, with the context of the file that holds it. */
export function staticObjectIn(ctx: FileContext, node: ts.Expression, depth = 0): { object: ts.ObjectLiteralExpression; ctx: FileContext } | null {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  if (ts.isObjectLiteralExpression(expression)) return { object: expression, ctx };
  if (ts.isIdentifier(expression) && depth < 8) {
    const constant = constantOf(ctx, expression);
    return constant ? staticObjectIn(constant.ctx, constant.init, depth + 1) : null;
  }
  return null;
}

export function propertyNameText(ts: TS, name: ts.PropertyName): string | null {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return null;
}

/**
 * The initializer of the `const` an identifier refers to: in an enclosing block declared before
 * the use, or at the top of the file. Null for parameters, `let`s and anything unknown.
 */
export function constantInitializer(ctx: FileContext, identifier: ts.Identifier): ts.Expression | null {
  const { ts } = ctx;
  const name = identifier.text;
  let node: ts.Node | undefined = identifier.parent;
  while (node && !ts.isSourceFile(node)) {
    if (ts.isFunctionLike(node) && node.parameters.some((p) => bindsName(ts, p.name, name))) return null;
    if (ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseClause(node)) {
      for (const statement of node.statements) {
        if (statement.getStart(ctx.sourceFile) > identifier.getStart(ctx.sourceFile)) break;
        const found = constInStatement(ts, statement, name);
        if (found !== undefined) return found;
      }
    }
    node = node.parent;
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

export function bindsName(ts: TS, binding: ts.BindingName, name: string): boolean {
  if (ts.isIdentifier(binding)) return binding.text === name;
  return binding.elements.some((element) => !ts.isOmittedExpression(element) && bindsName(ts, element.name, name));
}

/** The decorators of a node, in either of TypeScript's representations. */
export function decoratorsOf(ts: TS, node: ts.Node): readonly ts.Decorator[] {
  if (!ts.canHaveDecorators(node)) return [];
  return ts.getDecorators(node) ?? [];
}
