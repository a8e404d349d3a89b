import { ts as morphTs } from 'ts-morph';
import type { TS } from '../ts/syntax.js';
import { familyTtl } from '../analysis/effects.js';
import type { FileFacts } from '../analysis/facts.js';
import { VERSION } from '../version.js';
import { compareFindings, RESULT_VERSION } from './result.js';
import type { ScanFinding, ScanResult } from './result.js';
import { checkFiles, FindingSink } from './scan-check.js';
import { extractProject } from './scan-extract.js';
import { loadScan, reportedFiles } from './scan-load.js';
import type { ScanSetup } from './scan-load.js';
import { buildMatrix } from './scan-matrix.js';
import { createReader } from './scan-parse.js';
import { blindSpots, deletionFindings, keyFindings } from './scan-project.js';

export interface ScanOptions {
  /** The project directory (a configuration file is found from here upward). */
  readonly root: string;
  /** Report findings only in these files or directories (the whole project is still read). */
  readonly paths?: readonly string[];
  /** Report findings only in these files (changed or staged ones); empty: report none. */
  readonly onlyFiles?: ReadonlySet<string>;
  /** A tsconfig to use instead of discovering them. */
  readonly tsconfig?: string;
  /** Include the rules of the strict config (require-tenant-scope). */
  readonly strict?: boolean;
  /** Files larger than this are skipped with a diagnostic (default 2 MB). */
  readonly maxFileBytes?: number;
  /** Content to use instead of the working tree (the staged content, for --staged). */
  readonly readFile?: (absolutePath: string) => Buffer | null;
  /** Called as files are read: (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Audits a whole project: the per-file checks of the ESLint rules, with calls followed across
 * files, and the project-wide ones (stale and unused keys, blind spots), the coverage matrix and
 * the coverage figure. Never prints, never exits; throws a `ScanError` when it cannot start.
 * The steps: load → parse → extract → check → project findings → blind spots → assemble.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- a promise by contract: a bad setup rejects rather than throws
export async function scan(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const ts = morphTs as unknown as TS;
  const setup = loadScan(ts, options);
  const reader = createReader(ts, options, setup.rel, setup.diagnostics);
  const facts = extractProject(ts, setup, reader, options.onProgress);
  const isReportedFile = reportedFiles(setup.root, options);
  const sink = new FindingSink();
  checkFiles(setup, reader, facts, isReportedFile, options.strict, sink);
  const lineOf = (file: string, offset: number): number => (reader.sourceOf(file)?.getLineAndCharacterOfPosition(offset).line ?? 0) + 1;
  keyFindings(setup, facts, isReportedFile, sink);
  deletionFindings(setup, reader, facts, isReportedFile, sink);
  blindSpots(setup, reader, facts, isReportedFile, lineOf, sink);
  return assemble(setup, facts, sink.findings, lineOf, started);
}

/** Step 7: the matrix, the coverage figure and the result. */
function assemble(
  setup: ScanSetup,
  facts: readonly FileFacts[],
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
    families: inferredFamilies(facts, rel, lineOf),
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
    const entry = byKey.get(family.key) ?? { key: family.key, models: new Set<string>(), reads: [], fills: [] };
    for (const model of family.models) entry.models.add(model);
    const read = siteOf(family);
    if (!isListed(entry.reads, read)) entry.reads.push(read);
    for (const fill of family.fills) {
      const at = { ...siteOf(fill), ttl: fill.ttl };
      if (!isListed(entry.fills, at)) entry.fills.push(at);
    }
    byKey.set(family.key, entry);
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
