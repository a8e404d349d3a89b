import { configSchema, zod } from '../analysis/options.js';

/** The JSON Schema of `cache-audit.config.json`, for editors; generated from the zod schema. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = zod().z.toJSONSchema(configSchema(), { target: 'draft-7' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://github.com/cache-audit/cache-audit/schema/config.schema.json',
    title: 'cache-audit configuration',
    description: 'Shared by the ESLint rules and the cache-audit CLI. Relative paths are relative to this file.',
  };
}
