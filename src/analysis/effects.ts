import type ts from 'typescript';
import { patternsOverlap } from '../patterns/operations.js';
import type { ParsedPattern } from '../patterns/parse.js';
import { parsePattern } from '../patterns/parse.js';
import { constantInitializer, staticString } from './context.js';
import type { FileContext } from './context.js';
import { enclosingClass, lastName, parentOf, propertyNameText, truncate, unwrap } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import { appendFrame, boundArgument, boundProperty } from './env.js';
import { detachedMember, factoryMember, instanceMember, isMadeByPackage } from './factories.js';
import type { Bound, Frame } from './env.js';
import type {
  CacheFamily,
  CacheFill,
  ExactDeleteClient,
  Invalidation,
  InvalidationKind,
  ModelRead,
  ModelRow,
  PatternFact,
  Range,
  StoredKey,
} from './facts.js';
import { ttlSeconds } from './ttl.js';
import { routesRequested, routesServing, selfCallOf } from './self-calls.js';
import type { RouteCode } from './frameworks/own-routes.js';
import { cachedMethods } from './cached-methods.js';
import { usedFields } from './document-fields.js';
import { AnalysisLimitError, MAX_CALL_DEPTH } from './limits.js';
import { forgetReadFacts, readPattern } from './read-pattern.js';
import { CACHE_READ_METHODS } from './sources/cache-clients.js';
import { clientOf } from './sources/clients.js';
import { SOURCES } from './sources/index.js';
import { readLookup, rowSelector, writeChange } from './sources/operations.js';
import type { ReadLookup, WriteChange } from './sources/operations.js';
import { hookRuns } from './sources/source.js';
import { concreteModel, isHeldModel } from './sources/mongoose.js';
import { baseOf, classOf, declarationOf, typeReference } from './sources/declarations.js';
import type { CallEffect, RedisRole, TtlArgument } from './sources/source.js';

/** The one row a model read or write selects by a field (`where: { key }`), its value read with the arguments in force. */
export interface EffectRow {
  readonly field: string;
  readonly value: Bound;
}

/** A key or pattern an effect names: an expression read with the arguments in force, or everything. */
type EffectKey = { readonly bound: Bound; readonly isKey: boolean } | { readonly flush: true };

/** The expiry a fill gives its entry: an expression read with the arguments in force, and its unit. */
export interface EffectTtl {
  readonly bound: Bound;
  readonly unit: 'seconds' | 'milliseconds';
}

interface EffectBase {
  /** The call or function name as written (`del`, `revalidateTag`, `invalidate`). */
  readonly name: string;
  /** The call, in `ctx`'s file. */
  readonly node: ts.Node;
  /** Where it happens in the function summarised: the call itself, or the call that reaches it. */
  readonly at?: ts.Node;
  readonly ctx: FileContext;
  /** Functions followed to reach it, outermost first. */
  readonly through: readonly string[];
  readonly isConditional: boolean;
  readonly isDeferred: boolean;
}

/**
 * What a function does, one effect per call that matters: what it invalidates, reads, fills, or
 * does with Redis besides caching; the models it reads and writes; what it emits or enqueues;
 * and the calls that cannot be followed (opaque).
 */
export type Effect = EffectBase &
  /**
   * `isSelfClearing`: a delete, only on some paths, of a key the same function reads: an
   * expired session, a corrupt or failed fill clearing itself. Part of the read, not a change.
   */
  (
    | {
        readonly kind: 'invalidate';
        readonly invalidationKind: InvalidationKind;
        readonly keys: readonly EffectKey[];
        readonly isSelfClearing?: boolean;
        readonly client?: ExactDeleteClient;
      }
    /** `hasLoader`: the read is given the loader that fills a miss (`wrap(key, loader)`). */
    | { readonly kind: 'cache-read'; readonly keys: readonly EffectKey[]; readonly hasLoader: boolean; readonly ttl: EffectTtl | null }
    /**
     * A fill after a read of the same key (cache-aside) is part of a read; a fill of a key that is
     * read back as a cache elsewhere is write-through; any other (job state, a session) is neither.
     */
    | {
        readonly kind: 'cache-fill';
        readonly keys: readonly EffectKey[];
        readonly isCacheAside: boolean;
        readonly isWriteThrough: boolean;
        readonly ttl: EffectTtl | null;
      }
    | { readonly kind: 'redis-other'; readonly role: RedisRole | 'lock'; readonly keys: readonly EffectKey[] }
    | { readonly kind: 'key-scan'; readonly keys: readonly EffectKey[] }
    /** `fields`: what the call provably reads or writes of the model; null when it does not say. */
    | {
        readonly kind: 'model-read';
        readonly model: string;
        readonly operation: string;
        readonly lookup: ReadLookup;
        readonly fields: readonly string[] | null;
        readonly row: EffectRow | null;
        /** Fields the filter holds to a value written in the code (see `pinnedFields`). */
        readonly pinned?: readonly string[];
      }
    | {
        readonly kind: 'model-write';
        readonly model: string;
        readonly operation: string;
        readonly change: WriteChange;
        readonly fields: readonly string[] | null;
        readonly row: EffectRow | null;
        /** The update document whose fields the write sets, read with the arguments in force (when `fields` is null). */
        readonly update?: Bound;
      }
    | { readonly kind: 'emit' | 'enqueue'; readonly target: string }
    | { readonly kind: 'opaque'; readonly description: string }
  );

const DEFERRING_CALLS = new Set(['waitUntil', 'after', 'setImmediate', 'setTimeout', 'queueMicrotask', 'nextTick', 'unstable_after']);
const EMIT_CALLS = new Set(['emit', 'emitAsync', 'publish']);

/**
 * A function a call runs; `outer`: the frames of the factory that made the object whose method it
 * is; `bodies`: the part of it that runs, when not all of it does (one method branch of a route).
 */
type Target = {
  readonly declaration: ts.FunctionLikeDeclaration;
  readonly ctx: FileContext;
  readonly label: string;
  readonly outer?: Frame;
  readonly bodies?: readonly ts.Node[];
  /** The class of the object whose method it is, when known: it names the model a base repository's method uses. */
  readonly self?: { readonly cls: ts.ClassLikeDeclaration; readonly ctx: FileContext };
};

const summaries = new WeakMap<FileContext['options'], WeakMap<ts.Node, readonly Effect[]>>();
const inProgress = new WeakSet<ts.Node>();
/** How many summaries are being made, one inside the other: a chain of calls deep enough would exhaust the stack. */
let nested = 0;

function memoFor(ctx: FileContext): WeakMap<ts.Node, readonly Effect[]> {
  let memo = summaries.get(ctx.options);
  if (!memo) {
    memo = new WeakMap();
    summaries.set(ctx.options, memo);
  }
  return memo;
}

/**
 * Forgets what was memoised with these options across files (the function summaries, the patterns
 * read): the next ones are computed, and what they read read, again. Every memo keyed by the
 * options that can hold what another file says is emptied here (the cache records each file's reads).
 */
export function forgetSummaries(options: FileContext['options']): void {
  summaries.delete(options);
  forgetReadFacts(options);
}

/**
 * The effects of running `root` (a function or a body), with the functions it calls composed in:
 * computed once per function and reused by every caller, safe on cycles (a call back into a
 * function being summarised adds nothing), bounded by the call graph, and by `MAX_CALL_DEPTH` for the stack's sake.
 */
export function summarize(ctx: FileContext, root: ts.Node): readonly Effect[] {
  const memo = memoFor(ctx);
  const known = memo.get(root);
  if (known) return known;
  if (inProgress.has(root)) return [];
  if (nested >= MAX_CALL_DEPTH) throw new AnalysisLimitError(`calls nested deeper than ${String(MAX_CALL_DEPTH)} levels`, root);
  inProgress.add(root);
  nested++;
  try {
    const effects: Effect[] = [];
    walk(ctx, root, effects);
    const result = settle(ctx, effects);
    memo.set(root, result);
    return result;
  } finally {
    inProgress.delete(root);
    nested--;
  }
}

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
    if (ts.isCallExpression(node)) {
      effectsOfCall(ctx, node, root, isDeferred, effects);
      const name = lastName(ts, node.expression);
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
  // An arrow's expression body (`() => redis.del(key)`) is itself what runs.
  if (body !== root && !ts.isBlock(body)) {
    visit(body, false);
    return;
  }
  ts.forEachChild(body, (child) => {
    visit(child, false);
  });
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

/** Whether `node` runs only sometimes, relative to `root`: inside a branch, a loop or a catch. */
function isConditionalWithin(ts: TS, node: ts.Node, root: ts.Node): boolean {
  let child: ts.Node = node;
  let parent = parentOf(node);
  while (parent && child !== root) {
    if (ts.isIfStatement(parent) && child !== parent.expression) return true;
    if (ts.isConditionalExpression(parent) && child !== parent.condition) return true;
    if (
      ts.isBinaryExpression(parent) &&
      child === parent.right &&
      [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(
        parent.operatorToken.kind,
      )
    ) {
      return true;
    }
    if (ts.isCaseClause(parent) || ts.isDefaultClause(parent) || ts.isCatchClause(parent)) return true;
    if (
      (ts.isForStatement(parent) || ts.isForInStatement(parent) || ts.isForOfStatement(parent) || ts.isWhileStatement(parent)) &&
      child === parent.statement
    ) {
      return true;
    }
    if (ts.isCallChain(parent) && parent.questionDotToken) return true;
    if (ts.isCallExpression(parent) && parent.arguments.includes(child as ts.Expression) && isRejectionHandler(ts, parent, child))
      return true;
    child = parent;
    parent = parentOf(parent);
  }
  return false;
}

/** `p.catch(onRejected)`, `p.then(onFulfilled, onRejected)`: the handler runs only when the promise fails. */
function isRejectionHandler(ts: TS, call: ts.CallExpression, argument: ts.Node): boolean {
  const name = lastName(ts, call.expression);
  return name === 'catch' || (name === 'then' && call.arguments[1] === argument);
}

export function matchesCallName(ctx: FileContext, name: string): boolean {
  return ctx.options.callNames.has(name) || ctx.options.callGlobs.some((matcher) => matcher.test(name));
}

/** The effects a call adds: what the functions it runs do, or what a library source says it does. */
function effectsOfCall(ctx: FileContext, call: ts.CallExpression, root: ts.Node, isDeferred: boolean, effects: Effect[]): void {
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  const name = lastName(ts, callee);
  if (name === null) return;
  let conditional: boolean | null = null;
  const base = (): EffectBase => ({
    name,
    node: call,
    ctx,
    through: [],
    isConditional: (conditional ??= isConditionalWithin(ts, call, root)),
    isDeferred,
  });
  const compose = (target: Target, args: readonly ts.Expression[], isLater: boolean, label = target.label): number => {
    const inner = target.bodies ? target.bodies.flatMap((body) => summarize(target.ctx, body)) : summarize(target.ctx, target.declaration);
    const frame: Frame = { fn: target.declaration, args, ctx, next: target.outer ?? null };
    const here = base();
    for (const effect of inner) {
      const moved = { ...shifted(effect, frame, label, here.isConditional, isDeferred || isLater), at: call };
      effects.push(target.self ? withConcreteModel(moved, target.self) : moved);
    }
    return inner.length;
  };

  const composeRoute = (route: RouteCode): void => {
    compose({ declaration: route.fn, ctx: route.ctx, label: route.label, bodies: route.bodies }, [], true);
  };

  if (EMIT_CALLS.has(name) && call.arguments[0]) {
    const listeners = listenersOf(ctx, call.arguments[0]);
    // `publish(new RoleEvent(…))`: the event is its own payload.
    const payload = ts.isNewExpression(unwrap(ts, call.arguments[0])) ? call.arguments[0] : call.arguments[1];
    for (const listener of listeners) compose(listener, payload ? [payload] : [], true);
    if (listeners.length > 0) return;
  }

  const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : null;
  const site = { ctx, call, callee, name, receiver };
  const fromLibrary = (classified: readonly CallEffect[]): void => {
    for (const effect of classified) {
      effects.push(fromSource(ctx, effect, base()));
      // A model write runs the model's hooks, as part of the write; a job runs later, in its processor.
      if (effect.kind === 'model-write') for (const hook of hooksOf(ctx, effect.model, effect.events)) compose(hook, [], false);
      if (effect.kind === 'enqueue') {
        for (const processor of processorsOf(ctx, effect.queueKeys ?? (effect.queue === null ? [] : [effect.queue]), effect.job))
          compose(processor, [], true);
        for (const route of effect.request ? routesRequested(ctx, effect.request) : []) composeRoute(route);
      }
    }
  };
  for (const source of SOURCES) {
    if (!source.precedesHelpers) continue;
    const classified = source.classify(site);
    if (!classified) continue;
    fromLibrary(classified);
    return;
  }

  // A request to the app's own route runs that route's handler, after a network hop.
  const request = ctx.resolver?.routeFilesOf ? selfCallOf(ctx, call, callee) : null;
  const routes = request ? routesServing(ctx, request) : [];
  if (routes.length > 0) {
    for (const route of routes) composeRoute(route);
    return;
  }

  const targets = helperTargets(ctx, call, callee);
  if (targets === 'opaque') {
    if (matchesCallName(ctx, name)) effects.push(namedInvalidation(ctx, call, name, base()));
    else effects.push({ ...base(), kind: 'opaque', description: truncate(ctx.text(callee)) });
    return;
  }
  if (targets.length > 0) {
    const before = effects.length;
    for (const target of targets) compose(target, call.arguments, false);
    const hasInvalidation = effects.slice(before).some((e) => e.kind === 'invalidate');
    // A face of a two-faced builder (`feedKeys().invalidate(id)`) is read as written: its name says nothing more.
    if (hasInvalidation || !matchesCallName(ctx, name) || targets.every((t) => t.outer)) return;
  }

  for (const source of SOURCES) {
    if (source.precedesHelpers) continue;
    const classified = source.classify(site);
    if (!classified) continue;
    fromLibrary(classified);
    return;
  }
  if (matchesCallName(ctx, name) && !(receiver && ts.isIdentifier(receiver) && ctx.importOf(receiver.text)?.module === 'events')) {
    effects.push(namedInvalidation(ctx, call, name, base()));
  }
}

/** A model read or write of a base repository's method, named by the class of the object it is called on. */
function withConcreteModel(effect: Effect, self: NonNullable<Target['self']>): Effect {
  if ((effect.kind !== 'model-read' && effect.kind !== 'model-write') || !isHeldModel(effect.model)) return effect;
  const model = concreteModel(self.ctx, self.cls, effect.model);
  return model === null || model === effect.model ? effect : { ...effect, model };
}

/** The class of a receiver: the enclosing one for `this`, the declared type of `this.repository`. */
function receiverClassOf(ctx: FileContext, object: ts.Expression, at: ts.Node): Target['self'] {
  const { ts } = ctx;
  if (object.kind === ts.SyntaxKind.ThisKeyword) {
    const owner = enclosingClass(ts, at);
    return owner ? { cls: owner, ctx } : undefined;
  }
  const type = typeReference(ts, declarationOf(ctx, object, false)?.type);
  return type && ts.isIdentifier(type.node) ? (classOf(ctx, type.node) ?? undefined) : undefined;
}

/** The hooks a write of `model` firing `events` runs, through the resolver or in the file. */
function hooksOf(ctx: FileContext, model: string, events: readonly string[]): Target[] {
  const hooks = ctx.resolver?.hooksOf?.(model) ?? ctx.fileHooks(model);
  const seen = new Set<ts.Node>();
  const targets: Target[] = [];
  for (const hook of hooks) {
    if (seen.has(hook.fn) || !hookRuns(hook, events)) continue;
    seen.add(hook.fn);
    const file = hook.fn.getSourceFile();
    const event =
      typeof hook.event === 'string' ? hook.event.replace(/^entity:/, '') : (hook.name ?? hook.fn.name?.getText(file) ?? 'hook');
    targets.push({ declaration: hook.fn, ctx: file === ctx.sourceFile ? ctx : ctx.contextOf(file), label: `${model}.${event} (hook)` });
  }
  return targets;
}

/** The processors of the jobs a call enqueues, through the resolver or in the file. */
function processorsOf(ctx: FileContext, queueKeys: readonly string[], job: string | null): Target[] {
  const queue = queueKeys[0];
  if (queue === undefined) return [];
  const processors = queueKeys.flatMap((key) => ctx.resolver?.processorsOf?.(key) ?? ctx.fileProcessors(key));
  const seen = new Set<ts.Node>();
  const targets: Target[] = [];
  for (const processor of processors) {
    if (seen.has(processor.fn) || (processor.job !== null && job !== null && processor.job !== job)) continue;
    seen.add(processor.fn);
    const file = processor.fn.getSourceFile();
    const name = processor.queues.find((q) => !q.startsWith('expr:')) ?? queue.replace(/^expr:/, '');
    targets.push({
      declaration: processor.fn,
      ctx: file === ctx.sourceFile ? ctx : ctx.contextOf(file),
      label: `${processor.label} (job ${name})`,
    });
  }
  return targets;
}

/** The properties of an options object that name what an invalidation clears (`invalidateByKey({ key })`). */
const KEY_PROPERTIES = new Set(['key', 'keys', 'pattern', 'patterns', 'tag', 'tags']);

/**
 * A call named like an invalidation (`invalidate*`, `deletePattern`): its arguments are the
 * patterns, or, for an options object, its `key`, `keys`, `pattern` or `tags` property.
 */
function namedInvalidation(ctx: FileContext, call: ts.CallExpression, name: string, base: EffectBase): Effect {
  const { ts } = ctx;
  const expressions = call.arguments.flatMap((argument) => {
    const value = unwrap(ts, argument);
    if (!ts.isObjectLiteralExpression(value)) return [argument];
    return value.properties.flatMap((property) => {
      const key = property.name ? propertyNameText(ts, property.name) : null;
      if (key === null || !KEY_PROPERTIES.has(key)) return [];
      if (ts.isPropertyAssignment(property)) return [property.initializer];
      return ts.isShorthandPropertyAssignment(property) ? [property.name] : [];
    });
  });
  return {
    ...base,
    kind: 'invalidate',
    invalidationKind: 'pattern',
    keys: expressions.map((expr) => ({ bound: { expr, ctx, env: null }, isKey: false })),
  };
}

function fromSource(ctx: FileContext, effect: CallEffect, base: EffectBase): Effect {
  const keysOf = (keys: readonly ({ expr: ts.Expression; isKey: boolean } | { flush: true })[]): EffectKey[] =>
    keys.map((key) => ('flush' in key ? key : { bound: { expr: key.expr, ctx, env: null }, isKey: key.isKey }));
  const ttlOf = (ttl: TtlArgument | undefined): EffectTtl | null =>
    ttl ? { bound: { expr: ttl.expr, ctx, env: null }, unit: ttl.unit } : null;
  switch (effect.kind) {
    case 'invalidate':
      return {
        ...base,
        kind: 'invalidate',
        invalidationKind: effect.invalidationKind,
        keys: keysOf(effect.keys),
        ...(effect.client ? { client: effect.client } : {}),
      };
    case 'cache-read':
      return { ...base, kind: 'cache-read', keys: keysOf(effect.keys), hasLoader: effect.loader !== null, ttl: ttlOf(effect.ttl) };
    case 'cache-fill':
      return { ...base, kind: 'cache-fill', keys: keysOf(effect.keys), isCacheAside: false, isWriteThrough: false, ttl: ttlOf(effect.ttl) };
    case 'redis-other':
      return { ...base, kind: 'redis-other', role: effect.role, keys: keysOf(effect.keys) };
    case 'key-scan':
      return { ...base, kind: 'key-scan', keys: keysOf(effect.keys) };
    case 'model-read':
    case 'model-write': {
      const call = ctx.ts.isCallExpression(base.node) ? base.node : null;
      const selected = call ? rowSelector(ctx.ts, call, effect.operation) : null;
      const row = selected ? { field: selected.field, value: { expr: selected.expr, ctx, env: null } } : null;
      const common = { ...base, model: effect.model, operation: effect.operation, fields: effect.fields ?? null, row };
      const pinned = effect.kind === 'model-read' && call ? pinnedFields(ctx, call) : [];
      return effect.kind === 'model-read'
        ? { ...common, kind: 'model-read', lookup: readLookup(ctx.ts, call, effect.operation), ...(pinned.length > 0 ? { pinned } : {}) }
        : {
            ...common,
            kind: 'model-write',
            change: writeChange(effect.operation),
            ...(effect.update ? { update: { expr: effect.update, ctx, env: null } } : {}),
          };
    }
    case 'emit':
      return { ...base, kind: 'emit', target: staticString(ctx, effect.event) ?? ctx.text(effect.event) };
    case 'enqueue':
      return { ...base, kind: 'enqueue', target: `${effect.queue ?? '?'}:${effect.job ?? '*'}` };
  }
}

/** An effect of a callee as its caller sees it: the callee's parameters bound to the call's arguments. */
function shifted(effect: Effect, frame: Frame, label: string, isConditional: boolean, isDeferred: boolean): Effect {
  const moved = {
    ...effect,
    through: [label, ...effect.through],
    isConditional: effect.isConditional || isConditional,
    isDeferred: effect.isDeferred || isDeferred,
  };
  if ((effect.kind === 'model-read' || effect.kind === 'model-write') && (effect.row || (effect.kind === 'model-write' && effect.update))) {
    const row = effect.row ? { ...effect.row, value: { ...effect.row.value, env: appendFrame(effect.row.value.env, frame) } } : null;
    const update =
      effect.kind === 'model-write' && effect.update ? { ...effect.update, env: appendFrame(effect.update.env, frame) } : undefined;
    return { ...moved, row, ...(update ? { update } : {}) } as Effect;
  }
  if (!('keys' in effect)) return moved;
  const keys = effect.keys.map((key) =>
    'flush' in key ? key : { ...key, bound: { ...key.bound, env: appendFrame(key.bound.env, frame) } },
  );
  if ((effect.kind === 'cache-fill' || effect.kind === 'cache-read') && effect.ttl) {
    const ttl = { ...effect.ttl, bound: { ...effect.ttl.bound, env: appendFrame(effect.ttl.bound.env, frame) } };
    return { ...moved, keys, ttl } as Effect;
  }
  return { ...moved, keys } as Effect;
}

/** The pattern an effect key stands for (holes where runtime values go), or null when unreadable. */
function keyPattern(key: EffectKey): ParsedPattern | null {
  if ('flush' in key) return FLUSH;
  // A key is read several times while its function's effects settle: once is enough.
  const known = keyPatterns.get(key);
  if (known !== undefined) return known;
  const fact = readPattern(key.bound.ctx, key.bound.expr, key.isKey, key.bound.env);
  const pattern = fact.pattern && fact.pattern.errors.length === 0 ? fact.pattern : null;
  keyPatterns.set(key, pattern);
  return pattern;
}

const FLUSH = parsePattern('*');
const keyPatterns = new WeakMap<EffectKey, ParsedPattern | null>();

/** The bytes every key of a pattern starts with (up to its first wildcard or hole). */
function literalPrefix(pattern: ParsedPattern): string {
  let prefix = prefixes.get(pattern);
  if (prefix === undefined) {
    const bytes: number[] = [];
    for (const token of pattern.tokens) {
      if (token.kind !== 'byte') break;
      bytes.push(token.byte);
    }
    prefix = String.fromCharCode(...bytes);
    prefixes.set(pattern, prefix);
  }
  return prefix;
}

const prefixes = new WeakMap<ParsedPattern, string>();

/** Whether two patterns can match a common key: decided by their literal prefixes first, which settles most pairs. */
function mayOverlap(a: ParsedPattern, b: ParsedPattern): boolean {
  if (a.source === b.source) return true;
  const pa = literalPrefix(a);
  const pb = literalPrefix(b);
  const shorter = Math.min(pa.length, pb.length);
  if (pa.slice(0, shorter) !== pb.slice(0, shorter)) return false;
  return patternsOverlap(a, b);
}

/** The pattern fact of an effect key, for the checks. */
function keyFact(key: EffectKey, node: ts.Node, ctx: FileContext): PatternFact {
  if ('flush' in key) {
    return {
      text: ctx.text(node),
      range: ctx.range(node),
      pattern: parsePattern('*'),
      unresolved: null,
      interpolations: [],
      placeholders: [],
      registryRef: null,
      isLiteral: false,
      forwardedBy: null,
    };
  }
  return readPattern(key.bound.ctx, key.bound.expr, key.isKey, key.bound.env);
}

function readableKeys(keys: readonly EffectKey[]): ParsedPattern[] {
  return keys.map(keyPattern).filter((p): p is ParsedPattern => p !== null);
}

function overlapsAny(patterns: readonly ParsedPattern[], others: readonly ParsedPattern[]): boolean {
  return patterns.some((p) => others.some((o) => mayOverlap(p, o)));
}

/**
 * What the calls of one function mean together: a delete after `SCAN MATCH p` deletes `p`; a
 * delete of a key the function also sets if absent or counts is a lock release or a counter
 * reset, not an invalidation; a fill of a key the function read first is cache-aside.
 */
function settle(ctx: FileContext, effects: readonly Effect[]): Effect[] {
  const scans = effects.filter((e): e is Effect & { kind: 'key-scan' } => e.kind === 'key-scan');
  const localOthers = readableKeys(effects.flatMap((e) => (e.kind === 'redis-other' && e.role !== 'data' ? e.keys : [])));
  const localReads = readableKeys(effects.flatMap((e) => (e.kind === 'cache-read' ? e.keys : [])));
  // The roles of keys across the project (every file that names a cache) only when a deletion or a fill is to be judged.
  let known: { others: ParsedPattern[]; reads: ParsedPattern[] } | null = null;
  const withRoles = (): { others: ParsedPattern[]; reads: ParsedPattern[] } => {
    if (!known) {
      const roles = keyRolesFor(ctx);
      known = { others: [...localOthers, ...roles.others], reads: [...localReads, ...roles.cached] };
    }
    return known;
  };
  const result: Effect[] = [];
  for (const effect of effects) {
    if (effect.kind === 'key-scan') continue;
    if (effect.kind === 'invalidate' && effect.invalidationKind === 'key') {
      const patterns = readableKeys(effect.keys);
      if (scans.length > 0 && patterns.length === 0) {
        // `const keys = await redis.keys(p); await redis.del(...keys)`: the scanned pattern.
        result.push({ ...effect, invalidationKind: 'pattern', keys: scans.flatMap((s) => s.keys) });
        continue;
      }
      const { others, reads } = patterns.length > 0 ? withRoles() : { others: [], reads: [] };
      if (others.length > 0 && overlapsAny(patterns, others) && !overlapsAny(patterns, reads)) {
        result.push({ ...effect, kind: 'redis-other', role: 'lock' });
        continue;
      }
    }
    if (effect.kind === 'invalidate' && effect.isConditional && !effect.isSelfClearing && localReads.length > 0) {
      const patterns = readableKeys(effect.keys);
      if (patterns.length > 0 && overlapsAny(patterns, localReads)) {
        result.push({ ...effect, isSelfClearing: true });
        continue;
      }
    }
    if (effect.kind === 'cache-fill' && !effect.isCacheAside) {
      const filled = readableKeys(effect.keys);
      if (localReads.length > 0 && overlapsAny(filled, localReads)) {
        result.push({ ...effect, isCacheAside: true, isWriteThrough: false });
        continue;
      }
      if (!effect.isWriteThrough && filled.length > 0 && overlapsAny(filled, withRoles().reads)) {
        result.push({ ...effect, isWriteThrough: true });
        continue;
      }
    }
    result.push(effect);
  }
  return withoutRepeats(result);
}

/**
 * One effect for what can only repeat itself: the same opaque call, or the same model read or
 * written at the same place (a model read by many paths of one call). Keeps summaries small as
 * they are composed up the call graph.
 */
function withoutRepeats(effects: readonly Effect[]): Effect[] {
  const seen = new Set<string>();
  const result: Effect[] = [];
  for (const effect of effects) {
    const where = effect.at ?? effect.node;
    const key =
      effect.kind === 'opaque'
        ? `o\u0000${effect.description}`
        : effect.kind === 'model-read'
          ? `r\u0000${effect.model}\u0000${String(where.pos)}\u0000${where.getSourceFile().fileName}\u0000${String(effect.isDeferred)}`
          : null;
    if (key !== null) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    result.push(effect);
  }
  return result;
}

/** The listeners of an emitted event (`@OnEvent(X)`), through the resolver or in the file. */
function listenersOf(ctx: FileContext, event: ts.Expression): Target[] {
  const keys = eventKeys(ctx, event);
  const found = new Set<ts.FunctionLikeDeclaration>();
  for (const key of keys) {
    for (const listener of ctx.resolver?.listenersOf?.(key) ?? ctx.fileListeners(key)) found.add(listener);
  }
  return [...found].map((declaration) => {
    const owner = enclosingClass(ctx.ts, declaration);
    const file = declaration.getSourceFile();
    const method = declaration.name ? declaration.name.getText(file) : 'listener';
    return {
      declaration,
      ctx: file === ctx.sourceFile ? ctx : ctx.contextOf(file),
      label: `${owner?.name ? `${owner.name.text}.` : ''}${method} (on ${keys[0]?.replace(/^(expr|class):/, '') ?? ''})`,
    };
  });
}

/**
 * The names an event expression can be matched by: its string value when it has one, and its
 * text (`PortfolioChangedEvent.getName()`, `Events.QuoteChanged`) for names written as expressions.
 */
function eventKeys(ctx: FileContext, event: ts.Expression): string[] {
  const expression = unwrap(ctx.ts, event);
  // An event dispatched by class (`publish(new RoleEvent(…))` ↔ `ofType(RoleEvent)`).
  if (ctx.ts.isNewExpression(expression) && ctx.ts.isIdentifier(expression.expression)) return [`class:${expression.expression.text}`];
  const value = staticString(ctx, event);
  const text = `expr:${ctx.text(unwrap(ctx.ts, event)).replace(/\s+/g, '')}`;
  return value === null ? [text] : [value, text];
}

const LIBRARY_CLIENTS: ReadonlySet<string> = new Set(['redis', 'cache-manager', 'keyv', 'runtime']);

/** The functions a call runs: same-file helpers, or through the resolver; 'opaque' when unknowable. */
function helperTargets(ctx: FileContext, call: ts.CallExpression, callee: ts.Expression): readonly Target[] | 'opaque' {
  const { ts } = ctx;
  if (ts.isIdentifier(callee)) {
    const local = ctx.functions.get(callee.text);
    if (local) return [{ declaration: local, ctx, label: callee.text }];
    const binding = ctx.importOf(callee.text);
    if (binding && ctx.isProjectModule(binding.module)) {
      const targets = resolved(ctx, call, callee.text);
      if (targets !== 'opaque') return targets;
      const detached = detachedMember(ctx, callee);
      if (detached) return [detached];
      // A constant a package made (`export const nanoid = customAlphabet(…)`) runs the package's code.
      return isMadeByPackage(ctx, callee) ? [] : targets;
    }
    return [];
  }
  if (!ts.isPropertyAccessExpression(callee)) return [];
  const object = unwrap(ts, callee.expression);
  const method = callee.name.text;
  // `cacheFor(id).invalidate()`, `this.rolesCache.get(…)`: a method of an object a project factory made.
  // A receiver a library source knows (`createCache(…)` of cache-manager, by its name when nothing is imported) stays the library's.
  const isLibrary = (): boolean => LIBRARY_CLIENTS.has(clientOf(ctx, object) ?? 'project');
  const made = object.kind === ts.SyntaxKind.ThisKeyword || isLibrary() ? null : factoryMember(ctx, object, method, null);
  if (made) return [{ declaration: made.declaration, ctx: made.ctx, label: made.label, outer: made.outer }];
  const instance = object.kind === ts.SyntaxKind.ThisKeyword ? null : instanceMember(ctx, object, method);
  if (instance) return [instance];
  if (object.kind === ts.SyntaxKind.ThisKeyword) {
    const owner = enclosingClass(ts, call);
    const found = owner ? classMember(ctx, owner, method) : null;
    return found ? [{ ...found, label: `${owner?.name?.text ?? 'this'}.${method}`, self: owner ? { cls: owner, ctx } : undefined }] : [];
  }
  // this.service.method(): an injected dependency, defined in another file.
  if (ts.isPropertyAccessExpression(object) && unwrap(ts, object.expression).kind === ts.SyntaxKind.ThisKeyword) {
    const owner = enclosingClass(ts, call);
    if (owner && isInjected(ts, owner, object.name.text)) {
      const client = clientOf(ctx, object);
      if ((client !== null && client !== 'project') || isPackageType(ctx, object)) return [];
      const targets = resolved(ctx, call, `this.${object.name.text}.${method}`);
      const self = targets === 'opaque' ? undefined : receiverClassOf(ctx, object, call);
      return self && targets !== 'opaque' ? targets.map((t) => ({ ...t, self })) : targets;
    }
    return [];
  }
  // imported.namespaceOrObject.method(): a function of another module of the project.
  if (ts.isIdentifier(object)) {
    const binding = ctx.importOf(object.text);
    if (binding && ctx.isProjectModule(binding.module) && binding.imported === '*') return resolved(ctx, call, `${object.text}.${method}`);
    const local = ctx.classes.get(object.text);
    const staticMethod = local?.members.find(
      (m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText(ctx.sourceFile) === method,
    );
    if (staticMethod?.body) return [{ declaration: staticMethod, ctx, label: `${object.text}.${method}` }];
  }
  return [];
}

/** A method (or function-valued property) of a class or of the project's classes it extends, in the file that holds it. */
function classMember(
  ctx: FileContext,
  owner: ts.ClassLikeDeclaration,
  name: string,
): { declaration: ts.FunctionLikeDeclaration; ctx: FileContext } | null {
  const { ts } = ctx;
  let current: { cls: ts.ClassLikeDeclaration; ctx: FileContext } | null = { cls: owner, ctx };
  for (let depth = 0; current && depth < 8; depth++) {
    const file = current.cls.getSourceFile();
    const member = current.cls.members.find(
      (m): m is ts.MethodDeclaration | ts.PropertyDeclaration =>
        (ts.isMethodDeclaration(m) || ts.isPropertyDeclaration(m)) && m.name.getText(file) === name,
    );
    if (member && ts.isMethodDeclaration(member)) return member.body ? { declaration: member, ctx: current.ctx } : null;
    if (member) {
      const init = member.initializer ? unwrap(ts, member.initializer) : null;
      return init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? { declaration: init, ctx: current.ctx } : null;
    }
    const base = baseOf(ts, current.cls);
    current = base && ts.isIdentifier(base.expression) ? classOf(current.ctx, base.expression) : null;
  }
  return null;
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

/** Whether a member is declared with a type a package exports (`private segment: Analytics` of `@segment/analytics-node`): its methods are the package's, not the project's. */
function isPackageType(ctx: FileContext, member: ts.Expression): boolean {
  const type = typeReference(ctx.ts, declarationOf(ctx, member, false)?.type);
  const binding = type ? ctx.importOf(type.root) : null;
  return binding !== null && !ctx.isProjectModule(binding.module);
}

/** A member that the framework injects: a constructor parameter property, or a property with a declared type. */
function isInjected(ts: TS, owner: ts.ClassLikeDeclaration, name: string): boolean {
  for (const member of owner.members) {
    if (ts.isConstructorDeclaration(member)) {
      for (const parameter of member.parameters) {
        const isProperty = ts
          .getModifiers(parameter)
          ?.some((m) =>
            [
              ts.SyntaxKind.PrivateKeyword,
              ts.SyntaxKind.PublicKeyword,
              ts.SyntaxKind.ProtectedKeyword,
              ts.SyntaxKind.ReadonlyKeyword,
            ].includes(m.kind),
          );
        if (isProperty && ts.isIdentifier(parameter.name) && parameter.name.text === name) return true;
      }
    }
    if (
      ts.isPropertyDeclaration(member) &&
      ts.isIdentifier(member.name) &&
      member.name.text === name &&
      member.type &&
      !member.initializer
    ) {
      return true;
    }
  }
  return false;
}

/** The invalidations among effects, as facts for the checks; `rootFile` is the handler's file. */
export function invalidationsOf(effects: readonly Effect[], rootFile: string, withWriteThrough: boolean): Invalidation[] {
  const result: Invalidation[] = [];
  for (const effect of effects) {
    const isWriteThrough = effect.kind === 'cache-fill' && effect.isWriteThrough && withWriteThrough;
    if (effect.kind !== 'invalidate' && !isWriteThrough) continue;
    const keys = 'keys' in effect ? effect.keys : [];
    const kind: InvalidationKind = effect.kind === 'invalidate' ? effect.invalidationKind : 'key';
    result.push({
      via: 'call',
      name: effect.name,
      kind,
      patterns: kind === 'path' ? [] : keys.flatMap((key) => patternFacts(key, effect)),
      isConditional: effect.isConditional,
      isDeferred: effect.isDeferred,
      ...(effect.kind === 'invalidate' && effect.isSelfClearing ? { isSelfClearing: true } : {}),
      ...(effect.kind === 'invalidate' && effect.client ? { client: effect.client } : {}),
      range: effect.ctx.range(effect.node),
      through: effect.through,
      file: effect.ctx.file === rootFile ? null : effect.ctx.file,
    });
  }
  return result;
}

/** The facts of one key argument: a pattern, or each element of an array of patterns. */
function patternFacts(key: EffectKey, effect: Effect): PatternFact[] {
  if ('flush' in key) return [keyFact(key, effect.node, effect.ctx)];
  const { ts } = key.bound.ctx;
  const expression = unwrap(ts, key.bound.expr);
  if (ts.isArrayLiteralExpression(expression)) {
    return expression.elements
      .filter((e) => !ts.isSpreadElement(e))
      .map((element) => readPattern(key.bound.ctx, element, key.isKey, key.bound.env));
  }
  if (ts.isObjectLiteralExpression(expression) || ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) return [];
  if (ts.isNumericLiteral(expression)) return [];
  return [readPattern(key.bound.ctx, key.bound.expr, key.isKey, key.bound.env)];
}

/** The effects of the calls written in a file, each where it is written (helpers not followed). */
export function siteEffects(ctx: FileContext): Effect[] {
  const { ts } = ctx;
  const byFunction = new Map<ts.Node, Effect[]>();
  for (const call of ctx.nodes.calls) {
    const callee = unwrap(ts, call.expression);
    const name = lastName(ts, callee);
    // Decorator factories called as functions (inside applyDecorators) are read as decorators.
    if (name === null || ctx.options.decorators.has(name)) continue;
    const owner = enclosingFunction(ts, call) ?? ctx.sourceFile;
    const base: EffectBase = { name, node: call, ctx, through: [], isConditional: false, isDeferred: false };
    const found: Effect[] = [];
    const targets = helperTargets(ctx, call, callee);
    if (targets !== 'opaque' && targets.length > 0) {
      found.push(...forwardedPatterns(ctx, call, targets, base));
      if (
        found.length === 0 &&
        matchesCallName(ctx, name) &&
        !targets.every((t) => t.outer) &&
        !targets.some((t) => summarize(t.ctx, t.declaration).some((e) => e.kind === 'invalidate'))
      ) {
        found.push(namedInvalidation(ctx, call, name, base));
      }
    } else if (targets === 'opaque' && matchesCallName(ctx, name)) {
      found.push(namedInvalidation(ctx, call, name, base));
    } else {
      const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : null;
      let isClassified = false;
      for (const source of SOURCES) {
        const classified = source.classify({ ctx, call, callee, name, receiver });
        if (!classified) continue;
        for (const effect of classified) found.push(fromSource(ctx, effect, base));
        isClassified = true;
        break;
      }
      if (
        !isClassified &&
        matchesCallName(ctx, name) &&
        !(receiver && ts.isIdentifier(receiver) && ctx.importOf(receiver.text)?.module === 'events')
      ) {
        found.push(namedInvalidation(ctx, call, name, base));
      }
    }
    if (found.length === 0) continue;
    const list = byFunction.get(owner) ?? [];
    list.push(...found);
    byFunction.set(owner, list);
  }
  return [...byFunction.values()].flatMap((effects) => settle(ctx, effects));
}

function enclosingFunction(ts: TS, node: ts.Node): ts.Node | null {
  let current = parentOf(node);
  while (current && !ts.isSourceFile(current)) {
    if (ts.isFunctionLike(current)) return current;
    current = parentOf(current);
  }
  return null;
}

/**
 * A call of a wrapper that deletes what its caller passes (`cacheService.invalidate('quotes:*')`):
 * the pattern is written here, at the argument, and is checked here.
 */
function forwardedPatterns(ctx: FileContext, call: ts.CallExpression, targets: readonly Target[], base: EffectBase): Effect[] {
  const result: Effect[] = [];
  const seen = new Set<ts.Expression>();
  for (const target of targets) {
    const frame: Frame = { fn: target.declaration, args: call.arguments, ctx, next: target.outer ?? null };
    for (const effect of summarize(target.ctx, target.declaration)) {
      if (effect.kind !== 'invalidate') continue;
      for (const key of effect.keys) {
        if ('flush' in key) continue;
        const origin = originOf({ ...key.bound, env: appendFrame(key.bound.env, frame) });
        if (origin.ctx !== ctx || !call.arguments.includes(origin.expr) || seen.has(origin.expr)) continue;
        seen.add(origin.expr);
        result.push({
          ...base,
          kind: 'invalidate',
          invalidationKind: effect.invalidationKind,
          keys: [{ bound: { expr: origin.expr, ctx, env: null }, isKey: key.isKey }],
        });
      }
    }
  }
  return result;
}

/** Where a bound expression's value is written: parameters followed to the arguments they were given. */
function originOf(bound: Bound): Bound {
  let current = bound;
  for (let i = 0; i < 16; i++) {
    const { ts } = current.ctx;
    const expression = unwrap(ts, current.expr);
    const next = ts.isIdentifier(expression)
      ? boundArgument(current.ctx, expression, current.env)
      : ts.isPropertyAccessExpression(expression)
        ? boundProperty(current.ctx, expression, current.env)
        : null;
    if (!next) return { ...current, expr: expression };
    current = next;
  }
  return current;
}

/** The keys a project uses besides caching (locks, markers, counters), and the keys it reads (back) from the cache. */
export interface KeyRoles {
  readonly others: readonly ParsedPattern[];
  readonly cached: readonly ParsedPattern[];
}

const fileRoles = new WeakMap<FileContext, KeyRoles>();

/** The calls that can name a lock, marker or counter key, or read a key back: the rest are not asked. */
const ROLE_CALLS = new Set([
  'set',
  'setnx',
  'msetnx',
  'hsetnx',
  'incr',
  'incrby',
  'incrbyfloat',
  'decr',
  'decrby',
  'hincrby',
  'hincrbyfloat',
  ...[...CACHE_READ_METHODS].map((name) => name.toLowerCase()),
]);

function keyRolesFor(ctx: FileContext): KeyRoles {
  return ctx.resolver?.keyRoles?.() ?? keyRolesOfFile(ctx);
}

/** What the text of a file whose calls can give a key a role contains. */
export const KEY_ROLE_MARKER = /redis|cache|kv/i;

/**
 * The roles of the keys a file's calls name, from the library sources alone (no helper followed):
 * a key set if absent or counted is a lock, a marker or a counter wherever it is deleted.
 */
export function keyRolesOfFile(ctx: FileContext): KeyRoles {
  const known = fileRoles.get(ctx);
  if (known) return known;
  const { ts } = ctx;
  const others: ParsedPattern[] = [];
  const cached: ParsedPattern[] = [];
  const text = ctx.sourceFile.text;
  if (KEY_ROLE_MARKER.test(text)) {
    for (const call of ctx.nodes.calls) {
      const callee = unwrap(ts, call.expression);
      const name = lastName(ts, callee);
      if (name === null || !ts.isPropertyAccessExpression(callee) || !ROLE_CALLS.has(name.toLowerCase())) continue;
      for (const source of SOURCES) {
        const classified = source.classify({ ctx, call, callee, name, receiver: callee.expression });
        if (!classified) continue;
        for (const effect of classified) {
          if (effect.kind !== 'redis-other' && effect.kind !== 'cache-read') continue;
          if (effect.kind === 'redis-other' && effect.role === 'data') continue;
          const target = effect.kind === 'redis-other' ? others : cached;
          for (const key of effect.keys) {
            const pattern = 'flush' in key ? null : keyPattern({ bound: { expr: key.expr, ctx, env: null }, isKey: key.isKey });
            if (pattern) target.push(pattern);
          }
        }
        break;
      }
    }
  }
  // A method a caching decorator wraps reads its key back too.
  for (const { key } of cachedMethods(ctx)) {
    const pattern = keyPattern({ bound: key, isKey: true });
    if (pattern) cached.push(pattern);
  }
  const roles = { others, cached };
  fileRoles.set(ctx, roles);
  return roles;
}

/**
 * Words of a key's literal text that name state kept in Redis for its own sake, not a copy of data
 * read from the data layer: sessions, tokens, one-time codes, locks, rate limits, queues and jobs,
 * hand-offs between a webhook and a page.
 */
const STATE_WORDS = new Set([
  'session',
  'sessions',
  'token',
  'tokens',
  'otp',
  'nonce',
  'challenge',
  'csrf',
  'lock',
  'locks',
  'mutex',
  'ratelimit',
  'throttle',
  'queue',
  'job',
  'jobs',
  'verification',
  'magiclink',
  'oauth',
  'idempotency',
  'webhook',
]);

/** Whether a name's words say state of its own (`VerificationToken`, `dataroom_session`, `rate-limit`). */
function isStateWord(name: string): boolean {
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/rate[^a-z]?limit/g, 'ratelimit')
    .replace(/magic[^a-z]?link/g, 'magiclink')
    .split(/[^a-z0-9]+/);
  return words.some((word) => STATE_WORDS.has(word));
}

/** Whether a key's literal words say it holds state of its own (`dataroom_session:{token}`, `rate-limit:{ip}`). */
function isStateKey(pattern: ParsedPattern): boolean {
  return isStateWord(pattern.source.replace(/\{[^}]*\}/g, ':'));
}

/**
 * The key families this file reads through the cache, with the models their loaders read: the
 * function that reads and fills (cache-aside), or the loader passed to `wrap`/`getOrSet`/`fetch`.
 * A family depends on the models its loader reads.
 */
export function cacheFamilies(ctx: FileContext): CacheFamily[] {
  const { ts } = ctx;
  const families: CacheFamily[] = [];
  const seen = new Set<ts.Node>();
  for (const call of ctx.nodes.calls) {
    // Only a function that reads the cache itself, or hands a loader to a call, holds a family.
    const name = lastName(ts, call.expression);
    const isRead = name !== null && CACHE_READ_METHODS.has(name);
    if (!isRead && !call.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a))) continue;
    // A cached function made at the top of a module (`const getPosts = unstable_cache(…)`) is its own owner.
    const parent = parentOf(call);
    const isTopLevelRead = (isRead || name === 'unstable_cache') && parent !== undefined && ts.isVariableDeclaration(parent);
    const owner = enclosingFunction(ts, call) ?? (isTopLevelRead ? parent : null);
    if (!owner || seen.has(owner)) continue;
    const effects = summarize(ctx, owner);
    const reads = effects.filter((e): e is Effect & { kind: 'cache-read' } => e.kind === 'cache-read');
    if (reads.length === 0) continue;
    seen.add(owner);
    // A key that is also taken as a lock, set as a marker or counted is no cached read's family.
    const others = [
      ...readableKeys(effects.flatMap((e) => (e.kind === 'redis-other' && e.role !== 'data' ? e.keys : []))),
      ...keyRolesFor(ctx).others,
    ];
    for (const read of reads) {
      const loads = loaderReads(effects, read);
      const models = [...new Set(loads.map((l) => l.model))];
      const fills = fillsOf(ctx, effects, read);
      const where = siteOf(ctx, read);
      for (const key of read.keys) {
        const pattern = keyPattern(key);
        if (pattern && isFamilyKey(pattern, others)) {
          families.push({ key: pattern.source, models, loads, ...where, ttl: familyTtl(fills), fills });
        }
      }
    }
  }
  families.push(...decoratedFamilies(ctx), ...useCacheFamilies(ctx));
  return [...families, ...projections(ctx, seen)];
}

/**
 * The families a mutation fills with what it has just written: a write-through fill (of a key read
 * elsewhere as a cache) after a write of a model in the same function (on a branch of a helper it
 * calls is too far to tell). The family
 * holds that model's row (a point lookup: a create of another row changes nothing of it).
 */
const SETS = /^(m|h|p)?set/i;

function projections(ctx: FileContext, readers: ReadonlySet<ts.Node>): CacheFamily[] {
  const { ts } = ctx;
  const families: CacheFamily[] = [];
  const seen = new Set<ts.Node>(readers);
  // A function that sets something, itself or through a helper named for it (`setDomainRedirectUrl(…)`).
  for (const call of ctx.nodes.calls) {
    const name = lastName(ts, call.expression);
    if (name === null || !SETS.test(name)) continue;
    const owner = enclosingFunction(ts, call);
    if (!owner || seen.has(owner)) continue;
    seen.add(owner);
    const effects = summarize(ctx, owner);
    for (const fill of effects) {
      if (fill.kind !== 'cache-fill' || !fill.isWriteThrough) continue;
      const at = (fill.at ?? fill.node).getStart();
      const written = effects.filter(
        (e): e is Effect & { kind: 'model-write' } =>
          e.kind === 'model-write' &&
          (e.through.length === 0 || !e.isConditional) &&
          (e.at ?? e.node).getSourceFile() === (fill.at ?? fill.node).getSourceFile() &&
          (e.at ?? e.node).getStart() < at,
      );
      // A token, a session or a one-time code written beside the key is state handed over, not data copied.
      const models = [...new Set(written.map((w) => w.model))].filter((model) => !isStateWord(model));
      if (models.length === 0) continue;
      const loads = models.map((model) => ({ model, lookup: 'point' as const, fields: null, row: null }));
      const where = siteOf(ctx, fill);
      const fills = [{ ...where, ttl: fill.ttl ? ttlSeconds(fill.ttl) : null }];
      for (const key of readableKeys(fill.keys)) {
        if (isStateKey(key) || !/[a-z]{2}/i.test(key.source.replace(/\{[^}]*\}/g, ''))) continue;
        families.push({ key: key.source, models, loads, ...where, ttl: familyTtl(fills), fills, isProjection: true });
      }
    }
  }
  return families;
}

/** The fields a method's read depends on by how the method uses it (see `usedFields`), for a read made by a call of the method's own. */
function fieldsUsedAt(ctx: FileContext, read: ModelReadEffect): readonly string[] | null {
  const call = read.at ?? read.node;
  return ctx.ts.isCallExpression(call) && call.getSourceFile() === ctx.sourceFile ? usedFields(ctx, call) : null;
}

/**
 * How a method's read looks up, from the filter the method writes at its call (`repo.findOne({ _id })`
 * reaching the library's `findOne(query)`): a point lookup when that filter is the row's id alone.
 */
function lookupAt(ctx: FileContext, read: ModelReadEffect): ReadLookup {
  const call = read.at ?? read.node;
  return read.at && ctx.ts.isCallExpression(call) ? readLookup(ctx.ts, call, read.operation) : read.lookup;
}

/** Whether a key read through the cache names a family: not runtime values only, not state of its own, not a lock or marker. */
function isFamilyKey(pattern: ParsedPattern, others: readonly ParsedPattern[]): boolean {
  // A key of runtime values only (`${text}-${size}`) is an in-process memo, not a family.
  return (
    /[a-z]{2}/i.test(literalPrefix(pattern) + pattern.source.replace(/\{[^}]*\}/g, '')) &&
    !isStateKey(pattern) &&
    !overlapsAny([pattern], others)
  );
}

/** `cacheLife` profiles of Next.js, by how long an entry is served before it is revalidated (seconds). */
const CACHE_LIFE: Readonly<Record<string, number>> = {
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86400,
  weeks: 604800,
  max: 2592000,
  default: 900,
};

/** Whether a body (or a file) starts with a `'use cache'` directive (`'use cache: remote'`, `'use cache: private'` too). */
function hasUseCache(ts: TS, statements: readonly ts.Statement[]): boolean {
  for (const statement of statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) return false;
    if (/^use cache(:\s*\w+)?$/.test(statement.expression.text)) return true;
  }
  return false;
}

/** What a function reads of the models, as a family's loads: for a cached handler or method. */
export function loadsOf(ctx: FileContext, fn: ts.FunctionLikeDeclaration): ModelRead[] {
  return distinctReads(summarize(ctx, fn).filter((e): e is ModelReadEffect => e.kind === 'model-read'));
}

/**
 * The families of Next.js `'use cache'` functions (the directive in the function, or at the top of
 * the file for its exported functions): one per tag its `cacheTag(…)` calls give, holding what the
 * function reads, with the revalidation of its `cacheLife(…)` profile as its ttl (15 minutes when
 * none is given). A function with no tag can be cleared by no `updateTag`: it is no family here.
 */
function useCacheFamilies(ctx: FileContext): CacheFamily[] {
  const { ts } = ctx;
  if (!ctx.sourceFile.text.includes('use cache')) return [];
  const isFileCached = hasUseCache(ts, ctx.sourceFile.statements);
  const families: CacheFamily[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body && ts.isBlock(node.body)) {
      const isCached = hasUseCache(ts, node.body.statements) || (isFileCached && parentOf(node) === ctx.sourceFile);
      if (isCached) families.push(...useCacheFamiliesOf(ctx, node, node.body));
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sourceFile);
  return families;
}

function useCacheFamiliesOf(ctx: FileContext, fn: ts.FunctionLikeDeclaration, body: ts.Block): CacheFamily[] {
  const { ts } = ctx;
  const tags: ts.Expression[] = [];
  let ttl = CACHE_LIFE['default'] ?? 900;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const binding = ctx.importOf(node.expression.text);
      const imported = binding?.module === 'next/cache' ? binding.imported : null;
      if (imported === 'cacheTag' || imported === 'unstable_cacheTag') tags.push(...node.arguments.filter((a) => !ts.isSpreadElement(a)));
      if ((imported === 'cacheLife' || imported === 'unstable_cacheLife') && node.arguments[0]) {
        const profile = staticString(ctx, node.arguments[0]);
        if (profile !== null && CACHE_LIFE[profile] !== undefined) ttl = CACHE_LIFE[profile];
      }
    }
    if (!ts.isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  if (tags.length === 0) return [];
  const loads = distinctReads(summarize(ctx, fn).filter((e): e is ModelReadEffect => e.kind === 'model-read'));
  const where = { file: ctx.file, range: ctx.range(fn.name ?? fn) };
  const fills = [{ ...where, ttl }];
  const families: CacheFamily[] = [];
  for (const tag of tags) {
    const pattern = keyPattern({ bound: { expr: tag, ctx, env: null }, isKey: true });
    if (!pattern) continue;
    families.push({ key: pattern.source, models: [...new Set(loads.map((l) => l.model))], loads, ...where, ttl, fills, isTag: true });
  }
  return families;
}

/**
 * The families of the methods a caching decorator wraps (`@CachedEntity({ builder })`): the key
 * the builder makes, holding what the method's body reads, filled where the decorator is written.
 */
function decoratedFamilies(ctx: FileContext): CacheFamily[] {
  const cached = cachedMethods(ctx);
  if (cached.length === 0) return [];
  const others = keyRolesFor(ctx).others;
  const families: CacheFamily[] = [];
  for (const { method, decorator, key, ttl } of cached) {
    const pattern = keyPattern({ bound: key, isKey: true });
    if (!pattern || !isFamilyKey(pattern, others)) continue;
    const loads = distinctReads(
      summarize(ctx, method)
        .filter((e): e is ModelReadEffect => e.kind === 'model-read')
        .map((e) => ({ ...e, fields: e.fields ?? fieldsUsedAt(ctx, e), lookup: e.lookup === 'list' ? lookupAt(ctx, e) : e.lookup })),
    );
    const where = { file: ctx.file, range: ctx.range(decorator) };
    const fills = [{ ...where, ttl: ttl ? ttlSeconds({ bound: ttl, unit: 'seconds' }) : null }];
    families.push({ key: pattern.source, models: [...new Set(loads.map((l) => l.model))], loads, ...where, ttl: familyTtl(fills), fills });
  }
  return families;
}

/** Where an effect happens in the function summarised: the call there (a wrapper's call), else the library call itself. */
function siteOf(ctx: FileContext, effect: Effect): { file: string; range: Range } {
  return effect.at ? { file: ctx.file, range: ctx.range(effect.at) } : { file: effect.ctx.file, range: effect.ctx.range(effect.node) };
}

/** The expiry of a family: the longest its fills give, when every fill says one (an unknown one may be longer, or none). */
export function familyTtl(fills: readonly { readonly ttl: number | null }[]): number | null {
  if (fills.length === 0 || fills.some((f) => f.ttl === null)) return null;
  return Math.max(...fills.map((f) => f.ttl ?? 0));
}

/**
 * Where a read's entry is written: a loading read (`wrap(key, loader, ttl)`, a wrapper given the
 * loader) fills a miss itself; a cache-aside read is filled by the fills of the same key after it.
 */
function fillsOf(ctx: FileContext, effects: readonly Effect[], read: Effect & { kind: 'cache-read' }): CacheFill[] {
  const fills: CacheFill[] = [];
  const add = (effect: Effect, ttl: EffectTtl | null): void => {
    const where = siteOf(ctx, effect);
    if (fills.some((f) => f.file === where.file && f.range.start === where.range.start)) return;
    fills.push({ ...where, ttl: ttl ? ttlSeconds(ttl) : null });
  };
  if (read.hasLoader) add(read, read.ttl);
  const keys = readableKeys(read.keys);
  const after = (read.at ?? read.node).getStart();
  for (const effect of effects) {
    if (effect.kind !== 'cache-fill' || !effect.isCacheAside || !overlapsAny(readableKeys(effect.keys), keys)) continue;
    const at = effect.at ?? effect.node;
    if (at.getSourceFile() === (read.at ?? read.node).getSourceFile() && at.getStart() < after) continue;
    add(effect, effect.ttl);
  }
  return fills;
}

type ModelReadEffect = Effect & { kind: 'model-read' };

/** The model reads among effects that run inside `call` (its arguments: the loader). */
function readsWithin(effects: readonly Effect[], call: ts.Node): ModelReadEffect[] {
  return effects.filter((e): e is ModelReadEffect => {
    const at = e.at ?? e.node;
    return (
      e.kind === 'model-read' &&
      at.getSourceFile() === call.getSourceFile() &&
      at.getStart() >= call.getStart() &&
      at.getEnd() <= call.getEnd()
    );
  });
}

/** The row a read or write selects, when its value is known text (`'BENCHMARKS'`, through the callers' arguments). */
export function rowOf(row: EffectRow | null): ModelRow | null {
  if (!row) return null;
  const fact = readPattern(row.value.ctx, row.value.expr, true, row.value.env);
  const tokens = fact.pattern?.tokens ?? [];
  if (!fact.pattern || fact.pattern.errors.length > 0 || tokens.length === 0) return null;
  const bytes: number[] = [];
  for (const token of tokens) {
    if (token.kind !== 'byte') return null;
    bytes.push(token.byte);
  }
  return { field: row.field, value: Buffer.from(bytes).toString('utf8') };
}

/**
 * The fields a read's filter holds to a value written in the code: the filter object (Prisma's
 * `where`, the first argument of Mongoose and TypeORM finds, or a `const` of the function that
 * holds it) and its properties whose value is a literal (`isBlueprint: true`, `status: 'live'`).
 */
function pinnedFields(ctx: FileContext, call: ts.CallExpression): string[] {
  const { ts } = ctx;
  const objectOf = (expression: ts.Expression | undefined): ts.ObjectLiteralExpression | null => {
    if (!expression) return null;
    const node = unwrap(ts, expression);
    if (ts.isObjectLiteralExpression(node)) return node;
    const init = ts.isIdentifier(node) ? constantInitializer(ctx, node) : null;
    const value = init ? unwrap(ts, init) : null;
    return value && ts.isObjectLiteralExpression(value) ? value : null;
  };
  const first = objectOf(call.arguments[0]);
  if (!first) return [];
  const where = first.properties.find((p) => p.name !== undefined && propertyNameText(ts, p.name) === 'where');
  const filter = where && ts.isPropertyAssignment(where) ? objectOf(where.initializer) : first;
  if (!filter) return [];
  const pinned: string[] = [];
  for (const property of filter.properties) {
    if (!ts.isPropertyAssignment(property)) continue;
    const value = unwrap(ts, property.initializer);
    const isLiteral =
      ts.isStringLiteral(value) ||
      ts.isNumericLiteral(value) ||
      value.kind === ts.SyntaxKind.TrueKeyword ||
      value.kind === ts.SyntaxKind.FalseKeyword;
    const name = propertyNameText(ts, property.name);
    if (isLiteral && name !== null) pinned.push(name);
  }
  return pinned;
}

/** The reads of a loader, once per model, lookup, fields and row. */
function distinctReads(reads: readonly ModelReadEffect[]): ModelRead[] {
  const result = new Map<string, ModelRead>();
  for (const e of reads) {
    // A base repository's read whose class no caller named reads no model that can be told.
    if (isHeldModel(e.model)) continue;
    const read = { model: e.model, lookup: e.lookup, fields: e.fields, row: rowOf(e.row), ...(e.pinned ? { pinned: e.pinned } : {}) };
    result.set(JSON.stringify(read), read);
  }
  return [...result.values()];
}

/**
 * The model reads a cached read is loaded from: what the loader given to the read (or to the
 * wrapper that reads) reads; for a cache-aside read, what is read between the miss and the fill of
 * the same key. A read that is never filled from a model (a key-value store, a session) has none.
 */
function loaderReads(effects: readonly Effect[], read: Effect & { kind: 'cache-read' }): ModelRead[] {
  const where = (e: Effect): ts.Node => e.at ?? e.node;
  const sameFile = (e: Effect): boolean => where(e).getSourceFile() === where(read).getSourceFile();
  const call = where(read);
  // The loader given to the read, or to the wrapper that reads: what runs inside the call's
  // arguments, not what the wrapper itself does elsewhere.
  if (read.hasLoader || read.at !== undefined) {
    const within = readsWithin(
      effects.filter((e) => where(e) !== call),
      call,
    );
    // A wrapper's plain get (`userCache.get(id)`), then the model read and the wrapper's set of the
    // same key in the caller: cache-aside through the wrapper, read as below.
    if (read.hasLoader || within.length > 0) return distinctReads(within);
  }
  const keys = readableKeys(read.keys);
  const fill = effects.find(
    (e) =>
      e.kind === 'cache-fill' &&
      e.isCacheAside &&
      sameFile(e) &&
      where(e).getStart() > call.getEnd() &&
      overlapsAny(readableKeys(e.keys), keys),
  );
  if (!fill) return [];
  const start = call.getEnd();
  const end = where(fill).getStart();
  return distinctReads(
    effects.filter(
      (e): e is ModelReadEffect => e.kind === 'model-read' && sameFile(e) && where(e).getStart() >= start && where(e).getEnd() <= end,
    ),
  );
}

/**
 * The keys this file's functions read, fill or keep in Redis (locks, counters, sessions), as the
 * function that names them sees them: a wrapper's own key parameter is left to its callers, whose
 * summaries hold it bound to their arguments. A key that cannot be read is kept as its text.
 */
export function storedKeys(ctx: FileContext): StoredKey[] {
  const { ts } = ctx;
  const result = new Map<string, StoredKey>();
  const owners = new Set<ts.Node>();
  for (const call of ctx.nodes.calls) {
    const owner = enclosingFunction(ts, call);
    if (owner) owners.add(owner);
  }
  for (const owner of owners) {
    for (const effect of summarize(ctx, owner)) {
      if (effect.kind !== 'cache-read' && effect.kind !== 'cache-fill' && effect.kind !== 'redis-other') continue;
      for (const key of effect.keys) {
        if ('flush' in key) continue;
        const fact = readPattern(key.bound.ctx, key.bound.expr, key.isKey, key.bound.env);
        // `set(key, value)` in a wrapper: its callers say the key.
        if (fact.forwardedBy !== null && key.bound.env === null) continue;
        const pattern = fact.pattern && fact.pattern.errors.length === 0 ? fact.pattern : null;
        result.set(pattern === null ? `\u0000${fact.text}` : pattern.source, { pattern, text: fact.text });
      }
    }
  }
  for (const { key } of cachedMethods(ctx)) {
    const fact = readPattern(key.ctx, key.expr, true, key.env);
    const pattern = fact.pattern && fact.pattern.errors.length === 0 ? fact.pattern : null;
    result.set(pattern === null ? `\u0000${fact.text}` : pattern.source, { pattern, text: fact.text });
  }
  return [...result.values()];
}
