/** The result of `scan`: the data every reporter renders. Versioned: see `RESULT_VERSION`. */
export const RESULT_VERSION = 2;

export type Severity = 'error' | 'warning' | 'note';

export interface ScanFinding {
  readonly ruleId: string;
  readonly severity: Severity;
  /** One line: what is wrong. */
  readonly message: string;
  /** Lines that prove it, below the message (each stale family a handler leaves, with its proof). */
  readonly details?: readonly string[];
  /** Relative to the scanned root, with `/`. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** Helpers followed to reach what the finding is about (`QuotesService.remove`). */
  readonly via: readonly string[];
  /** Stable across moved lines: the rule, the file, the text of the line, its occurrence. */
  readonly fingerprint: string;
}

export interface ScanDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type Cell = 'full' | 'tenant' | 'partial' | 'none';

/** A handler's verdict: it invalidates, states an exception, invalidates nothing, cannot be followed, or only reads. */
export type HandlerStatus = 'invalidates' | 'exception' | 'none' | 'unknown' | 'read';

export interface MatrixInvalidation {
  /** The pattern or key, as read (holes in braces), or what the code says when it cannot be read. */
  readonly pattern: string;
  /** The registry key it covers, when one does. */
  readonly family: string | null;
  readonly kind: 'pattern' | 'key' | 'tag' | 'path';
  /** Functions followed to reach it, outermost first. */
  readonly through: readonly string[];
  readonly isDeferred: boolean;
  readonly isConditional: boolean;
}

export interface MatrixRow {
  readonly handler: string;
  readonly method: string;
  readonly path: string | null;
  readonly file: string;
  readonly line: number;
  /** One cell per key of `matrix.keys`. */
  readonly cells: readonly Cell[];
  readonly exception: string | null;
  readonly status: HandlerStatus;
  readonly invalidations: readonly MatrixInvalidation[];
}

/** A key family found in the code: its key, the models its loaders read, its expiry, where it is read and filled. */
export interface InferredFamily {
  readonly key: string;
  readonly models: readonly string[];
  /** Seconds, when every fill says one (the longest); null when a fill sets none or it cannot be read. */
  readonly ttl: number | null;
  readonly reads: readonly { readonly file: string; readonly line: number }[];
  readonly fills: readonly { readonly file: string; readonly line: number; readonly ttl: number | null }[];
}

export interface ScanResult {
  readonly version: typeof RESULT_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly root: string;
  readonly registry: {
    readonly file: string;
    readonly prefix: string;
    readonly keys: readonly {
      readonly name: string;
      readonly template: string;
      readonly ttl: number | null;
      readonly dependsOn: readonly string[];
    }[];
  } | null;
  /** The configuration file, relative to the root; null when there is none and the defaults apply. */
  readonly configuration: string | null;
  /**
   * How mutations are judged: `inference` (the default: an error proves a write, a cached family
   * that holds it, and no invalidation of it) or `policy` (besides, every mutation invalidates or
   * states its exception). Absent in the combined result of a monorepo, whose applications say theirs.
   */
  readonly mode?: 'inference' | 'policy';
  /** Key families the code reads through the cache, with the models their loaders read (inferred). */
  readonly families: readonly InferredFamily[];
  /**
   * Keys the code reads from a shared cache that are runtime values only (`{scope}:{id}`), once per
   * key where first read: the audit cannot tell what they hold. Absent when there are none.
   */
  readonly unnamedKeys?: readonly { readonly key: string; readonly file: string; readonly line: number }[];
  readonly tsconfigs: readonly string[];
  readonly filesScanned: number;
  readonly findings: readonly ScanFinding[];
  /** Inputs that could not be read as they are (syntax errors, binary files, a broken tsconfig). */
  readonly diagnostics: readonly ScanDiagnostic[];
  readonly matrix: {
    readonly keys: readonly string[];
    readonly rows: readonly MatrixRow[];
    /** Where each key is read (cached). */
    readonly reads: Readonly<Record<string, readonly { readonly file: string; readonly line: number }[]>>;
  };
  readonly coverage: { readonly mutations: number; readonly covered: number; readonly ratio: number | null };
  readonly durationMs: number;
  /**
   * A monorepo root: the applications audited, each on its own (its configuration, registry and
   * matrix); the findings above are theirs, with files relative to the monorepo root. Absent for one project.
   */
  readonly apps?: readonly ApplicationResult[];
}

/** One application of a monorepo, as audited; its files relative to the monorepo root. */
export interface ApplicationResult extends Pick<
  ScanResult,
  'registry' | 'configuration' | 'families' | 'tsconfigs' | 'filesScanned' | 'matrix' | 'coverage' | 'durationMs'
> {
  /** The package name, or the directory when it has none. */
  readonly name: string;
  /** The application's directory, relative to the monorepo root, with `/`. */
  readonly path: string;
  /** How it was found: its own configuration file, a workspace package, an apps/ or packages/ directory, a referenced tsconfig. */
  readonly foundBy: 'configuration' | 'workspace' | 'layout' | 'tsconfig';
}

export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { note: 0, warning: 1, error: 2 };

/** The one order of findings every reporter uses: file, line, column, rule. */
export function compareFindings(a: ScanFinding, b: ScanFinding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.message.localeCompare(b.message)
  );
}
