// Writes schema/config.schema.json from the configuration's zod schema (the one source of truth).
// Run after a build: npm run schema
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/esm/src/config/json-schema.js';

writeFileSync('schema/config.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
