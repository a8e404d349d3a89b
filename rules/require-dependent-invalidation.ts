import { RULES } from '../src/analysis/catalogue.js';
import type { MessageId } from '../src/analysis/catalogue.js';
import { createRule, findingsListener, SETUP_MESSAGE } from '../src/eslint/create-rule.js';

const rule = RULES['require-dependent-invalidation'];

export type Options = [];
export type MessageIds = MessageId<'require-dependent-invalidation'> | 'setup';

export default createRule<Options, MessageIds>({
  name: 'require-dependent-invalidation',
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
    return findingsListener(context, 'require-dependent-invalidation');
  },
});
