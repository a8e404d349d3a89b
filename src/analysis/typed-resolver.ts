import type ts from 'typescript';
import type { CallResolver } from './context.js';
import { commonJsConstant, importBindings, isRequire } from '../ts/imports.js';
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
  let listeners: Map<string, ts.FunctionLikeDeclaration[]> | null = null;
  let hooks: HookTable | null = null;
  const projectFiles = (): ts.SourceFile[] =>
    program.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));
  const withBodies = (symbol: ts.Symbol | undefined): ts.FunctionLikeDeclaration[] | null => {
    if (!symbol) return null;
    const target = symbol.flags & tsInstance.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const result: ts.FunctionLikeDeclaration[] = [];
    for (const declaration of target.declarations ?? []) {
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
  };
  let modules = moduleAnswers.get(program);
  if (!modules) {
    const cache = tsInstance.createModuleResolutionCache(program.getCurrentDirectory(), (name) => name, program.getCompilerOptions());
    modules = { cache, answers: new Map() };
    moduleAnswers.set(program, modules);
  }
  const { cache: resolutionCache, answers: projectModules } = modules;
  const options = program.getCompilerOptions();
  // What a `require`d CommonJS module exports, read in its syntax: the checker types a `.ts` file's
  // `require` as `any`, and a `.js` file's `module.exports = client` is no `const` declaration.
  const requiredConstant = (reference: ts.Identifier): ts.Expression | null => {
    const file = reference.getSourceFile();
    const binding = importBindings(tsInstance, file).get(reference.text);
    if (!binding) return null;
    const resolved = tsInstance.resolveModuleName(binding.module, file.fileName, options, tsInstance.sys, resolutionCache).resolvedModule;
    const target = resolved ? program.getSourceFile(resolved.resolvedFileName) : undefined;
    return target && !target.isDeclarationFile ? commonJsConstant(tsInstance, target, binding.imported) : null;
  };
  const nameOf = (expression: ts.Expression): ts.Node => (tsInstance.isPropertyAccessExpression(expression) ? expression.name : expression);
  return {
    resolveCall(call) {
      const declaration = checker.getResolvedSignature(call)?.declaration;
      if (declaration && tsInstance.isFunctionLike(declaration) && 'body' in declaration && declaration.body) {
        return [declaration];
      }
      return withBodies(checker.getSymbolAtLocation(nameOf(call.expression)));
    },
    resolveIdentifier(reference) {
      return withBodies(checker.getSymbolAtLocation(nameOf(reference)));
    },
    resolveConstant(reference) {
      const symbol = checker.getSymbolAtLocation(reference);
      const target = symbol && symbol.flags & tsInstance.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      for (const declaration of target?.declarations ?? []) {
        if (
          tsInstance.isVariableDeclaration(declaration) &&
          declaration.initializer &&
          tsInstance.isVariableDeclarationList(declaration.parent) &&
          (declaration.parent.flags & tsInstance.NodeFlags.Const) !== 0 &&
          !declaration.getSourceFile().isDeclarationFile
        ) {
          return isRequire(tsInstance, declaration.initializer) ? requiredConstant(reference) : declaration.initializer;
        }
      }
      return requiredConstant(reference);
    },
    resolveClass(reference) {
      const symbol = checker.getSymbolAtLocation(reference);
      const target = symbol && symbol.flags & tsInstance.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return target?.declarations?.find((d): d is ts.ClassDeclaration => tsInstance.isClassDeclaration(d)) ?? null;
    },
    resolveDeclaration(reference) {
      const symbol = checker.getSymbolAtLocation(reference);
      const target = symbol && symbol.flags & tsInstance.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return (
        target?.declarations?.find(
          (d): d is ts.EnumDeclaration | ts.TypeAliasDeclaration => tsInstance.isEnumDeclaration(d) || tsInstance.isTypeAliasDeclaration(d),
        ) ?? null
      );
    },
    listenersOf(event) {
      listeners ??= collectListeners(tsInstance, projectFiles());
      return listeners.get(event) ?? [];
    },
    isProjectModule(specifier, fromFile) {
      // Resolution depends on the directory, not the file: one answer per (directory, specifier).
      const key = `${fromFile.slice(0, fromFile.lastIndexOf('/'))}\u0000${specifier}`;
      if (!projectModules.has(key)) {
        const resolved = tsInstance.resolveModuleName(specifier, fromFile, options, tsInstance.sys, resolutionCache).resolvedModule;
        // Nothing by that name (a package not installed): undefined, and the spelling decides.
        projectModules.set(key, resolved && isProjectSource(resolved.resolvedFileName, tsInstance.sys.realpath?.bind(tsInstance.sys)));
      }
      return projectModules.get(key);
    },
    hooksOf(model) {
      hooks ??= collectHooks(tsInstance, projectFiles());
      return hooksIn(hooks, model);
    },
    processorsOf(queue) {
      hooks ??= collectHooks(tsInstance, projectFiles());
      return hooks.processors.get(queue) ?? [];
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
