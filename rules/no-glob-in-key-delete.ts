import { globInExactKey, keyText } from '../src/analysis/checks/helpers.js';
import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  id: 'no-glob-in-key-delete',
  meta: {
    type: 'problem',
    description: 'Disallow glob patterns in deletes that take exact keys',
    recommended: true,
    requiresRegistry: false,
    messages: {
      glob: '{{call}}() deletes the one key named `{{key}}`, a literal `{{glob}}` included: it takes no pattern, so the keys `{{key}}` seems to match stay cached. Delete them with a SCAN-based delete, or with deletePattern() of @cache-audit/runtime.',
    },
  },
  check(input, report) {
    for (const site of input.facts.otherInvalidations) {
      for (const fact of site.patterns) {
        const glob = globInExactKey(site, fact);
        if (glob === null || !fact.pattern) continue;
        report('glob', fact.range, { call: site.name, key: keyText(fact.pattern), glob });
      }
    }
  },
});
