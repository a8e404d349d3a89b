import type { CheckInput, Report, Suggestion } from '../checks.js';
import type { RouteHandler } from '../facts.js';
import { handlerResources, familyPattern, isDecorated, decoratorSuggestion, isReadOnlyRoute } from './helpers.js';

/** The expiry (issue 9's default bound) within which a family's staleness is taken as intended. */
const SHORT_TTL_SECONDS = 60;

export function check(input: CheckInput, report: Report): void {
  const { facts, registry, options } = input;
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
    if (!registry) {
      // Without a registry a mutation is judged by what it writes: a model that the loader of a
      // cached family reads. Nothing cached, or nothing visible written: nothing to say.
      // A family whose entries expire within SHORT_TTL_SECONDS is stale by the team's choice, not by mistake.
      const families = (input.families ?? facts.families).filter((f) => f.ttl === null || f.ttl > SHORT_TTL_SECONDS);
      const family = families.find((f) => f.models.some((m) => handler.writes.includes(m)));
      if (!family) continue;
      const model = family.models.find((m) => handler.writes.includes(m)) ?? '';
      report('missingForModel', handler.nameRange, { handler: handler.name, model, family: family.key, exception: exceptionText(handler) });
      continue;
    }
    const resources = handlerResources(handler, registry, options, facts.file);
    // With a registry, a mutation of nothing any key depends on (a login, a webhook, an upload)
    // has nothing to invalidate: only the handlers of cached resources are judged.
    if (!resources.some((resource) => registry.dependentsOf(resource).length > 0)) continue;
    const suggestions: Suggestion[] = [];
    const resource = resources[0];
    if (resource) {
      const patterns = [...new Set(registry.dependentsOf(resource).map(familyPattern))];
      if (patterns.length > 0) {
        suggestions.push(
          ...decoratorSuggestion(input, handler, patterns, 'addInvalidation', {
            patterns: patterns.map((p) => `'${p}'`).join(', '),
            resource,
          }),
        );
      }
    }
    report('missing', handler.nameRange, { handler: handler.name, exception: exceptionText(handler) }, suggestions);
  }
}

function exceptionText(handler: RouteHandler): string {
  return isDecorated(handler)
    ? "@NoCacheInvalidation('reason')"
    : 'a disable comment with the reason (or readOnlyRoutes in the configuration)';
}
