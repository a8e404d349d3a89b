import { defineProjectRule } from '../src/analysis/rule.js';

export default defineProjectRule({
  id: 'undeclared-dependency',
  meta: {
    description: 'A registered key whose loaders read models its dependsOn does not name',
    level: 'note',
    messages: {
      undeclared:
        'The code loads `{{key}}` ({{template}}) from {{models}} (read at {{reads}}), but its dependsOn names {{dependsOn}}: a change to {{models}} leaves it stale unless something else invalidates it. Add them (`dependsOn: [{{suggestion}}]`) if the key shows their data.',
    },
  },
});
