/** What went wrong, for a warning: each kind is warned about at most once per interval. */
export type FailureKind = 'invalidation' | 'partial-delete' | 'fill' | 'read';

/** How often each kind of failure may warn, in milliseconds. */
const WARNING_INTERVAL_MS = 60_000;

const CODES: Readonly<Record<FailureKind, string>> = {
  invalidation: 'CACHE_AUDIT_INVALIDATION_FAILED',
  'partial-delete': 'CACHE_AUDIT_PARTIAL_DELETE',
  fill: 'CACHE_AUDIT_FILL_FAILED',
  read: 'CACHE_AUDIT_READ_FAILED',
};

interface WarningHost {
  readonly process?: { readonly emitWarning?: (message: string, options: { type: string; code: string }) => void };
}

/**
 * `process.emitWarning` (which Node prints to stderr unless told otherwise), or `console.warn`
 * where there is no `process` (edge runtimes, browsers).
 */
export function emitCacheWarning(message: string, kind: FailureKind): void {
  const host: WarningHost = globalThis;
  const emit = host.process?.emitWarning;
  if (typeof emit === 'function') emit.call(host.process, message, { type: 'CacheAuditWarning', code: CODES[kind] });
  else console.warn(`CacheAuditWarning [${CODES[kind]}]: ${message}`);
}

/**
 * Warns about failures that would otherwise reach no one, once per kind per interval on the given
 * clock; a warning counts the failures of its kind that were not warned about since the last one.
 */
export function createFailureWarner(now: () => number): (kind: FailureKind, message: string) => void {
  const last = new Map<FailureKind, { at: number; skipped: number }>();
  return (kind, message) => {
    const at = now();
    const previous = last.get(kind);
    if (previous && at - previous.at < WARNING_INTERVAL_MS) {
      previous.skipped++;
      return;
    }
    const skipped = previous?.skipped ?? 0;
    last.set(kind, { at, skipped: 0 });
    const since = skipped > 0 ? ` ${String(skipped)} more failures of this kind followed the previous warning.` : '';
    emitCacheWarning(
      `${message}${since} No logger.error or onError is given to createCache: pass one to see every failure (this warning comes at most once a minute per kind).`,
      kind,
    );
  };
}
