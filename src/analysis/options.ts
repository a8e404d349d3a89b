import picomatch from 'picomatch';
import type * as Zod from 'zod';
import { requirePackage } from '../ts/require-package.cjs';

/** Decorators that invalidate (on a method or on its class). */
const DEFAULT_DECORATORS = ['InvalidateCachePattern', 'InvalidateCache', 'CacheEvict', 'CacheClear', 'invalidateMultiple'];

/** Calls that invalidate, anywhere in a handler (`*` is a wildcard in a name). */
const DEFAULT_CALLS = ['deletePattern', 'delPattern', 'invalidate*', 'revalidateTag', 'revalidatePath', 'updateTag', 'expireTag'];

/** Calls that invalidate only on a cache-like receiver (`this.cache.del(key)`, `redis.unlink(k)`). */
const DEFAULT_RECEIVER_CALLS = ['del', 'unlink', 'mdel', 'delete', 'set', 'mset', 'reset'];

/** Functions that make a runtime value safe inside a pattern. */
const DEFAULT_ESCAPE_FUNCTIONS = ['escapeGlob', 'escapeRedisPattern', 'escapePattern', 'escapeGlobPattern'];

const DEFAULT_TENANT_NAMES = ['tenantId', 'tenant', 'tenantSlug', 'orgId', 'organizationId', 'accountId', 'workspaceId'];

/**
 * The zod module, loaded with `require` when a configuration is first read: its ES module build is
 * a quarter of the ESLint plugin's load time otherwise. The same instance builds the schema and its
 * JSON Schema (descriptions live in its registry).
 */
export function zod(): typeof Zod {
  return requirePackage('zod') as typeof Zod;
}

/** The options of `require-dependent-invalidation`, which `possibly-stale-family` reads too. */
function dependentOptionsSchema(z: typeof Zod.z) {
  const seconds = (description: string) => z.number().nonnegative().optional().describe(description);
  return z
    .object({
      shortTtlSeconds: seconds(
        'A family whose ttl is at most this many seconds is short-lived by choice: its findings are possibly-stale-family warnings, in the CLI and ESLint alike. No bound by default.',
      ),
      expiryByDesignSeconds: seconds(
        'A family that no code of the project deletes or overwrites, in a project that clears other keys, whose entries expire within this many seconds, is left to expire by design: mutations that change its data are not reported. 60 by default; 0 judges every family.',
      ),
    })
    .strict();
}

function buildConfigSchema(z: typeof Zod.z) {
  const names = (description: string) => z.array(z.string().min(1)).describe(description);

  /** Options of the rules that have some, in the shared configuration file. */
  const ruleOptionsSchema = z
    .object({
      'no-broad-pattern': z
        .object({ allow: names('Patterns (as written) that are broad on purpose.').optional() })
        .strict()
        .optional(),
      'require-dependent-invalidation': dependentOptionsSchema(z).optional(),
    })
    .strict()
    .describe('Per-rule options (the ESLint rule options take precedence in ESLint).');

  /** The shared configuration of the ESLint rules and the CLI: the one schema of truth. */
  return z
    .object({
      $schema: z.string().optional().describe('Path or URL of this schema, for editors.'),
      registry: z.string().min(1).optional().describe('Path of the cache-key registry file, relative to this configuration file.'),
      mode: z
        .enum(['inference', 'policy'])
        .optional()
        .describe(
          'inference (default): a mutation is reported where it writes data a cache family holds and invalidates none of it. policy: besides, every mutation must invalidate something or state its exception.',
        ),
      decorators: names('Names of decorators that invalidate the cache; replaces the defaults.').optional(),
      additionalDecorators: names('Names of decorators that invalidate, added to the defaults.').optional(),
      calls: names('Names of functions or methods that invalidate (`*` matches any text); replaces the defaults.').optional(),
      additionalCalls: names('Names of functions or methods that invalidate, added to the defaults.').optional(),
      receiverCalls: names('Methods that invalidate when called on a cache-like receiver (a name containing cache or redis).').optional(),
      cacheReceivers: names('Receiver names that count as a cache, besides names containing cache or redis.').optional(),
      escapeFunctions: names('Functions whose result is safe to interpolate into a pattern.').optional(),
      routerReceivers: names('Identifiers that are routers or apps (`app.post(…)`), besides the ones created in the file.').optional(),
      mutationMethods: z
        .array(z.enum(['POST', 'PUT', 'PATCH', 'DELETE', 'ALL']))
        .optional()
        .describe('HTTP methods that count as mutations (default POST, PUT, PATCH, DELETE, ALL).'),
      readOnlyRoutes: names(
        'Route path globs served over a mutation method that change nothing (`/documents.list`, `/**/search`).',
      ).optional(),
      ignores: names('File globs, relative to this configuration file, that the checks skip.').optional(),
      routeResources: z
        .record(z.string(), z.array(z.string().min(1)))
        .optional()
        .describe('Route path glob → the registry resources its mutations write, where the path does not say.'),
      tests: z
        .boolean()
        .optional()
        .describe(
          'Audit test files too (`*.test.*`, `*.spec.*`, `*.e2e.*`, `*.e2e-spec.*`, `*.servertest.*`, `__tests__/`, `__e2e__/`, `__mocks__/`, `e2e/`, `test/`, `tests/`, `cypress/`); off by default.',
        ),
      tenantNames: names('Names of parameters and variables that hold the tenant (for require-tenant-scope).').optional(),
      maxHelperDepth: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe(
          'How many calls deep effects are followed; deeper ones count as calls that cannot be followed (default: the whole call graph).',
        ),
      rules: ruleOptionsSchema.optional(),
    })
    .strict();
}

let schema: ReturnType<typeof buildConfigSchema> | undefined;

/** The shared configuration of the ESLint rules and the CLI: the one schema of truth, built on first use. */
export function configSchema(): ReturnType<typeof buildConfigSchema> {
  schema ??= buildConfigSchema(zod().z);
  return schema;
}

export type CacheAuditConfig = Zod.z.infer<ReturnType<typeof buildConfigSchema>>;

/** Options of one analysis, with defaults applied. */
export interface AnalysisOptions {
  /** `policy`: every mutation invalidates or states its exception; `inference`: only what a write proves stale. */
  readonly mode: 'inference' | 'policy';
  readonly decorators: ReadonlySet<string>;
  /** Call names without wildcards, for a quick test before the globs. */
  readonly callNames: ReadonlySet<string>;
  readonly callGlobs: readonly RegExp[];
  /** The literal text before the first wildcard of each glob (3+ characters), for the text gate. */
  readonly callGlobLiterals: readonly string[];
  readonly receiverCalls: ReadonlySet<string>;
  readonly cacheReceivers: ReadonlySet<string>;
  readonly escapeFunctions: ReadonlySet<string>;
  readonly routerReceivers: ReadonlySet<string>;
  readonly mutationMethods: ReadonlySet<string>;
  readonly readOnlyRoutes: readonly RegExp[];
  readonly routeResources: readonly { readonly path: RegExp; readonly resources: readonly string[] }[];
  readonly tenantNames: ReadonlySet<string>;
  readonly maxHelperDepth: number;
}

/**
 * A glob over names or paths (picomatch): `*` any text within a `/` segment (names have none),
 * `**` any segments, `?` one character; whole-string match, dot files included.
 */
export function globToRegExp(glob: string): RegExp {
  return picomatch.makeRe(glob, { dot: true });
}

export function resolveOptions(config: CacheAuditConfig = {}): AnalysisOptions {
  const calls = [...(config.calls ?? DEFAULT_CALLS), ...(config.additionalCalls ?? [])];
  const globs = calls.filter((name) => /[*?]/.test(name));
  return {
    mode: config.mode ?? 'inference',
    decorators: new Set([...(config.decorators ?? DEFAULT_DECORATORS), ...(config.additionalDecorators ?? [])]),
    callNames: new Set(calls.filter((name) => !/[*?]/.test(name))),
    callGlobs: globs.map((name) => globToRegExp(name)),
    callGlobLiterals: globs.map((name) => name.split(/[*?]/)[0] ?? '').filter((literal) => literal.length > 2),
    receiverCalls: new Set(config.receiverCalls ?? DEFAULT_RECEIVER_CALLS),
    cacheReceivers: new Set(config.cacheReceivers ?? []),
    escapeFunctions: new Set(config.escapeFunctions ?? DEFAULT_ESCAPE_FUNCTIONS),
    routerReceivers: new Set(config.routerReceivers ?? []),
    mutationMethods: new Set(config.mutationMethods ?? ['POST', 'PUT', 'PATCH', 'DELETE', 'ALL']),
    readOnlyRoutes: (config.readOnlyRoutes ?? []).map((glob) => globToRegExp(normalizeRoute(glob))),
    routeResources: Object.entries(config.routeResources ?? {}).map(([glob, resources]) => ({
      path: globToRegExp(normalizeRoute(glob)),
      resources,
    })),
    tenantNames: new Set(config.tenantNames ?? DEFAULT_TENANT_NAMES),
    maxHelperDepth: config.maxHelperDepth ?? Number.POSITIVE_INFINITY,
  };
}

/** `quotes/:id/` → `/quotes/:id`. */
function normalizeRoute(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const withSlash = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  return withSlash.replace(/\/{2,}/g, '/');
}
