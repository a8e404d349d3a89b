import { rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fdir } from 'fdir';
import { afterAll, describe, expect, it } from 'vitest';
import { auditProject } from '../../src/scanner/apps.js';
import type { ScanResult } from '../../src/scanner/result.js';
import { scan } from '../../src/scanner/scan.js';
import { AUDITED_APPS } from '../support/fixture-apps.js';
import { writeProject } from '../support/project.js';

const fixtures = resolve(import.meta.dirname, '../../fixtures');

/** The source files below a directory, as the CLI could be given them staged. */
function sourceFiles(root: string): string[] {
  return new fdir()
    .withFullPaths()
    .exclude((name) => name === 'node_modules')
    .filter((path) => /\.[cm]?[jt]sx?$/.test(path))
    .crawl(root)
    .sync()
    .sort();
}

const posixPath = (root: string, file: string): string => relative(root, file).split(sep).join('/');

/** What a finding says, but the time it took. */
const findingsOf = (result: ScanResult) => result.findings;

describe('--staged gives the findings of a whole run in the staged file', () => {
  it.each(['quotes-app', ...AUDITED_APPS.filter((app) => !app.includes('/'))])('on %s, staging each file in turn', async (app) => {
    const root = join(fixtures, app);
    const whole = await auditProject({ root, mode: 'single' });
    for (const file of sourceFiles(root)) {
      const staged = await auditProject({ root, mode: 'single', onlyFiles: new Set([file]), followChange: true });
      const expected = whole.findings.filter((f) => f.file === posixPath(root, file));
      expect({ file: posixPath(root, file), findings: findingsOf(staged) }).toEqual({ file: posixPath(root, file), findings: expected });
    }
  });

  it('at a monorepo root: the application of the staged file, as in a whole run', async () => {
    const root = join(fixtures, 'monorepo-app');
    const whole = await auditProject({ root });
    expect(whole.apps?.length).toBe(2);
    let withFindings = 0;
    for (const file of sourceFiles(root)) {
      const staged = await auditProject({ root, onlyFiles: new Set([file]), followChange: true });
      const expected = whole.findings.filter((f) => f.file === posixPath(root, file));
      if (expected.length > 0) withFindings++;
      expect({ file: posixPath(root, file), findings: staged.findings }).toEqual({ file: posixPath(root, file), findings: expected });
    }
    expect(withFindings).toBeGreaterThan(0);
  });
});

describe('--staged through barrels', () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });
  const config = JSON.stringify({ registry: './src/keys.ts' });
  const keys = `import { defineCacheRegistry } from 'cache-audit/runtime';
export const cacheKeys = defineCacheRegistry({
  keys: {
    quotesList: { template: 'quotes:list:{tenantId}', ttl: 60, dependsOn: ['quotes'] },
    clientsList: { template: 'clients:list:{tenantId}', ttl: 60, dependsOn: ['clients'] },
  },
});
`;
  /** A barrel (`export *`) over two services, a controller that imports one of them through it, another that imports the other. */
  const files = {
    'cache-audit.config.json': config,
    'src/keys.ts': keys,
    'src/services/index.ts': "export * from './quotes.service';\nexport * from './clients.service';\n",
    'src/services/quotes.service.ts': `import { Injectable } from '@nestjs/common';
import { redis } from '../redis';
@Injectable()
export class QuotesService {
  async create(tenantId: string) {
    await redis.del(\`quotes:list:\${tenantId}\`);
  }
}
`,
    'src/services/clients.service.ts': `import { Injectable } from '@nestjs/common';
import { ClientsRepository } from '../clients.repository';
@Injectable()
export class ClientsService {
  constructor(private readonly repository: ClientsRepository) {}
  async create(tenantId: string) {
    return this.repository.insert(tenantId);
  }
}
`,
    'src/clients.repository.ts': `export class ClientsRepository {
  insert(tenantId: string) {
    return tenantId;
  }
}
`,
    'src/redis.ts': "import Redis from 'ioredis';\nexport const redis = new Redis();\n",
    'src/quotes.controller.ts': `import { Controller, Post, Param } from '@nestjs/common';
import { QuotesService } from './services';
@Controller('quotes')
export class QuotesController {
  constructor(private readonly quotes: QuotesService) {}
  @Post(':tenantId')
  create(@Param('tenantId') tenantId: string) {
    return this.quotes.create(tenantId);
  }
}
`,
    'src/clients.controller.ts': `import { Controller, Post, Param } from '@nestjs/common';
import { ClientsService } from './services';
@Controller('clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}
  @Post(':tenantId')
  create(@Param('tenantId') tenantId: string) {
    return this.clients.create(tenantId);
  }
}
`,
  };

  it('reads through a barrel only the modules that can export the names imported, and the findings are those of a whole run', async () => {
    const root = writeProject('staged-barrel', files);
    roots.push(root);
    const whole = await scan({ root });
    const controllers = ['src/quotes.controller.ts', 'src/clients.controller.ts'];
    expect(whole.findings.filter((f) => controllers.includes(f.file)).map((f) => `${f.file} ${f.ruleId}`)).toEqual([
      'src/clients.controller.ts require-invalidation',
    ]);
    for (const file of sourceFiles(root)) {
      const staged = await scan({ root, onlyFiles: new Set([file]), followChange: true });
      expect({ file: posixPath(root, file), findings: staged.findings }).toEqual({
        file: posixPath(root, file),
        findings: whole.findings.filter((f) => f.file === posixPath(root, file)),
      });
    }
    // The quotes controller reaches the quotes service through the barrel, not the clients service and its repository.
    const quotes = await scan({ root, onlyFiles: new Set([join(root, 'src/quotes.controller.ts')]), followChange: true });
    expect(quotes.filesScanned).toBe(4);
    // The quotes service, what it imports, the barrel and the one controller that takes a name it exports through it.
    const service = await scan({ root, onlyFiles: new Set([join(root, 'src/services/quotes.service.ts')]), followChange: true });
    expect(service.filesScanned).toBe(4);
    // A file that cannot matter holds no finding: the lookups of the project are read, not its importers.
    const plain = await scan({ root, onlyFiles: new Set([join(root, 'src/services/clients.service.ts')]), followChange: true });
    expect(plain.filesScanned).toBe(3);
  });
});
