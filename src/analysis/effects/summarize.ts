import type ts from 'typescript';
import type { FileContext, RouteCode } from '../context.js';
import { appendFrame, boundArgument } from '../env.js';
import type { Bound, Frame } from '../env.js';
import { AnalysisLimitError, MAX_CALL_DEPTH } from '../limits.js';
import { memoTable } from '../session.js';
import { routesRequested, routesServing, selfCallOf } from '../self-calls.js';
import { concreteModel, isHeldModel } from '../sources/mongoose.js';
import type { CallEffect, SourceCall } from '../sources/source.js';
import { entityName } from '../sources/typeorm-entities.js';
import { lastName, parentOf, truncate } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import { matchesCallName, readByName, readCall, sourceCall } from './classify.js';
import type { CallReading } from './classify.js';
import { givenCalls, referencedFunction } from './given-calls.js';
import { fieldClears, handedKeys } from './handed-keys.js';
import { fromSource, namedInvalidation, templateEffects } from './library.js';
import type { Effect, EffectBase, EffectKey, Target } from './model.js';
import { armsThrough, armsWithin } from './paths.js';
import { settle } from './settle.js';
import { hooksOf, processorsOf } from './targets.js';

const SUMMARIES = memoTable<ts.Node, readonly Effect[]>('summaries');
/** The functions being summarised (a call back into one adds nothing). */
const IN_PROGRESS = memoTable<ts.Node, true>('summaries in progress');

/**
 * The effects of running `root` (a function or a body), with the functions it calls composed in:
 * computed once per function and reused by every caller, safe on cycles (a call back into a
 * function being summarised adds nothing), bounded by the call graph, and by `MAX_CALL_DEPTH` for the stack's sake.
 */
export function summarize(ctx: FileContext, root: ts.Node): readonly Effect[] {
  const { session } = ctx;
  const memo = session.table(SUMMARIES);
  const known = memo.get(root);
  if (known) return known;
  const inProgress = session.table(IN_PROGRESS);
  if (inProgress.has(root)) return [];
  if (session.depth >= MAX_CALL_DEPTH) throw new AnalysisLimitError(`calls nested deeper than ${String(MAX_CALL_DEPTH)} levels`, root);
  inProgress.set(root, true);
  session.depth++;
  try {
    const effects: Effect[] = [];
    walk(ctx, root, effects);
    const result = settle(ctx, effects, root);
    memo.set(root, result);
    return result;
  } finally {
    inProgress.delete(root);
    session.depth--;
  }
}

const DEFERRING_CALLS = new Set(['waitUntil', 'after', 'setImmediate', 'setTimeout', 'queueMicrotask', 'nextTick', 'unstable_after']);

function walk(ctx: FileContext, root: ts.Node, effects: Effect[]): void {
  const { ts } = ctx;
  const visit = (node: ts.Node, isDeferred: boolean): void => {
    if (ts.isClassLike(node) && node !== root) return;
    // The faces of an object a factory returns run when they are called, not when it is made.
    if (node !== root && isReturnedFace(ts, node)) return;
    if (ts.isVoidExpression(node)) {
      ts.forEachChild(node, (child) => {
        visit(child, true);
      });
      return;
    }
    if (ts.isTaggedTemplateExpression(node)) {
      for (const effect of templateEffects(ctx, node) ?? [])
        effects.push(fromSource(ctx, effect, baseAt(ctx, node, lastName(ts, node.tag) ?? 'sql', root, isDeferred)));
    }
    if (ts.isCallExpression(node)) {
      const site = sourceCall(ctx, node);
      if (site) new CallSummary(site, root, isDeferred, effects).add();
      const name = site?.name ?? null;
      if (name !== null && DEFERRING_CALLS.has(name)) {
        visit(node.expression, isDeferred);
        for (const arg of node.arguments) visit(arg, true);
        return;
      }
    }
    ts.forEachChild(node, (child) => {
      visit(child, isDeferred);
    });
  };
  const body = ts.isFunctionLike(root) && 'body' in root && root.body ? (root.body as ts.Node) : root;
  // The body itself runs: an arrow's expression body (`() => redis.del(key)`), and a handler's code
  // when it is one call (`async ({ parsedInput }) => updateOrganization(parsedInput)`), are calls too.
  visit(body, false);
}

/** Where an effect of a call or a tagged template happens in the function summarised (`root`). */
function baseAt(ctx: FileContext, node: ts.Node, name: string, root: ts.Node, isDeferred: boolean): EffectBase {
  const { ts } = ctx;
  return {
    name,
    node,
    ctx,
    through: [],
    isConditional: isConditionalWithin(ts, node, root),
    isDeferred,
    arms: armsWithin(ts, node, root, ctx.file),
  };
}

/** A method, or a function-valued property, of an object literal that a function returns (`return { invalidate: () => … }`). */
function isReturnedFace(ts: TS, node: ts.Node): boolean {
  if (!ts.isMethodDeclaration(node) && !ts.isArrowFunction(node) && !ts.isFunctionExpression(node)) return false;
  const property = ts.isMethodDeclaration(node) ? node : parentOf(node);
  const isFace = !!property && (ts.isMethodDeclaration(property) || (ts.isPropertyAssignment(property) && property.initializer === node));
  const object = isFace ? parentOf(property) : undefined;
  if (!object || !ts.isObjectLiteralExpression(object)) return false;
  let holder = parentOf(object);
  while (holder && (ts.isParenthesizedExpression(holder) || ts.isAsExpression(holder) || ts.isSatisfiesExpression(holder))) {
    holder = parentOf(holder);
  }
  // Climbing from an object through parentheses to an arrow: the object is its expression body.
  return !!holder && (ts.isReturnStatement(holder) || ts.isArrowFunction(holder));
}

/**
 * Whether `node` runs only sometimes, relative to `root`: inside a branch, a loop or a catch. A
 * root that is itself a branch (a `case 'DELETE':` clause serving one method) runs whole.
 */
function isConditionalWithin(ts: TS, node: ts.Node, root: ts.Node): boolean {
  let child: ts.Node = node;
  let parent = parentOf(node);
  while (parent && child !== root && parent !== root) {
    if (isBranchOf(ts, parent, child)) return true;
    child = parent;
    parent = parentOf(parent);
  }
  return false;
}

const SHORT_CIRCUITS = (ts: TS): readonly ts.SyntaxKind[] => [
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.QuestionQuestionToken,
];

/** Whether `child` of `parent` runs only on some paths through `parent`. */
function isBranchOf(ts: TS, parent: ts.Node, child: ts.Node): boolean {
  if (ts.isIfStatement(parent)) return child !== parent.expression;
  if (ts.isConditionalExpression(parent)) return child !== parent.condition;
  if (ts.isBinaryExpression(parent)) return child === parent.right && SHORT_CIRCUITS(ts).includes(parent.operatorToken.kind);
  if (ts.isCaseClause(parent) || ts.isDefaultClause(parent) || ts.isCatchClause(parent)) return true;
  if (ts.isForStatement(parent) || ts.isForInStatement(parent) || ts.isForOfStatement(parent) || ts.isWhileStatement(parent)) {
    return child === parent.statement;
  }
  if (ts.isCallChain(parent) && parent.questionDotToken) return true;
  return ts.isCallExpression(parent) && parent.arguments.includes(child as ts.Expression) && isRejectionHandler(ts, parent, child);
}

/** `p.catch(onRejected)`, `p.then(onFulfilled, onRejected)`: the handler runs only when the promise fails. */
function isRejectionHandler(ts: TS, call: ts.CallExpression, argument: ts.Node): boolean {
  const name = lastName(ts, call.expression);
  return name === 'catch' || (name === 'then' && call.arguments[1] === argument);
}

/** The routes of the app a call requests (`fetch('/api/…')`), when the resolver knows the app's route files. */
function ownRoutesOf(site: SourceCall): readonly RouteCode[] {
  const { ctx, call, callee } = site;
  const request = ctx.resolver?.routesOf ? selfCallOf(ctx, call, callee) : null;
  return request ? routesServing(ctx, request) : [];
}

/** Array methods that run a function they are handed on each element (or on the result: `then`). */
const CALLBACK_TAKERS = new Set(['forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'find', 'then']);

/** The effects one call adds to the summary of `root`: what the functions it runs do, or what a library source says it does. */
class CallSummary {
  private here: EffectBase | null = null;

  constructor(
    private readonly site: SourceCall,
    private readonly root: ts.Node,
    private readonly isDeferred: boolean,
    private readonly effects: Effect[],
  ) {}

  add(): void {
    this.apply(readCall(this.site, ownRoutesOf));
    // `links.forEach(redis.remove.link)`: a function of the project handed by name runs per element.
    if (!CALLBACK_TAKERS.has(this.site.name)) return;
    for (const arg of this.site.call.arguments) {
      const callback = referencedFunction(this.site.ctx, arg);
      if (callback) this.compose({ ...callback, label: truncate(this.site.ctx.text(arg)) }, [], false);
    }
  }

  private apply(reading: CallReading<RouteCode>): void {
    if (reading === null) return;
    switch (reading.kind) {
      case 'listeners':
        for (const listener of reading.listeners) this.compose(listener, reading.payload ? [reading.payload] : [], true);
        return;
      case 'library':
        for (const effect of reading.effects) this.fromLibrary(effect);
        return;
      case 'routes':
        for (const route of reading.routes) this.composeRoute(route);
        return;
      case 'helpers': {
        const before = this.effects.length;
        for (const target of reading.targets) this.compose(target, this.site.call.arguments, false);
        const hasInvalidation = this.effects.slice(before).some((e) => e.kind === 'invalidate');
        const { ctx, name } = this.site;
        if (hasInvalidation || reading.isReadAsWritten || !matchesCallName(ctx, name)) return;
        if (!this.handOn(reading.targets)) this.apply(readByName(this.site));
        return;
      }
      case 'named':
        this.effects.push(namedInvalidation(this.site.ctx, this.site.call, this.base()));
        return;
      case 'opaque':
        this.effects.push({ ...this.base(), kind: 'opaque', description: truncate(this.site.ctx.text(this.site.callee)) });
        return;
    }
  }

  private base(): EffectBase {
    const { ctx, call, name } = this.site;
    return (this.here ??= baseAt(ctx, call, name, this.root, this.isDeferred));
  }

  /** What a library call does; a model write runs the model's hooks, as part of the write; a job runs later, in its processor. */
  private fromLibrary(effect: CallEffect): void {
    const { ctx } = this.site;
    this.effects.push(fromSource(ctx, effect, this.base()));
    if (effect.kind === 'model-write') for (const hook of hooksOf(ctx, effect.model, effect.events)) this.compose(hook, [], false);
    if (effect.kind === 'enqueue') {
      const queueKeys = effect.queueKeys ?? (effect.queue === null ? [] : [effect.queue]);
      for (const processor of processorsOf(ctx, queueKeys, effect.job)) this.compose(processor, [], true);
      for (const route of effect.request ? routesRequested(ctx, effect.request) : []) this.composeRoute(route);
    }
  }

  /** A request to the app's own route runs that route's handler, after a network hop. */
  private composeRoute(route: RouteCode): void {
    this.compose({ declaration: route.fn, ctx: route.ctx, label: route.label, bodies: route.bodies }, [], true);
  }

  /**
   * A function named like an invalidation whose calls reach no cache client the audit knows (an
   * epoch map, a cache class of its own): it clears the keys it hands on (`this.#bump(\`env:${id}\`)`),
   * or else those its class reads with a field it changes (see `fieldClears`). Whether any were found.
   */
  private handOn(targets: readonly Target[]): boolean {
    let isFound = false;
    for (const target of targets) {
      const { ctx, declaration } = target;
      const clearing = (node: ts.Node, name: string, keys: readonly ts.Expression[]): Effect => ({
        ...baseAt(ctx, node, name, declaration, false),
        kind: 'invalidate',
        invalidationKind: 'pattern',
        keys: keys.map((expr) => ({ bound: { expr, ctx, env: null }, isKey: false })),
      });
      const handed = handedKeys(ctx, declaration).map(({ call, name, keys }) => clearing(call, name, keys));
      const field = handed.length === 0 ? fieldClears(ctx, declaration) : null;
      if (field) handed.push(clearing(field.change, field.name, field.keys));
      if (handed.length > 0) isFound = true;
      this.composeEffects(
        target,
        handed,
        { fn: declaration, args: this.site.call.arguments, ctx: this.site.ctx, next: target.outer ?? null },
        false,
      );
    }
    return isFound;
  }

  /**
   * The effects of a function the call runs, as the caller sees them: its parameters bound to
   * `args`; and those of the functions the call hands it in an object that it calls (see `givenCalls`).
   */
  private compose(target: Target, args: readonly ts.Expression[], isLater: boolean): void {
    const inner = target.bodies ? target.bodies.flatMap((body) => summarize(target.ctx, body)) : summarize(target.ctx, target.declaration);
    const frame: Frame = { fn: target.declaration, args, ctx: this.site.ctx, next: target.outer ?? null };
    const given = args.length > 0 ? givenCalls(this.site.ctx, target.declaration, target.ctx, args) : [];
    // A call of a given function is no blind spot where the function is known.
    const known = new Set<ts.Node>(given.map((g) => g.call));
    this.composeEffects(target, known.size === 0 ? inner : inner.filter((e) => e.kind !== 'opaque' || !known.has(e.node)), frame, isLater);
    for (const call of given) {
      const isConditional = isConditionalWithin(target.ctx.ts, call.call, target.declaration);
      const through = { fn: call.declaration, args: call.call.arguments, ctx: target.ctx, next: frame };
      const effects = summarize(call.ctx, call.declaration).map((e) => ({
        ...e,
        through: [call.label, ...e.through],
        isConditional: e.isConditional || isConditional,
      }));
      this.composeEffects({ ...target, declaration: call.declaration, ctx: call.ctx, self: undefined }, effects, through, isLater);
    }
  }

  private composeEffects(target: Target, inner: readonly Effect[], frame: Frame, isLater: boolean): void {
    const here = this.base();
    for (const effect of inner) {
      const moved = {
        ...shifted(effect, frame, target.label, here.isConditional, this.isDeferred || isLater),
        at: this.site.call,
        arms: armsThrough(here.arms ?? [], this.site.call, this.site.ctx.file, effect.arms),
      };
      this.effects.push(target.self ? withConcreteModel(moved, target.self) : moved);
    }
  }
}

/** A model read or write of a base repository's method, named by the class of the object it is called on. */
function withConcreteModel(effect: Effect, self: NonNullable<Target['self']>): Effect {
  if ((effect.kind !== 'model-read' && effect.kind !== 'model-write') || !isHeldModel(effect.model)) return effect;
  const model = concreteModel(self.ctx, self.cls, effect.model);
  return model === null || model === effect.model ? effect : { ...effect, model };
}

/**
 * A model read or write of a generic helper, whose model a parameter gives (`getRepository(ctx,
 * entityType)`), as the call sees it: the class the call passes (`assignToChannels(ctx, Role, …)`),
 * or, passed on from a parameter of the caller, that parameter.
 */
function withGivenModel(effect: Effect, frame: Frame): Effect {
  if ((effect.kind !== 'model-read' && effect.kind !== 'model-write') || !effect.given) return effect;
  const { given } = effect;
  const env = appendFrame(given.env, frame);
  const bound = given.ctx.ts.isIdentifier(given.expr) ? boundArgument(given.ctx, given.expr, env) : null;
  if (!bound) return { ...effect, given: { ...given, env } };
  const model = entityName(bound.ctx, bound.expr);
  if (model === null) return { ...effect, given: bound };
  const { given: _bound, ...told } = effect;
  return { ...told, model };
}

/** An effect of a callee as its caller sees it: the callee's parameters bound to the call's arguments. */
function shifted(effect: Effect, frame: Frame, label: string, isConditional: boolean, isDeferred: boolean): Effect {
  const moved = withGivenModel(
    {
      ...effect,
      through: [label, ...effect.through],
      isConditional: effect.isConditional || isConditional,
      isDeferred: effect.isDeferred || isDeferred,
    },
    frame,
  );
  const documents = effect.kind === 'model-write' && (effect.update || effect.created);
  if ((effect.kind === 'model-read' || effect.kind === 'model-write') && (effect.row || documents)) {
    const row = effect.row ? { ...effect.row, value: { ...effect.row.value, env: appendFrame(effect.row.value.env, frame) } } : null;
    const shifted = (bound: Bound | undefined): Bound | undefined => bound && { ...bound, env: appendFrame(bound.env, frame) };
    const update = effect.kind === 'model-write' ? shifted(effect.update) : undefined;
    const created = effect.kind === 'model-write' ? shifted(effect.created) : undefined;
    return { ...moved, row, ...(update ? { update } : {}), ...(created ? { created } : {}) } as Effect;
  }
  if (!('keys' in effect)) return moved;
  const shift = (key: EffectKey): EffectKey =>
    !('bound' in key) ? key : { ...key, bound: { ...key.bound, env: appendFrame(key.bound.env, frame) } };
  const keys = effect.keys.map(shift);
  const tags = effect.kind === 'cache-read' && effect.tags ? { tags: effect.tags.map(shift) } : {};
  const stored =
    effect.kind === 'cache-fill' && effect.stored ? { stored: { ...effect.stored, env: appendFrame(effect.stored.env, frame) } } : {};
  if ((effect.kind === 'cache-fill' || effect.kind === 'cache-read') && effect.ttl) {
    const ttl = { ...effect.ttl, bound: { ...effect.ttl.bound, env: appendFrame(effect.ttl.bound.env, frame) } };
    return { ...moved, keys, ttl, ...tags, ...stored } as Effect;
  }
  return { ...moved, keys, ...tags, ...stored } as Effect;
}
