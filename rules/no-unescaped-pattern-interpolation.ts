import type { Invalidation, PatternFact } from '../src/analysis/facts.js';
import type { Fix } from '../src/analysis/checks.js';
import { defineRule } from '../src/analysis/rule.js';

export default defineRule({
  id: 'no-unescaped-pattern-interpolation',
  meta: {
    type: 'problem',
    description: 'Disallow runtime values in invalidation patterns without escaping',
    recommended: true,
    requiresRegistry: false,
    hasSuggestions: true,
    messages: {
      unescaped:
        "`{{expression}}` puts a runtime value into the pattern `{{pattern}}` unescaped: a value such as `a*` would delete other keys (other tenants' too). Escape it with `{{escape}}()`.",
      escape: 'Wrap it in `{{escape}}()`.',
    },
  },
  check(input, report) {
    const sites = input.facts.otherInvalidations;
    const { name: escape, importFix } = escapeFunctionFor(input.text, input.options.escapeFunctions);
    for (const site of sites) {
      if (site.kind !== 'pattern') continue;
      for (const fact of site.patterns) {
        if (!isGlob(site, fact)) continue;
        for (const interpolation of fact.interpolations) {
          if (interpolation.isEscaped) continue;
          const fixes: Fix[] = [
            { range: interpolation.range, text: `${escape}(${interpolation.text})` },
            ...(importFix ? [importFix] : []),
          ];
          report('unescaped', interpolation.range, { expression: interpolation.text, pattern: fact.pattern?.source ?? fact.text, escape }, [
            { messageId: 'escape', data: { escape }, fixes },
          ]);
        }
      }
    }
  },
});

/**
 * Whether the value is matched as a glob for sure: a decorator or call that says so by its name
 * (`deletePattern`, `@InvalidateCachePattern`, a scan's MATCH), or a pattern written with a
 * wildcard of its own. A call known only by a name such as `invalidate(key)` may delete the exact
 * key, where an interpolated `*` matches nothing else: not an error to guess.
 */
function isGlob(site: Invalidation, fact: PatternFact): boolean {
  if (site.via === 'decorator' || /pattern|glob|match|scan/i.test(site.name)) return true;
  return fact.pattern !== null && fact.pattern.tokens.some((token) => token.kind === 'star' || token.kind === 'set');
}

/**
 * The escape function a fix should use: one of `escapeFunctions` the file already names (imported
 * or defined there), else `escapeGlob` with its import (from the runtime package), else the first configured one (its import
 * is the user's: we do not know where it lives).
 */
function escapeFunctionFor(text: string, escapeFunctions: ReadonlySet<string>): { name: string; importFix: Fix | null } {
  for (const name of escapeFunctions) if (new RegExp(`\\b${name.replace(/[$]/g, '\\$&')}\\b`).test(text)) return { name, importFix: null };
  if (escapeFunctions.has('escapeGlob') || escapeFunctions.size === 0) {
    const at = importOffset(text);
    // The runtime package applications install, unless the file already imports the analysis package's copy.
    const module = /['"]cache-audit\/runtime['"]/.test(text) ? 'cache-audit/runtime' : '@cache-audit/runtime';
    const line = `import { escapeGlob } from '${module}';\n`;
    return { name: 'escapeGlob', importFix: { range: { start: at, end: at }, text: at > 0 && text[at - 1] !== '\n' ? `\n${line}` : line } };
  }
  return { name: [...escapeFunctions][0] ?? 'escapeGlob', importFix: null };
}

/** Where an import may go: after a shebang and the directive prologue (`'use server'` must stay first). */
function importOffset(text: string): number {
  // Read in one pass: a pattern over the comments before each directive backtracks without end on a file of many.
  let offset = text.startsWith('#!') ? lineEnd(text, 0) : 0;
  for (;;) {
    const at = afterTrivia(text, offset);
    const directive = /^(['"])use [\w ]+\1;?[^\S\n]*(?:\/\/[^\n]*)?(?:\n|$)/.exec(text.slice(at, lineEnd(text, at)));
    if (!directive) return offset;
    offset = at + directive[0].length;
  }
}

/** The position after the line that holds `at`, its line break included. */
function lineEnd(text: string, at: number): number {
  const end = text.indexOf('\n', at);
  return end < 0 ? text.length : end + 1;
}

/** The position of the first character at or after `at` that is no white space or comment. */
function afterTrivia(text: string, at: number): number {
  let position = at;
  for (;;) {
    if (/\s/.test(text[position] ?? '')) position++;
    else if (text.startsWith('//', position)) position = lineEnd(text, position);
    else if (text.startsWith('/*', position)) {
      const end = text.indexOf('*/', position + 2);
      if (end < 0) return position;
      position = end + 2;
    } else return position;
  }
}
