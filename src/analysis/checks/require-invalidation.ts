import type { CheckInput, Report } from '../checks.js';
import type { RouteHandler } from '../facts.js';
import { staleFamilies } from './require-dependent-invalidation.js';
import { isReadOnlyRoute, exceptionText } from './helpers.js';

export function check(input: CheckInput, report: Report): void {
  const { facts, options } = input;
  const stale = options.mode === 'policy' ? staleFamilies(input) : new Map<RouteHandler, unknown>();
  for (const handler of facts.handlers) {
    // Next.js allows updateTag() in Server Actions only: in a route handler it throws.
    if (handler.framework === 'nextjs') {
      for (const invalidation of handler.invalidations.filter((i) => i.name === 'updateTag')) {
        const isHere = invalidation.file === null;
        report('updateTagInRoute', isHere ? invalidation.range : handler.nameRange, {
          handler: handler.name,
          through: isHere ? '' : ` (through ${invalidation.through.join(' → ')})`,
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
}
