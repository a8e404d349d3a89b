import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/scanner/result.js';
import { projects } from '../support/project.js';

const scan = projects('blind-spots');

/** A cache the handlers read, so that a call they cannot follow matters. */
const CACHE = {
  'src/redis.ts': `import Redis from 'ioredis';\nexport const redis = new Redis();\n`,
  'src/quotes.reader.ts': `import { redis } from './redis';\nexport async function cachedQuotes(tenantId: string) {\n  return redis.get(\`quotes:\${tenantId}\`);\n}\n`,
};

/** Code that reaches no cache, though the analysis reads none of its body. */
const INERT = {
  // Functions a package's client made (`tb.buildIngestEndpoint(…)` of `new Tinybird()`).
  'src/analytics.ts': `import { Tinybird } from '@chronark/zod-bird';\nconst tb = new Tinybird({ token: '' });\nexport const recordClick = tb.buildIngestEndpoint({ datasource: 'clicks' });\n`,
  // A built-in of JavaScript re-exported as a polyfill.
  'src/polyfills.ts': `const structuredCloneExport = globalThis.structuredClone;\nexport { structuredCloneExport as structuredClone };\n`,
  // A class whose member is a built-in Map.
  'src/validator.ts': `export class Validator {\n  private readonly compiled: Map<string, (value: unknown) => boolean>;\n  constructor() {\n    this.compiled = new Map();\n  }\n  check(schema: string, value: unknown) {\n    const validate = this.compiled.get(schema);\n    return validate ? validate(value) : true;\n  }\n}\n`,
  // Members declared as an array, and as a package's client that may be absent; a logger typed by the project's interface.
  'src/filters.ts': `import { PostHog } from 'posthog-node';\nimport type { Logger } from './logger';\nexport class FilterList {\n  private filters: string[] = [];\n  private posthog?: PostHog | undefined;\n  constructor(private readonly logger_: Logger) {}\n  has(name: string) {\n    this.posthog?.capture({ distinctId: name, event: 'filter' });\n    this.logger_.log(\`filter \${name}\`);\n    return this.filters.some((f) => f === name);\n  }\n}\n`,
  'src/logger.ts': `export interface Logger {\n  log(message: string): void;\n}\n`,
  // An overloaded helper: its signatures come before the implementation.
  'src/pick.ts': `export function pick<T, K extends keyof T>(input: T, keys: K[]): Pick<T, K>;\nexport function pick(input: Record<string, unknown>, keys: string[]): Record<string, unknown>;\nexport function pick(input: Record<string, unknown>, keys: string[]) {\n  return Object.fromEntries(keys.map((key) => [key, input[key]]));\n}\n`,
  // Documentation decorators made by code the analysis does not run.
  'src/responses.ts': `import { ApiResponse } from '@nestjs/swagger';\nconst made = ['ApiOkResponse'].reduce((all, name) => ({ ...all, [name]: () => ApiResponse({ status: 200 }) }), {} as Record<string, () => MethodDecorator>);\nexport const { ApiOkResponse } = made;\nexport const { EvictQuotes } = made;\n`,
};

const CONTROLLER = (decorator: string, call: string): string => `import { Body, Controller, Post } from '@nestjs/common';
import { recordClick } from './analytics';
import { structuredClone } from './polyfills';
import { ApiOkResponse, EvictQuotes } from './responses';
import { Validator } from './validator';
import { FilterList } from './filters';
import { pick } from './pick';

@Controller('quotes')
export class QuotesController {
  constructor(private readonly validator: Validator, private readonly filters: FilterList) {}

  @Post()
  ${decorator}
  async create(@Body() body: { tenantId: string }) {
    const copy = structuredClone(body);
    this.validator.check('quote', copy);
    this.filters.has('quote');
    pick(copy, ['tenantId']);
    await recordClick({ id: copy.tenantId });
    ${call}
    return copy;
  }
}
`;

const notes = (result: ScanResult): string[] => result.findings.filter((f) => f.ruleId === 'unresolved').map((f) => f.message);

describe('blind spots are calls that could reach a cache', () => {
  it('a package-made function, a built-in, Map and array members, a logger, an overloaded helper and a documentation decorator are none', async () => {
    const result = await scan({ ...CACHE, ...INERT, 'src/quotes.controller.ts': CONTROLLER('@ApiOkResponse()', '') });
    expect(result.matrix.rows.map((row) => [row.handler, row.status])).toEqual([['QuotesController.create', 'none']]);
    expect(notes(result)).toEqual([]);
  });

  it('an unreadable decorator whose name speaks of a cache, and a call through an interface, still are', async () => {
    const files = {
      ...CACHE,
      ...INERT,
      'src/notifier.ts': `export interface Notifier {\n  send(tenantId: string): Promise<void>;\n}\n`,
      'src/quotes.controller.ts': CONTROLLER('@EvictQuotes()', 'await this.notifier.send(copy.tenantId);')
        .replace('private readonly validator: Validator,', 'private readonly validator: Validator, private readonly notifier: Notifier,')
        .replace(
          "import { Validator } from './validator';",
          "import { Validator } from './validator';\nimport type { Notifier } from './notifier';",
        ),
    };
    const result = await scan(files);
    expect(notes(result)).toEqual([
      'QuotesController.create calls code this audit cannot follow (this.notifier.send, @EvictQuotes): whether it invalidates is unknown.',
    ]);
  });

  it('a blind spot a reviewer has checked is silenced by a disable comment with the reason', async () => {
    const files = {
      ...CACHE,
      'src/notifier.ts': `export interface Notifier {\n  send(tenantId: string): Promise<void>;\n}\n`,
      'src/quotes.controller.ts': `import { Body, Controller, Post } from '@nestjs/common';
import type { Notifier } from './notifier';

@Controller('quotes')
export class QuotesController {
  constructor(private readonly notifier: Notifier) {}

  @Post()
  // eslint-disable-next-line cache-audit/unresolved -- the notifier only sends e-mail
  async create(@Body() body: { tenantId: string }) {
    await this.notifier.send(body.tenantId);
  }

  @Post('copies')
  async copy(@Body() body: { tenantId: string }) {
    await this.notifier.send(body.tenantId);
  }
}
`,
    };
    const result = await scan(files);
    expect(result.findings.filter((f) => f.ruleId === 'unresolved').map((f) => `${f.file}:${String(f.line)} ${f.message}`)).toEqual([
      'src/quotes.controller.ts:15 QuotesController.copy calls code this audit cannot follow (this.notifier.send): whether it invalidates is unknown.',
    ]);
  });

  it('a Redis client typed by the type a project module passes on from ioredis is the library’s, not a blind spot', async () => {
    const files = {
      'src/redis.ts': `import { Redis } from 'ioredis';\nexport { Redis };\nexport function getRedisCache(): Redis {\n  return new Redis();\n}\n`,
      'src/quotes.reader.ts': `import { getRedisCache } from './redis';\nexport async function cachedQuotes(tenantId: string) {\n  return getRedisCache().get(\`quotes:\${tenantId}\`);\n}\n`,
      'src/quotes.controller.ts': `import { Body, Controller, Post } from '@nestjs/common';
import { getRedisCache, type Redis } from './redis';

@Controller('quotes')
export class QuotesController {
  private readonly redis: Redis;
  constructor() {
    this.redis = getRedisCache();
  }

  @Post()
  async create(@Body() body: { tenantId: string }) {
    await this.redis.del(\`quotes:\${body.tenantId}\`);
  }
}
`,
    };
    const result = await scan(files);
    expect(notes(result)).toEqual([]);
    expect(result.matrix.rows.map((row) => [row.handler, row.status])).toEqual([['QuotesController.create', 'invalidates']]);
  });
});
