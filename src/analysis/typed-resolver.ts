import type ts from 'typescript';
import type { CallResolver } from './context.js';
import type { TS } from '../ts/syntax.js';
import { collectHooks, hooksIn } from './hooks.js';
import type { HookTable } from './hooks.js';
import { collectListeners } from './listeners.js';
import { isProjectSource } from './project-modules.js';

/** Module resolution answers per program (a resolver is made per linted file): (directory, specifier) → the project's or not. */
const moduleAnswers = new WeakMap<ts.Program, { cache: ts.ModuleResolutionCache; answers: Map<string, boolean | undefined> }>();

/** Follows calls across files with a TypeScript program's type checker. */
export function checkerResolver(tsInstance: TS, program: ts.Program): CallResolver {
  const checker = program.getTypeChecker();
  const tables = projectTables(tsInstance, program);
  const symbolAt = (node: ts.Node): ts.Symbol | undefined => aliasTarget(tsInstance, checker, checker.getSymbolAtLocation(node));
  const nameOf = (expression: ts.Expression): ts.Node => (tsInstance.isPropertyAccessExpression(expression) ? expression.name : expression);
  return {
    resolveCall(call) {
      const declaration = checker.getResolvedSignature(call)?.declaration;
      if (declaration && tsInstance.isFunctionLike(declaration) && 'body' in declaration && declaration.body) {
        return [declaration];
      }
      return functionsOf(tsInstance, symbolAt(nameOf(call.expression)));
    },
    resolveIdentifier(reference) {
      return functionsOf(tsInstance, symbolAt(nameOf(reference)));
    },
    resolveConstant(reference) {
      return constantOf(tsInstance, symbolAt(reference));
    },
    resolveClass(reference) {
      return symbolAt(reference)?.declarations?.find((d): d is ts.ClassDeclaration => tsInstance.isClassDeclaration(d)) ?? null;
    },
    resolveDeclaration(reference) {
      return (
        symbolAt(reference)?.declarations?.find(
          (d): d is ts.EnumDeclaration | ts.TypeAliasDeclaration => tsInstance.isEnumDeclaration(d) || tsInstance.isTypeAliasDeclaration(d),
        ) ?? null
      );
    },
    listenersOf: (event) => tables.listeners().get(event) ?? [],
    isProjectModule: projectModuleTest(tsInstance, program),
    hooksOf: (model) => hooksIn(tables.hooks(), model),
    processorsOf: (queue) => tables.hooks().processors.get(queue) ?? [],
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

/** The project-wide tables of the program's own files (listeners, hooks and processors), each collected when first asked for. */
function projectTables(
  tsInstance: TS,
  program: ts.Program,
): { listeners: () => Map<string, ts.FunctionLikeDeclaration[]>; hooks: () => HookTable } {
  let listeners: Map<string, ts.FunctionLikeDeclaration[]> | null = null;
  let hooks: HookTable | null = null;
  const projectFiles = (): ts.SourceFile[] =>
    program.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));
  return {
    listeners: () => (listeners ??= collectListeners(tsInstance, projectFiles())),
    hooks: () => (hooks ??= collectHooks(tsInstance, projectFiles())),
  };
}

/** Whether a specifier, imported from a file, names a module of the project (undefined: nothing by that name is installed). */
function projectModuleTest(tsInstance: TS, program: ts.Program): CallResolver['isProjectModule'] {
  let modules = moduleAnswers.get(program);
  if (!modules) {
    const cache = tsInstance.createModuleResolutionCache(program.getCurrentDirectory(), (name) => name, program.getCompilerOptions());
    modules = { cache, answers: new Map() };
    moduleAnswers.set(program, modules);
  }
  const { cache: resolutionCache, answers: projectModules } = modules;
  const options = program.getCompilerOptions();
  return (specifier, fromFile) => {
    // Resolution depends on the directory, not the file: one answer per (directory, specifier).
    const key = `${fromFile.slice(0, fromFile.lastIndexOf('/'))}\u0000${specifier}`;
    if (!projectModules.has(key)) {
      const resolved = tsInstance.resolveModuleName(specifier, fromFile, options, tsInstance.sys, resolutionCache).resolvedModule;
      // Nothing by that name (a package not installed): undefined, and the spelling decides.
      projectModules.set(key, resolved && isProjectSource(resolved.resolvedFileName, tsInstance.sys.realpath?.bind(tsInstance.sys)));
    }
    return projectModules.get(key);
  };
}
