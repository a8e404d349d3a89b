/**
 * Every rule, one definition each: the ESLint plugin's rules and configs, the CLI's checks, the
 * reports' catalogue and the docs index all come from these two lists.
 */
import noBroadPattern from './no-broad-pattern.js';
import noGlobInKeyDelete from './no-glob-in-key-delete.js';
import noInvalidationInQuery from './no-invalidation-in-query.js';
import noRedundantInvalidation from './no-redundant-invalidation.js';
import noUnescapedPatternInterpolation from './no-unescaped-pattern-interpolation.js';
import patternInRegistry from './pattern-in-registry.js';
import requireDependentInvalidation from './require-dependent-invalidation.js';
import possiblyStaleFamily from './possibly-stale-family.js';
import requireInvalidation from './require-invalidation.js';
import requireTenantScope from './require-tenant-scope.js';
import validPattern from './valid-pattern.js';
import deadFamily from './dead-family.js';
import deadInvalidation from './dead-invalidation.js';
import staleKey from './stale-key.js';
import undeclaredDependency from './undeclared-dependency.js';
import unresolved from './unresolved.js';
import unusedKey from './unused-key.js';
import wrongKey from './wrong-key.js';

/** The rules of one file's facts: the ESLint plugin's, which the CLI runs on every file too. */
export const RULES = [
  requireInvalidation,
  requireDependentInvalidation,
  possiblyStaleFamily,
  noBroadPattern,
  patternInRegistry,
  validPattern,
  noInvalidationInQuery,
  noRedundantInvalidation,
  noUnescapedPatternInterpolation,
  requireTenantScope,
  noGlobInKeyDelete,
] as const;

export type RuleId = (typeof RULES)[number]['id'];

/** The findings of the whole project, which the CLI alone makes. */
export const PROJECT_RULES = [staleKey, unusedKey, undeclaredDependency, wrongKey, deadFamily, deadInvalidation, unresolved] as const;
