import { clearsOwnWrite } from '../src/analysis/checks/helpers.js';
import type { Invalidation } from '../src/analysis/facts.js';
import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  id: 'no-invalidation-in-query',
  meta: {
    type: 'problem',
    description: 'Disallow cache invalidation in read-only (GET, HEAD, query) handlers',
    recommended: true,
    requiresRegistry: false,
    messages: {
      query:
        '{{handler}} is a read-only {{method}} handler, but it invalidates {{what}}: reads must not change the cache. Move the invalidation to the mutation that changes the data.',
    },
  },
  check(input, report) {
    const { facts } = input;
    for (const handler of facts.handlers) {
      if (!QUERY_METHODS.has(handler.method) || handler.isMutation) continue;
      const elsewhere: Invalidation[] = [];
      for (const invalidation of handler.invalidations) {
        if (isPartOfRead(invalidation) || clearsOwnWrite(input, handler, invalidation)) continue;
        if (invalidation.file !== null) {
          elsewhere.push(invalidation);
          continue;
        }
        report('query', invalidation.range, { handler: handler.name, method: handler.method, what: described(invalidation) });
      }
      // What other files invalidate is reported once, at the handler: one finding per handler, each path
      // named. The handler's own function may be one of those files (`handler: controller.clear`).
      if (elsewhere.length === 0) continue;
      const whats = [...new Set(elsewhere.map(described))].join(', ');
      const routed = elsewhere.find((invalidation) => invalidation.through.length > 0);
      const more = elsewhere.length > 1 ? `; ${String(elsewhere.length - 1)} more path${elsewhere.length > 2 ? 's' : ''}` : '';
      report('query', handler.nameRange, {
        handler: handler.name,
        method: handler.method,
        what: routed ? `${whats} (through ${routed.through.join(' → ')}${more})` : whats,
      });
    }
  },
});

const QUERY_METHODS = new Set(['GET', 'HEAD', 'QUERY']);

function described(invalidation: Invalidation): string {
  return invalidation.patterns.length > 0
    ? invalidation.patterns.map((p) => `\`${p.pattern?.source ?? p.text}\``).join(', ')
    : `with ${invalidation.name}()`;
}

/**
 * What a read may do: revalidate a Next.js path or tag (the documented on-demand revalidation
 * endpoint, and cron jobs, are served over GET). An entry a read clears because it found it expired
 * or failed to fill it is part of the read, and no invalidation of the handler (see `scanBody`).
 */
function isPartOfRead(invalidation: Invalidation): boolean {
  return invalidation.kind === 'path' || invalidation.kind === 'tag';
}
