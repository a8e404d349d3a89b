import { describe, expect, it } from 'vitest';
import type { MatrixRow, ScanResult } from '../../src/scanner/result.js';
import { projects } from '../support/project.js';

/** Writes a small NestJS-shaped project with no configuration (families inferred from the code) and scans it. */
const project = projects('decorator-families');

function row(result: ScanResult, handler: string): MatrixRow {
  const found = result.matrix.rows.find((r) => r.handler === handler);
  if (!found) throw new Error(`no row ${handler} in ${result.matrix.rows.map((r) => r.handler).join(', ')}`);
  return found;
}

/** Key builders over string enums, wrapping the key in a Redis Cluster hash tag. */
const KEYS = {
  'src/cache/identifiers.ts': `export enum CacheKeyTypeEnum {
  ENTITY = 'entity',
  QUERY = 'query',
}
export enum CacheKeyPrefixEnum {
  USER = 'user',
}
export enum IdentifierPrefixEnum {
  ID = 'i',
}
`,
  'src/cache/keys.ts': `import { CacheKeyPrefixEnum, CacheKeyTypeEnum, IdentifierPrefixEnum } from './identifiers';
const wrap = (prefix: string) => \`{\${prefix}}\`;
export const buildScopedKey = ({
  type,
  keyEntity,
  teamId,
  identifierPrefix,
  identifier,
}: {
  type: CacheKeyTypeEnum;
  keyEntity: CacheKeyPrefixEnum;
  teamId: string;
  identifierPrefix: IdentifierPrefixEnum;
  identifier: string;
}): string => wrap(\`\${type}:\${keyEntity}:t=\${teamId}:\${identifierPrefix}=\${identifier}\`);
export const buildUserKey = ({ userId, _teamId }: { userId: string; _teamId: string }): string =>
  buildScopedKey({
    type: CacheKeyTypeEnum.ENTITY,
    keyEntity: CacheKeyPrefixEnum.USER,
    teamId: _teamId,
    identifierPrefix: IdentifierPrefixEnum.ID,
    identifier: userId,
  });
`,
};

/** The project's service that deletes a key it is given in an options object. */
const INVALIDATE = {
  'src/cache/invalidate-cache.service.ts': `import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
@Injectable()
export class InvalidateCacheService {
  private redis = new Redis();
  async invalidateByKey({ key }: { key: string }) {
    await this.redis.del(key);
  }
}
`,
};

describe('keys built from enum members', () => {
  it('reads string enum members and destructured parameters of imported key builders', async () => {
    const result = await project({
      ...KEYS,
      ...INVALIDATE,
      'src/users.controller.ts': `import { Body, Controller, Param, Put } from '@nestjs/common';
import { InvalidateCacheService } from './cache/invalidate-cache.service';
import { buildUserKey } from './cache/keys';
@Controller('teams/:teamId/users')
export class UsersController {
  constructor(private invalidateCache: InvalidateCacheService) {}
  @Put(':userId')
  async update(@Param('teamId') teamId: string, @Param('userId') userId: string, @Body() body: unknown) {
    await this.invalidateCache.invalidateByKey({ key: buildUserKey({ userId, _teamId: teamId }) });
  }
}
`,
    });
    expect(row(result, 'UsersController.update').invalidations.map((i) => i.pattern)).toEqual([
      '\\{entity:user:t={teamId}:i={identifier}\\}',
    ]);
  });
});

/** A caching method decorator of the project: the method's result kept under the key its builder makes. */
const DECORATOR = {
  'src/cache/cache.service.ts': `import { Injectable } from '@nestjs/common';
import Redis from 'ioredis';
@Injectable()
export class CacheService {
  private redis = new Redis();
  get(key: string) {
    return this.redis.get(key);
  }
  set(key: string, value: string, options?: { ttl?: number }) {
    return this.redis.set(key, value, 'EX', options?.ttl ?? 3600);
  }
}
`,
  'src/cache/cached-entity.ts': `import { Inject } from '@nestjs/common';
import { CacheService } from './cache.service';
export function CachedEntity({ builder, options }: { builder: (...args: any[]) => string; options?: { ttl?: number } }) {
  const injectCache = Inject(CacheService);
  return (target: any, key: string, descriptor: any) => {
    const originalMethod = descriptor.value;
    injectCache(target, 'cacheService');
    descriptor.value = async function (...args: any[]) {
      const cacheService = this.cacheService as CacheService;
      const cacheKey = builder(...args);
      const value = await cacheService.get(cacheKey);
      if (value) return JSON.parse(value);
      const response = await originalMethod.apply(this, args);
      await cacheService.set(cacheKey, JSON.stringify(response), options);
      return response;
    };
  };
}
`,
};

describe('caching method decorators', () => {
  it('reads a method a caching decorator wraps as a family holding what the method reads', async () => {
    const result = await project({
      ...KEYS,
      ...INVALIDATE,
      ...DECORATOR,
      'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
      'src/get-user.usecase.ts': `import { Injectable } from '@nestjs/common';
import { CachedEntity } from './cache/cached-entity';
import { buildUserKey } from './cache/keys';
import { prisma } from './db';
@Injectable()
export class GetUser {
  async execute(command: { userId: string; teamId: string }) {
    return this.fetchUser({ userId: command.userId, _teamId: command.teamId });
  }
  @CachedEntity({
    builder: (command: { userId: string; _teamId: string }) => buildUserKey({ userId: command.userId, _teamId: command._teamId }),
    options: { ttl: 600 },
  })
  private async fetchUser({ userId, _teamId }: { userId: string; _teamId: string }) {
    return prisma.user.findUnique({ where: { id: userId } });
  }
}
`,
      'src/users.controller.ts': `import { Body, Controller, Get, Param, Patch, Put } from '@nestjs/common';
import { InvalidateCacheService } from './cache/invalidate-cache.service';
import { buildUserKey } from './cache/keys';
import { prisma } from './db';
import { GetUser } from './get-user.usecase';
@Controller('teams/:teamId/users')
export class UsersController {
  constructor(private invalidateCache: InvalidateCacheService, private getUser: GetUser) {}
  @Get(':userId')
  async show(@Param('teamId') teamId: string, @Param('userId') userId: string) {
    return this.getUser.execute({ userId, teamId });
  }
  @Put(':userId')
  async update(@Param('teamId') teamId: string, @Param('userId') userId: string, @Body() body: { name: string }) {
    await prisma.user.update({ where: { id: userId }, data: { name: body.name } });
    await this.invalidateCache.invalidateByKey({ key: buildUserKey({ userId, _teamId: teamId }) });
  }
  @Patch(':userId/online')
  async online(@Param('userId') userId: string) {
    await prisma.user.update({ where: { id: userId }, data: { isOnline: true } });
  }
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models, f.ttl, f.reads])).toEqual([
      ['\\{entity:user:t={teamId}:i={identifier}\\}', ['User'], 600, [{ file: 'src/get-user.usecase.ts', line: 10 }]],
    ]);
    const errors = result.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => [f.ruleId, f.file, f.line, f.column, f.message.split('\n')[0]])).toEqual([
      [
        'require-dependent-invalidation',
        'src/users.controller.ts',
        19,
        9,
        'UsersController.online leaves a cached family stale: `\\{entity:user:t={teamId}:i={identifier}\\}`.',
      ],
    ]);
  });
});

/** A use case whose cached private method returns the user under a property its one caller reads by field. */
const RETURNED_USER = `import { Injectable } from '@nestjs/common';
import { CachedEntity } from './cache/cached-entity';
import { buildUserKey } from './cache/keys';
import { prisma } from './db';
@Injectable()
export class GetUser {
  async execute(command: { userId: string; teamId: string }) {
    const { user } = await this.fetchUser({ userId: command.userId, _teamId: command.teamId });
    if (!user) return null;
    return { name: user.name };
  }
  @CachedEntity({
    builder: (command: { userId: string; _teamId: string }) => buildUserKey({ userId: command.userId, _teamId: command._teamId }),
    options: { ttl: 600 },
  })
  private async fetchUser({ userId, _teamId }: { userId: string; _teamId: string }): Promise<{ user?: { name: string } }> {
    const user = await prisma.user.findUnique({ where: { id: userId } });
    return { user };
  }
}
`;

describe('what a cached method returns, by what its callers read', () => {
  it('leaves an update of fields no caller reads alone, and names one of a field they read', async () => {
    const result = await project({
      ...KEYS,
      ...DECORATOR,
      'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
      'src/get-user.usecase.ts': RETURNED_USER,
      'src/users.controller.ts': `import { Body, Controller, Patch, Param } from '@nestjs/common';
import { prisma } from './db';
@Controller('users')
export class UsersController {
  @Patch(':userId/online')
  async online(@Param('userId') userId: string) {
    await prisma.user.update({ where: { id: userId }, data: { isOnline: true } });
  }
  @Patch(':userId/name')
  async rename(@Param('userId') userId: string, @Body() body: { name: string }) {
    await prisma.user.update({ where: { id: userId }, data: { name: body.name } });
  }
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['\\{entity:user:t={teamId}:i={identifier}\\}', ['User']]]);
    const judged = result.findings.filter((f) => f.ruleId !== 'unresolved');
    expect(judged.map((f) => [f.severity, f.ruleId, f.file, f.line, f.message.split('\n')[0]])).toEqual([
      [
        'error',
        'require-dependent-invalidation',
        'src/users.controller.ts',
        10,
        'UsersController.rename leaves a cached family stale: `\\{entity:user:t={teamId}:i={identifier}\\}`.',
      ],
    ]);
  });
});

describe('query families kept in a set', () => {
  it('deletes every query of a set through a pipeline of the client a getter returns', async () => {
    const result = await project({
      'src/db.ts': `import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n`,
      'src/cache/client.ts': `import { Cluster, Redis } from 'ioredis';\nexport type CacheClient = Redis | Cluster | undefined;\n`,
      'src/cache/cache.service.ts': `import { Injectable } from '@nestjs/common';
import type { CacheClient } from './client';
export const QUERY_PREFIX = '#query#';
@Injectable()
export class CacheService {
  private redis: CacheClient;
  get client(): CacheClient {
    return this.redis;
  }
  get(key: string) {
    return this.client?.get(key);
  }
  async setQuery(key: string, value: string) {
    const [credentials, query] = key.split(\`:\${QUERY_PREFIX}=\`);
    const pipeline = this.client!.pipeline();
    pipeline.sadd(credentials, query);
    pipeline.set(key, value, 'EX', 3600);
    await pipeline.exec();
  }
  async delQuery(key: string) {
    const queries = await this.client!.smembers(key);
    const pipeline = this.client!.pipeline();
    queries.forEach((query) => {
      pipeline.del(\`\${key}:\${QUERY_PREFIX}=\${query}\`);
    });
    pipeline.del(key);
    await pipeline.exec();
  }
}
`,
      'src/cache/cached-query.ts': `import { Inject } from '@nestjs/common';
import { CacheService } from './cache.service';
export function CachedQuery({ builder }: { builder: (...args: any[]) => string }) {
  return (target: object, _name: string, descriptor: PropertyDescriptor) => {
    const original = descriptor.value;
    Inject(CacheService)(target, 'cacheService');
    descriptor.value = async function (this: { cacheService: CacheService }, ...args: unknown[]) {
      const hit = await this.cacheService.get(builder(...args));
      if (hit) {
        return JSON.parse(hit);
      }
      const result = await original.apply(this, args);
      await this.cacheService.setQuery(builder(...args), JSON.stringify(result));
      return result;
    };
  };
}
`,
      'src/cache/keys.ts': `import { QUERY_PREFIX } from './cache.service';
export const buildFeedKey = () => {
  const cache = (command: { subscriberId: string; page: number }) => \`{query:feed:s=\${command.subscriberId}}:\${QUERY_PREFIX}=\${JSON.stringify(command)}\`;
  const invalidate = ({ subscriberId }: { subscriberId: string }) => \`{query:feed:s=\${subscriberId}}\`;
  return { cache, invalidate };
};
`,
      'src/cache/invalidate-cache.service.ts': `import { Injectable } from '@nestjs/common';
import { CacheService } from './cache.service';
@Injectable()
export class InvalidateCacheService {
  constructor(private cacheService: CacheService) {}
  async invalidateQuery({ key }: { key: string }) {
    return this.cacheService.delQuery(key);
  }
}
`,
      'src/feed.controller.ts': `import { Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CachedQuery } from './cache/cached-query';
import { InvalidateCacheService } from './cache/invalidate-cache.service';
import { buildFeedKey } from './cache/keys';
import { prisma } from './db';
@Controller('subscribers/:subscriberId/messages')
export class FeedController {
  constructor(private invalidateCache: InvalidateCacheService) {}
  @Get()
  async feed(@Param('subscriberId') subscriberId: string, @Query('page') page: number) {
    return this.fetchFeed({ subscriberId, page });
  }
  @CachedQuery({ builder: (command: { subscriberId: string; page: number }) => buildFeedKey().cache(command) })
  private async fetchFeed(command: { subscriberId: string; page: number }) {
    return prisma.message.findMany({ where: { subscriberId: command.subscriberId } });
  }
  @Post(':messageId/read')
  async read(@Param('subscriberId') subscriberId: string, @Param('messageId') messageId: string) {
    await prisma.message.update({ where: { id: messageId }, data: { read: true } });
    await this.invalidateCache.invalidateQuery({ key: buildFeedKey().invalidate({ subscriberId }) });
  }
  @Post(':messageId/actions/done')
  async done(@Param('messageId') messageId: string) {
    await prisma.message.update({ where: { id: messageId }, data: { status: 'done' } });
  }
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['\\{query:feed:s={subscriberId}\\}:#query#={command}', ['Message']]]);
    expect(row(result, 'FeedController.read').invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['\\{query:feed:s={subscriberId}\\}:#query#={query}', ['InvalidateCacheService.invalidateQuery', 'CacheService.delQuery']],
      ['\\{query:feed:s={subscriberId}\\}', ['InvalidateCacheService.invalidateQuery', 'CacheService.delQuery']],
    ]);
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.file, f.line])).toEqual([
      ['require-dependent-invalidation', 'error', 'src/feed.controller.ts', 23],
    ]);
  });
});

/** A base repository over a Mongoose model, and a repository that gives it its model. */
const REPOSITORIES = {
  'src/dal/base-repository.ts': `import { Model } from 'mongoose';
export class BaseRepository<T_DBModel, T_Entity> {
  constructor(protected MongooseModel: Model<T_DBModel>, protected entity: new () => T_Entity) {}
  async findOne(query: Record<string, unknown>): Promise<T_Entity | null> {
    return this.MongooseModel.findOne(query);
  }
  async update(query: Record<string, unknown>, body: Record<string, unknown>) {
    return this.MongooseModel.updateMany(query, body);
  }
  async create(data: Partial<T_DBModel>) {
    const document = new this.MongooseModel(data);
    return document.save();
  }
}
`,
  'src/dal/user.schema.ts': `import mongoose, { Schema } from 'mongoose';
export interface UserDBModel { name: string; plan: string; isOnline: boolean }
const userSchema = new Schema({ name: String, plan: String, isOnline: Boolean });
export const User = (mongoose.models.User as mongoose.Model<UserDBModel>) || mongoose.model<UserDBModel>('User', userSchema);
`,
  'src/dal/user.repository.ts': `import { BaseRepository } from './base-repository';
import { User, UserDBModel } from './user.schema';
export class UserEntity { name!: string; plan!: string; isOnline!: boolean }
export class UserRepository extends BaseRepository<UserDBModel, UserEntity> {
  constructor() {
    super(User, UserEntity);
  }
  async findByName(name: string) {
    return this.findOne({ name });
  }
}
`,
  'src/throttler.decorator.ts': `import { Reflector } from '@nestjs/core';\nexport const ThrottlerCategory = Reflector.createDecorator<string>();\n`,
};

describe('writes and reads through repository classes', () => {
  it('names the model a repository gives its base, the fields an update sets and a loader uses, and an insert', async () => {
    const result = await project({
      ...KEYS,
      ...INVALIDATE,
      ...DECORATOR,
      ...REPOSITORIES,
      'src/get-user.usecase.ts': `import { Injectable } from '@nestjs/common';
import { CachedEntity } from './cache/cached-entity';
import { buildUserKey } from './cache/keys';
import { UserRepository } from './dal/user.repository';
@Injectable()
export class GetUser {
  constructor(private userRepository: UserRepository) {}
  @CachedEntity({ builder: (command: { userId: string; _teamId: string }) => buildUserKey(command) })
  async execute({ userId }: { userId: string; _teamId: string }) {
    return this.userRepository.findOne({ _id: userId });
  }
  @CachedEntity({ builder: (command: { userId: string }) => \`plan:\${command.userId}\` })
  async plan({ userId }: { userId: string }) {
    const user = await this.userRepository.findOne({ _id: userId });
    if (!user) throw new Error('no user');
    return user.plan;
  }
}
`,
      'src/users.controller.ts': `import { Body, Controller, Param, Patch, Post, Put } from '@nestjs/common';
import { Analytics } from '@segment/analytics-node';
import { InvalidateCacheService } from './cache/invalidate-cache.service';
import { buildUserKey } from './cache/keys';
import { UserRepository } from './dal/user.repository';
import { ThrottlerCategory } from './throttler.decorator';
@Controller('teams/:teamId/users')
export class UsersController {
  private segment!: Analytics;
  constructor(private invalidateCache: InvalidateCacheService, private userRepository: UserRepository) {}
  @Post()
  async create(@Body() body: { name: string }) {
    await this.userRepository.create({ name: body.name, plan: 'free', isOnline: false });
  }
  @Put(':userId')
  async rename(@Param('teamId') teamId: string, @Param('userId') userId: string, @Body() body: { name: string }) {
    const update: Record<string, unknown> = {};
    update.name = body.name;
    await this.userRepository.update({ _id: userId }, { $set: update });
    await this.invalidateCache.invalidateByKey({ key: buildUserKey({ userId, _teamId: teamId }) });
  }
  @ThrottlerCategory('presence')
  @Patch(':userId/online')
  async online(@Param('userId') userId: string) {
    await this.userRepository.update({ _id: userId }, { $set: this.presence(true) });
    this.segment.track({ event: 'online', userId });
  }
  private presence(isOnline: boolean) {
    return { isOnline, ...(!isOnline && { lastOnlineAt: new Date() }) };
  }
}
`,
    });
    expect(result.families.map((f) => [f.key, f.models])).toEqual([
      ['\\{entity:user:t={teamId}:i={identifier}\\}', ['User']],
      ['plan:{userId}', ['User']],
    ]);
    const errors = result.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => [f.file, f.line, f.column, f.message])).toEqual([
      [
        'src/users.controller.ts',
        24,
        9,
        'UsersController.online leaves a cached family stale: `\\{entity:user:t={teamId}:i={identifier}\\}`.',
      ],
    ]);
    expect(errors[0]?.details?.[0]).toContain('it writes User (update) at src/dal/base-repository.ts:8');
  });
});
