import { typescript } from '../ts/typescript.js';
import type { ScanResult } from './result.js';
import { assemble, inferredFamilies } from './pipeline/assemble.js';
import { checkFiles, FindingSink } from './pipeline/check.js';
import { dependencyFacts, extractProject } from './pipeline/extract.js';
import { dependencyFindings } from './pipeline/inferred-registry.js';
import { loadScan, reportedFiles } from './pipeline/load.js';
import { createReader } from './pipeline/parse.js';
import type { SourceReader } from './pipeline/parse.js';
import { blindSpots, deletionFindings, keyFindings } from './pipeline/project-findings.js';
import { incrementalScan } from './incremental/index.js';
import type { RunMemory, ScanRun } from './incremental/index.js';
import type { ScanOptions } from './scan-options.js';

/**
 * Audits a whole project: the per-file checks of the ESLint rules, with calls followed across
 * files, and the project-wide ones (stale and unused keys, blind spots), the coverage matrix and
 * the coverage figure. Never prints, never exits; throws a `ScanError` when it cannot start.
 * The steps (pipeline/): load → parse → extract → check → project findings → blind spots → assemble;
 * what runs keep for one another (incremental/) is asked for on the way.
 */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  return incrementalScan(options, (memory) => run(options, memory));
}

function run(options: ScanOptions, memory: RunMemory): ScanRun {
  const started = performance.now();
  const ts = typescript();
  let setup = loadScan(ts, options);
  memory.begin(setup);
  const scope = memory.changeScope(ts, setup);
  if (scope) setup = { ...setup, files: scope.files };
  const read = new Set<string>();
  const parsing = tracked(memory.reader(createReader(ts, options, setup.analysisOptions, setup.rel, setup.diagnostics)), read);
  const isReportedFile = reportedFiles(setup.root, options);
  // Following a change, the handlers of the files it reaches (routers mount others' procedures), what the lookups read of the others.
  const following = scope ? { isWanted: (file: string) => !scope.lookupsOnly.has(file), isReported: isReportedFile } : undefined;
  const { facts, kept } = memory.extract(ts, setup, parsing, scope) ?? {
    facts: extractProject(ts, setup, parsing, options.onProgress, following),
    kept: new Map<string, readonly string[]>(),
  };
  // The files read by the kept summaries are inputs of the run too; their texts give the positions of their findings.
  for (const [file, reads] of kept) for (const each of [file, ...reads]) read.add(each);
  const reader = memory.keptTexts(parsing, new Set(kept.keys()));
  // The families the packages it depends on fill are the project's too (read after the project's own files).
  const dependencies = dependencyFacts(ts, setup, parsing);
  const sink = new FindingSink();
  checkFiles(setup, reader, facts, isReportedFile, options.strict, sink, dependencies);
  const lineOf = (file: string, offset: number): number => (reader.sourceOf(file)?.getLineAndCharacterOfPosition(offset).line ?? 0) + 1;
  keyFindings(setup, facts, isReportedFile, sink);
  const families = inferredFamilies([...facts, ...dependencies], setup.rel, lineOf);
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
