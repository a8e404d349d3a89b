import type ts from 'typescript';
import type { FileContext } from '../context.js';
import type { TS } from '../../ts/syntax.js';
import type { ExactDeleteClient, InvalidationKind } from '../facts.js';
import type { ReadLookup } from './operations.js';

/** What a Redis key is used for, besides caching read results. */
export type RedisRole = 'lock' | 'marker' | 'counter' | 'data';

/** The expiry a fill gives its entry, as written: an expression of seconds or milliseconds. */
export interface TtlArgument {
  readonly expr: ts.Expression;
  readonly unit: 'seconds' | 'milliseconds';
}

/**
 * A key argument of a call: an expression to read as a key or pattern (through `builder`, the key
 * builder of a keyed cache, when the cache makes the key from it), or a flush of everything.
 * `prefix`: literal text the library puts before every key it is given (a BentoCache namespace's
 * `users:`); a flush with a prefix clears only the keys that start with it. A `literal` is a key the
 * library names itself, as text (a Drizzle table's name, which its cache clears on a write).
 */
export type KeyArgument =
  | {
      readonly expr: ts.Expression;
      readonly isKey: boolean;
      readonly prefix?: string;
      readonly builder?: { readonly fn: ts.FunctionLikeDeclaration; readonly ctx: FileContext };
    }
  | { readonly flush: true; readonly prefix?: string }
  | { readonly literal: string };

/** A function that loads a cache's value, in the file it is written in. */
export interface LoaderFunction {
  readonly fn: ts.FunctionLikeDeclaration;
  readonly ctx: FileContext;
}

/** What one call does, as a library source sees it. */
export type CallEffect =
  /** `client`: the library of an exact-key delete, where the receiver is known to be its client. */
  | {
      readonly kind: 'invalidate';
      readonly invalidationKind: InvalidationKind;
      readonly keys: readonly KeyArgument[];
      readonly client?: ExactDeleteClient;
    }
  /**
   * A loading read fills a miss itself: `ttl` is what it gives the entry (undefined: not known).
   * `tags`: the tags the entry is given (BentoCache's `tags`), each of which clears it too.
   */
  | {
      readonly kind: 'cache-read';
      readonly keys: readonly KeyArgument[];
      readonly loader: ts.Expression | null;
      /** A loader written where the cache is made rather than at the read (a self-refreshing cache's `refresh.fn`). */
      readonly loadedBy?: LoaderFunction;
      readonly ttl?: TtlArgument;
      readonly tags?: readonly KeyArgument[];
      /** The call that clears the entry, as a finding tells it (`db.$cache.invalidate({ tags: ['quotes'] })`); a delete of its key when absent. */
      readonly clearedBy?: string;
      /**
       * The entry is kept in the memory of the object read (a self-refreshing cache): only a call
       * on that object clears it, so code the audit cannot follow clears it only by calling back
       * into the object's owner.
       */
      readonly isLocal?: boolean;
      /** The property of the read's result that holds the entry (`val` of `@unkey/cache`'s `{ val, err }`); absent: the result is the entry. */
      readonly valueIn?: string;
    }
  /** `value`: the value stored, where the call says it (a fresh token stored under a key read elsewhere rotates a namespace). */
  | { readonly kind: 'cache-fill'; readonly keys: readonly KeyArgument[]; readonly ttl?: TtlArgument; readonly value?: ts.Expression }
  | { readonly kind: 'redis-other'; readonly role: RedisRole; readonly keys: readonly KeyArgument[] }
  /** `KEYS p`, `SCAN … MATCH p`: the keys a following delete removes. */
  | { readonly kind: 'key-scan'; readonly keys: readonly KeyArgument[] }
  /**
   * A read or write of a model, by its model name normalised to the class-name form (`Website` for
   * the Prisma delegate `website`, the entity class `Website`, `mongoose.model('Website', …)`, the
   * Drizzle table `websites` → `Websites`). `events` are the lifecycle events the write fires,
   * as the library names them: the hooks registered for them run as part of the write.
   * `fields`, where the call says which fields it reads or writes (Prisma's `select`, `data`).
   */
  | {
      readonly kind: 'model-read';
      readonly model: string;
      readonly operation: string;
      readonly fields?: readonly string[] | null;
      /** How it finds its rows, where the source knows (a SQL `WHERE id = $1`); else read from the operation's name and arguments. */
      readonly lookup?: ReadLookup;
      /** The parameter a generic helper is given the model by (`entityType: Type<T>`): its callers' argument names it. */
      readonly given?: ts.Identifier;
      /** Its rows are filtered in a way the source does not read (see `ModelRead.hasUnreadFilter`). */
      readonly hasUnreadFilter?: boolean;
      /** Rows of a one-to-many relation loaded beside the rows found (see `ModelRead.isRelated`). */
      readonly isRelated?: boolean;
      /** The relations it is reached by from the row the call finds (see `ModelRead.via`). */
      readonly via?: readonly string[];
      /** The model whose relation loads a related list (see `ModelRead.parent`). */
      readonly parent?: string;
    }
  | {
      readonly kind: 'model-write';
      readonly model: string;
      readonly operation: string;
      readonly events: readonly string[];
      readonly fields?: readonly string[] | null;
      /** The update document, when the fields it sets are read where the call's arguments are known (a repository's `update(query, body)`). */
      readonly update?: ts.Expression;
      /** A delete the database makes of this model's rows with another's: the models it runs through, the deleted one first. */
      readonly cascade?: readonly string[];
      /** See the read's `given`. */
      readonly given?: ts.Identifier;
      /** A write of this relation's join rows only (see `ModelWrite.relation`). */
      readonly relation?: string;
      /** The rows a create writes (Prisma's `data`, Drizzle's `values(…)`), for the fields it makes new (see `ModelWrite.freshFields`). */
      readonly created?: ts.Expression;
    }
  | { readonly kind: 'emit'; readonly event: ts.Expression; readonly payload: ts.Expression | null }
  /** A job put on a queue (`queue` the queue's name, or the URL path of an HTTP queue such as QStash). */
  | {
      readonly kind: 'enqueue';
      readonly queue: string | null;
      readonly job: string | null;
      readonly payload: ts.Expression | null;
      /** The keys the queue's processors may be registered under (its value, `expr:` and its text); `queue` when absent. */
      readonly queueKeys?: readonly string[];
      /** An HTTP queue's request (QStash): the destination URL, which may be a route of the app, and its method. */
      readonly request?: { readonly url: ts.Expression; readonly method: string };
    };

/** A function a library runs when a model is written (an ORM lifecycle hook). */
export interface ModelHook {
  /** The model, in the normalised class-name form; `*` for hooks that run for every model. */
  readonly model: string;
  /** The event it is registered for (`afterSave`, `entity:afterInsert`, `update`), or a pattern of them. */
  readonly event: string | RegExp;
  readonly fn: ts.FunctionLikeDeclaration;
  /** How a path names a hook registered for a pattern of events (`$use`). */
  readonly name?: string;
  /** The source that found it (set by the hook table). */
  readonly library?: string;
}

/** A function that handles the jobs of a queue (a BullMQ `Worker`, a `@Processor` class's method). */
export interface JobProcessor {
  /** The keys the queue is named by: its string value and the expression text (`expr:QUEUES.emails`). */
  readonly queues: readonly string[];
  /** The job name it handles, or null for all of the queue's jobs. */
  readonly job: string | null;
  readonly fn: ts.FunctionLikeDeclaration;
  /** How the path reads (`EmailsProcessor.process`). */
  readonly label: string;
}

/**
 * What a receiver is: a cache client of a known library, a cache by its name, or a class of the
 * project (see `clientOf`). `namespaced`: a cache whose properties are its namespaces (`@unkey/cache`).
 */
export type ClientKind = 'redis' | 'cache-manager' | 'keyv' | 'runtime' | 'namespaced' | 'cache-like' | 'project';

/** A library a source recognises: the module specifiers it is imported by, and what its clients are. */
export interface Library {
  /** The module specifiers (subpaths included) it is imported by: `ioredis`, `@keyv/redis`. */
  readonly modules: RegExp;
  /** For a cache client: the kind of a receiver imported, made or typed from it. */
  readonly client?: Exclude<ClientKind, 'cache-like' | 'project'>;
}

/** A test of a file's text, made before any parse (a regular expression is one). */
export interface TextTest {
  test(text: string): boolean;
}

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
  /**
   * The effects of a tagged template that runs where it stands (`await sql\`UPDATE …\``,
   * `return prisma.$queryRaw\`SELECT …\``), or null when it is not this library's.
   */
  classifyTemplate?(ctx: FileContext, template: ts.TaggedTemplateExpression): readonly CallEffect[] | null;
  /**
   * A source that recognises its calls by imports and declared types (an ORM, a queue) is asked
   * before the project's own functions are followed: a library's call is never a project helper,
   * and an injected `Repository<Website>` must not read as a service that cannot be followed.
   */
  readonly precedesHelpers?: boolean;
  /** The libraries it recognises, by the modules they are imported from. */
  readonly libraries?: readonly Library[];
  /**
   * For a cache library (a client, the Next.js cache, the runtime): the text of every file that
   * reads, fills or invalidates through it matches this. Files that match, or that import one of
   * its modules, are read for cache sites; a value one of its modules makes is never inert.
   */
  readonly cacheText?: RegExp;
  /**
   * Whether a call is a read the library caches by its own options, whatever its name (Prisma
   * Accelerate's `findMany({ cacheStrategy })`): the function that makes it holds a family.
   */
  isCachedRead?(ts: TS, call: ts.CallExpression): boolean;
  /**
   * The method names through which its caches are read, besides the cache clients' (`get`, `wrap`):
   * a function that calls one may hold a family, and is summarised to find out.
   */
  readonly readMethods?: ReadonlySet<string>;
  /**
   * The text of every file that registers one of its hooks or processors, or declares relations,
   * matches this: the scanner parses no other file to look for them.
   */
  readonly hookMarker?: TextTest;
  /**
   * The project's class an instance of this library's model is of (`site` of `const site = await
   * Website.findByPk(id)`): a call of a method the library does not know runs that class's method.
   */
  instanceClass?(ctx: FileContext, receiver: ts.Expression): { cls: ts.ClassLikeDeclaration; ctx: FileContext } | null;
  /**
   * The function of the project a method of this library's value runs, where the project gave it
   * to the value (`taxRateRepo.listByProduct(…)` of a TypeORM repository `extend({ listByProduct() { … } })`ed).
   */
  extendedMethod?(
    ctx: FileContext,
    receiver: ts.Expression,
    name: string,
  ): { declaration: ts.FunctionLikeDeclaration; ctx: FileContext; label: string } | null;
  /** The lifecycle hooks a file registers (read from the syntax of that file alone). */
  hooks?(ts: TS, file: ts.SourceFile): readonly ModelHook[];
  /** The job processors a file declares (read from the syntax of that file alone). */
  processors?(ts: TS, file: ts.SourceFile): readonly JobProcessor[];
  /** The relations between models a file declares (read from the syntax of that file alone). */
  relations?(ts: TS, file: ts.SourceFile): readonly ModelRelation[];
}

/** The model a relation reaches, and whether it reaches many rows of it (`many(keysRoles)`) or one (`one(identities, …)`). */
export interface RelationTarget {
  readonly target: string;
  readonly isMany: boolean;
}

/** A named relation of a model to another (Drizzle's `relations(keys, ({ many }) => ({ roles: many(keysRoles) }))`). */
export interface ModelRelation extends RelationTarget {
  readonly model: string;
  readonly name: string;
}

/** Whether a hook runs for a write that fires `events`. */
export function hookRuns(hook: ModelHook, events: readonly string[]): boolean {
  return events.some((event) => (typeof hook.event === 'string' ? hook.event === event : hook.event.test(event)));
}
