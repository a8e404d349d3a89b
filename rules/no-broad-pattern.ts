import { RULES } from '../src/analysis/catalogue.js';
import type { MessageId } from '../src/analysis/catalogue.js';
import { createRule, findingsListener, SETUP_MESSAGE } from '../src/eslint/create-rule.js';

const rule = RULES['no-broad-pattern'];

export type Options = [{ allow?: string[] }];
export type MessageIds = MessageId<'no-broad-pattern'> | 'setup';

export default createRule<Options, MessageIds>({
  name: 'no-broad-pattern',
  meta: {
    type: rule.type,
    docs: {
      description: rule.description,
      recommended: rule.recommended,
      requiresRegistry: rule.requiresRegistry,
    },
    messages: { ...rule.messages, setup: SETUP_MESSAGE },
    defaultOptions: [{}],
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
  create(context, [options]) {
    return findingsListener(context, 'no-broad-pattern', options.allow ? { 'no-broad-pattern': { allow: options.allow } } : undefined);
  },
});
