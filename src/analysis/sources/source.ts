import type ts from 'typescript';
import type { FileContext } from '../context.js';
import type { InvalidationKind } from '../facts.js';

/** What a Redis key is used for, besides caching read results. */
export type RedisRole = 'lock' | 'marker' | 'counter' | 'data';

/** A key argument of a call: an expression to read as a key or pattern, or a flush of everything. */
export type KeyArgument = { readonly expr: ts.Expression; readonly isKey: boolean } | { readonly flush: true };

/** What one call does, as a library source sees it. */
export type CallEffect =
  | { readonly kind: 'invalidate'; readonly invalidationKind: InvalidationKind; readonly keys: readonly KeyArgument[] }
  | { readonly kind: 'cache-read'; readonly keys: readonly KeyArgument[]; readonly loader: ts.Expression | null }
  | { readonly kind: 'cache-fill'; readonly keys: readonly KeyArgument[] }
  | { readonly kind: 'redis-other'; readonly role: RedisRole; readonly keys: readonly KeyArgument[] }
  /** `KEYS p`, `SCAN … MATCH p`: the keys a following delete removes. */
  | { readonly kind: 'key-scan'; readonly keys: readonly KeyArgument[] }
  | { readonly kind: 'model-read' | 'model-write'; readonly model: string; readonly operation: string }
  | { readonly kind: 'emit'; readonly event: ts.Expression; readonly payload: ts.Expression | null }
  | { readonly kind: 'enqueue'; readonly queue: string | null; readonly job: string | null; readonly payload: ts.Expression | null };

export interface SourceCall {
  readonly ctx: FileContext;
  readonly call: ts.CallExpression;
  /** The callee without parentheses and casts. */
  readonly callee: ts.Expression;
  /** The method or function name (`del` of `this.redis.del(k)`). */
  readonly name: string;
  /** `this.redis` of `this.redis.del(k)`, or null for a plain function call. */
  readonly receiver: ts.Expression | null;
}

/**
 * A library family (a cache client, an ORM, an event bus, a queue): turns the calls it recognises
 * into effects. Recognition goes by imports and declared types first, names last.
 */
export interface Source {
  readonly id: string;
  /** The effects of a call, or null when the call is not this library's. */
  classify(site: SourceCall): readonly CallEffect[] | null;
}
