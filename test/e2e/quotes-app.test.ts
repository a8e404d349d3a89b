import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as NestCore from '@nestjs/core';
import type * as IoRedis from 'ioredis';
import type * as Runtime from '../../packages/runtime/src/runtime/index.js';
import { redisPortOrSkip } from '../support/redis.js';

/**
 * The quotes app, compiled as NestJS apps are (CommonJS, legacy decorators with metadata), served
 * by a real HTTP server over a real Redis: the check users otherwise make by hand with curl.
 */
const port = redisPortOrSkip('quotes app end to end');
const root = resolve(import.meta.dirname, '../..');
const source = join(root, 'fixtures/quotes-app/src');
const out = join(root, 'test/artifacts/quotes-app');
const runtimeEntry = join(root, 'dist/cjs/src/runtime.js');

function compile(): void {
  rmSync(out, { recursive: true, force: true });
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        visit(path);
        continue;
      }
      const { outputText } = ts.transpileModule(readFileSync(path, 'utf8'), {
        fileName: path,
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          esModuleInterop: true,
        },
      });
      const target = join(out, relative(source, path)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      // The compiled app loads the built runtime, as an installed package would.
      writeFileSync(target, outputText.replaceAll('"cache-audit/runtime"', JSON.stringify(runtimeEntry)));
    }
  };
  visit(source);
  writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
}

describe.skipIf(port === null)('the quotes app over HTTP and Redis', () => {
  const require = createRequire(join(out, 'index.js'));
  let base = '';
  let close: () => Promise<void> = async () => {};
  let runtime: typeof Runtime;
  let computations: { kpis: number };
  let redis: IoRedis.Redis;

  beforeAll(async () => {
    compile();
    require('reflect-metadata');
    const { NestFactory } = require('@nestjs/core') as typeof NestCore;
    const { Redis } = require('ioredis') as typeof IoRedis;
    // The same copy of the runtime as the compiled app (its process-wide cache).
    runtime = require(runtimeEntry) as typeof runtime;
    const { cacheKeys } = require('./cache/keys.js') as { cacheKeys: Parameters<typeof runtime.createCache>[0]['registry'] };
    computations = (require('./store.js') as { computations: { kpis: number } }).computations;
    redis = new Redis({ host: '127.0.0.1', port: port ?? 0, db: 5 });
    await redis.flushdb();
    runtime.createCache({
      registry: cacheKeys,
      store: new runtime.RedisStore(redis),
      resolveParams: ({ args }) => ({ tenantId: String(args[0]) }),
    });
    const { AppModule } = require('./app.module.js') as { AppModule: new () => unknown };
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest types its options as a class and reads a plain object
    const app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    base = base.replace('[::1]', '127.0.0.1');
    close = async () => {
      await app.close();
    };
  }, 60_000);

  afterAll(async () => {
    await close();
    // Unset when beforeAll failed before it got to them.
    /* eslint-disable @typescript-eslint/no-unnecessary-condition -- see above */
    await redis?.flushdb();
    redis?.disconnect();
    runtime?.resetCache();
    /* eslint-enable @typescript-eslint/no-unnecessary-condition */
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'x-tenant-id': 'acme', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.ok, `${method} ${path}: ${String(response.status)}`).toBe(true);
    return response.json();
  };

  it('misses, hits, invalidates on POST /quotes, then recomputes', async () => {
    const first = await call('GET', '/dashboard/kpis');
    expect(computations.kpis).toBe(1);
    expect(await call('GET', '/dashboard/kpis')).toEqual(first);
    expect(computations.kpis).toBe(1);
    expect((await redis.keys('onquota:dashboard:kpis:acme:*')).length).toBe(1);

    await call('POST', '/quotes', { clientId: 'c1', amount: 1200 });
    expect(await redis.keys('onquota:dashboard:*')).toEqual([]);

    const after = (await call('GET', '/dashboard/kpis')) as { quoted: number };
    expect(computations.kpis).toBe(2);
    expect(after.quoted).toBe(1200);
    const stats = runtime.getCache().metrics.snapshot();
    expect(stats['dashboardKpis']).toMatchObject({ hits: 1, misses: 2, sets: 2, invalidations: 1, keysDeleted: 1 });
  });
});
