import { readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fdir } from 'fdir';
import { afterAll, describe, expect, it } from 'vitest';
import { auditProject } from '../../src/scanner/apps.js';
import { moduleReferences } from '../../src/scanner/incremental/module-references.js';
import { importBindings, importSpecifiers } from '../../src/ts/imports.js';
import { scriptKindOf } from '../../src/ts/syntax.js';
import { typescript } from '../../src/ts/typescript.js';
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

describe('--staged gives the findings of a whole run in the staged file', () => {
  it.each(['quotes-app', ...AUDITED_APPS.filter((app) => !app.includes('/'))])('on %s, staging each file in turn', async (app) => {
    const root = join(fixtures, app);
    const whole = await auditProject({ root, mode: 'single' });
    for (const file of sourceFiles(root)) {
      const staged = await auditProject({ root, mode: 'single', onlyFiles: new Set([file]), followChange: true });
      const expected = whole.findings.filter((f) => f.file === posixPath(root, file));
      expect({ file: posixPath(root, file), findings: staged.findings }).toEqual({ file: posixPath(root, file), findings: expected });
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
  /** A NestJS controller whose one mutation calls its service, imported through the barrel. */
  const controller = (name: string): string => `import { Controller, Post, Param } from '@nestjs/common';
import { ${name}Service } from './services';
@Controller('${name.toLowerCase()}')
export class ${name}Controller {
  constructor(private readonly service: ${name}Service) {}
  @Post(':tenantId')
  create(@Param('tenantId') tenantId: string) {
    return this.service.create(tenantId);
  }
}
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
    'src/quotes.controller.ts': controller('Quotes'),
    'src/clients.controller.ts': controller('Clients'),
  };

  it('reads through a barrel only the modules that can export the names imported, and the findings are those of a whole run', async () => {
    const root = writeProject('staged-barrel', files);
    roots.push(root);
    const whole = await scan({ root });
    const controllers = ['src/quotes.controller.ts', 'src/clients.controller.ts'];
    expect(whole.findings.filter((f) => controllers.includes(f.file)).map((f) => `${f.file} ${f.ruleId}`)).toEqual([
      'src/clients.controller.ts require-dependent-invalidation',
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
    // A file that cannot matter holds no finding: it is read alone.
    const plain = await scan({ root, onlyFiles: new Set([join(root, 'src/services/clients.service.ts')]), followChange: true });
    expect(plain.filesScanned).toBe(1);
  });
});

describe('the references read from a text (moduleReferences)', () => {
  it('name every module importSpecifiers finds, and every name a parse sees imported, on every fixture file', () => {
    const ts = typescript();
    let names = 0;
    for (const file of sourceFiles(fixtures)) {
      const text = readFileSync(file, 'utf8');
      const { modules } = moduleReferences(text);
      expect(modules.map((m) => m.specifier).sort()).toEqual([...importSpecifiers(text)].sort());
      const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindOf(ts, file));
      for (const binding of importBindings(ts, sourceFile).values()) {
        const imported = modules.find((m) => m.specifier === binding.module)?.imported;
        const isTaken = imported === 'all' || (binding.imported !== '*' && imported?.has(binding.imported) === true);
        expect({ file, binding, isTaken }).toEqual({ file, binding, isTaken: true });
        names++;
      }
    }
    expect(names).toBeGreaterThan(100);
  });

  it('read re-exports and barrels', () => {
    const barrel = moduleReferences("export * from './a';\nexport { b as c, d } from './b';\nexport * as ns from './n';\n");
    expect(barrel.isBarrel).toBe(true);
    expect(barrel.modules.map((m) => [m.specifier, m.reexported === 'all' ? 'all' : [...m.reexported]])).toEqual([
      ['./a', 'all'],
      [
        './b',
        [
          ['c', 'b'],
          ['d', 'd'],
        ],
      ],
      ['./n', [['ns', '*']]],
    ]);
    const code = moduleReferences(
      "import D, { a, b as e } from './m';\nimport type { T } from './t';\nconst x = require('./r');\nexport const y = a;\n",
    );
    expect(code.isBarrel).toBe(false);
    expect(code.modules.map((m) => [m.specifier, m.imported === 'all' ? 'all' : [...m.imported].sort()])).toEqual([
      ['./m', ['a', 'b', 'default']],
      ['./t', ['T']],
      ['./r', 'all'],
    ]);
  });
});
