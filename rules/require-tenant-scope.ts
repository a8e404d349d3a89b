import { RULES } from '../src/analysis/catalogue.js';
import type { MessageId } from '../src/analysis/catalogue.js';
import { createRule, findingsListener, SETUP_MESSAGE } from '../src/eslint/create-rule.js';

const rule = RULES['require-tenant-scope'];

export type Options = [];
export type MessageIds = MessageId<'require-tenant-scope'> | 'setup';

export default createRule<Options, MessageIds>({
  name: 'require-tenant-scope',
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
    return findingsListener(context, 'require-tenant-scope');
  },
});
