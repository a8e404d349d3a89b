import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

const scan = projects('cache-interceptor');

/** A NestJS controller whose GETs CacheInterceptor caches, with a service on Prisma. */
const files = (mutations: string): Record<string, string> => ({
  'src/prisma.service.ts': `import { Injectable } from '@nestjs/common';\nimport { PrismaClient } from '@prisma/client';\n@Injectable()\nexport class PrismaService extends PrismaClient {}\n`,
  'src/quotes.controller.ts': `import { Body, Controller, Delete, Get, Inject, Param, Post, Put, UseInterceptors } from '@nestjs/common';
import { CACHE_MANAGER, CacheInterceptor, CacheKey, CacheTTL } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
import { PrismaService } from './prisma.service';

@Controller('quotes')
@UseInterceptors(CacheInterceptor)
export class QuotesController {
  constructor(private readonly prisma: PrismaService, @Inject(CACHE_MANAGER) private readonly cacheManager: Cache) {}

  @Get()
  @CacheKey('quotes:all')
  @CacheTTL(60_000)
  list() {
    return this.prisma.quote.findMany();
  }

  @Get(':id')
  one(@Param('id') id: string) {
    return this.prisma.quote.findUnique({ where: { id } });
  }
${mutations}
}
`,
});

describe('GET responses cached by CacheInterceptor', () => {
  it('are families keyed by @CacheKey or the path, with @CacheTTL in milliseconds: a write that dels neither leaves both', async () => {
    const result = await scan(
      files(`\n  @Post()\n  create(@Body() body: { text: string }) {\n    return this.prisma.quote.create({ data: body });\n  }\n`),
    );
    expect(result.families.map((f) => [f.key, f.models, f.ttl])).toEqual([
      ['/quotes/{id}', ['Quote'], null],
      ['quotes:all', ['Quote'], 60],
    ]);
    expect(result.findings.map((f) => `${String(f.line)} ${f.severity} ${f.message}`)).toEqual([
      '24 error QuotesController.create leaves a cached family stale: `quotes:all`.',
    ]);
  });

  it('are cleared by the del of their key', async () => {
    const result = await scan(
      files(
        `\n  @Put(':id')\n  async update(@Param('id') id: string, @Body() body: { text: string }) {\n    const quote = await this.prisma.quote.update({ where: { id }, data: body });\n    await this.cacheManager.del('quotes:all');\n    await this.cacheManager.del(\`/quotes/\${id}\`);\n    return quote;\n  }\n`,
      ),
    );
    expect(result.findings.filter((f) => f.ruleId !== 'unresolved')).toEqual([]);
  });
});
