import { RULES } from '../src/analysis/catalogue.js';
import type { MessageId } from '../src/analysis/catalogue.js';
import { createRule, findingsListener, SETUP_MESSAGE } from '../src/eslint/create-rule.js';

const rule = RULES['require-dependent-invalidation'];

export type Options = [{ shortTtl?: number }];
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
    defaultOptions: [{}],
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          shortTtl: {
            type: 'number',
            minimum: 0,
            description:
              'A family whose ttl is at most this many seconds (default 60) has short staleness by choice: the CLI reports it as a warning.',
          },
        },
      },
    ],
  },
  create(context, [options]) {
    return findingsListener(
      context,
      'require-dependent-invalidation',
      options.shortTtl === undefined ? undefined : { 'require-dependent-invalidation': { shortTtl: options.shortTtl } },
    );
  },
});
