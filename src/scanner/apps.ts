import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, posix, relative, resolve, sep } from 'node:path';
import { fdir } from 'fdir';
import { typescript } from '../ts/typescript.js';
import type ts from 'typescript';
import type { TS } from '../ts/syntax.js';
import { resolveOptions } from '../analysis/options.js';
import { findConfigFile, loadConfigFor } from '../config/load-config.js';
import { VERSION } from '../version.js';
import { mayHoldHandlers } from '../project/relevance.js';
import { projectFiles, SKIPPED_DIRECTORIES, SOURCE_EXTENSIONS } from '../project/files.js';
import { isTestFile } from '../project/test-files.js';
import { enclosingWorkspace, readJson, workspacePackages } from '../project/workspaces.js';
import { compareFindings, RESULT_VERSION } from './result.js';
import type { ApplicationResult, MatrixRow, ScanResult } from './result.js';
import { ScanError } from './scan-error.js';
import { scan } from './scan.js';
import type { ScanOptions } from './scan-options.js';

/** `auto`: a monorepo when the rules below say so; `single`: one project; `monorepo`: find the applications or fail. */
export type MonorepoMode = 'auto' | 'single' | 'monorepo';

export interface AuditOptions extends ScanOptions {
  readonly mode?: MonorepoMode;
  /** Called with each application's directory before it is scanned (the CLI checks its configuration there). */
  readonly checkApplication?: (dir: string) => void;
}

interface Candidate {
  readonly dir: string;
  readonly foundBy: ApplicationResult['foundBy'];
}

/** Directories never searched for applications' configurations: fixtures and tests hold apps that are not the project's. */
const NOT_APPLICATIONS = new Set([...SKIPPED_DIRECTORIES, 'test', 'tests', '__tests__', 'fixtures', '__fixtures__']);

/** How deep below the root a configuration file still names an application. */
const CONFIGURATION_DEPTH = 4;

/** The directories of an Nx or Turborepo layout that hold packages, for a root without `workspaces`. */
const LAYOUT_DIRECTORIES = ['apps', 'packages', 'libs', 'services'];

/**
 * Audits a project, or each application of a monorepo root in one result. A root is a monorepo
 * (in `auto` mode) when it has no configuration of its own, no --tsconfig is given, and either
 * directories below it hold a configuration file, or its workspace packages (else its apps/*,
 * packages/*, libs/*, services/* directories, else the projects its tsconfig references) hold
 * route handlers while its own files outside them hold none. The applications are the directories
 * with a configuration and the other packages that hold route handlers; the packages without
 * handlers are shared ones, read where the applications call into them, not audited.
 */
export async function auditProject(options: AuditOptions): Promise<ScanResult> {
  const mode = options.mode ?? 'auto';
  const root = resolve(options.root);
  const single = (): Promise<ScanResult> =>
    scan({ ...options, workspaceRoot: options.workspaceRoot ?? enclosingWorkspace(typescript(), root) });
  // A configuration named on the command line is one project's, as a tsconfig is.
  const isNamed = options.tsconfig !== undefined || options.configFile !== undefined;
  if (mode === 'single' || (mode === 'auto' && (isNamed || hasOwnConfiguration(root)))) return single();
  const started = performance.now();
  const configured = configurationDirectories(root);
  // A package that holds or lies inside a configured application is part of it.
  const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(b + sep) || b.startsWith(a + sep);
  const candidates = packageCandidates(typescript(), root).filter((c) => !configured.some((d) => overlaps(c.dir, d.dir)));
  // Whether the root is one project does not follow a change (--staged): it is decided as in a whole run.
  const whole = options.followChange ? { ...options, onlyFiles: undefined, followChange: false } : options;
  const isOneProject =
    mode === 'auto' && configured.length === 0 && (candidates.length === 0 || (await hasOwnHandlers(whole, root, candidates)));
  if (isOneProject) return single();
  const workspaces = workspacePackages(typescript(), root);
  const shared = { ...options, parsed: options.parsed ?? new Map<string, ts.SourceFile>(), workspaces };
  const changed = changedApplications(options, [...configured, ...candidates]);
  let apps = await applications(shared, root, configured, candidates, changed);
  // A change in no application (a shared package): which ones there are is decided by whole scans, reporting the changed files only.
  if (apps.length === 0 && changed !== null)
    apps = await applications({ ...shared, followChange: false }, root, configured, candidates, null);
  if (apps.length === 0 && mode === 'auto') return single();
  if (apps.length === 0) {
    throw new ScanError(
      'no-applications',
      `No applications found in ${root}: no cache-audit configuration below it, and no workspace package, apps/ or packages/ directory or referenced tsconfig holds a route handler. Audit it as one project without --monorepo.`,
    );
  }
  return combine(root, apps, performance.now() - started);
}

/** The applications among the configured directories and the candidates (those that `changed` accepts), scanned. */
async function applications(
  options: AuditOptions,
  root: string,
  configured: readonly Candidate[],
  candidates: readonly Candidate[],
  changed: ((candidate: Candidate) => boolean) | null,
): Promise<Scanned[]> {
  const accepted = (candidate: Candidate): boolean => changed?.(candidate) ?? true;
  const workspaces = options.workspaces ?? workspacePackages(typescript(), root);
  const probed = candidates.filter((candidate) => accepted(candidate) && mayBeApplication(candidate.dir, root, workspaces));
  const withHandlers = (await scanEach(options, root, probed, false)).filter(({ result }) => result.matrix.rows.length > 0);
  return [...(await scanEach(options, root, configured.filter(accepted), true)), ...withHandlers].sort((a, b) =>
    a.candidate.dir.localeCompare(b.candidate.dir),
  );
}

interface Scanned {
  readonly candidate: Candidate;
  readonly result: ScanResult;
}

/**
 * Following a change (--staged), the applications worth scanning: those that hold a changed file,
 * since findings are reported in the changed files only and each application reports its own; null
 * when not following a change, or when no candidate holds one.
 */
function changedApplications(options: AuditOptions, candidates: readonly Candidate[]): ((candidate: Candidate) => boolean) | null {
  const files = options.followChange ? [...(options.onlyFiles ?? [])] : [];
  const holds = (candidate: Candidate): boolean => files.some((file) => file.startsWith(candidate.dir + sep));
  return files.length > 0 && candidates.some(holds) ? holds : null;
}

/**
 * Whether the root's own files hold a route handler: then it is an application itself. Its own
 * files are those outside the candidates whose nearest package.json is the root's (a docs site with a package of its
 * own, outside the workspaces, is not the root's).
 */
async function hasOwnHandlers(options: AuditOptions, root: string, candidates: readonly Candidate[]): Promise<boolean> {
  try {
    const outside = [...candidates.map((c) => c.dir), ...packageDirectories(root)];
    // Their texts first: when none can hold a handler, the root's tsconfig need not list the whole monorepo.
    if (!ownFilesMayHoldHandlers(root, outside)) return false;
    const own = await scan({ ...options, root, outside, onProgress: undefined });
    return own.matrix.rows.length > 0;
  } catch (error) {
    if (error instanceof ScanError && error.code === 'no-sources') return false;
    throw error;
  }
}

/**
 * Whether a source file below the root, outside `outside`, may hold route handlers by the cheap
 * tests on its text (`mayHoldHandlers`): a superset of the files the root's scan would audit
 * (only node_modules and .git are left out, whatever the tsconfig, the ignores and the tests say).
 */
function ownFilesMayHoldHandlers(root: string, outside: readonly string[]): boolean {
  const excluded = new Set(outside.map((dir) => resolve(dir)));
  const files = new fdir()
    .withFullPaths()
    .exclude((name, path) => name === 'node_modules' || name === '.git' || excluded.has(resolve(path)))
    .filter((path, isDirectory) => !isDirectory && SOURCE_EXTENSIONS.has(extname(path)) && !path.endsWith('.d.ts'))
    .crawl(root)
    .sync();
  return someMayHoldHandlers(root, files);
}

/**
 * Whether one of `files` may hold route handlers by the cheap tests on its imports and text (no
 * parse), with the configuration that holds for `dir`. A file that cannot be read may: its scan says why.
 */
function someMayHoldHandlers(dir: string, files: readonly string[]): boolean {
  const options = resolveOptions(loadConfigFor(dir, { recheckMs: 0 }).config);
  return files.some((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return true;
    }
    return mayHoldHandlers(file, text, options);
  });
}

/** The directories below the root that hold a package.json (outside node_modules and the like). */
function packageDirectories(root: string): string[] {
  return new fdir()
    .withFullPaths()
    .exclude((name) => SKIPPED_DIRECTORIES.has(name) || name.startsWith('.'))
    .filter((path) => basename(path) === 'package.json' && dirname(path) !== root)
    .crawl(root)
    .sync()
    .map((file) => dirname(file));
}

/**
 * Each candidate scanned as its own project, with the monorepo as context. A package with no
 * source files to audit is left out unless it has a configuration of its own (then the error stands).
 */
async function scanEach(options: AuditOptions, root: string, candidates: readonly Candidate[], isConfigured: boolean): Promise<Scanned[]> {
  const scanned: Scanned[] = [];
  for (const candidate of candidates) {
    try {
      options.checkApplication?.(candidate.dir);
      scanned.push({
        candidate,
        result: await scan({ ...options, root: candidate.dir, workspaceRoot: root, reportRoot: root, tsconfig: undefined }),
      });
    } catch (error) {
      if (!isConfigured && error instanceof ScanError && (error.code === 'no-sources' || error.code === 'few-sources')) continue;
      throw error;
    }
  }
  return scanned;
}

/**
 * Whether a package may hold route handlers, by the cheap tests on its files' imports and text (no
 * parse): the many packages of a large monorepo that cannot are not scanned.
 */
function mayBeApplication(dir: string, root: string, workspaces: ReadonlyMap<string, string>): boolean {
  const files = projectFiles(typescript(), dir, undefined, root, workspaces).files;
  return someMayHoldHandlers(
    dir,
    files.filter((file) => !isTestFile(relative(dir, file).split(sep).join('/'))),
  );
}

/** A configuration file in the directory itself (not one found above it). */
function hasOwnConfiguration(dir: string): boolean {
  const found = findConfigFile(dir);
  return found !== null && dirname(found) === dir;
}

/** The directories below the root with a configuration file of their own, the outermost on each path. */
function configurationDirectories(root: string): Candidate[] {
  const found: Candidate[] = [];
  const visit = (dir: string, depth: number): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries.sort()) {
      if (NOT_APPLICATIONS.has(name) || name.startsWith('.')) continue;
      const path = join(dir, name);
      try {
        if (!lstatSync(path).isDirectory()) continue;
      } catch {
        continue;
      }
      if (hasOwnConfiguration(path)) found.push({ dir: path, foundBy: 'configuration' });
      else if (depth < CONFIGURATION_DEPTH) visit(path, depth + 1);
    }
  };
  visit(root, 1);
  return found;
}

/** The packages that may be applications: the workspace packages, else an Nx/Turborepo layout, else the root tsconfig's references. */
function packageCandidates(ts: TS, root: string): Candidate[] {
  const inside = (dir: string): boolean => dir.startsWith(root + sep);
  const workspaces = [...new Set(workspacePackages(ts, root).values())].filter(inside).sort();
  if (workspaces.length > 0) return workspaces.map((dir) => ({ dir, foundBy: 'workspace' }));
  const layout = LAYOUT_DIRECTORIES.flatMap((parent) => {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, parent)).sort();
    } catch {
      // no such directory
    }
    return names
      .map((name) => join(root, parent, name))
      .filter((dir) => ['package.json', 'project.json', 'tsconfig.json'].some((file) => existsSync(join(dir, file))));
  });
  if (layout.length > 0) return layout.map((dir) => ({ dir, foundBy: 'layout' }));
  const rootConfig = join(root, 'tsconfig.json');
  if (!existsSync(rootConfig)) return [];
  const parsed = ts.getParsedCommandLineOfConfigFile(rootConfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  const referenced = (parsed?.projectReferences ?? []).map((reference) => dirname(ts.resolveProjectReferencePath(reference)));
  return [...new Set(referenced)]
    .filter(inside)
    .sort()
    .map((dir) => ({ dir, foundBy: 'tsconfig' }));
}

/** The package name of a directory, else its path from the root. */
function applicationName(dir: string, path: string): string {
  const name = readJson(join(dir, 'package.json'))?.['name'];
  return typeof name === 'string' && name !== '' ? name : path;
}

/** The applications' results as one: files relative to the monorepo root, the figures summed, each application's own part in `apps`. */
function combine(root: string, scanned: readonly Scanned[], durationMs: number): ScanResult {
  const apps = scanned.map(({ candidate, result }) => rebase(root, candidate, result));
  const findings = apps.flatMap((app) => app.findings).sort(compareFindings);
  const mutations = apps.reduce((sum, app) => sum + app.result.coverage.mutations, 0);
  const covered = apps.reduce((sum, app) => sum + app.result.coverage.covered, 0);
  // One mode for the whole run when every application judges alike.
  const modes = new Set(scanned.map(({ result }) => result.mode));
  const [mode] = modes;
  return {
    version: RESULT_VERSION,
    tool: { name: 'cache-audit', version: VERSION },
    root,
    registry: null,
    configuration: null,
    ...(modes.size === 1 && mode ? { mode } : {}),
    families: apps.flatMap((app) => app.result.families),
    tsconfigs: apps.flatMap((app) => app.result.tsconfigs),
    filesScanned: apps.reduce((sum, app) => sum + app.result.filesScanned, 0),
    findings,
    diagnostics: apps.flatMap((app) => app.diagnostics),
    matrix: mergeMatrices(apps.map((app) => app.result)),
    coverage: { mutations, covered, ratio: mutations === 0 ? null : covered / mutations },
    durationMs,
    apps: apps.map((app) => app.result),
  };
}

/** One application's result with its files relative to the monorepo root; fingerprints made unique across applications. */
function rebase(
  root: string,
  candidate: Candidate,
  result: ScanResult,
): { result: ApplicationResult; findings: ScanResult['findings']; diagnostics: ScanResult['diagnostics'] } {
  const path = relative(root, candidate.dir).split(sep).join('/');
  const file = (name: string): string => posix.normalize(posix.join(path, name));
  const at = <T extends { readonly file: string }>(item: T): T => ({ ...item, file: file(item.file) });
  return {
    findings: result.findings.map((f) => ({
      ...at(f),
      fingerprint: createHash('sha1').update(`${path}\u0000${f.fingerprint}`).digest('hex').slice(0, 16),
    })),
    diagnostics: result.diagnostics.map(at),
    result: {
      name: applicationName(candidate.dir, path),
      path,
      foundBy: candidate.foundBy,
      registry: result.registry && { ...result.registry, file: file(result.registry.file) },
      configuration: result.configuration === null ? null : file(result.configuration),
      families: result.families.map((family) => ({ ...family, reads: family.reads.map(at), fills: family.fills.map(at) })),
      tsconfigs: result.tsconfigs.map(file),
      filesScanned: result.filesScanned,
      matrix: {
        keys: result.matrix.keys,
        rows: result.matrix.rows.map(at),
        reads: Object.fromEntries(Object.entries(result.matrix.reads).map(([key, reads]) => [key, reads.map(at)])),
      },
      coverage: result.coverage,
      durationMs: result.durationMs,
    },
  };
}

/** One matrix over every application: keys named `app › key`, a row's cells empty for the keys of other applications. */
function mergeMatrices(apps: readonly ApplicationResult[]): ScanResult['matrix'] {
  const keys = apps.flatMap((app) => app.matrix.keys.map((key) => `${app.name} › ${key}`));
  let offset = 0;
  const rows: MatrixRow[] = [];
  for (const app of apps) {
    const before = offset;
    const after = keys.length - before - app.matrix.keys.length;
    for (const row of app.matrix.rows)
      rows.push({ ...row, cells: [...Array<'none'>(before).fill('none'), ...row.cells, ...Array<'none'>(after).fill('none')] });
    offset += app.matrix.keys.length;
  }
  const reads = Object.fromEntries(
    apps.flatMap((app) => Object.entries(app.matrix.reads).map(([key, at]) => [`${app.name} › ${key}`, at])),
  );
  return { keys, rows, reads };
}
