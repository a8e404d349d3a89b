import { resolve } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import { afterAll, describe, it } from 'vitest';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

/** The quotes app's registry, which every rule test resolves patterns against. */
export const REGISTRY = resolve(import.meta.dirname, '../../fixtures/quotes-app/src/cache/keys.ts');

export function ruleTester(settings: Record<string, unknown> = {}): RuleTester {
  return new RuleTester({
    settings: { 'cache-audit': { registry: REGISTRY, ...settings } },
  });
}

/** A NestJS controller around the given members, with the usual imports. */
export function controller(members: string, prefix = 'quotes'): string {
  return `import { Controller, Delete, Get, Patch, Post, Put } from '@nestjs/common';
import { InvalidateCachePattern, NoCacheInvalidation, Mutates, escapeGlob } from 'cache-audit/runtime';

@Controller('${prefix}')
export class QuotesController {
${members}
}
`;
}
