import { RULES } from '../src/analysis/catalogue.js';
import type { MessageId } from '../src/analysis/catalogue.js';
import { createRule, findingsListener, SETUP_MESSAGE } from '../src/eslint/create-rule.js';

const rule = RULES['pattern-in-registry'];

export type Options = [];
export type MessageIds = MessageId<'pattern-in-registry'> | 'setup';

export default createRule<Options, MessageIds>({
  name: 'pattern-in-registry',
  meta: {
    type: rule.type,
    docs: {
      description: rule.description,
      recommended: rule.recommended,
      requiresRegistry: rule.requiresRegistry,
    },
    hasSuggestions: true,
    messages: { ...rule.messages, setup: SETUP_MESSAGE },
    schema: [],
  },
  create(context) {
    return findingsListener(context, 'pattern-in-registry');
  },
});
