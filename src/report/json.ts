import type { Reporter } from './context.js';

/** The result as JSON (schema version in `version`; documented in the README). */
export const jsonReporter: Reporter = (result, context) => `${JSON.stringify({ ...result, baselined: context.baselined }, null, 2)}\n`;
