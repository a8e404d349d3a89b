import { defineProjectRule } from '../src/analysis/rule.js';

export default defineProjectRule({
  id: 'unused-key',
  meta: {
    description: 'A registered key that nothing reads or invalidates',
    level: 'warning',
    messages: {
      unused: 'The key `{{key}}` ({{template}}) is registered, but nothing reads or invalidates it: remove it, or use it.',
    },
  },
});
