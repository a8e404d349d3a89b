import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { validateRegistry } from '../../src/index.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/registry.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);

/** Registries the JSON Schema and the validator must judge alike (the schema cannot see duplicates). */
const samples: [string, unknown][] = [
  ['minimal', { keys: { a: { template: 'a:{x}' } } }],
  ['full', { $schema: 'x', prefix: 'p:', keys: { a: { template: 'a:{x}', ttl: 5, dependsOn: ['q'], description: 'd', hashTag: 'x' } } }],
  ['no keys', { prefix: 'p:' }],
  ['unknown root field', { keys: {}, prefx: 'p' }],
  ['unknown key field', { keys: { a: { template: 'a', tll: 3 } } }],
  ['missing template', { keys: { a: { ttl: 3 } } }],
  ['zero ttl', { keys: { a: { template: 'a', ttl: 0 } } }],
  ['string dependsOn', { keys: { a: { template: 'a', dependsOn: 'q' } } }],
  ['empty dependsOn item', { keys: { a: { template: 'a', dependsOn: [''] } } }],
  ['glob in template', { keys: { a: { template: 'a:*' } } }],
  ['leading space', { keys: { a: { template: ' a' } } }],
  ['empty template', { keys: { a: { template: '' } } }],
];

describe('registry JSON Schema', () => {
  it.each(samples)('agrees with validateRegistry on %s', (_name, sample) => {
    expect(validate(sample)).toBe(validateRegistry(sample).issues.length === 0);
  });
});
