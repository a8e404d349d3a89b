import { broadReason } from '../../patterns/broad.js';
import type { CheckInput, Report } from '../checks.js';

export function check(input: CheckInput, report: Report): void {
  const sites = input.facts.otherInvalidations;
  const allow = input.ruleOptions?.['no-broad-pattern']?.allow ?? [];
  for (const site of sites) {
    if (site.kind !== 'pattern') continue;
    for (const fact of site.patterns) {
      if (!fact.pattern || fact.pattern.errors.length > 0) continue;
      const reason = broadReason(fact.pattern, { allow });
      if (reason !== null) report('broad', fact.range, { pattern: fact.pattern.source, reason });
    }
  }
}
