import { existsSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { TS } from '../../ts/syntax.js';
import { globToRegExp, resolveOptions } from '../../analysis/options.js';
import type { AnalysisOptions, CacheAuditConfig } from '../../analysis/options.js';
import { clearConfigCache, loadConfigFor } from '../../config/load-config.js';
import type { CacheRegistry } from '../../registry/define.js';
import { loadRegistry } from '../../registry/load.js';
import type { LoadedRegistry } from '../../registry/load.js';
import { findTsconfigs, listedSources, packageTsconfigs, projectFiles } from '../../project/files.js';
import { dependencyFiles } from '../../project/dependencies.js';
import { isTestFile } from '../../project/test-files.js';
import type { ProjectFiles } from '../../project/files.js';
import type { ScanDiagnostic } from '../result.js';
import { ScanError } from '../scan-error.js';
import type { ScanOptions } from '../scan-options.js';

/** What a scan starts from: the configuration, the registry and the files to audit. */
export interface ScanSetup {
  readonly root: string;
  /** A path relative to the root, with `/`. */
  readonly rel: (file: string) => string;
  /** A path as messages name it: relative to the report's root (`reportRoot`, else the root), with `/`. */
  readonly messageRel: (file: string) => string;
  /** The configuration file, relative to the root; null when the project has none (defaults apply). */
  readonly configFile: string | null;
  /** The diagnostics of the scan; the later steps add theirs. */
  readonly diagnostics: ScanDiagnostic[];
  readonly config: CacheAuditConfig;
  readonly analysisOptions: AnalysisOptions;
  readonly registry: CacheRegistry | null;
  readonly registryFile: string | null;
  readonly loadedRegistry: LoadedRegistry | null;
  readonly listed: ProjectFiles;
  /** The project's files, without the ignored ones and the registry. */
  readonly files: readonly string[];
  /** The files of the packages the project depends on (see `dependencyFiles`), without the ignored ones: read for their families. */
  readonly dependencyFiles: () => readonly string[];
}

/** Step 1: the configuration, the registry and the file list. Throws a `ScanError` when a scan cannot start. */
export function loadScan(ts: TS, options: ScanOptions): ScanSetup {
  const root = resolve(options.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new ScanError('root-not-found', `${root} is not a directory.`);
  // A scan reads the files as they are now: no trust in what an earlier scan of this process saw.
  clearConfigCache();
  const loadedConfig = loadConfigFor(root, { recheckMs: 0, file: options.configFile });
  const rel = (file: string): string => relative(root, file).split(sep).join('/') || file;
  const reportRoot = options.reportRoot ? resolve(options.reportRoot) : root;
  const messageRel = (file: string): string => relative(reportRoot, file).split(sep).join('/') || file;
  const diagnostics: ScanDiagnostic[] = loadedConfig.diagnostics.map((d) => ({
    file: rel(d.file),
    line: d.line,
    column: d.column,
    message: d.message,
  }));
  const config = loadedConfig.config;

  let registry: CacheRegistry | null = null;
  let registryFile: string | null = null;
  let loadedRegistry: LoadedRegistry | null = null;
  if (config.registry) {
    registryFile = resolve(loadedConfig.dir, config.registry);
    loadedRegistry = loadRegistry(registryFile, { recheckMs: 0 });
    registry = loadedRegistry.registry;
    for (const d of loadedRegistry.diagnostics) diagnostics.push({ file: rel(d.file), line: d.line, column: d.column, message: d.message });
  } else if (loadedConfig.file) {
    diagnostics.push({
      file: rel(loadedConfig.file),
      line: 1,
      column: 1,
      message: 'No `registry` in the configuration: the key families are taken from the code (`cache-audit registry` lists them).',
    });
  }

  const listed = projectFiles(ts, root, options.tsconfig, options.workspaceRoot, options.workspaces);
  for (const p of listed.problems) diagnostics.push({ ...p, file: rel(p.file) });
  const ignores = (config.ignores ?? []).map((glob) => globToRegExp(glob));
  const ignoreBase = loadedConfig.file ? loadedConfig.dir : root;
  const isIgnored = (file: string): boolean => {
    const path = relative(ignoreBase, file).split(sep).join('/');
    return ignores.some((glob) => glob.test(path)) || (config.tests !== true && isTestFile(path));
  };
  const outside = (options.outside ?? []).map((dir) => resolve(dir) + sep);
  const files = listed.files.filter((file) => !isIgnored(file) && file !== registryFile && !outside.some((dir) => file.startsWith(dir)));
  checkSourceCount(ts, root, options, listed, files, isIgnored);
  let dependencies: readonly string[] | undefined;
  return {
    root,
    rel,
    messageRel,
    configFile: loadedConfig.file ? rel(loadedConfig.file) : null,
    diagnostics,
    config,
    analysisOptions: resolveOptions(config),
    registry,
    registryFile,
    loadedRegistry,
    listed,
    files,
    dependencyFiles: () => (dependencies ??= dependencyFiles(ts, listed).filter((file) => !isIgnored(file) && file !== registryFile)),
  };
}

/** Whether findings in a file are reported: within `paths` and `onlyFiles` when given. */
export function reportedFiles(root: string, options: ScanOptions): (file: string) => boolean {
  const reportedPaths = (options.paths ?? []).map((p) => resolve(root, p));
  return (file) =>
    (options.onlyFiles === undefined || options.onlyFiles.has(file)) &&
    (reportedPaths.length === 0 || reportedPaths.some((p) => file === p || file.startsWith(p + sep)));
}

/** From how many listed files a scan that reads under a tenth of them is refused (small projects vary too much). */
const FEW_SOURCES_GAP = 20;

/**
 * A scan that reads no source file, or far fewer than the project's tsconfigs list, would be a
 * green run that checked next to nothing: a `ScanError` says why instead (a tsconfig that lists
 * only tests, a wrong --tsconfig, a root tsconfig that leaves the packages out).
 */
function checkSourceCount(
  ts: TS,
  root: string,
  options: ScanOptions,
  listed: ProjectFiles,
  files: readonly string[],
  isIgnored: (file: string) => boolean,
): void {
  const show = (file: string): string => relative(root, file).split(sep).join('/') || file;
  const hint = "Point cache-audit at the project's directory, or name its tsconfig with --tsconfig.";
  if (files.length === 0) {
    const skipped = listed.files.length > 0 ? ` to audit (${String(listed.files.length)} test or ignored files only)` : '';
    const why = options.tsconfig
      ? existsSync(resolve(root, options.tsconfig))
        ? `the tsconfig ${options.tsconfig} lists none${skipped}`
        : `the tsconfig ${options.tsconfig} does not exist`
      : listed.tsconfigs.length > 0
        ? `its tsconfigs (${listed.tsconfigs.join(', ')}) list none${skipped}`
        : 'none was found below it';
    throw new ScanError('no-sources', `No source files to audit in '${root}': ${why}. ${hint}`);
  }
  const rootTsconfig = listed.tsconfigs.includes('tsconfig.json');
  // The root's own files of a monorepo are few by design.
  if ((!options.tsconfig && !rootTsconfig) || options.outside !== undefined) return;
  // What the other tsconfigs of the project list: all of them beside --tsconfig, the packages' beside the root's.
  const others = options.tsconfig ? findTsconfigs(root) : packageTsconfigs(root);
  const elsewhere = new Set([...listedSources(ts, others, listed.tsconfigParses)].filter((file) => !isIgnored(file)));
  for (const file of files) elsewhere.add(file);
  if (files.length * 10 >= elsewhere.size || elsewhere.size - files.length < FEW_SOURCES_GAP) return;
  const read = `${String(files.length)} source ${files.length === 1 ? 'file' : 'files'}`;
  throw new ScanError(
    'few-sources',
    options.tsconfig
      ? `The tsconfig ${show(resolve(root, options.tsconfig))} lists ${read} to audit in ${root}, the project's tsconfigs ${String(elsewhere.size)}: a wrong --tsconfig? Name the application's tsconfig (the projects a solution tsconfig references are read), or leave --tsconfig out.`
      : `The root tsconfig.json of ${root} lists ${read} to audit, the tsconfigs of its packages ${String(elsewhere.size)}: audit each application (cache-audit --monorepo, or the application's directory), or name a tsconfig with --tsconfig.`,
  );
}
