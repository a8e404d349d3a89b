import { RULES } from '../src/analysis/catalogue.js';
import type { MessageId } from '../src/analysis/catalogue.js';
import { createRule, findingsListener, SETUP_MESSAGE } from '../src/eslint/create-rule.js';

const rule = RULES['no-redundant-invalidation'];

export type Options = [];
export type MessageIds = MessageId<'no-redundant-invalidation'> | 'setup';

export default createRule<Options, MessageIds>({
  name: 'no-redundant-invalidation',
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
    return findingsListener(context, 'no-redundant-invalidation');
  },
});
