import type { CheckInput, Report, Suggestion } from '../checks.js';
import { handlerResources, familyPattern, decoratorSuggestion, isReadOnlyRoute, exceptionText } from './helpers.js';

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
    // Without a registry, what a mutation must invalidate is the families loaded from the models
    // it writes: require-dependent-invalidation judges that.
    if (!registry) continue;
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
