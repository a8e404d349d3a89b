import type { RuleId } from '../catalogue.js';
import type { RuleCheck } from '../checks.js';
import { check as requireInvalidation } from './require-invalidation.js';
import { check as requireDependentInvalidation } from './require-dependent-invalidation.js';
import { check as noBroadPattern } from './no-broad-pattern.js';
import { check as patternInRegistry } from './pattern-in-registry.js';
import { check as validPattern } from './valid-pattern.js';
import { check as noInvalidationInQuery } from './no-invalidation-in-query.js';
import { check as noRedundantInvalidation } from './no-redundant-invalidation.js';
import { check as noUnescapedPatternInterpolation } from './no-unescaped-pattern-interpolation.js';
import { check as requireTenantScope } from './require-tenant-scope.js';

/** The check of every rule, one module each, by rule id. */
export const CHECKS: Readonly<Record<RuleId, RuleCheck>> = {
  'require-invalidation': requireInvalidation,
  'require-dependent-invalidation': requireDependentInvalidation,
  'no-broad-pattern': noBroadPattern,
  'pattern-in-registry': patternInRegistry,
  'valid-pattern': validPattern,
  'no-invalidation-in-query': noInvalidationInQuery,
  'no-redundant-invalidation': noRedundantInvalidation,
  'no-unescaped-pattern-interpolation': noUnescapedPatternInterpolation,
  'require-tenant-scope': requireTenantScope,
};
