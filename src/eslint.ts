/** cache-audit/eslint: the ESLint plugin. Its rules arrive with the analysis core. */
import { PACKAGE_NAME, VERSION } from './version.js';

const plugin = {
  meta: { name: PACKAGE_NAME, version: VERSION },
  rules: {},
  configs: {},
};

export default plugin;
