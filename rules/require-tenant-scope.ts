import { escapeGlob } from '../src/patterns/escape.js';
import { covers } from '../src/patterns/operations.js';
import { familyPattern, handlerPatterns } from '../src/analysis/checks/helpers.js';
import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  id: 'require-tenant-scope',
  meta: {
    type: 'suggestion',
    description: 'Require invalidations to stay within the tenant of the request when one is in scope',
    recommended: false,
    requiresRegistry: true,
    messages: {
      allTenants:
        '{{handler}} has the tenant in scope, but `{{pattern}}` invalidates `{{key}}` for every tenant. Scope it to the tenant: `{{scoped}}`.',
    },
  },
  check(input, report) {
    const { facts, registry, options } = input;
    if (!registry) return;
    const tenantEntries = registry.entries.filter((e) => e.params.some((p) => options.tenantNames.has(p)));
    for (const handler of facts.handlers) {
      if (!handler.isMutation || !handler.hasTenantInScope) continue;
      for (const { fact, pattern, invalidation } of handlerPatterns(handler, registry)) {
        if (invalidation.file !== null) continue;
        const holes = new Set(pattern.tokens.flatMap((t) => (t.kind === 'hole' && t.name !== null ? [t.name] : [])));
        for (const entry of tenantEntries) {
          const tenant = entry.params.find((p) => options.tenantNames.has(p)) ?? '';
          if (holes.has(tenant) || !covers(pattern, entry.parsed)) continue;
          const scoped = familyPattern(entry).slice(0, -1);
          const rest = entry.parsed.pieces
            .map((p) => (p.kind === 'text' ? escapeGlob(p.text) : p.name === tenant ? `{${tenant}}` : '*'))
            .join('');
          report('allTenants', fact.range, {
            handler: handler.name,
            pattern: pattern.source,
            key: entry.name,
            scoped: rest.startsWith(scoped) ? rest.replace(/(\*)(:\*)*$/, '*') : rest,
          });
          break;
        }
      }
    }
  },
});
