import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { appendFrame } from '../env.js';
import type { Env, Frame } from '../env.js';
import { madeFunction, madeFunctionOf } from '../factories.js';
import type { MadeFunction } from '../factories.js';
import type { CacheFamily } from '../facts.js';
import { memoTable } from '../session.js';
import { ttlSeconds } from '../ttl.js';
import { outerExpression, parentOf, unwrap } from '../../ts/syntax.js';
import { keyRolesFor } from './key-roles.js';
import { isFamilyKey, keyPattern } from './keys.js';
import { familyTtl } from './loaders.js';
import { cachedLoads } from './loads.js';
import type { Effect, EffectKey, EffectTtl } from './model.js';
import { memoizedReaderPaths, withReaderFields } from './reader-fields.js';
import { summarize } from './summarize.js';
import { redisTtl } from '../sources/cache-clients.js';

/**
 * A cached function made by a memoizer of the project: a factory given a loader that returns a
 * function which reads a key, calls the loader on a miss and fills the key
 * (`export const getProjectCached = cacheable(getProject, 60)`, `cache.memoize(run, ['settings', keyOf])`).
 * Each such call is a family of its own: the key read with the factory's parameters bound to the
 * call's arguments (the loader's name for `fn.name`), holding what the loader given there reads.
 */
interface MemoizedCall {
  readonly call: ts.CallExpression;
  readonly made: MadeFunction;
  readonly reads: readonly (Effect & { kind: 'cache-read' })[];
  readonly fills: readonly (Effect & { kind: 'cache-fill' })[];
}

const PER_FILE = memoTable<FileContext, MemoizedCall[]>('memoized calls');

/** The calls of a file that make a cached function of a memoizer, held by a name (`const`, a property). */
function memoizedCalls(ctx: FileContext): MemoizedCall[] {
  return ctx.session.memo(PER_FILE, ctx, () => {
    const result: MemoizedCall[] = [];
    for (const call of ctx.nodes.calls) {
      if (call.arguments.length === 0 || !isHeld(ctx, call)) continue;
      const made = madeFunction(ctx, call, null);
      if (!made || made.given.length === 0) continue;
      const effects = summarize(made.ctx, made.fn);
      const reads = effects.filter((e): e is Effect & { kind: 'cache-read' } => e.kind === 'cache-read');
      const fills = effects.filter((e): e is Effect & { kind: 'cache-fill' } => e.kind === 'cache-fill' && e.isCacheAside);
      if (reads.length > 0 && fills.length > 0) result.push({ call, made, reads, fills });
    }
    return result;
  });
}

/** Whether a call's value is kept under a name: a variable, a class property or an object's property. */
function isHeld(ctx: FileContext, call: ts.CallExpression): boolean {
  const { ts } = ctx;
  const node = outerExpression(ts, call);
  const parent = parentOf(node);
  return (
    !!parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) &&
    parent.initializer === node
  );
}

/** The families of the cached functions this file makes with a memoizer. */
export function memoizedFamilies(ctx: FileContext): CacheFamily[] {
  const calls = memoizedCalls(ctx);
  if (calls.length === 0) return [];
  const others = keyRolesFor(ctx).others;
  const families: CacheFamily[] = [];
  for (const { call, made, reads, fills } of calls) {
    const where = { file: ctx.file, range: ctx.range(call) };
    const [given] = made.given;
    // What the callers read of the value, where the one loader given hands on its row as found.
    const paths = given && made.given.length === 1 ? memoizedReaderPaths(ctx, call, given) : null;
    const loads = [...new Map(made.given.flatMap((g) => cachedLoads(g.ctx, g.fn)).map((l) => [JSON.stringify(l), l])).values()].map(
      (load) => withReaderFields(load, paths),
    );
    // The expiry the call gives (`cacheable(fn, 60)`); a layer in front that says none (an LRU of the process) keeps its own.
    const ttls = [...fills.flatMap((fill) => (fill.ttl ? [fill.ttl] : [])), ...statedExpiries(made)].flatMap(
      (ttl) => ttlSeconds(atCall(ttl, made.outer)) ?? [],
    );
    const fillsHere = [{ ...where, ttl: ttls.length > 0 ? Math.max(...ttls) : null }];
    const seen = new Set<string>();
    for (const read of reads) {
      for (const key of read.keys) {
        const pattern = keyPattern(keyAtCall(key, made.outer));
        if (!pattern || seen.has(pattern.source) || !isFamilyKey(pattern, others)) continue;
        seen.add(pattern.source);
        families.push({
          key: pattern.source,
          models: [...new Set(loads.map((l) => l.model))],
          loads,
          ...where,
          ttl: familyTtl(fillsHere),
          fills: fillsHere,
          isMemoized: true,
        });
      }
    }
  }
  return families;
}

/**
 * The expiries the made function's own writes state with a verb only Redis has, on a receiver known
 * by name (`getRedisCache().setex(key, ttl, …)`), which is read as no fill: it would make the reads
 * before it a loader of the key, where a memoizer's loader is the function it is given.
 */
function statedExpiries(made: MadeFunction): EffectTtl[] {
  const { ts } = made.ctx;
  const found: EffectTtl[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    const verb = ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text.toLowerCase() : '';
    const ttl = (verb === 'setex' || verb === 'psetex') && ts.isCallExpression(node) ? redisTtl(made.ctx, verb, node) : undefined;
    if (ttl) found.push({ bound: { expr: ttl.expr, ctx: made.ctx, env: null }, unit: ttl.unit });
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(made.fn.body, visit);
  return found;
}

/** A key of the made function as the call that made it reads it: the factory's parameters bound to its arguments. */
function keyAtCall(key: EffectKey, outer: Frame): EffectKey {
  return 'bound' in key ? { ...key, bound: { ...key.bound, env: appendFrame(key.bound.env, outer) } } : key;
}

function atCall(ttl: EffectTtl, outer: Frame): EffectTtl {
  return { ...ttl, bound: { ...ttl.bound, env: appendFrame(ttl.bound.env, outer) } };
}

/**
 * Whether a read is a call of a cached function a memoizer made (`getProjectCached(id)`): its family
 * is the one made where the memoizer is called, not one of the caller's.
 */
export function isMemoizedRead(ctx: FileContext, read: Effect & { kind: 'cache-read' }): boolean {
  const { ts } = ctx;
  const call = read.at;
  if (!call || !ts.isCallExpression(call)) return false;
  const callee = unwrap(ts, call.expression);
  const made = ts.isIdentifier(callee) ? madeFunctionOf(ctx, callee) : null;
  if (made !== null && memoizedCalls(made.outer.ctx).some((m) => m.call === made.call)) return true;
  // Reached through other functions (`buildApp()` down to `getProjectAccess(…)`): its key is read with the memoizer's call.
  return read.keys.some((key) => 'bound' in key && isReadWithMemoizer(key.bound.env));
}

/** Whether one of the frames a key is read with is a memoizer's call that makes a family. */
function isReadWithMemoizer(env: Env): boolean {
  for (let frame = env, depth = 0; frame && depth < 32; frame = frame.next, depth++) {
    frame.ctx.session.consulted(frame);
    const call = frame.args[0] ? parentOf(frame.args[0]) : undefined;
    if (call && frame.ctx.ts.isCallExpression(call) && memoizedCalls(frame.ctx).some((m) => m.call === call)) return true;
  }
  return false;
}
