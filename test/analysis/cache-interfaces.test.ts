import { describe, expect, it } from 'vitest';
import { projects } from '../support/project.js';

/** Writes a small project with no configuration (families inferred from the code) and scans it. */
const project = projects('cache-interfaces');

const DB = `import { PrismaClient } from '@prisma/client';\nexport const db = new PrismaClient();\n`;

/** A cache service the project declares as an interface only, as Medusa's `@medusajs/types` does. */
const CACHE_TYPES = `export interface ICacheService {
  get<T>(key: string): Promise<T | null>;
  set(key: string, data: unknown, ttl?: number): Promise<void>;
  invalidate(key: string): Promise<void>;
}
export interface ICacheStats {
  get(name: string): Promise<number>;
  invalidate(name: string): Promise<void>;
}
`;

const ROUTES = `import { Router } from 'express';
import { db } from '../db';
import PriceSelectionStrategy from '../strategies/price-selection';

const strategy = new PriceSelectionStrategy({ cacheService: null as never, cacheStats: null as never });
export const route = Router();
route.post('/variants/:id/prices', async (req, res) => {
  await db.moneyAmount.update({ where: { id: req.params.id }, data: req.body });
  await strategy.onVariantsPricesUpdate([req.params.id]);
  res.json({});
});
route.post('/price-lists/:id', async (req, res) => {
  await db.moneyAmount.update({ where: { id: req.params.id }, data: req.body });
  res.json({});
});
`;

/** Medusa's price selection: a family read and filled through the interface, a pattern invalidation of it. */
const STRATEGY = `import type { ICacheService, ICacheStats } from '../types/cache';
import { db } from '../db';

export default class PriceSelectionStrategy {
  protected cacheService_: ICacheService;
  protected cacheStats_: ICacheStats;

  constructor({ cacheService, cacheStats }: { cacheService: ICacheService; cacheStats: ICacheStats }) {
    this.cacheService_ = cacheService;
    this.cacheStats_ = cacheStats;
  }

  async calculateVariantPrice(variantId: string, regionId: string) {
    const cached = await this.cacheService_.get(\`ps:\${variantId}:\${regionId}\`);
    if (cached) return cached;
    await this.cacheStats_.get(\`misses:\${regionId}\`);
    const prices = await db.moneyAmount.findMany({ where: { variantId, regionId } });
    await this.cacheService_.set(\`ps:\${variantId}:\${regionId}\`, prices);
    return prices;
  }

  async onVariantsPricesUpdate(variantIds: string[]) {
    await Promise.all(variantIds.map(async (id) => await this.cacheService_.invalidate(\`ps:\${id}:*\`)));
  }
}
`;

describe("a cache client typed by the project's interface", () => {
  it('reads get and set of a member typed by an interface named like a cache as a family', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/types/cache.ts': CACHE_TYPES,
      'src/strategies/price-selection.ts': STRATEGY,
      'src/routes/prices.ts': ROUTES,
    });
    // The interface that declares no fill (ICacheStats) makes no client: `misses:` is no family.
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['ps:{variantId}:{regionId}', ['MoneyAmount']]]);
    const variantPrices = result.matrix.rows.find((r) => r.handler === 'POST /variants/:id/prices');
    expect(variantPrices?.invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['ps:{id}:*', ['PriceSelectionStrategy.onVariantsPricesUpdate']],
    ]);
    const dependent = result.findings.filter((f) => f.ruleId === 'require-dependent-invalidation');
    expect(dependent.map((f) => [f.severity, `${f.file}:${String(f.line)}:${String(f.column)}`, f.message])).toEqual([
      ['error', 'src/routes/prices.ts:12:7', 'POST /price-lists/:id leaves a cached family stale: `ps:{variantId}:{regionId}`.'],
    ]);
  });

  it('follows the calls into the class of the project that implements the interface instead', async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/types/cache.ts': CACHE_TYPES,
      'src/cache/redis-cache.ts': `import Redis from 'ioredis';
import type { ICacheService } from '../types/cache';

export class RedisCacheService implements ICacheService {
  constructor(private readonly redis: Redis) {}
  async get<T>(key: string): Promise<T | null> {
    const cached = await this.redis.get(\`medusa:\${key}\`);
    return cached ? (JSON.parse(cached) as T) : null;
  }
  async set(key: string, data: unknown): Promise<void> {
    await this.redis.set(\`medusa:\${key}\`, JSON.stringify(data));
  }
  async invalidate(key: string): Promise<void> {
    const keys = await this.redis.keys(\`medusa:\${key}\`);
    if (keys.length > 0) await this.redis.del(...keys);
  }
}
`,
      'src/strategies/price-selection.ts': STRATEGY,
      'src/routes/prices.ts': ROUTES,
    });
    // The family is the implementation's key, and the invalidation runs through its method.
    expect(result.families.map((f) => f.key)).toContain('medusa:ps:{variantId}:{regionId}');
    const variantPrices = result.matrix.rows.find((r) => r.handler === 'POST /variants/:id/prices');
    expect(variantPrices?.invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['medusa:ps:{id}:*', ['PriceSelectionStrategy.onVariantsPricesUpdate', 'RedisCacheService.invalidate']],
    ]);
  });
});

describe('a strategy a container gives by its registration name', () => {
  it("follows a member typed by the project's interface to the class registered by that name, and an overloaded method to its body", async () => {
    const result = await project({
      'src/db.ts': DB,
      'src/types/cache.ts': CACHE_TYPES,
      'src/interfaces/price-selection.ts': `export interface IPriceSelectionStrategy {
  withTransaction(manager?: unknown): this;
  onVariantsPricesUpdate(variantIds: string[]): Promise<void>;
}
`,
      'src/strategies/price-selection.ts': `import type { ICacheService } from '../types/cache';
import type { IPriceSelectionStrategy } from '../interfaces/price-selection';
import { db } from '../db';

export default class PriceSelectionStrategy implements IPriceSelectionStrategy {
  protected cacheService_: ICacheService;
  constructor({ cacheService }: { cacheService: ICacheService }) {
    this.cacheService_ = cacheService;
  }
  withTransaction(): this {
    return this;
  }
  async calculateVariantPrice(variantId: string, regionId: string) {
    const cached = await this.cacheService_.get(\`ps:\${variantId}:\${regionId}\`);
    if (cached) return cached;
    const prices = await db.moneyAmount.findMany({ where: { variantId, regionId } });
    await this.cacheService_.set(\`ps:\${variantId}:\${regionId}\`, prices);
    return prices;
  }
  async onVariantsPricesUpdate(variantIds: string[]) {
    await Promise.all(variantIds.map(async (id) => await this.cacheService_.invalidate(\`ps:\${id}:*\`)));
  }
}
`,
      'src/services/product-variant.ts': `import type { IPriceSelectionStrategy } from '../interfaces/price-selection';
import { db } from '../db';

export default class ProductVariantService {
  protected priceSelectionStrategy_: IPriceSelectionStrategy;
  constructor({ priceSelectionStrategy }: { priceSelectionStrategy: IPriceSelectionStrategy }) {
    this.priceSelectionStrategy_ = priceSelectionStrategy;
  }
  async updatePrices(variantId: string, amount: number): Promise<void>;
  async updatePrices(variantIds: string[], amount: number): Promise<void>;
  async updatePrices(variantIds: string | string[], amount: number): Promise<void> {
    const ids = Array.isArray(variantIds) ? variantIds : [variantIds];
    await db.moneyAmount.updateMany({ where: { variantId: { in: ids } }, data: { amount } });
    await this.priceSelectionStrategy_.withTransaction().onVariantsPricesUpdate(ids);
  }
  async resetPrices(variantId: string): Promise<void> {
    await db.moneyAmount.deleteMany({ where: { variantId } });
    await this.priceSelectionStrategy_.onVariantsPricesUpdate([variantId]);
  }
}
`,
      'src/routes/prices.ts': `import { Router } from 'express';
import { db } from '../db';
import ProductVariantService from '../services/product-variant';

export const route = Router();
route.post('/variants/:id/prices', async (req, res) => {
  const variants: ProductVariantService = req.scope.resolve('productVariantService');
  await variants.updatePrices(req.params.id, req.body.amount);
  res.json({});
});
route.post('/price-lists/:id', async (req, res) => {
  await db.moneyAmount.update({ where: { id: req.params.id }, data: req.body });
  res.json({});
});
route.delete('/variants/:id/prices', async (req, res) => {
  const variants: ProductVariantService = req.scope.resolve('productVariantService');
  await variants.resetPrices(req.params.id);
  res.json({});
});
`,
    });
    const variantPrices = result.matrix.rows.find((r) => r.handler === 'POST /variants/:id/prices');
    expect(variantPrices?.invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['ps:{id}:*', ['ProductVariantService.updatePrices', 'PriceSelectionStrategy.onVariantsPricesUpdate']],
    ]);
    const reset = result.matrix.rows.find((r) => r.handler === 'DELETE /variants/:id/prices');
    expect(reset?.invalidations.map((i) => [i.pattern, i.through])).toEqual([
      ['ps:{id}:*', ['ProductVariantService.resetPrices', 'PriceSelectionStrategy.onVariantsPricesUpdate']],
    ]);
    const stale = result.findings.filter((f) => f.ruleId === 'require-dependent-invalidation' || f.ruleId === 'possibly-stale-family');
    expect(stale.map((f) => [f.severity, `${f.file}:${String(f.line)}:${String(f.column)}`, f.message])).toEqual([
      ['error', 'src/routes/prices.ts:11:7', 'POST /price-lists/:id leaves a cached family stale: `ps:{variantId}:{regionId}`.'],
    ]);
  });
});
