import { defineProjectRule } from '../src/analysis/rule.js';

export default defineProjectRule({
  id: 'dead-family',
  meta: {
    description: 'A key family that is invalidated but never read or filled',
    level: 'warning',
    messages: {
      deadFamily:
        '{{call}}() invalidates `{{pattern}}`, but nothing in the project reads, fills or keeps a key it matches: the entry it means to clear is stored under another key, or the family is gone.',
    },
  },
});
