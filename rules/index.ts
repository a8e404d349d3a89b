import requireInvalidation from './require-invalidation.js';
import requireDependentInvalidation from './require-dependent-invalidation.js';
import noBroadPattern from './no-broad-pattern.js';
import patternInRegistry from './pattern-in-registry.js';
import validPattern from './valid-pattern.js';
import noInvalidationInQuery from './no-invalidation-in-query.js';
import noRedundantInvalidation from './no-redundant-invalidation.js';
import noUnescapedPatternInterpolation from './no-unescaped-pattern-interpolation.js';
import requireTenantScope from './require-tenant-scope.js';

/** Every rule of the plugin, by id. */
export const rules = {
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
