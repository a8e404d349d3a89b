import type ts from 'typescript';
import { enclosingClass, lastName, staticString, truncate, unwrap } from './context.js';
import type { FileContext, TS } from './context.js';
import type { Invalidation, InvalidationKind } from './facts.js';
import { decoratorInvalidation, readPattern } from './read-pattern.js';
import { parsePattern } from '../patterns/parse.js';

const TAG_CALLS: Readonly<Record<string, InvalidationKind>> = {
  revalidateTag: 'tag',
  updateTag: 'tag',
  expireTag: 'tag',
  revalidatePath: 'path',
};

const KEY_METHODS = new Set(['del', 'unlink', 'mdel', 'delete', 'set', 'mset']);
const CACHE_LIKE = /cache|redis/i;

/** What a walk of a handler's code found. */
export interface BodyScan {
  readonly invalidations: Invalidation[];
  /** Calls into code that cannot be seen from here (described as written). */
  readonly opaqueCalls: string[];
}

interface Walk {
  readonly depth: number;
  readonly through: readonly string[];
  readonly isConditional: boolean;
  /** Reached through an event listener: it runs later. */
  readonly isDeferred?: boolean;
  readonly visited: Set<ts.Node>;
  readonly rootFile: string;
}

/** Walks the code a handler runs: its body, and same-file helpers (or more, with a resolver). */
export function scanBody(ctx: FileContext, body: ts.Node): BodyScan {
  const result: BodyScan = { invalidations: [], opaqueCalls: [] };
  walkFunction(ctx, body, result, { depth: 0, through: [], isConditional: false, visited: new Set([body]), rootFile: ctx.file });
  return result;
}

function walkFunction(ctx: FileContext, root: ts.Node, result: BodyScan, walk: Walk): void {
  const { ts } = ctx;
  const visit = (node: ts.Node): void => {
    if (ts.isClassLike(node) && node !== root) return;
    if (ts.isCallExpression(node)) inspectCall(ctx, node, root, result, walk);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(root, visit);
}

/** Whether `node` runs only sometimes, relative to `root`: inside a branch, a loop or a catch. */
export function isConditionalWithin(ts: TS, node: ts.Node, root: ts.Node): boolean {
  let child: ts.Node = node;
  let parent = node.parent as ts.Node | undefined;
  while (parent && child !== root) {
    if (ts.isIfStatement(parent) && child !== parent.expression) return true;
    if (ts.isConditionalExpression(parent) && child !== parent.condition) return true;
    if (
      ts.isBinaryExpression(parent) &&
      child === parent.right &&
      [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(parent.operatorToken.kind)
    ) {
      return true;
    }
    if (ts.isCaseClause(parent) || ts.isDefaultClause(parent) || ts.isCatchClause(parent)) return true;
    if ((ts.isForStatement(parent) || ts.isForInStatement(parent) || ts.isForOfStatement(parent) || ts.isWhileStatement(parent)) && child === parent.statement) {
      return true;
    }
    if (ts.isCallChain(parent) && parent.questionDotToken) return true;
    child = parent;
    parent = parent.parent as ts.Node | undefined;
  }
  return false;
}

export function matchesCallName(ctx: FileContext, name: string): boolean {
  return ctx.options.callNames.has(name) || ctx.options.callGlobs.some((matcher) => matcher.test(name));
}

function isCacheLike(ctx: FileContext, receiver: ts.Expression): boolean {
  const name = lastName(ctx.ts, receiver);
  return name !== null && (CACHE_LIKE.test(name) || ctx.options.cacheReceivers.has(name));
}

function inspectCall(ctx: FileContext, call: ts.CallExpression, root: ts.Node, result: BodyScan, walk: Walk): void {
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  const name = lastName(ts, callee);
  if (name === null) return;
  // Computed only for calls that matter: most calls of a handler are not invalidations.
  let conditional: boolean | null = null;
  const isConditionalHere = (): boolean => (conditional ??= walk.isConditional || isConditionalWithin(ts, call, root));
  const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : null;
  const record = (kind: InvalidationKind, args: readonly ts.Expression[], isKey: boolean): void => {
    result.invalidations.push({
      via: 'call',
      name,
      kind,
      patterns: kind === 'pattern' || kind === 'key' ? args.flatMap((arg) => patternArguments(ctx, arg, isKey)) : [],
      isConditional: isConditionalHere(),
      isDeferred: walk.isDeferred ?? false,
      range: ctx.range(call),
      through: walk.through,
      file: ctx.file === walk.rootFile ? null : ctx.file,
    });
  };

  // Helpers of the same file (or, with a resolver, of the project) are followed first: they may
  // be named like an invalidation and still say which patterns they delete.
  // The whole-file scan of sites follows no helper: only names matter there.
  const isSiteScan = walk.depth === Number.POSITIVE_INFINITY;
  // emit('quote.changed') → the @OnEvent('quote.changed') listeners of the project, run later.
  if (!isSiteScan && (name === 'emit' || name === 'emitAsync') && ctx.resolver?.listenersOf && call.arguments[0]) {
    const event = staticString(ctx, call.arguments[0]);
    const listeners = event === null ? [] : ctx.resolver.listenersOf(event);
    if (walk.depth < ctx.options.maxHelperDepth) {
      for (const listener of listeners) {
        const owner = enclosingClass(ts, listener);
        const label = `${owner?.name?.text ?? ''}${owner?.name ? '.' : ''}${listener.name ? listener.name.getText(listener.getSourceFile()) : 'listener'} (on ${event ?? ''})`;
        followHelper(ctx, { declaration: listener, ctx: ctx.contextOf(listener.getSourceFile()), label }, name, call, result, { ...walk, isConditional: isConditionalHere(), isDeferred: true });
      }
    }
    if (listeners.length > 0) return;
  }
  const targets = isSiteScan ? [] : helperTargets(ctx, call, callee);
  if (targets === 'opaque') {
    if (matchesCallName(ctx, name)) record(TAG_CALLS[name] ?? 'pattern', [], false);
    else result.opaqueCalls.push(truncate(ctx.text(callee)));
    return;
  }
  if (targets.length > 0 && walk.depth < ctx.options.maxHelperDepth) {
    const before = result.invalidations.length;
    for (const target of targets) followHelper(ctx, target, name, call, result, { ...walk, isConditional: isConditionalHere() });
    if (result.invalidations.length > before || !matchesCallName(ctx, name)) return;
  } else if (targets.length > 0) {
    // Deeper than maxHelperDepth: unseen, so not known to invalidate nothing.
    result.opaqueCalls.push(`${truncate(ctx.text(callee))} (beyond maxHelperDepth)`);
    if (!matchesCallName(ctx, name)) return;
  }

  const kind = TAG_CALLS[name];
  if (kind && matchesCallName(ctx, name)) {
    record(kind, [], false);
    return;
  }
  if (receiver && KEY_METHODS.has(name) && ctx.options.receiverCalls.has(name) && isCacheLike(ctx, receiver)) {
    // A write-through `set` refreshes the key, which counts as invalidating it.
    const keyArgs = name === 'set' ? call.arguments.slice(0, 1) : name === 'mset' ? [] : call.arguments;
    record('key', keyArgs, true);
    return;
  }
  if (receiver && name === 'reset' && ctx.options.receiverCalls.has(name) && isCacheLike(ctx, receiver)) {
    result.invalidations.push({
      via: 'call',
      name,
      kind: 'pattern',
      // Flushing the whole cache is the pattern `*`, and is judged as one.
      patterns: [
        {
          text: ctx.text(call),
          range: ctx.range(call),
          pattern: parsePattern('*'),
          unresolved: null,
          interpolations: [],
          placeholders: [],
          registryRef: null,
          isLiteral: false,
          forwardedBy: null,
        },
      ],
      isConditional: isConditionalHere(),
      isDeferred: walk.isDeferred ?? false,
      range: ctx.range(call),
      through: walk.through,
      file: ctx.file === walk.rootFile ? null : ctx.file,
    });
    return;
  }
  if (matchesCallName(ctx, name) && !(receiver && ts.isIdentifier(receiver) && ctx.importOf(receiver.text)?.module === 'events')) {
    record('pattern', call.arguments, false);
  }
}

/** The pattern facts of one argument: a pattern, or each element of an array of patterns. */
function patternArguments(ctx: FileContext, argument: ts.Expression, isKey: boolean): ReturnType<typeof readPattern>[] {
  const { ts } = ctx;
  const expression = unwrap(ts, argument);
  if (ts.isArrayLiteralExpression(expression)) {
    return expression.elements.filter((e) => !ts.isSpreadElement(e)).map((element) => readPattern(ctx, element, isKey));
  }
  if (ts.isObjectLiteralExpression(expression) || ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) return [];
  if (ts.isNumericLiteral(expression)) return [];
  return [readPattern(ctx, expression, isKey)];
}

type Target = { readonly declaration: ts.FunctionLikeDeclaration; readonly ctx: FileContext; readonly label: string };

/** The functions a call runs: same-file helpers, or through the resolver; 'opaque' when unknowable. */
function helperTargets(ctx: FileContext, call: ts.CallExpression, callee: ts.Expression): readonly Target[] | 'opaque' {
  const { ts } = ctx;
  if (ts.isIdentifier(callee)) {
    const local = ctx.functions.get(callee.text);
    if (local) return [{ declaration: local, ctx, label: callee.text }];
    const binding = ctx.importOf(callee.text);
    if (binding && isProjectModule(binding.module)) return resolved(ctx, call, callee.text);
    return [];
  }
  if (!ts.isPropertyAccessExpression(callee)) return [];
  const object = unwrap(ts, callee.expression);
  const method = callee.name.text;
  if (object.kind === ts.SyntaxKind.ThisKeyword) {
    const owner = enclosingClass(ts, call);
    const member = owner?.members.find(
      (m): m is ts.MethodDeclaration | ts.PropertyDeclaration =>
        (ts.isMethodDeclaration(m) || ts.isPropertyDeclaration(m)) && m.name.getText(ctx.sourceFile) === method,
    );
    if (member && ts.isMethodDeclaration(member) && member.body) {
      return [{ declaration: member, ctx, label: `${owner?.name?.text ?? 'this'}.${method}` }];
    }
    if (member && ts.isPropertyDeclaration(member) && member.initializer) {
      const init = unwrap(ts, member.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return [{ declaration: init, ctx, label: `${owner?.name?.text ?? 'this'}.${method}` }];
    }
    return [];
  }
  // this.service.method(): an injected dependency, defined in another file.
  if (ts.isPropertyAccessExpression(object) && unwrap(ts, object.expression).kind === ts.SyntaxKind.ThisKeyword) {
    const owner = enclosingClass(ts, call);
    if (owner && isInjected(ts, owner, object.name.text)) {
      if (isCacheLike(ctx, object)) return [];
      return resolved(ctx, call, `this.${object.name.text}.${method}`);
    }
    return [];
  }
  // imported.namespaceOrObject.method(): a function of another module of the project.
  if (ts.isIdentifier(object)) {
    const binding = ctx.importOf(object.text);
    if (binding && isProjectModule(binding.module) && binding.imported === '*') return resolved(ctx, call, `${object.text}.${method}`);
    const local = ctx.classes.get(object.text);
    const staticMethod = local?.members.find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText(ctx.sourceFile) === method);
    if (staticMethod?.body) return [{ declaration: staticMethod, ctx, label: `${object.text}.${method}` }];
  }
  return [];
}

function resolved(ctx: FileContext, call: ts.CallExpression, label: string): readonly Target[] | 'opaque' {
  if (!ctx.resolver) return 'opaque';
  const declarations = ctx.resolver.resolveCall(call);
  if (declarations === null) return 'opaque';
  return declarations.map((declaration) => {
    const owner = enclosingClass(ctx.ts, declaration);
    const name = declaration.name ? declaration.name.getText(declaration.getSourceFile()) : label;
    return {
      declaration,
      ctx: ctx.contextOf(declaration.getSourceFile()),
      label: owner?.name ? `${owner.name.text}.${name}` : name,
    };
  });
}

function followHelper(ctx: FileContext, target: Target, _name: string, _call: ts.CallExpression, result: BodyScan, walk: Walk): void {
  const body = target.declaration.body;
  if (!body || walk.visited.has(body)) return;
  walk.visited.add(body);
  walkFunction(target.ctx, body, result, {
    ...walk,
    depth: walk.depth + 1,
    through: [...walk.through, target.label],
  });
}


/** A member that the framework injects: a constructor parameter property, or a property with a declared type. */
function isInjected(ts: TS, owner: ts.ClassLikeDeclaration, name: string): boolean {
  for (const member of owner.members) {
    if (ts.isConstructorDeclaration(member)) {
      for (const parameter of member.parameters) {
        const isProperty = ts.getModifiers(parameter)?.some((m) =>
          [ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.PublicKeyword, ts.SyntaxKind.ProtectedKeyword, ts.SyntaxKind.ReadonlyKeyword].includes(m.kind),
        );
        if (isProperty && ts.isIdentifier(parameter.name) && parameter.name.text === name) return true;
      }
    }
    if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name && member.type && !member.initializer) {
      return true;
    }
  }
  return false;
}

/** A module of the project itself (relative or a path alias), as opposed to a package. */
export function isProjectModule(module: string): boolean {
  return module.startsWith('.') || module.startsWith('@/') || module.startsWith('~/') || module.startsWith('#');
}

/**
 * Every invalidation written in the file, once, where it is written (helpers are not followed):
 * the subject of the checks on patterns themselves.
 */
export function scanSites(ctx: FileContext): Invalidation[] {
  const { ts } = ctx;
  const result: BodyScan = { invalidations: [], opaqueCalls: [] };
  const walk: Walk = { depth: Number.POSITIVE_INFINITY, through: [], isConditional: false, visited: new Set(), rootFile: ctx.file };
  for (const decorator of ctx.nodes.decorators) pushDecoratorSite(ctx, decorator.expression, result);
  for (const call of ctx.nodes.calls) {
    const name = lastName(ts, call.expression);
    if (name !== null && ctx.options.decorators.has(name)) pushDecoratorSite(ctx, call, result);
    else inspectCall(ctx, call, ctx.sourceFile, result, walk);
  }
  // One order for the findings, whatever the order of the lists.
  return result.invalidations.sort((a, b) => a.range.start - b.range.start);
}

function pushDecoratorSite(ctx: FileContext, expression: ts.Expression, result: BodyScan): void {
  const { ts } = ctx;
  const target = ts.isCallExpression(expression) ? expression.expression : expression;
  const local = lastName(ts, target);
  if (local === null) return;
  const binding = ts.isIdentifier(target) ? ctx.importOf(local) : null;
  const name = binding && binding.imported !== 'default' && binding.imported !== '*' ? binding.imported : local;
  if (!ctx.options.decorators.has(name)) return;
  result.invalidations.push(decoratorInvalidation(ctx, expression, name, []));
}
