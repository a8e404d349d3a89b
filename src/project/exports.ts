import type ts from 'typescript';
import { commonJsAssignments, commonJsConstant, requiredModule } from '../ts/imports.js';
import { functionOfInitializer, propertyNameText, unwrap } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import type { ProjectModules } from './modules.js';

type Fn = ts.FunctionLikeDeclaration;

/** The answers of one scope: exported declarations and constants, by file and name. */
interface Answers {
  readonly exports: WeakMap<ts.SourceFile, Map<string, ts.Node | null>>;
  readonly constants: WeakMap<ts.SourceFile, Map<string, ts.Expression | null>>;
  readonly classes: WeakMap<ts.SourceFile, Map<string, ts.ClassLikeDeclaration | null>>;
}

/**
 * What the project's modules export: the declaration or the `const` initializer behind an exported
 * name, through re-exports, barrels and CommonJS `module.exports`. The answers from the top, which
 * reach into other files, are remembered per scope (see `ResolverInputs.answersScope`).
 */
export class ProjectExports {
  private readonly answers = new WeakMap<object, Answers>();
  /** Each file's statements by the names they can export (see `statementsFor`), made once per tree. */
  private readonly indexes = new WeakMap<ts.SourceFile, StatementIndex>();

  constructor(
    private readonly ts: TS,
    private readonly modules: ProjectModules,
    private readonly scope: () => object,
  ) {}

  private answersNow(): Answers {
    const scope = this.scope();
    let answers = this.answers.get(scope);
    if (!answers) {
      answers = { exports: new WeakMap(), constants: new WeakMap(), classes: new WeakMap() };
      this.answers.set(scope, answers);
    }
    return answers;
  }

  /**
   * The initializer of an exported `const` (following re-exports a few levels), or what a CommonJS
   * module exports under the name (`*`: `module.exports` itself); the answers from the top remembered.
   */
  exportedConstant(file: ts.SourceFile, name: string, depth: number): ts.Expression | null {
    return depth === 0
      ? remembered(this.answersNow().constants, file, name, () => this.findConstant(file, name, 0))
      : this.findConstant(file, name, depth);
  }

  /**
   * The statements of a file that can answer for `name`, in their order: those that declare it or
   * name it in an export clause, and every wholesale re-export. The others say nothing of a name
   * but `default`, for which every statement is read.
   */
  private statementsFor(file: ts.SourceFile, name: string): readonly ts.Statement[] {
    if (name === 'default') return file.statements;
    let index = this.indexes.get(file);
    if (!index) {
      index = indexStatements(this.ts, file);
      this.indexes.set(file, index);
    }
    const named = index.byName.get(name);
    if (!named) return index.wholesale;
    // Both lists are in the file's order, and no statement is in both: merged, they stay in it.
    const merged: ts.Statement[] = [];
    let w = 0;
    for (const statement of named) {
      while (w < index.wholesale.length && (index.wholesale[w] as ts.Statement).pos < statement.pos)
        merged.push(index.wholesale[w++] as ts.Statement);
      merged.push(statement);
    }
    while (w < index.wholesale.length) merged.push(index.wholesale[w++] as ts.Statement);
    return merged;
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
    for (const statement of this.statementsFor(file, name)) {
      // `export default { client }`, `export default client`.
      if (name === 'default' && ts.isExportAssignment(statement) && !statement.isExportEquals) {
        const value = unwrap(ts, statement.expression);
        return ts.isIdentifier(value) ? local(value.text) : value;
      }
      if (
        ts.isVariableStatement(statement) &&
        (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword) &&
        statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)
      ) {
        const found = local(name);
        if (found) return found;
      }
      if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) {
          if (element.name.text !== name) continue;
          const original = (element.propertyName ?? element.name).text;
          const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : null;
          if (from === null) return local(original) ?? this.constantViaImport(file, original, depth);
          const target = this.modules.moduleFile(file, from);
          return target ? this.exportedConstant(target, original, depth + 1) : null;
        }
      }
      if (
        ts.isExportDeclaration(statement) &&
        !statement.exportClause &&
        statement.moduleSpecifier &&
        ts.isStringLiteral(statement.moduleSpecifier)
      ) {
        const target = this.modules.reexportedFile(file, statement.moduleSpecifier.text, name);
        const found = target ? this.exportedConstant(target, name, depth + 1) : null;
        if (found) return found;
      }
    }
    return commonJsConstant(ts, file, name);
  }

  /** The class a name of a file stands for: declared there, or imported from the project; remembered (a base class is asked for by each of its subclasses' calls). */
  classNamed(file: ts.SourceFile, name: string): ts.ClassLikeDeclaration | null {
    return remembered(this.answersNow().classes, file, name, () => this.findClass(file, name));
  }

  private findClass(file: ts.SourceFile, name: string): ts.ClassLikeDeclaration | null {
    const { ts } = this;
    for (const statement of file.statements) if (ts.isClassDeclaration(statement) && statement.name?.text === name) return statement;
    const binding = this.modules.imports(file).get(name);
    if (!binding) return null;
    const target = this.modules.moduleFile(file, binding.module);
    const found = target ? this.exported(target, binding.imported === '*' ? 'default' : binding.imported, 0) : null;
    return found && ts.isClassLike(found) ? found : null;
  }

  /** The interface a name of a file stands for: declared there, or imported from the project. */
  interfaceNamed(file: ts.SourceFile, name: string): ts.InterfaceDeclaration | null {
    const { ts } = this;
    for (const statement of file.statements) if (ts.isInterfaceDeclaration(statement) && statement.name.text === name) return statement;
    const binding = this.modules.imports(file).get(name);
    if (!binding || binding.imported === '*') return null;
    const target = this.modules.moduleFile(file, binding.module);
    const found = target ? this.exported(target, binding.imported, 0) : null;
    return found && ts.isInterfaceDeclaration(found) ? found : null;
  }

  /**
   * The declaration a module exports under `name` (following re-exports a few levels). The answers
   * from the top are remembered: many files import the same names from one barrel.
   */
  exported(file: ts.SourceFile, name: string, depth: number): ts.Node | null {
    return depth === 0
      ? remembered(this.answersNow().exports, file, name, () => this.findExported(file, name, 0))
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
    for (const statement of this.statementsFor(file, name)) {
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
      // `export default async (req, res) => { … }`
      if (
        name === 'default' &&
        ts.isExportAssignment(statement) &&
        !statement.isExportEquals &&
        ts.isFunctionLike(unwrap(ts, statement.expression))
      )
        return unwrap(ts, statement.expression);
      // The statement's own name first: the declaration is looked up only for the one that declares `name`.
      const declares = ts.isVariableStatement(statement)
        ? statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)
        : (ts.isFunctionDeclaration(statement) ||
            ts.isClassDeclaration(statement) ||
            ts.isEnumDeclaration(statement) ||
            ts.isTypeAliasDeclaration(statement) ||
            ts.isInterfaceDeclaration(statement)) &&
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
            const target = this.modules.moduleFile(file, from);
            return target ? this.exported(target, original, depth + 1) : null;
          }
        } else if (!clause && from !== null) {
          const target = this.modules.reexportedFile(file, from, name);
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
    for (const { member, value: assigned } of commonJsAssignments(ts, file)) {
      if (member === null) {
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
          const target = this.modules.moduleFile(file, from);
          const found = target ? this.exported(target, name, depth + 1) : null;
          if (found) return found;
          continue;
        }
        const instance = this.instanceClass(file, assigned);
        const method = instance ? findMethod(ts, instance, name) : null;
        if (method) return method;
      } else if (member === name) {
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

  /** The constant an imported name stands for (`import { POST } from './route'; export { POST }`). */
  private constantViaImport(file: ts.SourceFile, local: string, depth: number): ts.Expression | null {
    const at = this.importTarget(file, local);
    return at ? this.exportedConstant(at.file, at.name, depth + 1) : null;
  }

  private viaImport(file: ts.SourceFile, local: string, depth: number): ts.Node | null {
    const at = this.importTarget(file, local);
    return at ? this.exported(at.file, at.name, depth + 1) : null;
  }

  /** The file and exported name a named import of `file` reads. */
  private importTarget(file: ts.SourceFile, local: string): { file: ts.SourceFile; name: string } | null {
    const binding = this.modules.imports(file).get(local);
    if (!binding || binding.imported === '*') return null;
    const target = this.modules.moduleFile(file, binding.module);
    return target ? { file: target, name: binding.imported } : null;
  }
}

/** A file's statements by the names they declare or export by name, and its wholesale re-exports (`export * from`), in the file's order. */
interface StatementIndex {
  readonly byName: Map<string, ts.Statement[]>;
  readonly wholesale: readonly ts.Statement[];
}

function indexStatements(ts: TS, file: ts.SourceFile): StatementIndex {
  const byName = new Map<string, ts.Statement[]>();
  const wholesale: ts.Statement[] = [];
  const add = (name: string, statement: ts.Statement): void => {
    const statements = byName.get(name);
    if (!statements) byName.set(name, [statement]);
    else if (statements[statements.length - 1] !== statement) statements.push(statement);
  };
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name)) add(d.name.text, statement);
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isEnumDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement)) &&
      statement.name
    ) {
      add(statement.name.text, statement);
    } else if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause)) for (const element of clause.elements) add(element.name.text, statement);
      else if (!clause && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) wholesale.push(statement);
    }
  }
  return { byName, wholesale };
}

/**
 * The names a parsed module can export, as `FileAccess.mayExport` asks before a wholesale
 * re-export of it is followed: every name its statement index holds, and the namespaces it
 * re-exports (`export * as ns from`); `'any'` when it re-exports wholesale itself or assigns
 * CommonJS exports. For any other name but `default`, the lookups through a re-export
 * (`exported`, `exportedConstant`, and `reexportedPackages` of the resolver) find nothing in it.
 */
export function treeExportableNames(ts: TS, file: ts.SourceFile): ReadonlySet<string> | 'any' {
  const index = indexStatements(ts, file);
  if (index.wholesale.length > 0 || commonJsAssignments(ts, file).length > 0) return 'any';
  const names = new Set(index.byName.keys());
  for (const statement of file.statements) {
    const clause = ts.isExportDeclaration(statement) ? statement.exportClause : undefined;
    if (clause && ts.isNamespaceExport(clause)) names.add(clause.name.text);
  }
  return names;
}

/** The answer for (file, name), computed once. */
function remembered<T>(answers: WeakMap<ts.SourceFile, Map<string, T>>, file: ts.SourceFile, name: string, compute: () => T): T {
  let byName = answers.get(file);
  if (!byName) {
    byName = new Map();
    answers.set(file, byName);
  }
  const known = byName.get(name);
  if (known !== undefined || byName.has(name)) return known as T;
  const answer = compute();
  byName.set(name, answer);
  return answer;
}

/** A function, class or function-valued `const` declared at the top of a file. */
function localDeclaration(ts: TS, file: ts.SourceFile, wanted: string): ts.Node | null {
  for (const statement of file.statements) {
    // An overload's signature has no body: the implementation follows it.
    if (ts.isFunctionDeclaration(statement) && !statement.body) continue;
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
  // A type of the same name as a value (`export const X`, `export interface X`) is the value's last.
  return file.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === wanted) ?? null;
}

export function findMethod(ts: TS, declaration: ts.ClassLikeDeclaration, name: string): Fn | null {
  for (const member of declaration.members) {
    if (ts.isMethodDeclaration(member) && member.body && ts.isIdentifier(member.name) && member.name.text === name) return member;
    if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name && member.initializer) {
      const fn = functionOfInitializer(ts, member.initializer);
      if (fn) return fn;
    }
  }
  return null;
}
