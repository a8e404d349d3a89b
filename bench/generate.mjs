// Generates a synthetic back end for the benchmarks: NestJS controllers, Express-style routers and
// Next.js route handlers in realistic proportions, beside the services, DTOs and utilities that make
// up most of a real code base. Deterministic for a given size.
// Usage: node bench/generate.mjs <files> <outDir>
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const RESOURCES = ['quote', 'expense', 'client', 'invoice', 'product', 'order', 'payment', 'supplier', 'contract', 'ticket'];
const plural = (r) => `${r}s`;
const pascal = (s) => s[0].toUpperCase() + s.slice(1);

function registry() {
  const keys = RESOURCES.flatMap((r) => [
    `    ${r}List: { template: '${plural(r)}:list:{tenantId}:{hash}', ttl: 60, dependsOn: ['${plural(r)}'] },`,
    `    ${r}Summary: { template: '${plural(r)}:summary:{tenantId}:{hash}', ttl: 300, dependsOn: ['${plural(r)}'] },`,
  ]);
  return `import { defineCacheRegistry } from 'cache-audit/runtime';

export const cacheKeys = defineCacheRegistry({
  prefix: 'bench:',
  keys: {
    dashboardKpis: { template: 'dashboard:kpis:{tenantId}:{hash}', ttl: 300, dependsOn: ['quotes', 'expenses', 'clients'] },
${keys.join('\n')}
  },
});
`;
}

function nestController(r, i) {
  const extra = r === 'quote' || r === 'expense' || r === 'client' ? `, 'dashboard:kpis:{tenantId}:*'` : '';
  return `import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { Cacheable, InvalidateCachePattern } from 'cache-audit/runtime';
import { ${pascal(r)}Service${i} } from './${r}-${i}.service';

@Controller('${plural(r)}')
export class ${pascal(r)}Controller${i} {
  constructor(private readonly service: ${pascal(r)}Service${i}) {}

  @Get()
  @Cacheable('${r}List')
  list(@Param('tenantId') tenantId: string) {
    return this.service.list(tenantId);
  }

  @Post()
  @InvalidateCachePattern('${plural(r)}:list:{tenantId}:*', '${plural(r)}:summary:{tenantId}:*'${extra})
  create(@Param('tenantId') tenantId: string, @Body() input: Record<string, unknown>) {
    return this.service.create(tenantId, input);
  }

  @Patch(':id')
  @InvalidateCachePattern('${plural(r)}:*'${extra})
  update(@Param('id') id: string, @Body() input: Record<string, unknown>) {
    return this.service.update(id, input);
  }

  @Delete(':id')
  @InvalidateCachePattern('${plural(r)}:*'${extra})
  remove(@Param('id') id: string) {
    return this.service.remove(id);
  }
}
`;
}

function service(r, i) {
  return `import { Injectable } from '@nestjs/common';

interface ${pascal(r)}Row {
  id: string;
  tenantId: string;
  amount: number;
  createdAt: Date;
}

@Injectable()
export class ${pascal(r)}Service${i} {
  private readonly rows = new Map<string, ${pascal(r)}Row>();

  list(tenantId: string): ${pascal(r)}Row[] {
    return [...this.rows.values()].filter((row) => row.tenantId === tenantId).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  create(tenantId: string, input: Record<string, unknown>): ${pascal(r)}Row {
    const row = { id: String(this.rows.size + 1), tenantId, amount: Number(input.amount ?? 0), createdAt: new Date() };
    this.rows.set(row.id, row);
    return row;
  }

  update(id: string, input: Record<string, unknown>): ${pascal(r)}Row | undefined {
    const row = this.rows.get(id);
    if (row && typeof input.amount === 'number') row.amount = input.amount;
    return row;
  }

  remove(id: string): boolean {
    return this.rows.delete(id);
  }

  total(tenantId: string): number {
    return this.list(tenantId).reduce((sum, row) => sum + row.amount, 0);
  }
}
`;
}

function router(r, i) {
  return `import { Router } from 'express';
import { getCache, escapeGlob } from 'cache-audit/runtime';

export const router${i} = Router();

router${i}.get('/${plural(r)}', async (req, res) => {
  res.json({ items: [], tenant: req.headers['x-tenant-id'] });
});

router${i}.post('/${plural(r)}', async (req, res) => {
  const tenantId = String(req.headers['x-tenant-id']);
  await getCache().deletePattern(\`${plural(r)}:list:\${escapeGlob(tenantId)}:*\`);
  await getCache().deletePattern(\`${plural(r)}:summary:\${escapeGlob(tenantId)}:*\`);
  res.status(201).json(req.body);
});

router${i}.delete('/${plural(r)}/:id', async (req, res) => {
  await getCache().deletePattern('${plural(r)}:*');
  res.sendStatus(204);
});
`;
}

function nextRoute(r) {
  return `import { getCache } from 'cache-audit/runtime';

export async function GET() {
  return Response.json([]);
}

export async function POST(request: Request) {
  const body = await request.json();
  await getCache().deletePattern('${plural(r)}:*');
  return Response.json(body, { status: 201 });
}
`;
}

function dto(r, i) {
  return `export interface Create${pascal(r)}Dto${i} {
  readonly name: string;
  readonly amount: number;
  readonly currency: 'EUR' | 'USD' | 'GBP';
  readonly tags: readonly string[];
}

export function validate${pascal(r)}${i}(input: unknown): input is Create${pascal(r)}Dto${i} {
  if (typeof input !== 'object' || input === null) return false;
  const candidate = input as Record<string, unknown>;
  return typeof candidate.name === 'string' && typeof candidate.amount === 'number' && Array.isArray(candidate.tags);
}
`;
}

function util(i) {
  return `export function formatAmount${i}(amount: number, currency = 'EUR'): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount);
}

export function chunk${i}<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

export const retry${i} = async <T>(fn: () => Promise<T>, attempts = 3): Promise<T> => {
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await fn();
    } catch (error) {
      last = error;
    }
  }
  throw last;
};
`;
}

export function generate(count, outDir) {
  rmSync(outDir, { recursive: true, force: true });
  const write = (path, text) => {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    writeFileSync(join(outDir, path), text);
  };
  write('cache-audit.config.json', JSON.stringify({ registry: 'src/cache/keys.ts' }, null, 2));
  write(
    'tsconfig.json',
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'CommonJS',
          strict: true,
          experimentalDecorators: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  write('src/cache/keys.ts', registry());
  // Per 20 files: 3 controllers with 3 services, 2 routers, 1 Next.js route, 5 DTOs, 6 utilities.
  const plan = [
    'controller',
    'service',
    'controller',
    'service',
    'controller',
    'service',
    'router',
    'router',
    'next',
    'dto',
    'dto',
    'dto',
    'dto',
    'dto',
    'util',
    'util',
    'util',
    'util',
    'util',
    'util',
  ];
  let written = 1;
  for (let i = 0; written < count; i++) {
    const kind = plan[i % plan.length];
    const r = RESOURCES[i % RESOURCES.length];
    const dir = `src/modules/m${Math.floor(i / 50)}`;
    if (kind === 'controller') write(`${dir}/${r}-${i}.controller.ts`, nestController(r, i));
    else if (kind === 'service') {
      // The service of the controller written just before it.
      const owner = RESOURCES[(i - 1) % RESOURCES.length];
      write(`${dir}/${owner}-${i - 1}.service.ts`, service(owner, i - 1));
    } else if (kind === 'router') write(`${dir}/${plural(r)}-${i}.routes.ts`, router(r, i));
    else if (kind === 'next') write(`src/app/api/${plural(r)}-${i}/route.ts`, nextRoute(r));
    else if (kind === 'dto') write(`${dir}/${r}-${i}.dto.ts`, dto(r, i));
    else write(`${dir}/util-${i}.ts`, util(i));
    written++;
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 2000);
  const out = process.argv[3] ?? 'bench/out/app';
  console.log(`generated ${generate(count, out)} files in ${out}`);
}
