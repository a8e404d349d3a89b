import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The cycle src/analysis had when this test came, as the files of one strongly connected
 * component. The analysis's rework removes it; until then it may shrink, never grow, but for the
 * library sources: a source joins it by its declared shape (`source.ts`), as every source does,
 * so any file of `src/analysis/sources/` may be part of it.
 */
const KNOWN: readonly (readonly string[])[] = [['src/analysis/context.ts', 'src/analysis/hooks.ts', 'src/analysis/project-modules.ts']];
const KNOWN_FOLDER = 'src/analysis/sources/';

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
    const isKnown = (component: readonly string[]): boolean =>
      KNOWN.some((known) => component.every((file) => known.includes(file) || file.startsWith(KNOWN_FOLDER)));
    expect(found.filter((component) => !isKnown(component))).toEqual([]);
  });

  it('has none that passes through src/scanner', async () => {
    const graph = await importGraph();
    expect([...graph.keys()].filter((file) => file.startsWith('src/scanner/')).length).toBeGreaterThan(20);
    expect(cycles(graph).filter((component) => component.some((file) => file.startsWith('src/scanner/')))).toEqual([]);
  });
});
