import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type ts from 'typescript';
import { importBindings, requiredModule } from '../ts/imports.js';
import { enclosingClass, functionOfInitializer, propertyNameText, unwrap } from '../ts/syntax.js';
import type { CallResolver } from '../analysis/context.js';
import type { ImportBinding } from '../ts/imports.js';
import type { TS } from '../ts/syntax.js';
import { collectListeners } from '../analysis/listeners.js';
import { baseOf } from '../analysis/sources/declarations.js';
import type { KeyRoles } from '../analysis/effects.js';
import { isProjectSource, looksLikeProjectModule } from '../analysis/project-modules.js';
import type { ProjectFiles } from './files.js';
import { collectHooks, hooksIn } from '../analysis/hooks.js';
import type { HookTable } from '../analysis/hooks.js';
import type { JobProcessor, ModelHook } from '../analysis/sources/source.js';

type Fn = ts.FunctionLikeDeclaration;

/**
 * Follows calls into other files with module resolution and the syntax alone, no type checker:
 * `this.service.method()` through the declared type of a constructor-injected member,
 * imported functions and namespace members, re-exports. What it cannot follow stays unresolved.
 */
export class ProjectResolver implements CallResolver {
  private readonly importsByFile = new WeakMap<ts.SourceFile, Map<string, ImportBinding>>();
  private readonly resolved = new Map<string, string | null | typeof UNRESOLVED>();
  private readonly resolutionCaches = new Map<ts.CompilerOptions, ts.ModuleResolutionCache>();
  private readonly realRoot: string;
  private exportAnswers = new WeakMap<ts.SourceFile, Map<string, ts.Node | null>>();
  private constantAnswers = new WeakMap<ts.SourceFile, Map<string, ts.Expression | null>>();

  constructor(
    private readonly ts: TS,
    /** What module resolution needs of the project: its root, each file's options, its workspace packages. */
    private readonly project: Pick<ProjectFiles, 'root' | 'optionsOf' | 'workspaces'>,
    private readonly host: ts.ModuleResolutionHost,
    /** The parsed file at a path (parsing it on demand), or undefined when it cannot be read. */
    private readonly sourceFileAt: (path: string) => ts.SourceFile | undefined,
    /** The parsed files that can hold event listeners, ORM hooks or job processors (those whose text can). */
    private readonly allSourceFiles: () => readonly ts.SourceFile[] = () => [],
    /**
     * Whether the module at a path can export `name`, asked before a module re-exported wholesale
     * (`export * from './quotes'`) is parsed to look for it: a barrel then costs only the modules
     * that can hold the name.
     */
    private readonly mayExport: (path: string, name: string) => boolean = () => true,
  ) {
    this.realRoot = this.realpath(project.root);
  }

  private listeners: Map<string, Fn[]> | null = null;

  /**
   * Forgets the answers that reach into other files (exported declarations and constants, through
   * re-exports), so that the next lookups read those files again: the persistent cache records
   * what each file's facts read (see `extractWithSummaries`).
   */
  forgetAnswers(): void {
    this.exportAnswers = new WeakMap();
    this.constantAnswers = new WeakMap();
  }

  /** The roles of the project's Redis keys, set by the scan (it knows every file). */
  keyRoles?: () => KeyRoles;

  /** The route files that serve a URL path, set by the scan (it knows every file's path). */
  routeFilesOf?: (path: string) => readonly ts.SourceFile[];

  resolveConstant(reference: ts.Identifier): ts.Expression | null {
    const binding = this.imports(reference.getSourceFile()).get(reference.text);
    if (!binding || binding.imported === '*') return null;
    const target = this.moduleFile(reference.getSourceFile(), binding.module);
    return target ? this.exportedConstant(target, binding.imported, 0) : null;
  }

  /** The initializer of an exported `const` (following re-exports a few levels); the answers from the top remembered. */
  private exportedConstant(file: ts.SourceFile, name: string, depth: number): ts.Expression | null {
    return depth === 0
      ? remembered(this.constantAnswers, file, name, () => this.findConstant(file, name, 0))
      : this.findConstant(file, name, depth);
  }

  private findConstant(file: ts.SourceFile, name: string, depth: number): ts.Expression | null {
    const { ts } = this;
    if (depth > 4) return null;
    const local = (wanted: string): ts.Expression | null => {
      for (const statement of file.statements) {
        if (!ts.isVariableStatement(statement) || (statement.declarationList.flags & ts.NodeFlags.Const) === 0) continue;
        for (const d of statement.declarationList.declarations)
          if (ts.isIdentifier(d.name) && d.name.text === wanted && d.initializer) return d.initializer;
      }
      return null;
    };
    for (const statement of file.statements) {
      // `export default { client }`, `export default client`.
      if (name === 'default' && ts.isExportAssignment(statement) && !statement.isExportEquals) {
        const value = unwrap(ts, statement.expression);
        return ts.isIdentifier(value) ? local(value.text) : value;
      }
      if (ts.isVariableStatement(statement) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
        const found = local(name);
        if (found && statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)) return found;
      }
      if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) {
          if (element.name.text !== name) continue;
          const original = (element.propertyName ?? element.name).text;
          const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : null;
          if (from === null) return local(original);
          const target = this.moduleFile(file, from);
          return target ? this.exportedConstant(target, original, depth + 1) : null;
        }
      }
      if (
        ts.isExportDeclaration(statement) &&
        !statement.exportClause &&
        statement.moduleSpecifier &&
        ts.isStringLiteral(statement.moduleSpecifier)
      ) {
        const target = this.reexportedFile(file, statement.moduleSpecifier.text, name);
        const found = target ? this.exportedConstant(target, name, depth + 1) : null;
        if (found) return found;
      }
    }
    return null;
  }

  resolveClass(reference: ts.Identifier): ts.ClassLikeDeclaration | null {
    return this.classNamed(reference.getSourceFile(), reference.text);
  }

  resolveDeclaration(reference: ts.Identifier): ts.EnumDeclaration | ts.TypeAliasDeclaration | null {
    const { ts } = this;
    const binding = this.imports(reference.getSourceFile()).get(reference.text);
    if (!binding || binding.imported === '*') return null;
    const target = this.moduleFile(reference.getSourceFile(), binding.module);
    const found = target ? this.exported(target, binding.imported, 0) : null;
    return found && (ts.isEnumDeclaration(found) || ts.isTypeAliasDeclaration(found)) ? found : null;
  }

  listenersOf(event: string): readonly Fn[] {
    this.listeners ??= collectListeners(this.ts, this.allSourceFiles());
    return this.listeners.get(event) ?? [];
  }

  private hookTable: HookTable | null = null;

  hooksOf(model: string): readonly ModelHook[] {
    this.hookTable ??= collectHooks(this.ts, this.allSourceFiles());
    return hooksIn(this.hookTable, model);
  }

  processorsOf(queue: string): readonly JobProcessor[] {
    this.hookTable ??= collectHooks(this.ts, this.allSourceFiles());
    return this.hookTable.processors.get(queue) ?? [];
  }

  resolveCall(call: ts.CallExpression): readonly Fn[] | null {
    const { ts } = this;
    const callee = unwrap(ts, call.expression);
    const file = call.getSourceFile();
    if (ts.isIdentifier(callee)) return this.importedFunction(file, callee.text);
    if (!ts.isPropertyAccessExpression(callee)) return null;
    const object = unwrap(ts, callee.expression);
    const method = callee.name.text;
    if (ts.isIdentifier(object)) {
      const binding = this.imports(file).get(object.text);
      if (binding?.imported === '*') {
        const target = this.moduleFile(file, binding.module);
        const found = target ? this.exported(target, method, 0) : null;
        return found && isFunction(ts, found) ? [found] : null;
      }
      return null;
    }
    if (ts.isPropertyAccessExpression(object) && unwrap(ts, object.expression).kind === ts.SyntaxKind.ThisKeyword) {
      const owner = enclosingClass(ts, call);
      const typeName = owner ? memberTypeName(ts, owner, object.name.text) : null;
      if (!owner || !typeName) return null;
      const declaration = this.classNamed(file, typeName);
      const body = declaration ? this.inheritedMethod(declaration, method) : null;
      return body ? [body] : null;
    }
    return null;
  }

  resolveIdentifier(reference: ts.Expression): readonly Fn[] | null {
    const { ts } = this;
    const expression = unwrap(ts, reference);
    const file = expression.getSourceFile();
    if (ts.isIdentifier(expression)) return this.importedFunction(file, expression.text);
    if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
      const binding = this.imports(file).get(expression.expression.text);
      if (binding?.imported !== '*') return null;
      const target = this.moduleFile(file, binding.module);
      const found = target ? this.exported(target, expression.name.text, 0) : null;
      return found && isFunction(ts, found) ? [found] : null;
    }
    return null;
  }

  private importedFunction(file: ts.SourceFile, local: string): Fn[] | null {
    const binding = this.imports(file).get(local);
    if (!binding) return null;
    const target = this.moduleFile(file, binding.module);
    // A whole module called (`const send = require('./send'); send()`) is its `module.exports`.
    const found = target ? this.exported(target, binding.imported === '*' ? 'default' : binding.imported, 0) : null;
    return found && isFunction(this.ts, found) ? [found] : null;
  }

  /** A method of a class or of the project's classes it extends (`SubscriberRepository extends BaseRepository`). */
  private inheritedMethod(declaration: ts.ClassLikeDeclaration, name: string): Fn | null {
    let current: ts.ClassLikeDeclaration | null = declaration;
    for (let depth = 0; current && depth < 8; depth++) {
      const found = findMethod(this.ts, current, name);
      if (found) return found;
      const base = baseOf(this.ts, current);
      current = base && this.ts.isIdentifier(base.expression) ? this.classNamed(current.getSourceFile(), base.expression.text) : null;
    }
    return null;
  }

  private classNamed(file: ts.SourceFile, name: string): ts.ClassLikeDeclaration | null {
    const { ts } = this;
    for (const statement of file.statements) if (ts.isClassDeclaration(statement) && statement.name?.text === name) return statement;
    const binding = this.imports(file).get(name);
    if (!binding) return null;
    const target = this.moduleFile(file, binding.module);
    const found = target ? this.exported(target, binding.imported === '*' ? 'default' : binding.imported, 0) : null;
    return found && ts.isClassLike(found) ? found : null;
  }

  /**
   * The declaration a module exports under `name` (following re-exports a few levels). The answers
   * from the top are remembered: many files import the same names from one barrel.
   */
  private exported(file: ts.SourceFile, name: string, depth: number): ts.Node | null {
    return depth === 0
      ? remembered(this.exportAnswers, file, name, () => this.findExported(file, name, 0))
      : this.findExported(file, name, depth);
  }

  private findExported(file: ts.SourceFile, name: string, depth: number): ts.Node | null {
    const { ts } = this;
    if (depth > 4) return null;
    const isExported = (node: ts.Node): boolean =>
      ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const isDefault = (node: ts.Node): boolean =>
      ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    const local = (wanted: string): ts.Node | null => localDeclaration(ts, file, wanted);
    for (const statement of file.statements) {
      if (
        name === 'default' &&
        (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) &&
        isExported(statement) &&
        isDefault(statement)
      ) {
        return statement;
      }
      if (name === 'default' && ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression))
        return local(statement.expression.text);
      // The statement's own name first: the declaration is looked up only for the one that declares `name`.
      const declares = ts.isVariableStatement(statement)
        ? statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)
        : (ts.isFunctionDeclaration(statement) ||
            ts.isClassDeclaration(statement) ||
            ts.isEnumDeclaration(statement) ||
            ts.isTypeAliasDeclaration(statement)) &&
          statement.name?.text === name;
      if (declares && isExported(statement)) {
        const found = local(name);
        if (found) return found;
      }
      if (ts.isExportDeclaration(statement)) {
        const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : null;
        const clause = statement.exportClause;
        if (clause && ts.isNamedExports(clause)) {
          for (const element of clause.elements) {
            if (element.name.text !== name) continue;
            const original = (element.propertyName ?? element.name).text;
            if (from === null) return local(original) ?? this.viaImport(file, original, depth);
            const target = this.moduleFile(file, from);
            return target ? this.exported(target, original, depth + 1) : null;
          }
        } else if (!clause && from !== null) {
          const target = this.reexportedFile(file, from, name);
          const found = target ? this.exported(target, name, depth + 1) : null;
          if (found) return found;
        }
      }
    }
    return this.commonJsExport(file, name, depth);
  }

  /**
   * What a CommonJS module exports under `name` (`default`: `module.exports` itself):
   * `module.exports = fn`, `module.exports = { fn, other: impl, method() {} }`,
   * `exports.fn = …`, `module.exports.fn = …`, `module.exports = require('./other')`, and the
   * methods of an exported instance (`module.exports = new QuotesService()`).
   */
  private commonJsExport(file: ts.SourceFile, name: string, depth: number): ts.Node | null {
    const { ts } = this;
    const value = (node: ts.Expression): ts.Node | null => {
      const expression = unwrap(ts, node);
      if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression) || ts.isClassExpression(expression)) return expression;
      if (ts.isIdentifier(expression)) return localDeclaration(ts, file, expression.text) ?? this.viaImport(file, expression.text, depth);
      return null;
    };
    for (const statement of file.statements) {
      if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
      const { left, operatorToken, right } = statement.expression;
      if (operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const assigned = unwrap(ts, right);
      if (isModuleExports(ts, left)) {
        if (name === 'default') return value(assigned);
        if (ts.isObjectLiteralExpression(assigned)) {
          for (const property of assigned.properties) {
            if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return value(property.name);
            if (ts.isPropertyAssignment(property) && propertyNameText(ts, property.name) === name) return value(property.initializer);
            if (ts.isMethodDeclaration(property) && property.body && propertyNameText(ts, property.name) === name) return property;
          }
          continue;
        }
        const from = requiredModule(ts, assigned);
        if (from !== null) {
          const target = this.moduleFile(file, from);
          const found = target ? this.exported(target, name, depth + 1) : null;
          if (found) return found;
          continue;
        }
        const instance = this.instanceClass(file, assigned);
        const method = instance ? findMethod(ts, instance, name) : null;
        if (method) return method;
      } else if (
        ts.isPropertyAccessExpression(left) &&
        left.name.text === name &&
        ((ts.isIdentifier(left.expression) && left.expression.text === 'exports') || isModuleExports(ts, left.expression))
      ) {
        return value(assigned);
      }
    }
    return null;
  }

  /** The class of `new X()`, directly or through a `const` of the file. */
  private instanceClass(file: ts.SourceFile, node: ts.Expression): ts.ClassLikeDeclaration | null {
    const { ts } = this;
    let expression = unwrap(ts, node);
    if (ts.isIdentifier(expression)) {
      const name = expression.text;
      const declaration = file.statements
        .filter(ts.isVariableStatement)
        .flatMap((statement) => [...statement.declarationList.declarations])
        .find((d) => ts.isIdentifier(d.name) && d.name.text === name);
      if (!declaration?.initializer) return null;
      expression = unwrap(ts, declaration.initializer);
    }
    return ts.isNewExpression(expression) && ts.isIdentifier(expression.expression)
      ? this.classNamed(file, expression.expression.text)
      : null;
  }

  private viaImport(file: ts.SourceFile, local: string, depth: number): ts.Node | null {
    const binding = this.imports(file).get(local);
    if (!binding || binding.imported === '*') return null;
    const target = this.moduleFile(file, binding.module);
    return target ? this.exported(target, binding.imported, depth + 1) : null;
  }

  isProjectModule(specifier: string, fromFile: string): boolean | undefined {
    const path = this.projectModulePath(specifier, fromFile);
    // Nothing by that name (a file not written yet, a package not installed): the spelling decides.
    return path === UNRESOLVED ? undefined : path !== null;
  }

  /** The project file an import specifier of `fromFile` names, or null (a package, nothing). */
  modulePath(specifier: string, fromFile: string): string | null {
    const path = this.projectModulePath(specifier, fromFile);
    return path === UNRESOLVED ? null : path;
  }

  private moduleFile(from: ts.SourceFile, specifier: string): ts.SourceFile | null {
    const path = this.projectModulePath(specifier, from.fileName);
    return path === null || path === UNRESOLVED ? null : (this.sourceFileAt(path) ?? null);
  }

  /** The module of a wholesale re-export (`export * from`), when it can export `name`. */
  private reexportedFile(from: ts.SourceFile, specifier: string, name: string): ts.SourceFile | null {
    const path = this.projectModulePath(specifier, from.fileName);
    return path === null || path === UNRESOLVED || !this.mayExport(path, name) ? null : (this.sourceFileAt(path) ?? null);
  }

  /**
   * The source file of the project a specifier stands for, or null for a package (only the
   * project's own modules hold its invalidations): module resolution with the options of the
   * tsconfig that lists the importing file (paths, baseUrl), then the workspace packages.
   */
  private projectModulePath(specifier: string, fromFile: string): string | null | typeof UNRESOLVED {
    // Resolution depends on the directory, not the file: one answer per (directory, specifier).
    const directory = fromFile.slice(0, fromFile.lastIndexOf('/'));
    const key = `${directory}\u0000${specifier}`;
    let path = this.resolved.get(key);
    if (path === undefined && !this.mayBeTheProjects(specifier, this.project.optionsOf(fromFile))) path = null;
    if (path === undefined) {
      const options = this.project.optionsOf(fromFile);
      let cache = this.resolutionCaches.get(options);
      if (!cache) {
        cache = this.ts.createModuleResolutionCache(this.project.root, (name) => name, options);
        this.resolutionCaches.set(options, cache);
      }
      const result = this.ts.resolveModuleName(specifier, fromFile, options, this.host, cache).resolvedModule;
      // TypeScript gives the real path of what it finds in node_modules (a linked workspace package).
      const real = result ? result.resolvedFileName : null;
      path =
        real !== null && isProjectSource(real) && this.isInsideRoot(real)
          ? real
          : (this.workspaceModule(specifier) ?? (real === null ? UNRESOLVED : null));
      this.resolved.set(key, path);
    }
    return path;
  }

  /**
   * Whether a specifier can resolve into the project at all: spelled like the project's (relative,
   * absolute, `#…`, `@/…`; when it resolves to nothing, the spelling decides), under `baseUrl`,
   * matched by a `paths` pattern or a workspace package. Other bare specifiers (`express`,
   * `@nestjs/common`) are packages, known without resolving them.
   */
  private mayBeTheProjects(specifier: string, options: ts.CompilerOptions): boolean {
    if (looksLikeProjectModule(specifier) || options.baseUrl !== undefined) return true;
    const name = specifier
      .split('/')
      .slice(0, specifier.startsWith('@') ? 2 : 1)
      .join('/');
    if (this.project.workspaces.has(name)) return true;
    return Object.keys(options.paths ?? {}).some((pattern) => {
      const star = pattern.indexOf('*');
      return star < 0 ? pattern === specifier : specifier.startsWith(pattern.slice(0, star)) && specifier.endsWith(pattern.slice(star + 1));
    });
  }

  private isInsideRoot(path: string): boolean {
    return [this.project.root, this.realRoot].some((root) => {
      const inside = relative(root, path);
      return inside !== '' && !inside.startsWith('..') && !inside.startsWith(sep);
    });
  }

  private realpath(path: string): string {
    try {
      return this.host.realpath?.(path) ?? path;
    } catch {
      return path;
    }
  }

  /**
   * `@org/lib` or `@org/lib/sub` of a workspace package, to its source even when node_modules is
   * absent (a fresh checkout): its package.json `exports`, `types` or `main`, mapped back from a
   * build directory (dist/, build/, lib/, out/) to src/ when the built file does not exist, else
   * src/index or index.
   */
  private workspaceModule(specifier: string): string | null {
    const parts = specifier.split('/');
    const nameLength = specifier.startsWith('@') ? 2 : 1;
    const dir = this.project.workspaces.get(parts.slice(0, nameLength).join('/'));
    if (dir === undefined) return null;
    const sub = parts.slice(nameLength).join('/');
    let manifest: Record<string, unknown> = {};
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      // no readable manifest: the conventional entry points only
    }
    const entries =
      sub === ''
        ? [exportTarget(manifest['exports'], '.'), manifest['types'], manifest['typings'], manifest['module'], manifest['main']]
        : [exportTarget(manifest['exports'], `./${sub}`)];
    const stems = [
      ...entries.filter((e): e is string => typeof e === 'string'),
      ...(sub === '' ? ['src/index', 'index'] : [`src/${sub}`, sub]),
    ];
    for (const entry of stems) {
      const found = this.sourceFor(dir, entry);
      if (found) return found;
    }
    return null;
  }

  /** The source file an entry point of a package stands for: itself, or its source in src/. */
  private sourceFor(dir: string, entry: string): string | null {
    const path = join(dir, entry);
    if (SOURCE_FILE.test(path) && !DECLARATION.test(path) && this.host.fileExists(path)) return path;
    const stem = relative(dir, path).replace(DECLARATION, '').replace(SOURCE_FILE, '');
    const fromBuild = stem.replace(/^(dist|build|lib|out)\/((esm|cjs|es|types|src)\/)*/, '');
    for (const candidate of new Set([stem, `src/${fromBuild}`, fromBuild])) {
      for (const extension of ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js']) {
        const file = join(dir, candidate + extension);
        if (this.host.fileExists(file)) return file;
      }
    }
    return null;
  }

  private imports(file: ts.SourceFile): Map<string, ImportBinding> {
    let map = this.importsByFile.get(file);
    if (!map) {
      map = importBindings(this.ts, file);
      this.importsByFile.set(file, map);
    }
    return map;
  }
}

/** The answer for (file, name), computed once. */
function remembered<T>(answers: WeakMap<ts.SourceFile, Map<string, T>>, file: ts.SourceFile, name: string, compute: () => T): T {
  let byName = answers.get(file);
  if (!byName) {
    byName = new Map();
    answers.set(file, byName);
  }
  if (byName.has(name)) return byName.get(name) as T;
  const answer = compute();
  byName.set(name, answer);
  return answer;
}

/** A specifier that resolves to nothing at all. */
const UNRESOLVED = Symbol('unresolved');
const SOURCE_FILE = /\.(tsx?|mts|cts|jsx?|mjs|cjs)$/;
const DECLARATION = /\.d\.[cm]?ts$/;

/** The file a package's `exports` maps a subpath to (conditions types, import, require, default). */
function exportTarget(exports: unknown, subpath: string): string | null {
  const pick = (value: unknown): string | null => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map(pick).find((v) => v !== null) ?? null;
    if (typeof value !== 'object' || value === null) return null;
    const conditions = value as Record<string, unknown>;
    for (const condition of ['types', 'source', 'import', 'require', 'node', 'default']) {
      const found = pick(conditions[condition]);
      if (found !== null) return found;
    }
    return null;
  };
  if (typeof exports === 'string' || Array.isArray(exports)) return subpath === '.' ? pick(exports) : null;
  if (typeof exports !== 'object' || exports === null) return null;
  const map = exports as Record<string, unknown>;
  if (!Object.keys(map).some((k) => k.startsWith('.'))) return subpath === '.' ? pick(map) : null;
  if (subpath in map) return pick(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star < 0 || !subpath.startsWith(key.slice(0, star)) || !subpath.endsWith(key.slice(star + 1))) continue;
    const target = pick(value);
    return target?.replace('*', subpath.slice(star, subpath.length - (key.length - star - 1))) ?? null;
  }
  return null;
}

function isFunction(ts: TS, node: ts.Node): node is Fn {
  return (
    (ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) &&
    node.body !== undefined
  );
}

/** `module.exports`. */
function isModuleExports(ts: TS, node: ts.Expression): boolean {
  return (
    ts.isPropertyAccessExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'module' &&
    node.name.text === 'exports'
  );
}

/** A function, class or function-valued `const` declared at the top of a file. */
function localDeclaration(ts: TS, file: ts.SourceFile, wanted: string): ts.Node | null {
  for (const statement of file.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === wanted) return statement;
    if ((ts.isEnumDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && statement.name.text === wanted) return statement;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === wanted && declaration.initializer) {
          const init = unwrap(ts, declaration.initializer);
          if (ts.isClassExpression(init)) return init;
          const fn = functionOfInitializer(ts, init);
          if (fn) return fn;
        }
      }
    }
  }
  return null;
}

/** The class name a member is declared with (`constructor(private readonly quotes: QuotesService)`). */
function memberTypeName(ts: TS, owner: ts.ClassLikeDeclaration, member: string): string | null {
  for (const element of owner.members) {
    if (ts.isConstructorDeclaration(element)) {
      for (const parameter of element.parameters) {
        if (ts.isIdentifier(parameter.name) && parameter.name.text === member && parameter.type && ts.isTypeReferenceNode(parameter.type)) {
          return ts.isIdentifier(parameter.type.typeName) ? parameter.type.typeName.text : null;
        }
      }
    }
    if (
      ts.isPropertyDeclaration(element) &&
      ts.isIdentifier(element.name) &&
      element.name.text === member &&
      element.type &&
      ts.isTypeReferenceNode(element.type)
    ) {
      return ts.isIdentifier(element.type.typeName) ? element.type.typeName.text : null;
    }
  }
  return null;
}

function findMethod(ts: TS, declaration: ts.ClassLikeDeclaration, name: string): Fn | null {
  for (const member of declaration.members) {
    if (ts.isMethodDeclaration(member) && member.body && ts.isIdentifier(member.name) && member.name.text === name) return member;
    if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name && member.initializer) {
      const fn = functionOfInitializer(ts, member.initializer);
      if (fn) return fn;
    }
  }
  return null;
}
