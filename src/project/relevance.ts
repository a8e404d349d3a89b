import { relevance, surfaceOf, textRelevance } from '../analysis/extract.js';
import { importSpecifiers } from '../ts/imports.js';

export { importSpecifiers };
import { CASCADE_MARKER } from '../analysis/code-cascades.js';
import { LISTENER_MARKER } from '../analysis/listeners.js';
import { MOUNT_MARKER } from '../analysis/frameworks/mounts.js';
import type { AnalysisOptions } from '../analysis/options.js';
import { SOURCES } from '../analysis/sources/index.js';
import { TAG_MARKER } from '../analysis/sources/next-cache.js';
import type { TextTest } from '../analysis/sources/source.js';
import { GLOBAL_INTERCEPTOR_MARKER } from '../analysis/frameworks/nestjs.js';

/** Whether a file can matter to the audit, decided from its path and text alone: plain data, cacheable as JSON. */
export interface Relevance {
  /**
   * Whether the file can hold a handler, an invalidation, a cache read or fill, a key used as a lock
   * or counter, an event listener, an ORM hook, a job processor, a global interceptor or a cascading
   * relation. A file that cannot is parsed only when module resolution reaches it from one that can.
   */
  readonly relevant: boolean;
  /**
   * Whether the file can hold what the project-wide lookups read (an invalidation, a cache read or
   * fill, a key used as a lock or counter, a listener, a hook, a processor, a global interceptor, a
   * cascading relation):
   * a scan that follows a change (`--staged`) reads every such file, as a whole run does.
   */
  readonly global: boolean;
  /** The module specifiers the file names after `from`, `import` and `require(` (see `importSpecifiers`). */
  readonly imports: string[];
}

/**
 * The project-wide lookups (listeners, hooks, processors, global interceptors, cascades) read every file
 * whose text matches one of these; each is the test its own module makes first. The key roles read
 * the files whose text can name a cache (`mayNameCache`), which are relevant for their sites already.
 */
const MARKERS: readonly TextTest[] = [
  TAG_MARKER,
  CASCADE_MARKER,
  LISTENER_MARKER,
  GLOBAL_INTERCEPTOR_MARKER,
  MOUNT_MARKER,
  ...SOURCES.flatMap((source) => (source.hookMarker ? [source.hookMarker] : [])),
];

const WORD = /[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/gu;
const WHOLESALE = /\bexport\s*\*|\brequire\b|\bmodule\.exports\b/;

/**
 * What a module's text says of the names it can export: every identifier it writes, or `'any'`
 * when it re-exports another module wholesale (`export * from`, CommonJS), so that the names are
 * not all written in it. A module exports `name` only when it writes it (or `default`).
 */
export function exportableNames(text: string): ReadonlySet<string> | 'any' {
  return WHOLESALE.test(text) ? 'any' : new Set(text.match(WORD));
}

/**
 * Whether a file can matter, from its path and text, before any parse: the same tests the
 * extraction makes on a parsed file (`relevance` in analysis/extract.ts), with the imports read
 * from the text, and the markers of the project-wide lookups. Conservative: when the text could
 * matter, the file is relevant.
 */
export function fileRelevance(file: string, text: string, options: AnalysisOptions): Relevance {
  const imports = importSpecifiers(text);
  const { handlers, sites } = relevance(surfaceOf(file, text, imports), options);
  const global = sites || MARKERS.some((marker) => marker.test(text));
  return { relevant: handlers || global, global, imports };
}

/** Whether a file may hold route handlers, by the same cheap tests (a monorepo's package without any is no application). */
export function mayHoldHandlers(file: string, text: string, options: AnalysisOptions): boolean {
  return textRelevance(file, text, options).handlers;
}
