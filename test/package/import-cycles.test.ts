import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The cycles src/analysis had when this test came, each as the files of one strongly connected
 * component. The analysis's rework removes them; until then a component may shrink, never grow.
 * The last one came with the calls of the app's own routes: the effects of a call are those of
 * the route it reaches, which a framework module reads with the effects (of the effect model,
 * only the summaries, `effects/summarize.ts`, are part of it). A new library source joins the
 * first one by its declared shape (`source.ts`), as every source does, and is listed here.
 */
const KNOWN: readonly (readonly string[])[] = [
  [
    'src/analysis/context.ts',
    'src/analysis/hooks.ts',
    'src/analysis/project-modules.ts',
    'src/analysis/sources/bentocache.ts',
    'src/analysis/sources/bullmq.ts',
    'src/analysis/sources/cache-clients.ts',
    'src/analysis/sources/clients.ts',
    'src/analysis/sources/declarations.ts',
    'src/analysis/sources/drizzle.ts',
    'src/analysis/sources/index.ts',
    'src/analysis/sources/mongoose.ts',
    'src/analysis/sources/next-cache.ts',
    'src/analysis/sources/prisma.ts',
    'src/analysis/sources/qstash.ts',
    'src/analysis/sources/response-cache.ts',
    'src/analysis/sources/self-refreshing.ts',
    'src/analysis/sources/sequelize.ts',
    'src/analysis/sources/source.ts',
    'src/analysis/sources/sql.ts',
    'src/analysis/sources/trigger-dev.ts',
    'src/analysis/sources/typeorm.ts',
  ],
  [
    'src/analysis/effects/summarize.ts',
    'src/analysis/frameworks/code-handler.ts',
    'src/analysis/frameworks/method-branches.ts',
    'src/analysis/frameworks/nextjs.ts',
    'src/analysis/frameworks/own-routes.ts',
    'src/analysis/frameworks/pages-api.ts',
    'src/analysis/handler-common.ts',
    'src/analysis/invalidations.ts',
    'src/analysis/self-calls.ts',
  ],
];

/** The project's own import graph (type imports included: a cycle of types is still one to read). */
async function importGraph(): Promise<Map<string, string[]>> {
  const tree = await parseDependencyTree(['src/**/*.{ts,cts}', 'rules/**/*.ts', 'packages/runtime/src/**/*.ts'], {
    context: root,
    cwd: root,
    transform: false,
    tsconfig: resolve(root, 'tsconfig.json'),
  });
  const isOwn = (file: string): boolean => /^(src|rules|packages\/runtime\/src)\//.test(file);
  const graph = new Map<string, string[]>();
  for (const [file, dependencies] of Object.entries(tree)) {
    if (!isOwn(file)) continue;
    graph.set(
      file,
      (dependencies ?? []).flatMap((d) => (d.id !== null && isOwn(d.id) ? [d.id] : [])),
    );
  }
  return graph;
}

/** The strongly connected components of more than one file (Tarjan's algorithm), each sorted. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1) components.push(component.sort());
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return components.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

describe('import cycles', () => {
  it('has none in src/ but the known ones of src/analysis, and those do not grow', async () => {
    const found = cycles(await importGraph());
    const isKnown = (component: readonly string[]): boolean => KNOWN.some((known) => component.every((file) => known.includes(file)));
    expect(found.filter((component) => !isKnown(component))).toEqual([]);
  });

  it('has none that passes through src/scanner', async () => {
    const graph = await importGraph();
    expect([...graph.keys()].filter((file) => file.startsWith('src/scanner/')).length).toBeGreaterThan(20);
    expect(cycles(graph).filter((component) => component.some((file) => file.startsWith('src/scanner/')))).toEqual([]);
  });
});
