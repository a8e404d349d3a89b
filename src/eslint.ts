/** cache-audit/eslint: the ESLint plugin. */
import type { TSESLint } from '@typescript-eslint/utils';
import { RULES } from '../rules/index.js';
import type { RuleId } from '../rules/index.js';
import { createRule } from './eslint/create-rule.js';
import type { CacheAuditPluginDocs, PluginRule } from './eslint/create-rule.js';
import { PACKAGE_NAME, VERSION } from './version.js';

type Severity = 'error' | 'warn';

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
  configs: {} as Record<'recommended' | 'strict', TSESLint.FlatConfig.Config>,
};

plugin.configs.recommended = {
  name: 'cache-audit/recommended',
  plugins: { 'cache-audit': plugin as unknown as TSESLint.FlatConfig.Plugin },
  rules: ruleLevels(false),
};
plugin.configs.strict = {
  name: 'cache-audit/strict',
  plugins: { 'cache-audit': plugin as unknown as TSESLint.FlatConfig.Plugin },
  rules: ruleLevels(true),
};

export default plugin;
export { rules };
export type { CacheAuditPluginDocs };
