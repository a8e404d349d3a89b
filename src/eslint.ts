/** cache-audit/eslint: the ESLint plugin. */
import type { TSESLint } from '@typescript-eslint/utils';
import { rules } from '../rules/index.js';
import { RULES, RULE_IDS } from './analysis/catalogue.js';
import { PACKAGE_NAME, VERSION } from './version.js';

type Severity = 'error' | 'warn';

function ruleLevels(includeStrict: boolean): Record<string, Severity> {
  const levels: Record<string, Severity> = {};
  for (const id of RULE_IDS) {
    const rule = RULES[id];
    if (rule.recommended || includeStrict) levels[`cache-audit/${id}`] = rule.type === 'problem' ? 'error' : 'warn';
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
