import type { Suggestion } from '../src/analysis/checks.js';
import { exceptionText } from '../src/analysis/checks/helpers.js';
import { staleFamilies } from '../src/analysis/checks/stale-families.js';
import type { Stale } from '../src/analysis/checks/stale-families.js';
import type { RouteHandler } from '../src/analysis/facts.js';
import { oneLine } from '../src/analysis/messages.js';
import { defineRule } from '../src/analysis/rule.js';
import type { Report } from '../src/analysis/rule.js';

/** How many stale families the first line of a finding names; the details list every one. */
const NAMED_IN_HEADLINE = 2;

export default defineRule({
  id: 'require-dependent-invalidation',
  meta: {
    type: 'problem',
    description: 'Require mutation handlers to invalidate every key that depends on the resource they change',
    recommended: true,
    requiresRegistry: false,
    hasSuggestions: true,
    messages: {
      stale:
        '{{handler}} leaves {{count}} stale: {{families}}.{{details}}\nInvalidate {{them}}, or {{exception}} if {{they}} need not be fresh.',
      addPattern: "Add @InvalidateCachePattern('{{pattern}}').",
    },
  },
  check(input, report) {
    for (const [handler, { stale, suggestions }] of staleFamilies(input)) reportStale(handler, stale, report, suggestions);
  },
});

/** The one finding of a handler: the stale families in its first line, each with its proof below. */
function reportStale(
  handler: RouteHandler,
  stale: readonly Stale[],
  report: Report<'stale' | 'addPattern'>,
  suggestions: Suggestion[],
): void {
  const names = stale.map((s) => `\`${s.name}\``);
  const shown = names.slice(0, NAMED_IN_HEADLINE).join(', ');
  const more = names.length > NAMED_IN_HEADLINE ? ` and ${String(names.length - NAMED_IN_HEADLINE)} more` : '';
  const data = {
    handler: oneLine(handler.name),
    families: `${shown}${more}`,
    count: stale.length === 1 ? 'a cached family' : `${String(stale.length)} cached families`,
    details: stale.map((s) => `\n- ${s.detail}`).join(''),
    them: stale.length === 1 ? 'it' : 'them',
    they: stale.length === 1 ? 'it' : 'they',
    exception: exceptionText(handler),
  };
  const isMild = stale.every((s) => s.isMild);
  report('stale', handler.nameRange, data, suggestions, isMild);
}
