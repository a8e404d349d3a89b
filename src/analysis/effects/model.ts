import type ts from 'typescript';
import type { FileContext } from '../context.js';
import type { Bound, Frame } from '../env.js';
import type { ExactDeleteClient, InvalidationKind } from '../facts.js';
import type { ReadLookup, WriteChange } from '../sources/operations.js';
import type { LoaderFunction, RedisRole } from '../sources/source.js';

/** The one row a model read or write selects by a field (`where: { key }`), its value read with the arguments in force. */
export interface EffectRow {
  readonly field: string;
  readonly value: Bound;
}

/**
 * A key or pattern an effect names: an expression read with the arguments in force, or everything;
 * `prefix`, literal text the library puts before it (see `KeyArgument`).
 */
export type EffectKey =
  | { readonly bound: Bound; readonly isKey: boolean; readonly prefix?: string }
  | { readonly flush: true; readonly prefix?: string }
  | { readonly literal: string };

/** The expiry a fill gives its entry: an expression read with the arguments in force, and its unit. */
export interface EffectTtl {
  readonly bound: Bound;
  readonly unit: 'seconds' | 'milliseconds';
}

export interface EffectBase {
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
  /** The branches it runs under, from the function summarised (see `armsWithin`); none: on every path. */
  readonly arms?: readonly string[];
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
        /** A delete on a collection of the process (see `Invalidation.isInProcess`), where a wrapper's caller passes the key. */
        readonly isInProcess?: boolean;
      }
    /** `hasLoader`: the read is given the loader that fills a miss (`wrap(key, loader)`); `tags`: see `CallEffect`. */
    | {
        readonly kind: 'cache-read';
        readonly keys: readonly EffectKey[];
        readonly hasLoader: boolean;
        readonly ttl: EffectTtl | null;
        readonly tags?: readonly EffectKey[];
        /** The loader, where it is written apart from the read (see `CallEffect`). */
        readonly loadedBy?: LoaderFunction;
        readonly clearedBy?: string;
        /** See `CallEffect`. */
        readonly isLocal?: boolean;
        /** See `CallEffect`. */
        readonly valueIn?: string;
      }
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
        /** The value stored is made fresh by the call (a random token, a timestamp): a namespace rotated, when the key is read elsewhere. */
        readonly isFreshValue?: boolean;
        /** The value is stored only where the read it stores found one (`if (link) set(key, JSON.stringify(link))`): a miss is never kept. */
        readonly isOnlyFound?: boolean;
        /** The value stored, with the arguments in force where the fill is reached through calls. */
        readonly stored?: Bound;
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
        /** The parameter that gives the model, with the arguments in force, until a call binds it to a class (see `CallEffect`). */
        readonly given?: Bound;
        readonly hasUnreadFilter?: boolean;
        readonly isRelated?: boolean;
        readonly via?: readonly string[];
        readonly parent?: string;
        readonly joinedBy?: readonly string[];
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
        /** A delete the database makes by cascade: the models it runs through, the deleted one first (see `Cascade`). */
        readonly cascade?: readonly string[];
        readonly given?: Bound;
        readonly relation?: string;
        /** The rows a create writes, read with the arguments in force (see `ModelWrite.freshFields`). */
        readonly created?: Bound;
      }
    | { readonly kind: 'emit' | 'enqueue'; readonly target: string }
    | { readonly kind: 'opaque'; readonly description: string }
  );

export type ModelReadEffect = Effect & { kind: 'model-read' };

/**
 * A function a call runs; `outer`: the frames of the factory that made the object whose method it
 * is; `bodies`: the part of it that runs, when not all of it does (one method branch of a route).
 */
export interface Target {
  readonly declaration: ts.FunctionLikeDeclaration;
  readonly ctx: FileContext;
  readonly label: string;
  readonly outer?: Frame;
  readonly bodies?: readonly ts.Node[];
  /** The class of the object whose method it is, when known: it names the model a base repository's method uses. */
  readonly self?: { readonly cls: ts.ClassLikeDeclaration; readonly ctx: FileContext };
}
