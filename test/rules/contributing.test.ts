import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Lexer, walkTokens } from 'marked';
import type { Token } from 'marked';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const contributing = readFileSync(resolve(root, 'CONTRIBUTING.md'), 'utf8');
const ignored = readFileSync(resolve(root, '.gitignore'), 'utf8').split('\n');

/** The code spans of a list item or a paragraph. */
function codeSpans(block: Token): string[] {
  const spans: string[] = [];
  // walkTokens returns what the callbacks return (promises, for async extensions): these return nothing.
  void walkTokens([block], (token) => {
    if (token.type === 'codespan') spans.push((token as { text: string }).text);
  });
  return spans;
}

/** The blocks of the page that name files and symbols together: each list item, each paragraph. */
function blocks(): Token[] {
  const found: Token[] = [];
  for (const token of Lexer.lex(contributing)) {
    if (token.type === 'list') found.push(...(token as { items: Token[] }).items);
    else if (token.type === 'paragraph') found.push(token);
  }
  return found;
}

/** A repository path: it has a slash, and is no command, package or expression. */
const isPath = (span: string): boolean => span.includes('/') && !/[\s(){}'"]/.test(span) && !span.startsWith('@');
/** A name of the code: a bare identifier. */
const isSymbol = (span: string): boolean => /^[A-Za-z_$][\w$]*$/.test(span);

/** The files a path names: `rules/<id>.ts` names every file its placeholder can stand for. */
function filesOf(path: string): string[] {
  const parts = path.replace(/\/$/, '').split('/');
  let found = [root];
  for (const part of parts) {
    const pattern = new RegExp(`^${part.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/<[a-z-]+>/g, '[^/]+')}$`);
    found = found.flatMap((dir) =>
      existsSync(dir) && statSync(dir).isDirectory()
        ? readdirSync(dir)
            .filter((name) => pattern.test(name))
            .map((name) => join(dir, name))
        : [],
    );
  }
  return found;
}

/** Whether a file declares `name` at its top level (exported or not: a list the contributor edits may be module-local). */
function declares(file: string, name: string): boolean {
  if (!statSync(file).isFile()) return false;
  const text = readFileSync(file, 'utf8');
  const declaration = new RegExp(
    `^(export\\s+)?(default\\s+)?(declare\\s+)?(async\\s+)?(const|let|var|function\\*?|class|interface|type|enum)\\s+${name}\\b`,
    'm',
  );
  return declaration.test(text) || new RegExp(`^export\\s*(type\\s*)?\\{[^}]*\\b${name}\\b[^}]*\\}`, 'm').test(text);
}

describe('CONTRIBUTING.md', () => {
  const all = blocks();

  it('names paths and symbols for the test to check', () => {
    const spans = all.flatMap(codeSpans);
    expect(spans.filter(isPath).length).toBeGreaterThan(30);
    expect(spans.filter(isSymbol).length).toBeGreaterThan(20);
    expect(spans).toContain('createRule');
  });

  it('names only paths that exist in the repository (or that git ignores, as generated output)', () => {
    const missing = all
      .flatMap(codeSpans)
      .filter(isPath)
      .filter((path) => filesOf(path).length === 0 && !ignored.includes(path));
    expect(missing).toEqual([]);
  });

  it('names each symbol beside a file that declares it', () => {
    const wrong: string[] = [];
    for (const block of all) {
      const spans = codeSpans(block);
      const files = spans.filter(isPath).flatMap(filesOf);
      for (const symbol of spans.filter(isSymbol)) {
        if (!files.some((file) => declares(file, symbol))) wrong.push(`${symbol} (in: ${block.raw.trim().slice(0, 60)}…)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('tells a symbol that exists from one that does not', () => {
    const createRule = resolve(root, 'src/eslint/create-rule.ts');
    expect(declares(createRule, 'createRule')).toBe(true);
    expect(declares(createRule, 'inspectCall')).toBe(false);
    expect(filesOf('rules/<id>.ts').length).toBeGreaterThan(5);
    expect(filesOf('src/analysis/invalidation-calls.ts')).toEqual([]);
  });
});
