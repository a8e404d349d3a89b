import type ts from 'typescript';
import type { CallResolver } from './context.js';
import { commonJsConstant, importBindings, isRequire, requiredBinding } from '../ts/imports.js';
import type { TS } from '../ts/syntax.js';
import { collectHooks, hooksIn, relationsIn } from './hooks.js';
import type { HookTable } from './hooks.js';
import { collectImplementations, ownMethod } from './implementations.js';
import { collectMounts, mountPrefix, routerKeys } from './frameworks/mounts.js';
import type { ModulePath, MountTable } from './frameworks/mounts.js';
import { collectListeners } from './listeners.js';
import { isCacheLikeName } from './sources/clients.js';
import { isProjectSource } from './project-modules.js';

/** Module resolution of one program: its cache, and its answers (directory, specifier) → the project's or not. */
interface ModuleResolution {
  readonly cache: ts.ModuleResolutionCache;
  readonly answers: Map<string, boolean | undefined>;
}

/** Module resolution per program (a resolver is made per linted file). */
const moduleAnswers = new WeakMap<ts.Program, ModuleResolution>();

/** Follows calls across files with a TypeScript program's type checker. */
export function checkerResolver(tsInstance: TS, program: ts.Program): CallResolver {
  const checker = program.getTypeChecker();
  const tables = projectTables(tsInstance, program);
  const modules = moduleResolution(tsInstance, program);
  const modulePath: ModulePath = (specifier, fromFile) =>
    tsInstance.resolveModuleName(specifier, fromFile, program.getCompilerOptions(), tsInstance.sys, modules.cache).resolvedModule
      ?.resolvedFileName ?? null;
  const symbolAt = (node: ts.Node): ts.Symbol | undefined => aliasTarget(tsInstance, checker, checker.getSymbolAtLocation(node));
  const nameOf = (expression: ts.Expression): ts.Node => (tsInstance.isPropertyAccessExpression(expression) ? expression.name : expression);
  return {
    resolveCall(call) {
      const declaration = checker.getResolvedSignature(call)?.declaration;
      if (declaration && tsInstance.isFunctionLike(declaration) && 'body' in declaration && declaration.body) {
        return [declaration];
      }
      return (
        functionsOf(tsInstance, symbolAt(nameOf(call.expression))) ??
        implementedMethods(tsInstance, call, declaration, tables.implementations)
      );
    },
    resolveIdentifier(reference) {
      const found = functionsOf(tsInstance, symbolAt(nameOf(reference)));
      // The checker types a `.ts` file's `require('./handler').default` as `any`: the module is read by its exports.
      const required = found ? null : requiredBinding(tsInstance, reference);
      const target = required ? requiredFile(tsInstance, program, modules, reference.getSourceFile(), required.module) : null;
      return target && required
        ? functionsOf(tsInstance, exportedSymbol(tsInstance, checker, target, required.imported === '*' ? 'export=' : required.imported))
        : found;
    },
    resolveConstant(reference) {
      const initializer = constantOf(tsInstance, symbolAt(reference));
      return initializer && !isRequire(tsInstance, initializer) ? initializer : requiredConstant(tsInstance, program, modules, reference);
    },
    resolveExport(file, name) {
      return functionsOf(tsInstance, exportedSymbol(tsInstance, checker, file, name))?.[0] ?? null;
    },
    resolveExportedConstant(file, name) {
      return constantOf(tsInstance, exportedSymbol(tsInstance, checker, file, name));
    },
    resolveClass(reference) {
      return symbolAt(reference)?.declarations?.find((d): d is ts.ClassDeclaration => tsInstance.isClassDeclaration(d)) ?? null;
    },
    classesNamed(name) {
      return tables
        .files()
        .flatMap((file) =>
          file.statements.filter((s): s is ts.ClassDeclaration => tsInstance.isClassDeclaration(s) && s.name?.text === name),
        );
    },
    resolveDeclaration(reference) {
      return (
        symbolAt(reference)?.declarations?.find(
          (d): d is ts.EnumDeclaration | ts.TypeAliasDeclaration | ts.InterfaceDeclaration =>
            tsInstance.isEnumDeclaration(d) || tsInstance.isTypeAliasDeclaration(d) || tsInstance.isInterfaceDeclaration(d),
        ) ?? null
      );
    },
    listenersOf: (event) => tables.listeners().get(event) ?? [],
    implementationsOf: (name) => tables.implementations().get(name) ?? [],
    isProjectModule: projectModuleTest(tsInstance, program, modules),
    hooksOf: (model) => hooksIn(tables.hooks(), model),
    relationsOf: (model) => relationsIn(tables.hooks(), model),
    processorsOf: (queue) => tables.hooks().processors.get(queue) ?? [],
    // Where the program mounts a router (`app.use('/api', router)`), as the CLI reads it.
    routePrefix(router) {
      const mounts = tables.mounts(modulePath);
      return mounts.size === 0 ? null : mountPrefix(mounts, routerKeys(tsInstance, router, modulePath));
    },
    isGlobSafe(expression) {
      const type = checker.getTypeAtLocation(expression);
      const flags = tsInstance.TypeFlags;
      const safe = flags.NumberLike | flags.BooleanLike | flags.BigIntLike | flags.EnumLike;
      if (type.flags & safe) return true;
      return type.isUnion() && type.types.every((t) => (t.flags & safe) !== 0);
    },
  };
}

/** The symbol an import alias stands for (any other symbol is itself). */
function aliasTarget(tsInstance: TS, checker: ts.TypeChecker, symbol: ts.Symbol | undefined): ts.Symbol | undefined {
  return symbol && symbol.flags & tsInstance.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** What a module exports under `name`, through re-exports and import aliases. */
function exportedSymbol(tsInstance: TS, checker: ts.TypeChecker, file: ts.SourceFile, name: string): ts.Symbol | undefined {
  const module = checker.getSymbolAtLocation(file);
  const exported = module ? checker.getExportsOfModule(module).find((symbol) => symbol.name === name) : undefined;
  return aliasTarget(tsInstance, checker, exported);
}

/** The functions with a body a symbol declares: functions and methods, and arrows or function expressions assigned to it. */
function functionsOf(tsInstance: TS, symbol: ts.Symbol | undefined): ts.FunctionLikeDeclaration[] | null {
  const result: ts.FunctionLikeDeclaration[] = [];
  for (const declaration of symbol?.declarations ?? []) {
    if (tsInstance.isFunctionLike(declaration) && 'body' in declaration && declaration.body) {
      result.push(declaration);
    } else if (tsInstance.isVariableDeclaration(declaration) && declaration.initializer) {
      const init = declaration.initializer;
      if (tsInstance.isArrowFunction(init) || tsInstance.isFunctionExpression(init)) result.push(init);
    } else if (tsInstance.isPropertyDeclaration(declaration) && declaration.initializer) {
      const init = declaration.initializer;
      if (tsInstance.isArrowFunction(init) || tsInstance.isFunctionExpression(init)) result.push(init);
    }
  }
  return result.length > 0 ? result : null;
}

/** The initializer of the `const` of the project's own code a symbol declares, if it is one. */
function constantOf(tsInstance: TS, symbol: ts.Symbol | undefined): ts.Expression | null {
  for (const declaration of symbol?.declarations ?? []) {
    if (
      tsInstance.isVariableDeclaration(declaration) &&
      declaration.initializer &&
      tsInstance.isVariableDeclarationList(declaration.parent) &&
      (declaration.parent.flags & tsInstance.NodeFlags.Const) !== 0 &&
      !declaration.getSourceFile().isDeclarationFile
    ) {
      return declaration.initializer;
    }
  }
  return null;
}

/**
 * `this.sessionCache.set(…)` that resolves to a method of the project's interface, on a member named
 * like a cache: the method of every class of the program that implements the interface (as the
 * project resolver reads it).
 */
function implementedMethods(
  tsInstance: TS,
  call: ts.CallExpression,
  declaration: ts.Declaration | undefined,
  implementations: () => Map<string, ts.ClassLikeDeclaration[]>,
): ts.FunctionLikeDeclaration[] | null {
  const callee = call.expression;
  if (!declaration || !tsInstance.isMethodSignature(declaration) || !tsInstance.isInterfaceDeclaration(declaration.parent)) return null;
  if (!tsInstance.isPropertyAccessExpression(callee) || !tsInstance.isPropertyAccessExpression(callee.expression)) return null;
  const member = callee.expression;
  if (member.expression.kind !== tsInstance.SyntaxKind.ThisKeyword || !isCacheLikeName(member.name.text)) return null;
  const methods = (implementations().get(declaration.parent.name.text) ?? []).flatMap(
    (cls) => ownMethod(tsInstance, cls, callee.name.text) ?? [],
  );
  return methods.length > 0 ? methods : null;
}

/** The program's own files, and their project-wide tables (listeners, hooks and processors, implementations), each collected when first asked for. */
function projectTables(
  tsInstance: TS,
  program: ts.Program,
): {
  files: () => ts.SourceFile[];
  listeners: () => Map<string, ts.FunctionLikeDeclaration[]>;
  hooks: () => HookTable;
  implementations: () => Map<string, ts.ClassLikeDeclaration[]>;
  mounts: (modulePath: ModulePath) => MountTable;
} {
  let listeners: Map<string, ts.FunctionLikeDeclaration[]> | null = null;
  let mounts: MountTable | null = null;
  let implementations: Map<string, ts.ClassLikeDeclaration[]> | null = null;
  let hooks: HookTable | null = null;
  const projectFiles = (): ts.SourceFile[] =>
    program.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));
  return {
    files: projectFiles,
    listeners: () => (listeners ??= collectListeners(tsInstance, projectFiles())),
    hooks: () => (hooks ??= collectHooks(tsInstance, projectFiles())),
    implementations: () => (implementations ??= collectImplementations(tsInstance, projectFiles())),
    mounts: (modulePath) => (mounts ??= collectMounts(tsInstance, projectFiles(), modulePath)),
  };
}

/** The module resolution of a program, made once. */
function moduleResolution(tsInstance: TS, program: ts.Program): ModuleResolution {
  let modules = moduleAnswers.get(program);
  if (!modules) {
    const cache = tsInstance.createModuleResolutionCache(program.getCurrentDirectory(), (name) => name, program.getCompilerOptions());
    modules = { cache, answers: new Map() };
    moduleAnswers.set(program, modules);
  }
  return modules;
}

/**
 * What a `require`d CommonJS module exports, read in its syntax: the checker types a `.ts` file's
 * `require` as `any`, and a `.js` file's `module.exports = client` is no `const` declaration.
 */
function requiredConstant(tsInstance: TS, program: ts.Program, modules: ModuleResolution, reference: ts.Identifier): ts.Expression | null {
  const file = reference.getSourceFile();
  const binding = importBindings(tsInstance, file).get(reference.text);
  const target = binding ? requiredFile(tsInstance, program, modules, file, binding.module) : null;
  return target && binding ? commonJsConstant(tsInstance, target, binding.imported) : null;
}

/** The source file of the program (not a declaration file) a module specifier of `file` names, or null. */
function requiredFile(
  tsInstance: TS,
  program: ts.Program,
  modules: ModuleResolution,
  file: ts.SourceFile,
  specifier: string,
): ts.SourceFile | null {
  const options = program.getCompilerOptions();
  const resolved = tsInstance.resolveModuleName(specifier, file.fileName, options, tsInstance.sys, modules.cache).resolvedModule;
  const target = resolved ? program.getSourceFile(resolved.resolvedFileName) : undefined;
  return target && !target.isDeclarationFile ? target : null;
}

/** Whether a specifier, imported from a file, names a module of the project (undefined: nothing by that name is installed). */
function projectModuleTest(tsInstance: TS, program: ts.Program, modules: ModuleResolution): CallResolver['isProjectModule'] {
  const options = program.getCompilerOptions();
  return (specifier, fromFile) => {
    // Resolution depends on the directory, not the file: one answer per (directory, specifier).
    const key = `${fromFile.slice(0, fromFile.lastIndexOf('/'))}\u0000${specifier}`;
    if (!modules.answers.has(key)) {
      const resolved = tsInstance.resolveModuleName(specifier, fromFile, options, tsInstance.sys, modules.cache).resolvedModule;
      // Nothing by that name (a package not installed): undefined, and the spelling decides.
      modules.answers.set(key, resolved && isProjectSource(resolved.resolvedFileName, tsInstance.sys.realpath?.bind(tsInstance.sys)));
    }
    return modules.answers.get(key);
  };
}
