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

/** A controller with no interceptor of its own, and a module that registers `provider` for the whole application. */
const globalFiles = (provider: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'src/prisma.service.ts': `import { Injectable } from '@nestjs/common';\nimport { PrismaClient } from '@prisma/client';\n@Injectable()\nexport class PrismaService extends PrismaClient {}\n`,
  'src/main.ts': `import { NestFactory } from '@nestjs/core';\nimport { AppModule } from './app.module';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  app.setGlobalPrefix('api');\n  await app.listen(3000);\n}\nvoid bootstrap();\n`,
  'src/app.module.ts': `import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CacheInterceptor, CacheModule } from '@nestjs/cache-manager';
import { ClientsController } from './clients.controller';
import { HttpCacheInterceptor } from './http-cache.interceptor';

@Module({
  imports: [CacheModule.register()],
  controllers: [ClientsController],
  providers: [${provider}],
})
export class AppModule {}
`,
  'src/clients.controller.ts': `import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { PrismaService } from './prisma.service';

@Controller('clients')
export class ClientsController {
  constructor(private readonly prisma: PrismaService) {}

  @Get()
  list() {
    return this.prisma.client.findMany();
  }

  @Get(':id')
  one(@Param('id') id: string) {
    return this.prisma.client.findUnique({ where: { id } });
  }

  @Post()
  create(@Body() body: { name: string }) {
    return this.prisma.client.create({ data: body });
  }
}
`,
  ...extra,
});

const subclass = (body: string): Record<string, string> => ({
  'src/http-cache.interceptor.ts': `import { Injectable } from '@nestjs/common';\nimport { CacheInterceptor } from '@nestjs/cache-manager';\n@Injectable()\nexport class HttpCacheInterceptor extends CacheInterceptor {${body}}\n`,
});

describe('GET responses cached by a CacheInterceptor registered for the whole application', () => {
  it('are families of every controller, keyed by the URL under the global prefix', async () => {
    const result = await scan(globalFiles('{ provide: APP_INTERCEPTOR, useClass: CacheInterceptor }'));
    expect(result.families.map((f) => [f.key, f.models])).toEqual([
      ['/api/clients', ['Client']],
      ['/api/clients/{id}', ['Client']],
    ]);
    expect(result.findings.map((f) => `${f.file}:${String(f.line)} ${f.severity} ${f.message}`)).toEqual([
      'src/clients.controller.ts:19 error ClientsController.create leaves a cached family stale: `/api/clients`.',
    ]);
  });

  it('are families under a subclass that keeps the keys, and not under one that keys its own way', async () => {
    const kept = await scan(globalFiles('{ provide: APP_INTERCEPTOR, useClass: HttpCacheInterceptor }', subclass('')));
    expect(kept.families.map((f) => f.key)).toEqual(['/api/clients', '/api/clients/{id}']);
    const own = await scan(
      globalFiles(
        '{ provide: APP_INTERCEPTOR, useClass: HttpCacheInterceptor }',
        subclass('\n  trackBy(): string | undefined {\n    return undefined;\n  }\n'),
      ),
    );
    expect(own.families).toEqual([]);
    expect(own.findings.filter((f) => f.ruleId === 'require-dependent-invalidation')).toEqual([]);
  });

  it('are no families when no module registers it, nor when another interceptor is registered', async () => {
    for (const provider of ['ClientsController', '{ provide: APP_INTERCEPTOR, useClass: ClassSerializerInterceptor }']) {
      const result = await scan(globalFiles(provider));
      expect(result.families).toEqual([]);
      expect(result.findings.filter((f) => f.ruleId === 'require-dependent-invalidation')).toEqual([]);
    }
  });
});
