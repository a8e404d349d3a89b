import { isProved, staleFamilies, staleMessageData } from '../src/analysis/checks/stale-families.js';
import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  id: 'possibly-stale-family',
  meta: {
    type: 'suggestion',
    description: 'Require mutation handlers to invalidate the cached families they likely leave stale, where the code does not prove it',
    recommended: true,
    requiresRegistry: false,
    hasSuggestions: true,
    messages: {
      stale:
        '{{handler}} may leave {{count}} stale: {{families}}.{{details}}\nInvalidate {{them}}, or {{exception}} if {{they}} need not be fresh.',
      addPattern: "Add @InvalidateCachePattern('{{pattern}}').",
    },
  },
  check(input, report) {
    // The handlers `require-dependent-invalidation` does not report: every family they leave stale
    // is only likely (a write on one branch of a helper, a resource the route names, a family
    // filled by a mutation, a filtered list) or short-lived by the team's configured bound.
    for (const [handler, { stale, suggestions }] of staleFamilies(input)) {
      if (!isProved(stale)) report('stale', handler.nameRange, staleMessageData(handler, stale), suggestions);
    }
  },
});
