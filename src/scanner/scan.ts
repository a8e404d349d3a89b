import { typescript } from '../ts/typescript.js';
import { familyTtl } from '../analysis/effects/loaders.js';
import { familyShape } from '../analysis/checks/helpers.js';
import type { FileFacts } from '../analysis/facts.js';
import { VERSION } from '../version.js';
import { compareFindings, RESULT_VERSION } from './result.js';
import type { ScanFinding, ScanResult } from './result.js';
import { checkFiles, FindingSink } from './scan-check.js';
import { extractProject } from './scan-extract.js';
import { extractWithSummaries } from './scan-summaries.js';
import { loadScan, reportedFiles } from './scan-load.js';
import type { ScanSetup } from './scan-load.js';
import { buildMatrix } from './scan-matrix.js';
import { dependencyFindings } from './inferred-registry.js';
import { createReader } from './scan-parse.js';
import type { SourceReader } from './scan-parse.js';
import { cachedScan, settingsKey, summaryStore, withCachedVerdicts, withKeptTexts } from './scan-cached.js';
import { changeScope } from './scan-change.js';
import type { ScanRun } from './scan-cached.js';
import type { ScanCache } from './scan-cache.js';
import type { ScanOptions } from './scan-options.js';
import { blindSpots, deletionFindings, keyFindings } from './scan-project.js';

/**
 * Audits a whole project: the per-file checks of the ESLint rules, with calls followed across
 * files, and the project-wide ones (stale and unused keys, blind spots), the coverage matrix and
 * the coverage figure. Never prints, never exits; throws a `ScanError` when it cannot start.
 * The steps: load → parse → extract → check → project findings → blind spots → assemble.
 */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  if (options.cache) return cachedScan(options, options.cache, (cache) => Promise.resolve(run(options, cache)));
  return Promise.resolve(run(options, null).result);
}

function run(options: ScanOptions, cache: ScanCache | null): ScanRun {
  const started = performance.now();
  const ts = typescript();
  let setup = loadScan(ts, options);
  if (cache) cache.useKey(settingsKey(setup, cache));
  const scope = options.followChange && options.onlyFiles ? changeScope(ts, setup, options, cache) : null;
  if (scope) setup = { ...setup, files: scope.files };
  const read = new Set<string>();
  const created = createReader(ts, options, setup.analysisOptions, setup.rel, setup.diagnostics);
  const parsing = tracked(cache ? withCachedVerdicts(created, cache, options) : created, read);
  const isReportedFile = reportedFiles(setup.root, options);
  // Following a change, the handlers of the files it reaches (routers mount others' procedures), what the lookups read of the others.
  const following = scope ? { isWanted: (file: string) => !scope.lookupsOnly.has(file), isReported: isReportedFile } : undefined;
  // Following a change, the key roles are those of its scope, not the project's: the summaries are the full runs'.
  const { facts, kept } =
    cache && !scope
      ? extractWithSummaries(ts, setup, parsing, summaryStore(cache, setup, options), options.onProgress)
      : { facts: extractProject(ts, setup, parsing, options.onProgress, following), kept: new Map<string, readonly string[]>() };
  // The files read by the kept summaries are inputs of the run too; their texts give the positions of their findings.
  for (const [file, reads] of kept) for (const each of [file, ...reads]) read.add(each);
  const reader = kept.size > 0 ? withKeptTexts(parsing, new Set(kept.keys()), options) : parsing;
  const sink = new FindingSink();
  checkFiles(setup, reader, facts, isReportedFile, options.strict, sink);
  const lineOf = (file: string, offset: number): number => (reader.sourceOf(file)?.getLineAndCharacterOfPosition(offset).line ?? 0) + 1;
  keyFindings(setup, facts, isReportedFile, sink);
  const families = inferredFamilies(facts, setup.rel, lineOf);
  dependencyFindings(setup, families, isReportedFile, sink);
  deletionFindings(setup, reader, facts, isReportedFile, sink);
  blindSpots(setup, reader, facts, isReportedFile, lineOf, sink);
  return { result: assemble(setup, facts, families, sink.findings, lineOf, started), setup, read };
}

/** The reader, noting every file it is asked for (the inputs of the run, for the cache). */
function tracked(reader: SourceReader, read: Set<string>): SourceReader {
  return {
    ...reader,
    read: (file, isReported) => {
      read.add(file);
      return reader.read(file, isReported);
    },
  };
}

/** Step 7: the matrix, the coverage figure and the result. */
function assemble(
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
function inferredFamilies(
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
