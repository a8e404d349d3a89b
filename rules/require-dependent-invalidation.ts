import { isProved, staleFamilies, staleMessageData } from '../src/analysis/checks/stale-families.js';
import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  id: 'require-dependent-invalidation',
  meta: {
    type: 'problem',
    description: 'Require mutation handlers to invalidate every key that depends on the resource they change',
    recommended: true,
    requiresRegistry: false,
    hasSuggestions: true,
    messages: {
      stale:
        '{{handler}} leaves {{count}} stale: {{families}}.{{details}}\nInvalidate {{them}}, or {{exception}} if {{they}} need not be fresh.',
      addPattern: "Add @InvalidateCachePattern('{{pattern}}').",
    },
  },
  check(input, report) {
    // The handlers whose findings the code proves; the others are `possibly-stale-family`'s.
    for (const [handler, { stale, suggestions }] of staleFamilies(input)) {
      if (isProved(stale)) report('stale', handler.nameRange, staleMessageData(handler, stale), suggestions);
    }
  },
});
