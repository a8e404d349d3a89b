import { overlaps } from '../src/patterns/operations.js';
import { closestPattern, closestTag, globInExactKey } from '../src/analysis/checks/helpers.js';
import type { Suggestion } from '../src/analysis/checks.js';
import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  id: 'pattern-in-registry',
  meta: {
    type: 'problem',
    description: 'Require invalidation patterns to match a key of the registry',
    recommended: true,
    requiresRegistry: true,
    hasSuggestions: true,
    messages: {
      unknown: 'The pattern `{{pattern}}` matches no key of the registry.{{closest}}',
      unknownName: '`{{call}}` names no key family of the registry ({{names}}).',
      unknownTag: 'The tag `{{tag}}` names no key family of the registry. Did you mean `{{closest}}`?',
      useClosest: 'Use `{{suggestion}}`.',
    },
  },
  check(input, report) {
    const { registry } = input;
    const sites = input.facts.otherInvalidations;
    if (!registry) return;
    for (const site of sites) {
      if (site.kind === 'tag') {
        // Tags need not be registry families; one that nearly names a family is a typo.
        for (const fact of site.patterns) {
          const tag = fact.isLiteral && fact.pattern ? fact.text.slice(1, -1) : null;
          const closest = tag === null ? null : closestTag(tag, registry);
          if (tag === null || closest === null) continue;
          report('unknownTag', fact.range, { tag, closest }, [
            {
              messageId: 'useClosest',
              data: { suggestion: closest },
              fixes: [{ range: { start: fact.range.start + 1, end: fact.range.end - 1 }, text: closest }],
            },
          ]);
        }
        continue;
      }
      if (site.kind !== 'pattern' && site.kind !== 'key') continue;
      for (const fact of site.patterns) {
        if (fact.registryRef) {
          if (!registry.entries.some((e) => e.name === fact.registryRef?.name)) {
            report('unknownName', fact.range, { call: fact.text, names: registry.entries.map((e) => e.name).join(', ') });
          }
          continue;
        }
        const pattern = fact.pattern;
        if (!pattern || pattern.errors.length > 0) continue;
        if (registry.entries.some((entry) => overlaps(pattern, entry.parsed))) continue;
        // A glob given to an exact-key delete is no-glob-in-key-delete's finding: the fix is another call, not another key.
        if (globInExactKey(site, fact) !== null) continue;
        const closest = closestPattern(pattern.source, registry);
        const suggestions: Suggestion[] =
          closest !== null && fact.isLiteral
            ? [
                {
                  messageId: 'useClosest',
                  data: { suggestion: closest },
                  fixes: [{ range: { start: fact.range.start + 1, end: fact.range.end - 1 }, text: closest }],
                },
              ]
            : [];
        report(
          'unknown',
          fact.range,
          { pattern: pattern.source, closest: closest === null ? '' : ` Did you mean \`${closest}\`?` },
          suggestions,
        );
      }
    }
  },
});
