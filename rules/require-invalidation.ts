import type { RouteHandler } from '../src/analysis/facts.js';
import { staleFamilies } from '../src/analysis/checks/stale-families.js';
import { isReadOnlyRoute, exceptionText } from '../src/analysis/checks/helpers.js';
import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  id: 'require-invalidation',
  meta: {
    type: 'problem',
    description: 'Require mutation handlers to invalidate the cache keys they change',
    recommended: true,
    requiresRegistry: false,
    hasSuggestions: true,
    messages: {
      missing:
        '{{handler}} changes data but invalidates no cache key. The policy asks every mutation to invalidate what it changes, or {{exception}} if it changes nothing cached.',
      emptyReason: '@NoCacheInvalidation needs a reason: say why {{handler}} leaves the cache alone.',
      updateTagInRoute:
        "updateTag() works only in Server Actions: in the route handler {{handler}}{{through}} it throws at run time and invalidates nothing. Use revalidateTag(tag, 'max') here.",
    },
  },
  check(input, report) {
    const { facts, options } = input;
    const stale = options.mode === 'policy' ? staleFamilies(input) : new Map<RouteHandler, unknown>();
    for (const handler of facts.handlers) {
      // Next.js allows updateTag() in Server Actions only: in a route handler it throws.
      if (handler.framework === 'nextjs') {
        for (const invalidation of handler.invalidations.filter((i) => i.name === 'updateTag')) {
          const isHere = invalidation.file === null;
          report('updateTagInRoute', isHere ? invalidation.range : handler.nameRange, {
            handler: handler.name,
            through: isHere || invalidation.through.length === 0 ? '' : ` (through ${invalidation.through.join(' → ')})`,
          });
        }
      }
      if (handler.exception && handler.exception.reason.trim() === '') {
        report('emptyReason', handler.exception.range, { handler: handler.name });
      }
      if (!handler.isMutation || handler.exception || isReadOnlyRoute(handler, options)) continue;
      if (handler.invalidations.length > 0 || handler.opaqueCalls.length > 0) continue;
      // By default a mutation is judged by what it leaves stale (require-dependent-invalidation,
      // which names the families); a team that opts into the policy asks every mutation to
      // invalidate something or state why not.
      if (options.mode !== 'policy' || stale.has(handler)) continue;
      report('missing', handler.nameRange, { handler: handler.name, exception: exceptionText(handler) });
    }
  },
});
