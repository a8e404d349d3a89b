import type { CheckInput, Fix, Report } from '../checks.js';

export function check(input: CheckInput, report: Report): void {
  const sites = input.facts.otherInvalidations;
  const hasEscapeImport = /\bescapeGlob\b/.test(input.text);
  for (const site of sites) {
    if (site.kind !== 'pattern') continue;
    for (const fact of site.patterns) {
      for (const interpolation of fact.interpolations) {
        if (interpolation.isEscaped) continue;
        const fixes: Fix[] = [{ range: interpolation.range, text: `escapeGlob(${interpolation.text})` }];
        if (!hasEscapeImport) fixes.push({ range: { start: 0, end: 0 }, text: "import { escapeGlob } from 'cache-audit/runtime';\n" });
        report('unescaped', interpolation.range, { expression: interpolation.text, pattern: fact.pattern?.source ?? fact.text }, [
          { messageId: 'escape', data: {}, fixes },
        ]);
      }
    }
  }
}
