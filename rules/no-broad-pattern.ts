import { broadReason } from '../src/patterns/broad.js';
import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  id: 'no-broad-pattern',
  meta: {
    type: 'problem',
    description: 'Disallow invalidation patterns that span every namespace',
    recommended: true,
    requiresRegistry: false,
    messages: {
      broad: 'The pattern `{{pattern}}` is too broad: {{reason}}. Name the key family it means, such as `quotes:*`.',
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          allow: {
            type: 'array',
            items: { type: 'string' },
            description: 'Patterns, as written, that are broad on purpose (for example a maintenance endpoint that flushes everything).',
          },
        },
      },
    ],
  },
  defaultOptions: [{}],
  check(input, report) {
    const sites = input.facts.otherInvalidations;
    const allow = input.ruleOptions?.['no-broad-pattern']?.allow ?? [];
    for (const site of sites) {
      if (site.kind !== 'pattern') continue;
      for (const fact of site.patterns) {
        if (!fact.pattern || fact.pattern.errors.length > 0) continue;
        // A function named for clearing the whole cache (`flush()`) says the `*` is meant.
        if (site.isNamedFlush === true && fact.pattern.source === '*') continue;
        const reason = broadReason(fact.pattern, { allow });
        if (reason !== null) report('broad', fact.range, { pattern: fact.pattern.source, reason });
      }
    }
  },
});
