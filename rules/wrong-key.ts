import { defineProjectRule } from '../src/analysis/rule.js';

export default defineProjectRule({
  id: 'wrong-key',
  meta: {
    description: 'A deletion whose key can match no key the code writes',
    level: 'warning',
    messages: {
      wrongKey:
        '{{call}}() deletes `{{pattern}}`, a key of runtime values only, but no key the code writes can be it{{written}}: the entry it means to clear stays. Delete the key the entry is stored under.',
    },
  },
});
