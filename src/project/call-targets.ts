import type ts from 'typescript';
import { isCacheLikeName } from '../analysis/sources/clients.js';
import { baseOf } from '../analysis/sources/declarations.js';
import { requiredBinding } from '../ts/imports.js';
import type { ImportBinding } from '../ts/imports.js';
import { enclosingClass, unwrap } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import { findMethod } from './exports.js';
import type { ProjectExports } from './exports.js';
import type { ProjectModules } from './modules.js';

type Fn = ts.FunctionLikeDeclaration;

/**
 * The functions a call or a function reference runs, across files, with the syntax alone:
 * imported functions and namespace members, and `this.service.method()` through the declared type
 * of a constructor-injected member.
 */
export class CallTargets {
  constructor(
    private readonly ts: TS,
    private readonly modules: ProjectModules,
    private readonly exports: ProjectExports,
    /** The classes that implement an interface of this name (see `collectImplementations`). */
    private readonly implementationsOf: (name: string) => readonly ts.ClassLikeDeclaration[] = () => [],
  ) {}

  resolveCall(call: ts.CallExpression): readonly Fn[] | null {
    const { ts } = this;
    const callee = unwrap(ts, call.expression);
    const file = call.getSourceFile();
    if (ts.isIdentifier(callee)) return this.importedFunction(file, callee.text);
    if (!ts.isPropertyAccessExpression(callee)) return null;
    const object = unwrap(ts, callee.expression);
    const method = callee.name.text;
    if (ts.isIdentifier(object)) {
      const binding = this.modules.imports(file).get(object.text);
      if (binding?.imported === '*') {
        const target = this.modules.moduleFile(file, binding.module);
        const found = target ? this.exports.exported(target, method, 0) : null;
        return found && isFunction(ts, found) ? [found] : null;
      }
      return null;
    }
    // `query.link.remove(…)`: a module that re-exports the modules it requires (`module.exports = { link }`).
    const nested = ts.isPropertyAccessExpression(object) ? this.nestedModule(file, object) : null;
    if (nested) {
      const found = this.exports.exported(nested, method, 0);
      return found && isFunction(ts, found) ? [found] : null;
    }
    if (ts.isPropertyAccessExpression(object) && unwrap(ts, object.expression).kind === ts.SyntaxKind.ThisKeyword) {
      const owner = enclosingClass(ts, call);
      const member = owner ? this.memberType(owner, object.name.text) : null;
      if (!member) return null;
      const { typeName, file: declaredIn } = member;
      const declaration = this.exports.classNamed(declaredIn, typeName);
      if (!declaration) return this.implementedMethods(declaredIn, object.name.text, typeName, method);
      const body = this.inheritedMethod(declaration, method);
      return body ? [body] : null;
    }
    return null;
  }

  resolveIdentifier(reference: ts.Expression): readonly Fn[] | null {
    const { ts } = this;
    const expression = unwrap(ts, reference);
    const file = expression.getSourceFile();
    if (ts.isIdentifier(expression)) return this.importedFunction(file, expression.text);
    // `require('./update-quote').default`, `require('./handler')`: a module required where it is used.
    const required = requiredBinding(ts, expression);
    if (required) return this.boundFunction(file, required);
    if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
      const binding = this.modules.imports(file).get(expression.expression.text);
      if (binding?.imported !== '*') return null;
      const target = this.modules.moduleFile(file, binding.module);
      const found = target ? this.exports.exported(target, expression.name.text, 0) : null;
      return found && isFunction(ts, found) ? [found] : null;
    }
    return null;
  }

  /**
   * `this.sessionCache.set(…)` of a member named like a cache and typed by the project's interface
   * (`SessionCacheStrategy`): the method of every class of the project that implements it, one of
   * which the application configures. Other interfaces stay unresolved.
   */
  private implementedMethods(file: ts.SourceFile, member: string, typeName: string, method: string): Fn[] | null {
    if (!isCacheLikeName(member) || !this.exports.interfaceNamed(file, typeName)) return null;
    const methods = this.implementationsOf(typeName).flatMap((cls) => this.inheritedMethod(cls, method) ?? []);
    return methods.length > 0 ? methods : null;
  }

  /** The type name a member is declared with, in the class or the project's classes it extends, and the file that declares it. */
  private memberType(owner: ts.ClassLikeDeclaration, member: string): { typeName: string; file: ts.SourceFile } | null {
    let current: ts.ClassLikeDeclaration | null = owner;
    for (let depth = 0; current && depth < 8; depth++) {
      const typeName = memberTypeName(this.ts, current, member);
      if (typeName) return { typeName, file: current.getSourceFile() };
      const base = baseOf(this.ts, current);
      current =
        base && this.ts.isIdentifier(base.expression) ? this.exports.classNamed(current.getSourceFile(), base.expression.text) : null;
    }
    return null;
  }

  /** A method of a class or of the project's classes it extends (`SubscriberRepository extends BaseRepository`). */
  private inheritedMethod(declaration: ts.ClassLikeDeclaration, name: string): Fn | null {
    let current: ts.ClassLikeDeclaration | null = declaration;
    for (let depth = 0; current && depth < 8; depth++) {
      const found = findMethod(this.ts, current, name);
      if (found) return found;
      const base = baseOf(this.ts, current);
      current =
        base && this.ts.isIdentifier(base.expression) ? this.exports.classNamed(current.getSourceFile(), base.expression.text) : null;
    }
    return null;
  }

  /** The module `ns.member` stands for, where `ns` is a whole module of the project and `member` a whole module it imports. */
  private nestedModule(file: ts.SourceFile, access: ts.PropertyAccessExpression): ts.SourceFile | null {
    const base = unwrap(this.ts, access.expression);
    const outer = this.ts.isIdentifier(base) ? this.modules.imports(file).get(base.text) : undefined;
    const holder = outer?.imported === '*' ? this.modules.moduleFile(file, outer.module) : null;
    const inner = holder ? this.modules.imports(holder).get(access.name.text) : undefined;
    return holder && inner?.imported === '*' ? this.modules.moduleFile(holder, inner.module) : null;
  }

  private importedFunction(file: ts.SourceFile, local: string): Fn[] | null {
    const binding = this.modules.imports(file).get(local);
    return binding ? this.boundFunction(file, binding) : null;
  }

  private boundFunction(file: ts.SourceFile, binding: ImportBinding): Fn[] | null {
    const target = this.modules.moduleFile(file, binding.module);
    // A whole module called (`const send = require('./send'); send()`) is its `module.exports`.
    const found = target ? this.exports.exported(target, binding.imported === '*' ? 'default' : binding.imported, 0) : null;
    return found && isFunction(this.ts, found) ? [found] : null;
  }
}

function isFunction(ts: TS, node: ts.Node): node is Fn {
  return (
    (ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) &&
    node.body !== undefined
  );
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
