import { familyTtl } from '../../analysis/effects/loaders.js';
import { familyShape } from '../../analysis/checks/helpers.js';
import type { FileFacts } from '../../analysis/facts.js';
import { VERSION } from '../../version.js';
import { compareFindings, RESULT_VERSION } from '../result.js';
import type { ScanFinding, ScanResult } from '../result.js';
import type { ScanSetup } from './load.js';
import { buildMatrix } from './matrix.js';

/** Step 7: the matrix, the coverage figure and the result. */
export function assemble(
  setup: ScanSetup,
  facts: readonly FileFacts[],
  families: ScanResult['families'],
  findings: ScanFinding[],
  lineOf: (file: string, offset: number) => number,
  started: number,
): ScanResult {
  const { registry, registryFile, rel, analysisOptions } = setup;
  const handlers = facts.flatMap((f) => f.handlers.map((handler) => ({ handler, file: f.file })));
  const matrix = buildMatrix(handlers, facts, registry, rel, lineOf);
  const mutations = handlers.filter(
    ({ handler }) => handler.isMutation && !analysisOptions.readOnlyRoutes.some((g) => handler.path !== null && g.test(handler.path)),
  );
  const covered = mutations.filter(({ handler }) => handler.invalidations.length > 0 || handler.exception !== null).length;
  const unnamed = new Map<string, { key: string; file: string; line: number }>();
  for (const read of facts.flatMap((f) => f.unnamedKeys ?? [])) {
    if (!unnamed.has(read.key)) unnamed.set(read.key, { key: read.key, file: rel(read.file), line: lineOf(read.file, read.range.start) });
  }
  return {
    version: RESULT_VERSION,
    tool: { name: 'cache-audit', version: VERSION },
    root: setup.root,
    registry:
      registry && registryFile
        ? {
            file: rel(registryFile),
            prefix: registry.prefix,
            keys: registry.entries.map((e) => ({ name: e.name, template: e.template, ttl: e.ttl ?? null, dependsOn: e.dependsOn })),
          }
        : null,
    configuration: setup.configFile,
    mode: analysisOptions.mode,
    families,
    ...(unnamed.size > 0 ? { unnamedKeys: [...unnamed.values()] } : {}),
    tsconfigs: setup.listed.tsconfigs,
    filesScanned: setup.files.length,
    findings: findings.sort(compareFindings),
    diagnostics: setup.diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column),
    matrix,
    coverage: { mutations: mutations.length, covered, ratio: mutations.length === 0 ? null : covered / mutations.length },
    durationMs: performance.now() - started,
  };
}

/** The cache families read in the code, once per key, with the models their loaders read, where they are read and filled. */
export function inferredFamilies(
  facts: readonly FileFacts[],
  rel: (file: string) => string,
  lineOf: (file: string, offset: number) => number,
): ScanResult['families'] {
  type Site = { file: string; line: number };
  const byKey = new Map<string, { key: string; models: Set<string>; reads: Site[]; fills: (Site & { ttl: number | null })[] }>();
  const siteOf = (at: { file: string; range: { start: number } }): Site => ({ file: rel(at.file), line: lineOf(at.file, at.range.start) });
  const isListed = (list: readonly Site[], at: Site): boolean => list.some((s) => s.file === at.file && s.line === at.line);
  for (const family of facts.flatMap((f) => f.families)) {
    // Keys that differ only by the names of their holes (`user:{id}`, `user:{userId}`) are one family.
    const shape = familyShape(family.key);
    const entry = byKey.get(shape) ?? { key: family.key, models: new Set<string>(), reads: [], fills: [] };
    for (const model of family.models) entry.models.add(model);
    // A projection is where a mutation fills the family, not where it is read.
    const read = siteOf(family);
    if (!family.isProjection && !isListed(entry.reads, read)) entry.reads.push(read);
    for (const fill of family.fills) {
      const at = { ...siteOf(fill), ttl: fill.ttl };
      if (!isListed(entry.fills, at)) entry.fills.push(at);
    }
    byKey.set(shape, entry);
  }
  const bySite = (a: Site, b: Site): number => a.file.localeCompare(b.file) || a.line - b.line;
  return [...byKey.values()]
    .map((e) => ({
      key: e.key,
      models: [...e.models].sort(),
      ttl: familyTtl(e.fills),
      reads: e.reads.sort(bySite),
      fills: e.fills.sort(bySite),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}
