import type { CacheRegistry } from '../registry/define.js';
import type { CacheFamily, FileFacts, Invalidation, Range } from './facts.js';
import type { AnalysisOptions } from './options.js';

export interface Fix {
  readonly range: Range;
  readonly text: string;
}

export interface Suggestion {
  readonly messageId: string;
  readonly data: Readonly<Record<string, string>>;
  readonly fixes: readonly Fix[];
}

export interface Finding {
  readonly ruleId: string;
  readonly messageId: string;
  readonly data: Readonly<Record<string, string>>;
  readonly range: Range;
  readonly suggestions: readonly Suggestion[];
}

export interface RuleOptions {
  readonly 'no-broad-pattern'?: { readonly allow?: readonly string[] };
  readonly 'require-dependent-invalidation'?: { readonly shortTtlSeconds?: number; readonly expiryByDesignSeconds?: number };
}

export interface CheckInput {
  readonly facts: FileFacts;
  /** The source text, for fixes. */
  readonly text: string;
  readonly registry: CacheRegistry | null;
  readonly options: AnalysisOptions;
  readonly ruleOptions?: RuleOptions;
  /** The cache families of the project (the file's own when absent), for the checks without a registry. */
  readonly families?: readonly CacheFamily[];
  /**
   * Every invalidation written in the project (`scanSites` of each file), which says the families
   * it leaves to expire (see `isLeftToExpire`); absent: not known, and every family is judged.
   */
  readonly invalidations?: readonly Invalidation[];
  /** How a place in another file reads in a message (`src/posts.ts:12`); the file's base name when absent. */
  readonly locate?: (file: string, offset: number) => string;
}
