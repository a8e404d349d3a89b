import { patternCovers } from '../src/patterns/operations.js';
import { handlerPatterns } from '../src/analysis/checks/helpers.js';
import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  id: 'no-redundant-invalidation',
  meta: {
    type: 'suggestion',
    description: 'Disallow invalidating the same keys twice in one handler',
    recommended: true,
    requiresRegistry: false,
    messages: {
      duplicate: '{{handler}} invalidates `{{pattern}}` twice.',
      covered: '`{{pattern}}` is redundant: `{{by}}` already invalidates every key it matches.',
    },
  },
  check(input, report) {
    const { facts, registry } = input;
    for (const handler of facts.handlers) {
      const entries = handlerPatterns(handler, registry).filter(
        ({ invalidation }) => invalidation.kind === 'pattern' && invalidation.file === null,
      );
      entries.forEach(({ fact, pattern }, index) => {
        const earlier = entries.slice(0, index).find((other) => other.pattern.source === pattern.source);
        if (earlier) {
          report('duplicate', fact.range, { handler: handler.name, pattern: pattern.source });
          return;
        }
        const by = entries.find(
          (other) => other.pattern.source !== pattern.source && !other.invalidation.isConditional && patternCovers(other.pattern, pattern),
        );
        if (by) report('covered', fact.range, { pattern: pattern.source, by: by.pattern.source });
      });
    }
  },
});
