import type { CheckInput, Report } from '../checks.js';

const QUERY_METHODS = new Set(['GET', 'HEAD', 'QUERY']);

export function check(input: CheckInput, report: Report): void {
  const { facts } = input;
  for (const handler of facts.handlers) {
    if (!QUERY_METHODS.has(handler.method) || handler.isMutation) continue;
    for (const invalidation of handler.invalidations) {
      const what =
        invalidation.patterns.length > 0
          ? invalidation.patterns.map((p) => `\`${p.pattern?.source ?? p.text}\``).join(', ')
          : `with ${invalidation.name}()`;
      const isHere = invalidation.file === null;
      report('query', isHere ? invalidation.range : handler.nameRange, {
        handler: handler.name,
        method: handler.method,
        what: isHere ? what : `${what} (through ${invalidation.through.join(' → ')})`,
      });
    }
  }
}
