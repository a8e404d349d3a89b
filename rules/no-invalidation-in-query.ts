import { RULES } from '../src/analysis/catalogue.js';
import type { MessageId } from '../src/analysis/catalogue.js';
import { createRule, findingsListener, SETUP_MESSAGE } from '../src/eslint/create-rule.js';

const rule = RULES['no-invalidation-in-query'];

export type Options = [];
export type MessageIds = MessageId<'no-invalidation-in-query'> | 'setup';

export default createRule<Options, MessageIds>({
  name: 'no-invalidation-in-query',
  meta: {
    type: rule.type,
    docs: {
      description: rule.description,
      recommended: rule.recommended,
      requiresRegistry: rule.requiresRegistry,
    },
    messages: { ...rule.messages, setup: SETUP_MESSAGE },
    schema: [],
  },
  create(context) {
    return findingsListener(context, 'no-invalidation-in-query');
  },
});
