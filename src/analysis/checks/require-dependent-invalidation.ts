import { covers } from '../../patterns/operations.js';
import type { CheckInput, Report } from '../checks.js';
import { handlerResources, familyPattern, decoratorSuggestion, isFullyKnown, handlerPatterns, isReadOnlyRoute } from './helpers.js';

export function check(input: CheckInput, report: Report): void {
  const { facts, registry, options } = input;
  if (!registry) return;
  for (const handler of facts.handlers) {
    if (!handler.isMutation || handler.exception || isReadOnlyRoute(handler, options)) continue;
    if (handler.invalidations.length === 0 || !isFullyKnown(handler, registry)) continue;
    const patterns = handlerPatterns(handler, registry);
    const reported = new Set<string>();
    for (const resource of handlerResources(handler, registry, options, facts.file)) {
      for (const entry of registry.dependentsOf(resource)) {
        if (reported.has(entry.name)) continue;
        if (patterns.some(({ pattern }) => covers(pattern, entry.parsed))) continue;
        reported.add(entry.name);
        const pattern = familyPattern(entry);
        report(
          'missing',
          handler.nameRange,
          { handler: handler.name, resource, key: entry.name, template: entry.template, pattern },
          decoratorSuggestion(input, handler, [pattern], 'addPattern', { pattern }),
        );
      }
    }
  }
}
