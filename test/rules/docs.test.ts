import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint.js';
import { PROJECT_RULES, RULES } from '../../rules/index.js';
import { helpUri } from '../../src/report/context.js';
import { REPORTERS } from '../../src/report/index.js';
import { scan } from '../../src/scanner/scan.js';
import { REGISTRY } from './tester.js';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const rulesIndex = readFileSync(resolve(root, 'docs/rules.md'), 'utf8');
const RULE_IDS = RULES.map((rule) => rule.id);
const PROJECT_RULE_IDS = PROJECT_RULES.map((rule) => rule.id);
const descriptionOf = (id: string): string | undefined => RULES.find((rule) => rule.id === id)?.meta.description;
const isRecommended = (id: string): boolean => RULES.find((rule) => rule.id === id)?.meta.recommended === true;

/** The ```ts blocks under a heading of a rule's doc, until the next heading. */
function examples(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`## ${heading}`);
  if (start === -1) return [];
  const rest = markdown.slice(start + heading.length + 3);
  const end = rest.search(/^## /m);
  const section = end === -1 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

function lint(ruleId: string, code: string): Linter.LintMessage[] {
  const linter = new Linter({ configType: 'flat' });
  return linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tsParser },
        plugins: { 'cache-audit': plugin as never },
        // require-invalidation reports only under the policy a team opts into.
        settings: { 'cache-audit': { registry: REGISTRY, ...(ruleId === 'require-invalidation' ? { mode: 'policy' } : {}) } },
        rules: { [`cache-audit/${ruleId}`]: 'error' },
      },
    ],
    { filename: resolve(root, 'fixtures/quotes-app/src/docs-example.ts') },
  );
}

describe('rule docs', () => {
  it.each(RULE_IDS)('%s: every ❌ example is reported and every ✅ example is not', (ruleId) => {
    const markdown = readFileSync(resolve(root, 'rules', `${ruleId}.md`), 'utf8');
    expect(markdown.startsWith(`# ${ruleId}\n\n${descriptionOf(ruleId) ?? ''}.`)).toBe(true);
    const incorrect = examples(markdown, '❌ Incorrect');
    const correct = examples(markdown, '✅ Correct');
    expect(incorrect.length).toBeGreaterThan(0);
    expect(correct.length).toBeGreaterThan(0);
    for (const code of incorrect) {
      const messages = lint(ruleId, code);
      expect(messages.filter((m) => m.fatal)).toEqual([]);
      expect(messages.filter((m) => m.ruleId === `cache-audit/${ruleId}`).length, code).toBeGreaterThan(0);
    }
    for (const code of correct) expect(lint(ruleId, code), code).toEqual([]);
  });
});

describe('the rule catalogue', () => {
  it('lists the same rules in the index, the catalogue, the docs, the configs and the rules page the README links to', () => {
    const sorted = [...RULE_IDS].sort();
    expect(Object.keys(plugin.rules).sort()).toEqual(sorted);
    // A page per ESLint rule and per whole-project finding of the CLI.
    expect(
      readdirSync(resolve(root, 'rules'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => f.slice(0, -3))
        .sort(),
    ).toEqual([...sorted, ...PROJECT_RULE_IDS].sort());
    expect(Object.keys(plugin.configs.strict.rules ?? {}).sort()).toEqual(sorted.map((id) => `cache-audit/${id}`));
    expect(Object.keys(plugin.configs.recommended.rules ?? {}).sort()).toEqual(
      sorted.filter(isRecommended).map((id) => `cache-audit/${id}`),
    );
    // docs/rules.md: one row per rule, linking its page, with its description and its level in each config.
    const rows = [...rulesIndex.matchAll(/^\| \[`([a-z-]+)`\]\(\.\.\/rules\/\1\.md\) \| ([^|]+) \| ([a-z]*) ?\| ([a-z]*) ?\|/gm)];
    expect(rows.map((m) => m[1]).sort()).toEqual(sorted);
    for (const [, id = '', description = '', recommended, strict] of rows) {
      const ruleId = `cache-audit/${id}`;
      expect(description.trim(), id).toBe(descriptionOf(id));
      expect(recommended, id).toBe(plugin.configs.recommended.rules?.[ruleId] ?? '');
      expect(strict, id).toBe(plugin.configs.strict.rules?.[ruleId]);
    }
    expect(readme).toContain('](docs/rules.md)');
  });

  it('speaks with one voice: descriptions, messages, docs URLs', () => {
    for (const id of RULE_IDS) {
      const rule = plugin.rules[id];
      expect(rule.meta.docs?.url).toBe(`https://github.com/cache-audit/cache-audit/blob/main/rules/${id}.md`);
      expect(descriptionOf(id)).toMatch(/^(Enforce|Require|Disallow) /);
      for (const message of Object.values(rule.meta.messages)) expect(message).toMatch(/[.?)]$|\}\}$/);
    }
  });

  it('uses every message id it declares (eslint-plugin-eslint-plugin cannot see the rules through defineRule)', () => {
    const sources = (dir: string): string[] =>
      readdirSync(resolve(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => readFileSync(resolve(root, dir, file), 'utf8'));
    const code = [...sources('src'), ...sources('rules')].join('\n');
    const unused: string[] = [];
    for (const id of RULE_IDS) {
      for (const messageId of Object.keys(plugin.rules[id].meta.messages)) {
        const isUsed =
          new RegExp(`(report\\(|messageId: |messageId === |\\? |: |, )'${messageId}'`).test(code) ||
          (messageId === 'setup' && code.includes("messageId: 'setup'"));
        if (!isUsed) unused.push(`${id}: ${messageId}`);
      }
    }
    expect(unused).toEqual([]);
  });

  it('sends every help link to the page of its rule: ESLint docs URLs, SARIF helpUri, the Markdown and HTML reports', async () => {
    const base = 'https://github.com/cache-audit/cache-audit/blob/main/';
    const pageOf = (url: string): string => {
      expect(url.startsWith(base), url).toBe(true);
      return url.slice(base.length);
    };
    const ids: string[] = [...RULE_IDS, ...PROJECT_RULE_IDS];
    const links = new Map<string, string>();
    for (const id of RULE_IDS) links.set(`eslint ${id}`, pageOf(plugin.rules[id].meta.docs?.url ?? ''));
    for (const id of ids) links.set(`report ${id}`, pageOf(helpUri(id)));
    const result = await scan({ root: resolve(root, 'fixtures/quotes-app-defects') });
    const context = { color: false, baselined: 0, sourceLine: () => null };
    const sarif = JSON.parse(REPORTERS.sarif(result, context)) as {
      runs: { tool: { driver: { rules: { id: string; helpUri: string }[] } } }[];
    };
    const sarifRules = sarif.runs[0]?.tool.driver.rules ?? [];
    expect(sarifRules.length).toBeGreaterThan(RULE_IDS.length);
    for (const rule of sarifRules) links.set(`sarif ${rule.id}`, pageOf(rule.helpUri));
    for (const [name, text] of [
      ['markdown', REPORTERS.markdown(result, context)],
      ['html', REPORTERS.html(result, context)],
    ] as const) {
      const found = [...text.matchAll(/https:\/\/github\.com\/cache-audit\/cache-audit[^\s)"'<>]*/g)].map((m) => m[0]);
      expect(found.length, name).toBeGreaterThan(0);
      for (const url of found) links.set(`${name} ${url}`, pageOf(url));
    }
    for (const [name, page] of links) {
      expect(page, name).toMatch(/^rules\/[a-z-]+\.md$/);
      expect(existsSync(resolve(root, page)), `${name} → ${page}`).toBe(true);
    }
    for (const [name, page] of links) {
      const id = name.split(' ')[1] ?? '';
      if (ids.includes(id)) expect(page, name).toBe(`rules/${id}.md`);
    }
  });
});

describe('the README', () => {
  it('installs a typescript the peer ranges accept: npm’s latest is past them', () => {
    const install = /^npm i -D cache-audit .*$/m.exec(readme)?.[0] ?? '';
    const named = /\btypescript@(\d+)\b/.exec(install)?.[1];
    expect(install, 'the install command names a typescript major').toMatch(/\btypescript@\d+\b/);
    const peers = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> })
      .peerDependencies;
    const [, low = '', high = ''] = /^>=(\d+)\.\d+\.\d+ <(\d+)\.\d+\.\d+$/.exec(peers['typescript'] ?? '') ?? [];
    expect(Number(named)).toBeGreaterThanOrEqual(Number(low));
    expect(Number(named)).toBeLessThanOrEqual(Number(high));
  });
});
