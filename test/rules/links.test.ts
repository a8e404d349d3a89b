import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import { Lexer, walkTokens } from 'marked';
import type { Token } from 'marked';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const markdownIn = (dir: string): string[] =>
  readdirSync(resolve(root, dir))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `${dir}/${file}`);

/** The pages a reader follows links through. */
const PAGES = ['README.md', 'CONTRIBUTING.md', 'bench/README.md', 'bench/labels/README.md', ...markdownIn('docs'), ...markdownIn('rules')];

/** The text a heading renders to, which GitHub makes its anchor from. */
function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((token) => ('tokens' in token && token.tokens ? plainText(token.tokens) : 'text' in token ? String(token.text) : ''))
    .join('');
}

/** The anchors GitHub gives a page's headings (a repeated heading gets `-1`, `-2`…). */
function anchorsOf(file: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  // walkTokens returns what the callbacks return (promises, for async extensions): these return nothing.
  void walkTokens(Lexer.lex(readFileSync(file, 'utf8')), (token) => {
    if (token.type === 'heading') anchors.add(slugger.slug(plainText((token as { tokens: Token[] }).tokens)));
  });
  return anchors;
}

/** Every link and image target written in a page, outside code. */
function targetsOf(file: string): string[] {
  const targets: string[] = [];
  // walkTokens returns what the callbacks return (promises, for async extensions): these return nothing.
  void walkTokens(Lexer.lex(readFileSync(file, 'utf8')), (token) => {
    if (token.type === 'link' || token.type === 'image') targets.push((token as { href: string }).href);
  });
  return targets;
}

const isExternal = (href: string): boolean => /^[a-z][a-z+.-]*:/i.test(href);

describe('the documentation links', () => {
  it('covers the README, docs/, the rule pages, CONTRIBUTING and the benchmarks', () => {
    expect(PAGES).toContain('docs/cli.md');
    expect(PAGES).toContain('rules/require-invalidation.md');
    for (const page of PAGES) expect(existsSync(resolve(root, page)), page).toBe(true);
  });

  it.each(PAGES)('%s: every relative link names a file that exists, and every anchor a heading', (page) => {
    const file = resolve(root, page);
    const broken: string[] = [];
    for (const href of targetsOf(file)) {
      if (isExternal(href)) continue;
      const [path = '', anchor] = href.split('#', 2);
      const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      if (!target.startsWith(root) || !existsSync(target)) {
        broken.push(`${href}: no file ${relative(root, target)}`);
        continue;
      }
      if (anchor !== undefined && anchor !== '' && !anchorsOf(target).has(decodeURIComponent(anchor)))
        broken.push(`${href}: no heading of ${relative(root, target)} has the anchor #${anchor}`);
    }
    expect(broken).toEqual([]);
  });

  it('reads links and anchors as GitHub does', () => {
    // A heading's code spans and punctuation: GitHub's slug keeps letters, digits, `-` and `_`.
    expect(anchorsOf(resolve(root, 'docs/analysis.md'))).toContain('inferred-from-the-code-cache-audit-registry-and-init');
    expect(targetsOf(resolve(root, 'README.md'))).toContain('docs/cli.md#exit-codes');
  });

  it('keeps the README a front door: at most 250 lines', () => {
    expect(readFileSync(resolve(root, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(250);
  });
});
