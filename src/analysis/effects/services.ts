import type ts from 'typescript';
import { staticString } from '../context.js';
import type { FileContext } from '../context.js';
import { parentOf, unwrap } from '../../ts/syntax.js';
import { baseOf, classOf, declarationOf, typeReference } from '../sources/declarations.js';

/** A class of the project, with the context of its file. */
export interface ProjectClass {
  readonly cls: ts.ClassLikeDeclaration;
  readonly ctx: FileContext;
}

/**
 * The class of the project a receiver is an instance of, by what the code says of it:
 * - a declared type naming a class of the project (`const quotes: QuoteService = …`, `private quotes_: QuoteService`);
 * - a dependency-injection container's registration (`req.scope.resolve('quoteService')`): by the
 *   convention of awilix, the class of the same name, capitalised (`QuoteService`), when the project
 *   has exactly one; `'unresolved'` when it has none or several, for a note to say so;
 * - a method of such a class declared to return `this` (`quotes.withTransaction(manager)`), called
 *   where it is used or where the variable is given its value.
 * Null when the code says none of these.
 */
export function serviceClassOf(ctx: FileContext, receiver: ts.Expression, depth = 0): ProjectClass | 'unresolved' | null {
  const { ts } = ctx;
  const value = unwrap(ts, receiver);
  if (depth > 4) return null;
  if (ts.isCallExpression(value)) {
    const callee = unwrap(ts, value.expression);
    if (!ts.isPropertyAccessExpression(callee)) return null;
    const owner = serviceClassOf(ctx, callee.expression, depth + 1);
    if (owner === null || owner === 'unresolved') return owner;
    const method = classMember(owner.ctx, owner.cls, callee.name.text)?.declaration;
    return method?.type?.kind === ts.SyntaxKind.ThisType ? owner : null;
  }
  const declared = ts.isIdentifier(value) || ts.isPropertyAccessExpression(value) ? declarationOf(ctx, value, false) : null;
  if (!declared) return null;
  const type = typeReference(ts, declared.type);
  const typed = type && ts.isIdentifier(type.node) ? classOf(declared.ctx, type.node) : null;
  if (typed) return typed;
  const name = declared.initializer ? registrationName(declared.ctx, declared.initializer) : null;
  if (name !== null) return registeredClass(declared.ctx, name);
  // `this.strategy_ = priceSelectionStrategy` of `constructor({ priceSelectionStrategy })`: what the container registers by that name.
  const given = declared.initializer ? cradleName(declared.ctx, declared.initializer) : null;
  const registered = given === null ? null : registeredClass(declared.ctx, given);
  if (registered !== null && registered !== 'unresolved') return registered;
  // `const txRates = rates.withTransaction(tx)`: what the call it is given says.
  const initial = declared.initializer ? unwrap(ts, declared.initializer) : null;
  return initial && ts.isCallExpression(initial) ? serviceClassOf(declared.ctx, initial, depth + 1) : null;
}

/** The name a container is asked for: `'quoteService'` of `req.scope.resolve('quoteService')` or `container.resolve('quoteService')`. */
function registrationName(ctx: FileContext, expression: ts.Expression): string | null {
  const { ts } = ctx;
  const value = unwrap(ts, expression);
  if (!ts.isCallExpression(value) || value.arguments.length !== 1 || !value.arguments[0]) return null;
  const callee = unwrap(ts, value.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve' ? staticString(ctx, value.arguments[0]) : null;
}

/**
 * The name a constructor takes a dependency by from an awilix container's cradle: a property of the
 * object pattern that is the constructor's first parameter (`constructor({ priceSelectionStrategy })`).
 */
function cradleName(ctx: FileContext, expression: ts.Expression): string | null {
  const { ts } = ctx;
  const value = unwrap(ts, expression);
  if (!ts.isIdentifier(value)) return null;
  let node = parentOf(value);
  while (node && !ts.isFunctionLike(node)) node = parentOf(node);
  if (!node || !ts.isConstructorDeclaration(node)) return null;
  const pattern = node.parameters[0]?.name;
  if (!pattern || !ts.isObjectBindingPattern(pattern)) return null;
  const element = pattern.elements.find((e) => ts.isIdentifier(e.name) && e.name.text === value.text);
  if (!element || element.dotDotDotToken) return null;
  return element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : value.text;
}

/** The one class of the project named as a registration (`quoteService` → `QuoteService`), or `'unresolved'`. */
function registeredClass(ctx: FileContext, name: string): ProjectClass | 'unresolved' {
  const classes = ctx.resolver?.classesNamed?.(`${name.charAt(0).toUpperCase()}${name.slice(1)}`) ?? [];
  const [only] = classes;
  if (classes.length !== 1 || !only) return 'unresolved';
  const file = only.getSourceFile();
  return { cls: only, ctx: file === ctx.sourceFile ? ctx : ctx.contextOf(file) };
}

/** A method (or function-valued property) of a class or of the project's classes it extends, in the file that holds it. */
export function classMember(
  ctx: FileContext,
  owner: ts.ClassLikeDeclaration,
  name: string,
): { declaration: ts.FunctionLikeDeclaration; ctx: FileContext } | null {
  const { ts } = ctx;
  for (const current of classChain({ cls: owner, ctx })) {
    const file = current.cls.getSourceFile();
    const named = current.cls.members.filter(
      (m): m is ts.MethodDeclaration | ts.PropertyDeclaration =>
        (ts.isMethodDeclaration(m) || ts.isPropertyDeclaration(m)) && m.name.getText(file) === name,
    );
    // An overloaded method: its signatures, then the one implementation with a body.
    const member = named.find((m) => !ts.isMethodDeclaration(m) || m.body !== undefined) ?? named[0];
    if (member && ts.isMethodDeclaration(member)) return member.body ? { declaration: member, ctx: current.ctx } : null;
    if (member) {
      const init = member.initializer ? unwrap(ts, member.initializer) : null;
      return init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? { declaration: init, ctx: current.ctx } : null;
    }
  }
  return null;
}

/** A class and the classes of the project it extends, nearest first, `limit` of them at most. */
export function* classChain(start: ProjectClass, limit = 8): Generator<ProjectClass> {
  let current: ProjectClass | null = start;
  for (let depth = 0; current && depth < limit; depth++) {
    yield current;
    current = baseClassOf(current);
  }
}

/** The class of the project a class extends (`extends BaseResolver`), or null. */
export function baseClassOf({ cls, ctx }: ProjectClass): ProjectClass | null {
  const base = baseOf(ctx.ts, cls);
  return base && ctx.ts.isIdentifier(base.expression) ? classOf(ctx, base.expression) : null;
}
