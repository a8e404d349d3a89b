import type { ParsedPattern } from '../patterns/parse.js';
import type { ReadLookup, WriteChange } from './sources/operations.js';

/** Offsets in the source text, end exclusive. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/** A `${expr}` (or `+ expr`) that puts a runtime value into a pattern. */
export interface Interpolation {
  readonly range: Range;
  readonly text: string;
  /** Wrapped in an escape function (`escapeGlob(x)`), or a value that cannot hold glob characters. */
  readonly isEscaped: boolean;
}

/** A pattern as written in code, read statically. */
export interface PatternFact {
  /** What the code says, for messages. */
  readonly text: string;
  readonly range: Range;
  /** The pattern, or null when it could not be read (see `unresolved`). */
  readonly pattern: ParsedPattern | null;
  readonly unresolved: string | null;
  readonly interpolations: readonly Interpolation[];
  /** Names of `{name}` placeholders written in the pattern's text (filled at run time by the decorators). */
  readonly placeholders: readonly string[];
  /** `cacheKeys.pattern('quotesList', { tenantId })`: resolved against the registry by the checks. */
  readonly registryRef: { readonly name: string; readonly params: readonly string[]; readonly isKey: boolean } | null;
  /** Text inside a string literal (so a fix can replace it), as opposed to a template or a reference. */
  readonly isLiteral: boolean;
  /**
   * The pattern is a parameter of the enclosing function, named here: a wrapper such as
   * `deletePattern(pattern) { return cache.deletePattern(pattern) }`, whose callers say the pattern.
   */
  readonly forwardedBy: string | null;
  /** Unreadable because it is one value of the request as a whole (`ctx.get('authorization')`, a parameter), not a key built elsewhere. */
  readonly isRuntimeValue?: boolean;
}

export type InvalidationKind = 'pattern' | 'key' | 'tag' | 'path';

/** A cache library whose delete takes exact keys, never a glob (`redis.del(k)`, `cache.del(k)`, `keyv.delete(k)`). */
export type ExactDeleteClient = 'redis' | 'cache-manager' | 'keyv';

export interface Invalidation {
  readonly via: 'decorator' | 'middleware' | 'call';
  /** The decorator or function name as written. */
  readonly name: string;
  readonly kind: InvalidationKind;
  readonly patterns: readonly PatternFact[];
  /** Behind an `if`, `?:`, `&&`, `catch`… in the handler: a deliberate, data-dependent strategy. */
  readonly isConditional: boolean;
  /** Runs later (an event listener): counted, and marked. */
  readonly isDeferred: boolean;
  /** The library of the exact-key delete this is, where the call's receiver is known to be its client. */
  readonly client?: ExactDeleteClient;
  /** A delete on a collection the process keeps (`new Map()`, an LRU): it clears no shared cache's key. */
  readonly isInProcess?: boolean;
  /** A clear of every key made in a function whose name says so (`flush()`, `resetCache()`, `clearAll()`): broad on purpose. */
  readonly isNamedFlush?: boolean;
  readonly range: Range;
  /** Helpers followed to reach it, outermost first (`QuotesService.create`, `invalidateQuotes`). */
  readonly through: readonly string[];
  /** The file that holds it, when it is not the handler's file. */
  readonly file: string | null;
  /** The branches of the handler's code it runs under (`armsWithin` in `src/analysis/effects/paths.ts`); none: every path. */
  readonly arms?: readonly string[];
}

/**
 * The names handlers carry (`RouteHandler.framework`). Each framework module declares its own by
 * merging them into this interface (`declare module '../facts.js'`), so that a framework is named in
 * its module alone. (`@public`: knip does not count a merge as a use.)
 *
 * @public
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the framework modules (declaration merging)
export interface FrameworkNames {}

export type Framework = keyof FrameworkNames;

export interface RouteHandler {
  readonly framework: Framework;
  /** HTTP method in upper case, `MUTATION` / `QUERY` for GraphQL and tRPC, `ACTION` for server actions and route-module actions, `ALL` for catch-alls. */
  readonly method: string;
  readonly isMutation: boolean;
  /** Route path as written (`/quotes/:id`), or null. */
  readonly path: string | null;
  /** `QuotesController.create`, `POST /quotes`, … for messages. */
  readonly name: string;
  /** Where findings about the handler as a whole are reported. */
  readonly nameRange: Range;
  readonly invalidations: readonly Invalidation[];
  /** Resources from `@Mutates(…)`, or null when the decorator is absent. */
  readonly declaredResources: readonly string[] | null;
  /** `@NoCacheInvalidation('reason')`. */
  readonly exception: { readonly reason: string; readonly range: Range } | null;
  /** Calls into code this pass cannot see (another file without type information). */
  readonly opaqueCalls: readonly string[];
  /** A tenant id is in scope (a parameter or variable of a configured name). */
  readonly hasTenantInScope: boolean;
  /** The model writes of the handler's code (ORM writes, hooks included), once per model, change, fields and branches. */
  readonly writes: readonly ModelWrite[];
}

/** The one row a read or write selects by a field whose value the code says (`where: { key: 'BENCHMARKS' }`). */
export interface ModelRow {
  readonly field: string;
  readonly value: string;
}

/** A write of a model: which, what it does to the rows, and the fields it changes (null: unknown, or whole rows). */
export interface ModelWrite {
  readonly model: string;
  readonly change: WriteChange;
  readonly fields: readonly string[] | null;
  readonly row: ModelRow | null;
  /** Made only on some paths of a function the handler calls (`if (billing)` in a shared helper): the handler may never take it. */
  readonly isOnHelperBranch?: boolean;
  /** The branches of the handler's code it is made under, as for an invalidation; none: every path. */
  readonly arms?: readonly string[];
  /** Where the write is made: the call of the data layer, in whatever file holds it. */
  readonly site?: SiteRange;
  /**
   * The keys a called function reads from the cache before it makes this write on one of its
   * paths (a row created on a miss, a hash migrated while authenticating): the write is part of
   * filling those keys, and stales none of them.
   */
  readonly fillsKeys?: readonly string[];
  /** A delete the database makes by cascade (a Prisma relation's `onDelete: Cascade`): the models it runs through, the deleted one first. */
  readonly cascade?: readonly string[];
  /**
   * A write of a relation's join rows (TypeORM's `relation('channels').of(id).add(ids)`): it changes
   * the rows a read returns only where the read loads that relation, which a read's options may not
   * say (an eager relation).
   */
  readonly relation?: string;
  /**
   * The fields of a created row whose values the code makes new (`id: newId('key')`, `keyId` of a
   * key created just before): no entry can hold the row by them yet (see `freshFields`).
   */
  readonly freshFields?: readonly string[];
}

/** A read of a model by a family's loader: point lookup or list, and the fields it depends on (null: unknown, or all). */
export interface ModelRead {
  readonly model: string;
  readonly lookup: ReadLookup;
  readonly fields: readonly string[] | null;
  readonly row: ModelRow | null;
  /** Fields a list's filter holds to a value written in the code (`isBlueprint: true`): the rows it can hold. */
  readonly pinned?: readonly string[];
  /**
   * A list filtered in a way the audit does not read (a query builder's `where('…')`, or one handed
   * to callers that may refine it): like a list with pinned fields, it may not hold a row written.
   */
  readonly hasUnreadFilter?: boolean;
  /** Made on a branch of a function the loader calls (a generic helper's case): the entry may not hold it. */
  readonly isOnHelperBranch?: boolean;
  /**
   * Rows of a one-to-many relation loaded beside the rows found (Drizzle's `with: { roles: true }`):
   * a row created in that relation belongs to a parent the code does not show to be a cached one.
   */
  readonly isRelated?: boolean;
  /**
   * The relations by which a read loads its rows beside the row it finds (`['keyAuth']` of Drizzle's
   * `with: { keyAuth: true }`, `['roles', 'role']` nested): the property path to them in the value.
   */
  readonly via?: readonly string[];
  /** The model whose relation loads a related list (`Keys` for a key read `with: { ratelimits: true }`). */
  readonly parent?: string;
  /** The fields by which a row joins that parent's list, where the project's schema says them (`project`, `projectId`). */
  readonly joinedBy?: readonly string[];
  /**
   * Its fields are those the loader is seen to use of the row (`conn.siteUrl`), not a selection the
   * read makes: the loader makes its value from them rather than handing on the row.
   */
  readonly hasFieldsByUse?: boolean;
  /**
   * The fields the code uses of the entry where it reads it, for a loader that hands the row to the
   * cache whole (see `readerFields`): an update of none of them changes nothing those readers see.
   */
  readonly readerFields?: readonly string[];
}

/** A place in the code, in a file of its own. */
export interface SiteRange {
  readonly file: string;
  readonly range: Range;
}

/** Where a cache entry is written, with the expiry that write gives it (in seconds; null when unknown). */
export interface CacheFill extends SiteRange {
  readonly ttl: number | null;
  /** It stores the value only where the read found one (`if (link) redis.set(…)`): it never keeps a miss. */
  readonly isOnlyFound?: boolean;
}

/** A key read from a shared cache that is runtime values only (`${scope}:${id}`): no family is made of it. */
export interface UnnamedKey extends SiteRange {
  readonly key: string;
}

/** A key family the code reads through the cache, and the models its loader reads (none when none is visible). */
export interface CacheFamily {
  /** The key as written, with holes (`website:{websiteId}`). */
  readonly key: string;
  readonly models: readonly string[];
  /** How the loader reads each of `models`. */
  readonly loads: readonly ModelRead[];
  /** Where it is read: the call in the function that reads (a wrapper's call, not the wrapper's inside). */
  readonly file: string;
  readonly range: Range;
  /** The expiry its fills give it, in seconds: the longest, when every fill says one; null otherwise. */
  readonly ttl: number | null;
  /** Where the read's entry is written: the loading read itself (`wrap(key, loader, ttl)`), or the fill after a miss. */
  readonly fills: readonly CacheFill[];
  /**
   * Filled by a mutation with what it has just written (`prisma.brand.create(…)`, then
   * `redis.set(\`brand:logo:${teamId}\`, logo)`), read elsewhere with no loader: a copy of the
   * models written, told by where it is filled (`file` and `range` are the fill), not by a loader.
   */
  readonly isProjection?: boolean;
  /** A Next.js cache tag (`cacheTag('posts')` in a `'use cache'` function): cleared by `updateTag` or `revalidateTag`. */
  readonly isTag?: boolean;
  /** The tags its read gives the entry (BentoCache's `getOrSet({ key, tags })`): a delete by any of them clears it too. */
  readonly tags?: readonly string[];
  /** The call that clears it, where it is not a delete of its key (see `CallEffect`). */
  readonly clearedBy?: string;
  /** Kept in one process's memory by the object read (see `CallEffect`): only a call on it clears it. */
  readonly isLocal?: boolean;
  /**
   * The cached function a memoizer of the project makes (`cacheable(getProject, 60)`): its value
   * goes to callers all over the project, which the audit does not read.
   */
  readonly isMemoized?: boolean;
  /** A GraphQL query's response kept by a response cache that invalidates what mutations return: every GraphQL mutation clears it. */
  readonly isClearedByMutations?: boolean;
  /** A GET's response kept by a `CacheInterceptor`, keyed by its path or `@CacheKey`. */
  readonly isResponse?: boolean;
}

/** A GET that a `CacheInterceptor` registered for the whole application caches: its family, and the path it is keyed by (null: by its `@CacheKey`). */
export interface InterceptedGet {
  readonly family: CacheFamily;
  readonly path: string | null;
  /** A GraphQL query, which a response cache keeps (see `GlobalCacheSetup.queryCache`), not a GET. */
  readonly isQuery?: boolean;
}

/** What a file sets up for every request of a NestJS application (see `globalCacheSetup`). */
export interface GlobalCacheSetup {
  /** Whether it registers `CacheInterceptor` as an `APP_INTERCEPTOR`: every GET is cached. */
  readonly cachesGets: boolean;
  /** The prefix of every path (`app.setGlobalPrefix('api')`), or null. */
  readonly prefix: string | null;
  /** A GraphQL response cache (`useResponseCache`): every query's response is kept; `byMutation`, what a mutation returns is invalidated. */
  readonly queryCache?: { readonly byMutation: boolean } | null;
}

/** A key the code reads, fills or keeps: its pattern (holes for runtime values), or null with its text when unreadable. */
export interface StoredKey {
  readonly pattern: ParsedPattern | null;
  readonly text: string;
}

/** A place the code reads the cache (`@Cacheable('quotesList')`, `cache.get(...)`). */
export interface CacheRead {
  readonly name: string | null;
  readonly key: PatternFact | null;
  readonly range: Range;
}

export interface FileFacts {
  readonly file: string;
  readonly handlers: readonly RouteHandler[];
  /** Invalidations outside any handler (in services, helpers): checked for their patterns. */
  readonly otherInvalidations: readonly Invalidation[];
  readonly reads: readonly CacheRead[];
  /** Cache families read in this file (cache-aside or a loading read) whose loaders read models. */
  readonly families: readonly CacheFamily[];
  /** The GETs of its controllers that a global `CacheInterceptor` would cache: families in a project that registers one. */
  readonly interceptedGets?: readonly InterceptedGet[];
  /** Whether the file imports a framework or cache API, so that the checks apply to it. */
  readonly isRelevant: boolean;
  /** The keys the file's code reads, fills or keeps in Redis (when asked for: the CLI's wrong-key and dead-family). */
  readonly storedKeys?: readonly StoredKey[];
  /** The keys it reads from a shared cache that are runtime values only (asked for with the stored keys). */
  readonly unnamedKeys?: readonly UnnamedKey[];
}
