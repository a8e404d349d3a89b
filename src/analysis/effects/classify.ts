import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { lastName, unwrap } from '../../ts/syntax.js';
import type { CallEffect, SourceCall } from '../sources/source.js';
import { libraryEffects } from './library.js';
import type { Target } from './model.js';
import { helperTargets, listenersOf } from './targets.js';

/**
 * What a call is, as the effect model reads it; the one decision behind a function's summary and
 * behind the invalidations written in a file:
 * - `listeners`: an emit whose listeners are known (they run later, given the payload);
 * - `library`: a call a library source recognises, with what it does;
 * - `routes`: a request to the app's own routes (`R`: their code, looked up by the caller);
 * - `helpers`: functions of the project it runs; `isReadAsWritten` when each is a face of a
 *   two-faced builder (`feedKeys().invalidate(id)`), whose name says nothing more;
 * - `named`: a call named like an invalidation (`callNames`), nothing else known of it;
 * - `opaque`: a call of the project's code that cannot be followed;
 * - null: nothing the analysis reads.
 */
export type CallReading<R> =
  | { readonly kind: 'listeners'; readonly listeners: readonly Target[]; readonly payload: ts.Expression | undefined }
  | { readonly kind: 'library'; readonly effects: readonly CallEffect[] }
  | { readonly kind: 'routes'; readonly routes: readonly R[] }
  | { readonly kind: 'helpers'; readonly targets: readonly Target[]; readonly isReadAsWritten: boolean }
  | { readonly kind: 'named' }
  | { readonly kind: 'opaque' }
  | null;

const EMIT_CALLS = new Set(['emit', 'emitAsync', 'publish']);

const LOG_METHODS = new Set([
  'log',
  'info',
  'warn',
  'warning',
  'error',
  'debug',
  'trace',
  'verbose',
  'fatal',
  'silly',
  'notice',
  'critical',
]);
const LOGGER = /^_?(?:logger|log|console)_?$/i;

/**
 * A logging call whose logger the audit cannot follow (`this.logger_.log(…)` of a logger typed by
 * the project's own interface): it reaches no cache, and is no blind spot.
 */
export function isLogging(site: SourceCall): boolean {
  const { ctx, name, receiver } = site;
  if (!LOG_METHODS.has(name) || receiver === null) return false;
  const held = unwrap(ctx.ts, receiver);
  const holder = ctx.ts.isIdentifier(held) ? held.text : ctx.ts.isPropertyAccessExpression(held) ? held.name.text : null;
  return holder !== null && LOGGER.test(holder);
}

/** Whether a call's name is one of the invalidation names of the options (`callNames`, `callGlobs`). */
export function matchesCallName(ctx: FileContext, name: string): boolean {
  return ctx.options.callNames.has(name) || ctx.options.callGlobs.some((matcher) => matcher.test(name));
}

/** The parts of a call a library source reads, or null for a call with no name (`(await f())()`). */
export function sourceCall(ctx: FileContext, call: ts.CallExpression): SourceCall | null {
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  const name = lastName(ts, callee);
  if (name === null) return null;
  return { ctx, call, callee, name, receiver: ts.isPropertyAccessExpression(callee) ? callee.expression : null };
}

/**
 * Reads a call, in order: the listeners of an emit, the sources that know their calls by imports
 * and types, the app's own routes a request reaches (`routesOf`), the project's functions, then
 * the sources that go by names, and the invalidation names last.
 */
export function readCall<R>(site: SourceCall, routesOf: (site: SourceCall) => readonly R[]): CallReading<R> {
  const { ctx, call, callee, name } = site;
  const first = call.arguments[0];
  if (EMIT_CALLS.has(name) && first) {
    const listeners = listenersOf(ctx, first);
    // `publish(new RoleEvent(…))`: the event is its own payload.
    const payload = ctx.ts.isNewExpression(unwrap(ctx.ts, first)) ? first : call.arguments[1];
    if (listeners.length > 0) return { kind: 'listeners', listeners, payload };
  }
  const early = libraryEffects(site, 'before-helpers');
  if (early) return { kind: 'library', effects: early };
  const routes = routesOf(site);
  if (routes.length > 0) return { kind: 'routes', routes };
  const targets = helperTargets(ctx, call, callee);
  if (targets === 'opaque') return matchesCallName(ctx, name) ? { kind: 'named' } : isLogging(site) ? null : { kind: 'opaque' };
  if (targets.length > 0) return { kind: 'helpers', targets, isReadAsWritten: targets.every((t) => t.outer) };
  return readByName(site);
}

/**
 * What a call is by the sources that go by names, or by its own name: for a call no project
 * function explains, and for one whose functions invalidate nothing although it is named so.
 */
export function readByName(site: SourceCall): CallReading<never> {
  const { ctx, name, receiver } = site;
  const late = libraryEffects(site, 'after-helpers');
  if (late) return { kind: 'library', effects: late };
  const isNodeEvents = receiver !== null && ctx.ts.isIdentifier(receiver) && ctx.importOf(receiver.text)?.module === 'events';
  return matchesCallName(ctx, name) && !isNodeEvents ? { kind: 'named' } : null;
}
