import type ts from 'typescript';
import { staticString } from './context.js';
import { bindsName, decoratorsOf, unwrap } from '../ts/syntax.js';
import type { FileContext } from './context.js';
import type { Invalidation, ModelWrite, Range } from './facts.js';
import { decoratorInvalidation } from './read-pattern.js';
import type { BodyScan } from './invalidations.js';
import type { Effect } from './effects/model.js';
import { readableKeys } from './effects/keys.js';
import { rowOf } from './effects/loaders.js';
import { matchesCallName } from './effects/classify.js';
import { isHeldModel } from './sources/mongoose.js';
import { isGivenModel } from './sources/typeorm-entities.js';
import { updatedFields } from './document-fields.js';
import { freshFields } from './created-rows.js';

const NO_INVALIDATION = 'NoCacheInvalidation';
const SKIP_INVALIDATION = 'SkipInvalidation';
const MUTATES = 'Mutates';

/** The name a decorator or function was imported as (through aliases and namespaces). */
export function importedName(ctx: FileContext, expression: ts.Expression): string | null {
  const { ts } = ctx;
  const target = unwrap(ts, ts.isCallExpression(expression) ? expression.expression : expression);
  if (ts.isIdentifier(target)) {
    const binding = ctx.importOf(target.text);
    return binding && binding.imported !== 'default' && binding.imported !== '*' ? binding.imported : target.text;
  }
  if (ts.isPropertyAccessExpression(target)) return target.name.text;
  return null;
}

/** The module a decorator or function comes from, or null when it is local or unknown. */
export function moduleOf(ctx: FileContext, expression: ts.Expression): string | null {
  const { ts } = ctx;
  const target = unwrap(ts, ts.isCallExpression(expression) ? expression.expression : expression);
  const root = ts.isPropertyAccessExpression(target) ? unwrap(ts, target.expression) : target;
  return ts.isIdentifier(root) ? (ctx.importOf(root.text)?.module ?? null) : null;
}

export interface DeclaredIntent {
  readonly invalidations: Invalidation[];
  /** Decorators of the project that could not be read (another file, without a resolver). */
  readonly opaque: string[];
  readonly resources: string[] | null;
  readonly exception: { reason: string; range: Range } | null;
}

/** Factories of decorators that only attach metadata (`Reflector.createDecorator<T>()`, `SetMetadata(key, value)`). */
const METADATA_FACTORIES = new Set(['createDecorator', 'SetMetadata']);

/** A decorator of the project made by a metadata factory (`export const ThrottlerCategory = Reflector.createDecorator()`): it runs nothing. */
function isMetadataDecorator(ctx: FileContext, callee: ts.Identifier): boolean {
  const { ts } = ctx;
  const init = ctx.topConstants.get(callee.text) ?? ctx.resolver?.resolveConstant?.(callee) ?? null;
  const made = init ? unwrap(ts, init) : null;
  if (!made || !ts.isCallExpression(made)) return false;
  const factory = unwrap(ts, made.expression);
  const name = ts.isIdentifier(factory) ? factory.text : ts.isPropertyAccessExpression(factory) ? factory.name.text : null;
  return name !== null && METADATA_FACTORIES.has(name);
}

/**
 * Whether a decorator the analysis cannot read may reach a cache, by its name: a decorator runs once,
 * when the class is defined, and touches a request only by wrapping the method, as cache decorators
 * do; the others (`@ApiOkResponse`, `@Roles`) describe or guard it.
 */
function mayBeCacheDecorator(ctx: FileContext, name: string): boolean {
  return CACHE_WORDS.test(name) || matchesCallName(ctx, name);
}

/**
 * Reads the cache decorators of a method or class: invalidations (also inside composed decorators
 * of the same file, built with `applyDecorators`), `@Mutates(…)` and `@NoCacheInvalidation(…)`.
 */
export function readDecorators(ctx: FileContext, node: ts.Node): DeclaredIntent {
  const intent: DeclaredIntent = { invalidations: [], opaque: [], resources: null, exception: null };
  for (const decorator of decoratorsOf(ctx.ts, node)) readDecorator(ctx, decorator.expression, intent, [], 0);
  return intent;
}

function readDecorator(ctx: FileContext, expression: ts.Expression, intent: DeclaredIntent, through: string[], depth: number): void {
  const { ts } = ctx;
  const name = importedName(ctx, expression);
  if (name === null) return;
  const args = ts.isCallExpression(expression) ? expression.arguments : [];
  if (ctx.options.decorators.has(name)) {
    intent.invalidations.push(decoratorInvalidation(ctx, expression, name, through));
    return;
  }
  if (name === MUTATES) {
    const resources = args.map((arg) => staticString(ctx, arg)).filter((r): r is string => r !== null);
    (intent as { resources: string[] | null }).resources = [...(intent.resources ?? []), ...resources];
    return;
  }
  if (name === NO_INVALIDATION || name === SKIP_INVALIDATION) {
    const first = args[0];
    const reason = first ? (staticString(ctx, first) ?? '(not a literal)') : '';
    (intent as { exception: DeclaredIntent['exception'] }).exception = { reason, range: ctx.range(expression) };
    return;
  }
  // A composed decorator: function X() { return applyDecorators(A(), B()); }, in this file or,
  // with a resolver, imported from another.
  if (depth < 3 && ts.isCallExpression(expression) && ts.isIdentifier(expression.expression)) {
    const callee = expression.expression;
    const module = ctx.importOf(callee.text)?.module;
    const isFromProject = module !== undefined && ctx.isProjectModule(module);
    const composed = ctx.functions.get(callee.text) ?? (isFromProject ? ctx.resolver?.resolveIdentifier?.(callee)?.[0] : undefined);
    const body = composed?.body;
    if (!composed || !body) {
      // A decorator of the project that cannot be read here may wrap the method and invalidate, when its name says it may.
      if (isFromProject && !isMetadataDecorator(ctx, callee) && mayBeCacheDecorator(ctx, callee.text))
        intent.opaque.push(`@${callee.text}`);
      return;
    }
    const target = composed.getSourceFile() === ctx.sourceFile ? ctx : ctx.contextOf(composed.getSourceFile());
    const label = callee.getText(ctx.sourceFile);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && importedName(target, node) === 'applyDecorators') {
        for (const arg of node.arguments) readDecorator(target, arg, intent, [...through, label], depth + 1);
        return;
      }
      ts.forEachChild(node, visit);
    };
    if (ts.isBlock(body)) ts.forEachChild(body, visit);
    else visit(body);
  }
}

/** Whether a tenant id is in scope of a function: a parameter, or a variable declared in it. */
export function hasTenantInScope(ctx: FileContext, fn: ts.Node): boolean {
  const { ts } = ctx;
  const names = ctx.options.tenantNames;
  if (ts.isFunctionLike(fn) && fn.parameters.some((p) => [...names].some((name) => bindsName(ts, p.name, name)))) return true;
  let isFound = false;
  const visit = (node: ts.Node): void => {
    if (isFound) return;
    if (ts.isVariableDeclaration(node) && [...names].some((name) => bindsName(ts, node.name, name))) isFound = true;
    else if (ts.isPropertyAccessExpression(node) && names.has(node.name.text)) isFound = true;
    else ts.forEachChild(node, visit);
  };
  if ('body' in fn && fn.body) visit(fn.body as ts.Node);
  return isFound;
}

/**
 * Whether a handler is a mutation by what its code does: served over a mutation method (or
 * declared one) unless every call it makes is a known read; served over a read method, when it
 * writes a model (a cron job or a webhook over GET).
 */
export function isMutationByCode(isDeclaredMutation: boolean, scan: BodyScan, hasDeclaredInvalidation = false): boolean {
  const writes = scan.effects.some((e) => e.kind === 'model-write');
  if (!isDeclaredMutation) return writes || scan.invalidations.some(isPartOfWrite);
  return writes || hasDeclaredInvalidation || !isProvablyRead(scan);
}

const WRITE_VERB =
  /^(create|update|delete|remove|add|save|upsert|insert|patch|put|register|import|archive|restore|publish|link|unlink|connect|disconnect|assign|invite|accept|reject|approve|destroy|merge|transfer|rename|move)(?![a-z])/;

/**
 * An invalidation reached through a function named for a write (`CreateSubscriber.execute`,
 * `SubscribersService.update`): it is part of a write the handler makes (an OAuth callback or a
 * webhook served over GET), even where the write itself cannot be seen.
 */
function isPartOfWrite(invalidation: Invalidation): boolean {
  return invalidation.through.some((label) => {
    const parts = label.split(/[.\s]/);
    // The cache's own wrappers (`CacheService.deletePattern`) say how, not what is written.
    if (parts.some((part) => CACHE_WORDS.test(part))) return false;
    return parts.some((part) => WRITE_VERB.test(part.charAt(0).toLowerCase() + part.slice(1)));
  });
}

/** Words of a name that speaks of a cache (`CacheService`, `@EvictQuotes`, `flushAll`). */
const CACHE_WORDS = /cache|redis|invalidat|evict|purge|flush|revalidat/i;

/** Reads models and nothing else that changes anything: RPC reads served over POST (`documents.info`). */
function isProvablyRead(scan: BodyScan): boolean {
  if (scan.invalidations.length > 0 || scan.writeThroughs.length > 0 || scan.opaqueCalls.length > 0) return false;
  const isChange = (kind: string): boolean =>
    kind === 'model-write' || kind === 'emit' || kind === 'enqueue' || kind === 'opaque' || kind === 'invalidate';
  return scan.effects.some((e) => e.kind === 'model-read') && !scan.effects.some((e) => isChange(e.kind));
}

/** The model writes of a handler's code, once per model, change, fields and branches. */
export function modelWrites(scan: BodyScan): ModelWrite[] {
  const writes = new Map<string, ModelWrite>();
  // The keys read from the cache under each function the handler calls, read once per handler when a write on a branch asks.
  let keysReadUnder: Map<string, Set<string>> | null = null;
  const keysUnder = (under: string): Set<string> | undefined => {
    keysReadUnder ??= readKeysUnder(scan.effects);
    return keysReadUnder.get(under);
  };
  for (const effect of scan.effects) {
    // A base repository's write whose class no caller named, or a generic helper's whose entity no
    // caller passed, writes no model that can be told.
    if (effect.kind !== 'model-write' || isHeldModel(effect.model) || isGivenModel(effect.model)) continue;
    const [under] = effect.through;
    const isOnHelperBranch = effect.isConditional && under !== undefined;
    // A write on a branch of a function the handler calls, which reads the cache too, or in the loader
    // a cache read is given (a row created on a miss): made while filling what that read reads.
    const fillsKeys = [
      ...new Set([...(isOnHelperBranch ? (keysUnder(under) ?? []) : []), ...keysFilledBy(scan.effects, effect.node)]),
    ].sort();
    const fresh = effect.change === 'create' && effect.created ? freshFields(effect.created) : [];
    const write = {
      model: effect.model,
      change: effect.change,
      fields: effect.fields ?? (effect.update ? updatedFields(effect.update) : null),
      row: rowOf(effect.row),
      ...(isOnHelperBranch ? { isOnHelperBranch } : {}),
      ...(effect.arms && effect.arms.length > 0 ? { arms: effect.arms } : {}),
      ...(fillsKeys.length > 0 ? { fillsKeys } : {}),
      ...(effect.cascade ? { cascade: effect.cascade } : {}),
      ...(effect.relation === undefined ? {} : { relation: effect.relation }),
      ...(fresh.length > 0 ? { freshFields: fresh } : {}),
    };
    const key = JSON.stringify(write);
    if (!writes.has(key)) writes.set(key, { ...write, site: { file: effect.ctx.file, range: effect.ctx.range(effect.node) } });
  }
  return [...writes.values()];
}

/** The keys read from the cache under each function a handler calls (the first of an effect's `through`). */
/** The keys of the cache reads whose loader, written inline, makes the call at `node` (`cache.x.swr(id, async () => { … })`). */
function keysFilledBy(effects: readonly Effect[], node: ts.Node): string[] {
  return effects.flatMap((read) => {
    if (read.kind !== 'cache-read' || !read.hasLoader || read.node.getSourceFile() !== node.getSourceFile()) return [];
    const call = read.node;
    const isInLoader =
      read.ctx.ts.isCallExpression(call) &&
      call.arguments.some((argument) => argument.pos <= node.pos && node.end <= argument.end && argument !== node);
    return isInLoader ? readableKeys(read.keys).map((pattern) => pattern.source) : [];
  });
}

function readKeysUnder(effects: readonly Effect[]): Map<string, Set<string>> {
  const keysReadUnder = new Map<string, Set<string>>();
  for (const read of effects) {
    const [under] = read.through;
    if (read.kind !== 'cache-read' || under === undefined) continue;
    const keys = keysReadUnder.get(under) ?? new Set<string>();
    for (const pattern of readableKeys(read.keys)) keys.add(pattern.source);
    keysReadUnder.set(under, keys);
  }
  return keysReadUnder;
}

/** The invalidations of a handler's code: write-through fills count in a mutation only. */
export function codeInvalidations(scan: BodyScan, isMutation: boolean): Invalidation[] {
  return isMutation ? [...scan.invalidations, ...scan.writeThroughs].sort((a, b) => a.range.start - b.range.start) : scan.invalidations;
}
