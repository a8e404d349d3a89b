/** cache-audit/eslint: the ESLint plugin. */
import type { TSESLint } from '@typescript-eslint/utils';
import { RULES } from '../rules/index.js';
import type { RuleId } from '../rules/index.js';
import { createRule } from './eslint/create-rule.js';
import type { CacheAuditPluginDocs, PluginRule } from './eslint/create-rule.js';
import { PACKAGE_NAME, VERSION } from './version.js';

type Severity = 'error' | 'warn';
type PresetName = 'recommended' | 'recommendedTypeChecked' | 'strict';

/** Every rule of the plugin, by id. */
const rules = Object.fromEntries(RULES.map((rule) => [rule.id, createRule(rule)])) as Record<RuleId, PluginRule>;

function ruleLevels(includeStrict: boolean): Record<string, Severity> {
  const levels: Record<string, Severity> = {};
  for (const { id, meta } of RULES) {
    if (meta.recommended || includeStrict) levels[`cache-audit/${id}`] = meta.type === 'problem' ? 'error' : 'warn';
  }
  return levels;
}

const plugin = {
  meta: { name: PACKAGE_NAME, version: VERSION, namespace: 'cache-audit' },
  rules,
  configs: {} as Record<PresetName, TSESLint.FlatConfig.Config>,
};

const plugins = { 'cache-audit': plugin as unknown as TSESLint.FlatConfig.Plugin };

plugin.configs.recommended = { name: 'cache-audit/recommended', plugins, rules: ruleLevels(false) };
/**
 * `recommended` with type information, named as typescript-eslint names its own: the parser's
 * project service gives each file its tsconfig's program, and the rules follow calls with its
 * type checker. The parser itself is the project's (`@typescript-eslint/parser`), set beside it.
 */
plugin.configs.recommendedTypeChecked = {
  name: 'cache-audit/recommended-type-checked',
  plugins,
  languageOptions: { parserOptions: { projectService: true } },
  rules: ruleLevels(false),
};
plugin.configs.strict = { name: 'cache-audit/strict', plugins, rules: ruleLevels(true) };

export default plugin;
export { rules };
export type { CacheAuditPluginDocs };
