import { defineProjectRule } from '../src/analysis/rule.js';

export default defineProjectRule({
  id: 'stale-key',
  meta: {
    description: 'A registered key that no mutation invalidates',
    level: 'warning',
    messages: {
      noTtl: 'No mutation invalidates `{{key}}` ({{template}}), and it has no ttl: its cached values never change.',
      ttl: 'No mutation invalidates `{{key}}` ({{template}}): its cached values change only when their {{ttl}} s ttl runs out.',
    },
  },
});
