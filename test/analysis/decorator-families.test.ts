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

describe('keys built from enum members', () => {
  it('reads string enum members and destructured parameters of imported key builders', async () => {
    const result = await project({
      ...KEYS,
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
