import type ts from 'typescript';
import { enclosingClass, importBindings, unwrap } from '../analysis/context.js';
import type { CallResolver, ImportBinding, TS } from '../analysis/context.js';
import { collectHooks, hooksIn } from '../analysis/hooks.js';
import type { HookTable } from '../analysis/hooks.js';
import { collectListeners } from '../analysis/listeners.js';
import type { JobProcessor, ModelHook } from '../analysis/sources/source.js';

type Fn = ts.FunctionLikeDeclaration;

/**
 * Follows calls into other files with module resolution and the syntax alone, no type checker:
 * `this.service.method()` through the declared type of a constructor-injected member,
 * imported functions and namespace members, re-exports. What it cannot follow stays unresolved.
 */
export class ProjectResolver implements CallResolver {
  private readonly importsByFile = new WeakMap<ts.SourceFile, Map<string, ImportBinding>>();
  private readonly resolved = new Map<string, string | null>();
  private readonly resolutionCache: ts.ModuleResolutionCache;

  constructor(
    private readonly ts: TS,
    private readonly options: ts.CompilerOptions,
    private readonly host: ts.ModuleResolutionHost,
    /** The parsed file at a path (parsing it on demand), or undefined when it cannot be read. */
    private readonly sourceFileAt: (path: string) => ts.SourceFile | undefined,
    /** Every parsed file of the project, for event listeners. */
    private readonly allSourceFiles: () => readonly ts.SourceFile[] = () => [],
  ) {
    this.resolutionCache = ts.createModuleResolutionCache(process.cwd(), (name) => name, options);
  }

  private listeners: Map<string, Fn[]> | null = null;

  resolveConstant(reference: ts.Identifier): ts.Expression | null {
    const binding = this.imports(reference.getSourceFile()).get(reference.text);
    if (!binding || binding.imported === '*') return null;
    const target = this.moduleFile(reference.getSourceFile(), binding.module);
    return target ? this.exportedConstant(target, binding.imported, 0) : null;
  }

  /** The initializer of an exported `const` (following re-exports a few levels). */
  private exportedConstant(file: ts.SourceFile, name: string, depth: number): ts.Expression | null {
    const { ts } = this;
    if (depth > 4) return null;
    const local = (wanted: string): ts.Expression | null => {
      for (const statement of file.statements) {
        if (!ts.isVariableStatement(statement) || (statement.declarationList.flags & ts.NodeFlags.Const) === 0) continue;
        for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === wanted && d.initializer) return d.initializer;
      }
      return null;
    };
    for (const statement of file.statements) {
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
      if (ts.isExportDeclaration(statement) && !statement.exportClause && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
        const target = this.moduleFile(file, statement.moduleSpecifier.text);
        const found = target ? this.exportedConstant(target, name, depth + 1) : null;
        if (found) return found;
      }
    }
    return null;
  }

  resolveClass(reference: ts.Identifier): ts.ClassLikeDeclaration | null {
    return this.classNamed(reference.getSourceFile(), reference.text);
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
      const body = declaration ? findMethod(ts, declaration, method) : null;
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
    if (!binding || binding.imported === '*') return null;
    const target = this.moduleFile(file, binding.module);
    const found = target ? this.exported(target, binding.imported, 0) : null;
    return found && isFunction(this.ts, found) ? [found] : null;
  }

  private classNamed(file: ts.SourceFile, name: string): ts.ClassLikeDeclaration | null {
    const { ts } = this;
    for (const statement of file.statements) if (ts.isClassDeclaration(statement) && statement.name?.text === name) return statement;
    const binding = this.imports(file).get(name);
    if (!binding || binding.imported === '*') return null;
    const target = this.moduleFile(file, binding.module);
    const found = target ? this.exported(target, binding.imported, 0) : null;
    return found && ts.isClassLike(found) ? found : null;
  }

  /** The declaration a module exports under `name` (following re-exports a few levels). */
  private exported(file: ts.SourceFile, name: string, depth: number): ts.Node | null {
    const { ts } = this;
    if (depth > 4) return null;
    const isExported = (node: ts.Node): boolean =>
      ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const isDefault = (node: ts.Node): boolean =>
      ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    const local = (wanted: string): ts.Node | null => {
      for (const statement of file.statements) {
        if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === wanted) return statement;
        if (ts.isVariableStatement(statement)) {
          for (const declaration of statement.declarationList.declarations) {
            if (ts.isIdentifier(declaration.name) && declaration.name.text === wanted && declaration.initializer) {
              const init = unwrap(ts, declaration.initializer);
              if (ts.isArrowFunction(init) || ts.isFunctionExpression(init) || ts.isClassExpression(init)) return init;
            }
          }
        }
      }
      return null;
    };
    for (const statement of file.statements) {
      if (name === 'default' && (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && isExported(statement) && isDefault(statement)) {
        return statement;
      }
      if (name === 'default' && ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression)) return local(statement.expression.text);
      if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isVariableStatement(statement)) && isExported(statement)) {
        const found = local(name);
        if (found && (ts.isVariableStatement(statement) ? statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name) : statement.name?.text === name)) {
          return found;
        }
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
          const target = this.moduleFile(file, from);
          const found = target ? this.exported(target, name, depth + 1) : null;
          if (found) return found;
        }
      }
    }
    return null;
  }

  private viaImport(file: ts.SourceFile, local: string, depth: number): ts.Node | null {
    const binding = this.imports(file).get(local);
    if (!binding || binding.imported === '*') return null;
    const target = this.moduleFile(file, binding.module);
    return target ? this.exported(target, binding.imported, depth + 1) : null;
  }

  private moduleFile(from: ts.SourceFile, specifier: string): ts.SourceFile | null {
    // Packages are never followed: only the project's own modules hold its invalidations.
    if (!isProjectSpecifier(specifier)) return null;
    // Resolution depends on the directory, not the file: one answer per (directory, specifier).
    const directory = from.fileName.slice(0, from.fileName.lastIndexOf('/'));
    const key = `${directory}\u0000${specifier}`;
    let path = this.resolved.get(key);
    if (path === undefined) {
      const result = this.ts.resolveModuleName(specifier, from.fileName, this.options, this.host, this.resolutionCache).resolvedModule;
      path = result && !result.isExternalLibraryImport && !result.resolvedFileName.endsWith('.d.ts') ? result.resolvedFileName : null;
      this.resolved.set(key, path);
    }
    return path === null ? null : (this.sourceFileAt(path) ?? null);
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

/** A module of the project (relative, or a path alias as tsconfig `paths` commonly spell them). */
function isProjectSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('@/') || specifier.startsWith('~/') || specifier.startsWith('#') || specifier.startsWith('src/');
}

function isFunction(ts: TS, node: ts.Node): node is Fn {
  return (ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && node.body !== undefined;
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
    if (ts.isPropertyDeclaration(element) && ts.isIdentifier(element.name) && element.name.text === member && element.type && ts.isTypeReferenceNode(element.type)) {
      return ts.isIdentifier(element.type.typeName) ? element.type.typeName.text : null;
    }
  }
  return null;
}

function findMethod(ts: TS, declaration: ts.ClassLikeDeclaration, name: string): Fn | null {
  for (const member of declaration.members) {
    if (ts.isMethodDeclaration(member) && member.body && ts.isIdentifier(member.name) && member.name.text === name) return member;
    if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name && member.initializer) {
      const init = unwrap(ts, member.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
  }
  return null;
}
