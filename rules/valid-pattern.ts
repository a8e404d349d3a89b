import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  id: 'valid-pattern',
  meta: {
    type: 'problem',
    description: 'Disallow malformed and suspicious invalidation patterns',
    recommended: true,
    requiresRegistry: false,
    messages: {
      error: 'Malformed pattern `{{pattern}}`: {{message}}',
      warning: 'Suspicious pattern `{{pattern}}`: {{message}}',
      unknownPlaceholder: 'The placeholder `{{placeholder}}` in `{{pattern}}` is not a parameter of any registry key ({{params}}).',
    },
  },
  check(input, report) {
    const { registry } = input;
    const sites = input.facts.otherInvalidations;
    const params = registry ? new Set(registry.entries.flatMap((e) => e.params)) : null;
    for (const site of sites) {
      if (site.kind !== 'pattern') continue;
      for (const fact of site.patterns) {
        const pattern = fact.pattern;
        if (!pattern) continue;
        for (const error of pattern.errors) report('error', fact.range, { pattern: pattern.source, message: error.message });
        for (const warning of pattern.warnings) report('warning', fact.range, { pattern: pattern.source, message: warning.message });
        if (!params || pattern.errors.length > 0) continue;
        for (const name of fact.placeholders) {
          if (params.has(name)) continue;
          report('unknownPlaceholder', fact.range, {
            placeholder: `{${name}}`,
            pattern: pattern.source,
            params: [...params].map((p) => `{${p}}`).join(', ') || 'none',
          });
        }
      }
    }
  },
});
