import type { FileContext, FileSurface, RouteCode } from '../context.js';
import type { Framework, RouteHandler } from '../facts.js';
import type { AnalysisOptions } from '../options.js';

/**
 * A framework, declared once: the packages its handlers are written with, the cheap test of the
 * files that can hold them (their path, their imports, the words of their text), and the
 * recogniser that finds them in a parsed file. Everything else derives from the list of them
 * (`FRAMEWORKS` in frameworks/index.ts): which files are read, which are extracted, in what order.
 */
export interface FrameworkModule {
  readonly id: string;
  /** The packages its handlers are written with (none for a framework known by its file conventions alone). */
  readonly packages: readonly string[];
  /**
   * Whether a file can hold its handlers, by its path, its imports or the words of its text: run on
   * every file before any walk (on a surface read from the text alone in the CLI), so that unrelated
   * files cost nothing. Conservative: never false for a file whose extraction finds a handler.
   */
  mayHold(file: FileSurface, options: AnalysisOptions): boolean;
  /** The handlers of a file (one that `mayHold`). */
  extract(ctx: FileContext): RouteHandler[];
  /**
   * Whether the file's handlers take their names from what other files say of them (a tRPC router
   * mounts the procedures of other files): such files are extracted together.
   */
  readonly isReadWithOthers?: (file: FileSurface) => boolean;
  /**
   * The kinds of handler it gives (`RouteHandler.framework`) that are decorated class methods: a
   * decorator states their exception (`@NoCacheInvalidation`) and a fix adds one (`@InvalidateCachePattern`).
   */
  readonly decoratedKinds?: readonly Framework[];
  /**
   * For a framework that routes by the place of a file in the tree: the URL path a file serves, and
   * the code it runs for a method. The app's own requests (`fetch('/api/revalidate')`) are followed
   * to it.
   */
  readonly fileRoutes?: FileRoutes;
}

/** How a framework's files serve URL paths by their place in the tree (see `FrameworkModule.fileRoutes`). */
export interface FileRoutes {
  /** The path a file serves, dynamic segments written `[id]`, a rest `[...slug]` (`[[...slug]]` when optional); null: none. */
  path(file: string): string | null;
  /** What the file runs for a request of `method`, labelled `label`; nothing when the analysis cannot see it. */
  code(ctx: FileContext, method: string, label: string): RouteCode[];
}
