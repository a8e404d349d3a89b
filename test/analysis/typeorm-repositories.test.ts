import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/scanner/result.js';
import { projects } from '../support/project.js';

/** Writes a small project with no configuration (families inferred from the code) and scans it. */
const project = projects('typeorm-repositories');

/** A service layer in the shape of Medusa v1: awilix injection, services that hand on their transaction, custom repositories. */
const FILES: Record<string, string> = {
  'src/loaders/database.ts': `import { DataSource } from 'typeorm';
export const dataSource = new DataSource({ type: 'postgres' });
`,
  'src/models/tax-rate.ts': `import { Column, Entity } from 'typeorm';
@Entity()
export class TaxRate {
  @Column() id: string;
  @Column() rate: number;
}
`,
  'src/models/product-tax-rate.ts': `import { Column, Entity } from 'typeorm';
@Entity()
export class ProductTaxRate {
  @Column() product_id: string;
  @Column() rate_id: string;
}
`,
  'src/models/index.ts': `export * from './tax-rate';\nexport * from './product-tax-rate';\n`,
  'src/types/cache.ts': `export interface ICacheService {
  get<T>(key: string): Promise<T | null>;
  set(key: string, data: unknown, ttl?: number): Promise<void>;
  invalidate(key: string): Promise<void>;
}
`,
  'src/interfaces/transaction-base-service.ts': `import { EntityManager } from 'typeorm';
export abstract class TransactionBaseService {
  protected manager_: EntityManager;
  protected get activeManager_(): EntityManager {
    return this.manager_;
  }
  protected constructor(protected readonly container: { manager: EntityManager }) {
    this.manager_ = container.manager;
  }
  withTransaction(manager?: EntityManager): this {
    if (!manager) return this;
    const cloned = new (this.constructor as new (container: unknown) => this)({ manager });
    return cloned;
  }
  protected async atomicPhase_<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return await this.manager_.transaction(async (manager) => await work(manager));
  }
}
`,
  'src/repositories/tax-rate.ts': `import { ProductTaxRate, TaxRate } from '../models';
import { dataSource } from '../loaders/database';

export const TaxRateRepository = dataSource.getRepository(TaxRate).extend({
  async listByProduct(productId: string) {
    const links = await this.manager.createQueryBuilder(ProductTaxRate, 'ptr').where('ptr.product_id = :productId', { productId }).getMany();
    return await this.createQueryBuilder('tr').whereInIds(links.map((link) => link.rate_id)).getMany();
  },
  async addToProduct(id: string, productIds: string[]) {
    const rows = productIds.map((product_id) => ({ rate_id: id, product_id }));
    await this.createQueryBuilder().insert().into(ProductTaxRate).values(rows).execute();
  },
  async rename(id: string, name: string) {
    await this.update({ id }, { name });
  },
});
`,
  'src/services/tax-rate.ts': `import { EntityManager } from 'typeorm';
import { TransactionBaseService } from '../interfaces/transaction-base-service';
import { TaxRateRepository } from '../repositories/tax-rate';

class TaxRateService extends TransactionBaseService {
  protected readonly taxRateRepository_: typeof TaxRateRepository;
  constructor(container) {
    super(container);
    this.taxRateRepository_ = container.taxRateRepository;
  }
  async update(id: string, data: { rate?: number }) {
    return await this.atomicPhase_(async (manager: EntityManager) => {
      const taxRateRepo = manager.withRepository(this.taxRateRepository_);
      const taxRate = await taxRateRepo.findOne({ where: { id } });
      Object.assign(taxRate, data);
      return await taxRateRepo.save(taxRate);
    });
  }
  async rename(id: string, name: string) {
    return await this.atomicPhase_(async (manager: EntityManager) => {
      await manager.withRepository(this.taxRateRepository_).rename(id, name);
    });
  }
  async addToProduct(id: string, productIds: string[]) {
    await this.activeManager_.withRepository(this.taxRateRepository_).addToProduct(id, productIds);
  }
  async listByProduct(productId: string) {
    const taxRateRepo = this.activeManager_.withRepository(this.taxRateRepository_);
    return await taxRateRepo.listByProduct(productId);
  }
}
export default TaxRateService;
`,
  'src/services/tax-provider.ts': `import { TransactionBaseService } from '../interfaces/transaction-base-service';
import type { ICacheService } from '../types/cache';
import TaxRateService from './tax-rate';

class TaxProviderService extends TransactionBaseService {
  protected readonly taxRateService_: TaxRateService;
  protected readonly cacheService_: ICacheService;
  constructor(container) {
    super(container);
    this.taxRateService_ = container.taxRateService;
    this.cacheService_ = container.cacheService;
  }
  async getRegionRatesForProduct(productId: string, regionId: string) {
    const cached = await this.cacheService_.get(\`txrtcache:\${productId}:\${regionId}\`);
    if (cached) return cached;
    const rates = await this.taxRateService_.withTransaction(this.activeManager_).listByProduct(productId);
    await this.cacheService_.set(\`txrtcache:\${productId}:\${regionId}\`, rates);
    return rates;
  }
}
export default TaxProviderService;
`,
  'src/services/index.ts': `export { default as TaxRateService } from './tax-rate';
export { default as TaxProviderService } from './tax-provider';
`,
  'src/api/tax-rates/index.ts': `import { Router } from 'express';
import { TaxRateService } from '../../services';
const route = Router();
export default (app) => {
  app.use('/tax-rates', route);
  route.post('/:id', require('./update-tax-rate').default);
  route.post('/:id/name', require('./rename-tax-rate').default);
  route.post('/:id/products', async (req, res) => {
    const rateService: TaxRateService = req.scope.resolve('taxRateService');
    await rateService.addToProduct(req.params.id, req.body.product_ids);
    res.json({});
  });
  return app;
};
`,
  'src/api/tax-rates/update-tax-rate.ts': `import { EntityManager } from 'typeorm';
import { TaxRateService } from '../../services';

export default async (req, res) => {
  const manager: EntityManager = req.scope.resolve('manager');
  const rateService: TaxRateService = req.scope.resolve('taxRateService');
  await manager.transaction(async (tx) => {
    const txRateService = rateService.withTransaction(tx);
    await txRateService.update(req.params.id, req.body);
  });
  res.json({});
};
`,
  'src/api/tax-rates/rename-tax-rate.ts': `import { TaxRateService } from '../../services';

export default async (req, res) => {
  const rateService: TaxRateService = req.scope.resolve('taxRateService');
  await rateService.rename(req.params.id, req.body.name);
  res.json({});
};
`,
};

function stale(result: ScanResult): string[][] {
  return result.findings
    .filter((f) => f.ruleId === 'require-dependent-invalidation' || f.ruleId === 'possibly-stale-family')
    .map((f) => [f.severity, `${f.file}:${String(f.line)}:${String(f.column)}`, f.message, ...(f.details ?? []).slice(0, 1)]);
}

describe('TypeORM custom repositories reached through services', () => {
  it("reads a custom repository's methods and the service a transaction hands on as the entity's reads and writes", async () => {
    const result = await project(FILES);
    // The loader reads through the service's list method into the repository's own method.
    expect(result.families.map((f) => [f.key, f.models])).toEqual([['txrtcache:{productId}:{regionId}', ['ProductTaxRate', 'TaxRate']]]);
    expect(stale(result)).toEqual([
      [
        'error',
        'src/api/tax-rates/index.ts:6:9',
        'POST /tax-rates/:id leaves a cached family stale: `txrtcache:{productId}:{regionId}`.',
        '- `txrtcache:{productId}:{regionId}` holds TaxRate (a list, count or aggregate; read at src/services/tax-provider.ts:14, filled at src/services/tax-provider.ts:17); it writes TaxRate (upsert) at src/services/tax-rate.ts:16: delete `txrtcache:{productId}:{regionId}`.',
      ],
      // An update of a row the list's filter may not hold: a warning.
      [
        'warning',
        'src/api/tax-rates/index.ts:7:9',
        'POST /tax-rates/:id/name may leave a cached family stale: `txrtcache:{productId}:{regionId}`.',
        '- `txrtcache:{productId}:{regionId}` holds TaxRate (a list, count or aggregate; read at src/services/tax-provider.ts:14, filled at src/services/tax-provider.ts:17); it writes TaxRate (update) at src/repositories/tax-rate.ts:14: delete `txrtcache:{productId}:{regionId}`.',
      ],
      // The insert of the repository's builder is of the entity `into()` names, which a manager's builder reads.
      [
        'warning',
        'src/api/tax-rates/index.ts:8:9',
        'POST /tax-rates/:id/products may leave a cached family stale: `txrtcache:{productId}:{regionId}`.',
        '- `txrtcache:{productId}:{regionId}` holds ProductTaxRate (a list, count or aggregate; read at src/services/tax-provider.ts:14, filled at src/services/tax-provider.ts:17); it writes ProductTaxRate (create) at src/repositories/tax-rate.ts:11: delete `txrtcache:{productId}:{regionId}`.',
      ],
    ]);
  });
});
