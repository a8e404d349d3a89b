import { defineProjectRule } from '../src/analysis/rule.js';

export default defineProjectRule({
  id: 'unresolved',
  meta: {
    description: 'What the audit could not read statically',
    level: 'note',
    messages: {
      pattern: 'The pattern `{{pattern}}` of {{call}}() cannot be read statically ({{reason}}): it is not checked.',
      opaqueCalls: '{{handler}} calls code this audit cannot follow ({{calls}}): whether it invalidates is unknown.',
      tooComplex:
        'Whether `{{by}}` already invalidates every key of `{{pattern}}` is too complex to decide: no-redundant-invalidation does not judge it. Simplify the patterns to have them checked.',
    },
  },
});
