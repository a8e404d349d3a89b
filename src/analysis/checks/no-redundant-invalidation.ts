import { patternCovers } from '../../patterns/operations.js';
import type { CheckInput, Report } from '../checks.js';
import { handlerPatterns } from './helpers.js';

export function check(input: CheckInput, report: Report): void {
  const { facts, registry } = input;
  for (const handler of facts.handlers) {
    const entries = handlerPatterns(handler, registry).filter(
      ({ invalidation }) => invalidation.kind === 'pattern' && invalidation.file === null,
    );
    entries.forEach(({ fact, pattern }, index) => {
      const earlier = entries.slice(0, index).find((other) => other.pattern.source === pattern.source);
      if (earlier) {
        report('duplicate', fact.range, { handler: handler.name, pattern: pattern.source });
        return;
      }
      const by = entries.find(
        (other) => other.pattern.source !== pattern.source && !other.invalidation.isConditional && patternCovers(other.pattern, pattern),
      );
      if (by) report('covered', fact.range, { pattern: pattern.source, by: by.pattern.source });
    });
  }
}
