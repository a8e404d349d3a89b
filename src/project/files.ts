import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fdir } from 'fdir';
import ignore from 'ignore';
import type { Ignore } from 'ignore';
import type ts from 'typescript';
import type { TS } from '../ts/syntax.js';
import { workspacePackages } from './workspaces.js';

export const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  'dist',
  'build',
  'coverage',
  '.next',
  'out',
  '.turbo',
  '.cache',
]);

export interface InputProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface ProjectFiles {
  /** The scanned directory, absolute. */
  readonly root: string;
  /**
   * The directory whose source files are the project's (calls into them are followed): the scanned
   * directory, or the monorepo root when the scanned directory is one of its applications.
   */
  readonly sourceRoot: string;
  readonly files: string[];
  readonly tsconfigs: string[];
  /** The options of the first tsconfig that lists files (the default for files no tsconfig lists). */
  readonly compilerOptions: ts.CompilerOptions;
  /** The options of the tsconfig (or referenced project) that lists the file. */
  readonly optionsOf: (file: string) => ts.CompilerOptions;
  /** Workspace packages of a monorepo: package name → its directory. */
  readonly workspaces: ReadonlyMap<string, string>;
  readonly problems: InputProblem[];
  /** The tsconfigs this listing parsed, each parsed once: what else reads a tsconfig of the project asks here. */
  readonly tsconfigParses: TsconfigParses;
}

/**
 * Why a tsconfig cannot be used at all (missing, unreadable, not JSON), as a configuration error,
 * or null. A base it `extends` that is not installed is no such error: the project is still read.
 */
export function tsconfigError(ts: TS, file: string): InputProblem | null {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    return { file, line: 1, column: 1, message: 'This tsconfig does not exist: check the --tsconfig path.' };
  }
  if (!isFile) return { file, line: 1, column: 1, message: 'This tsconfig path is not a file.' };
  const read = ts.readConfigFile(file, (path) => ts.sys.readFile(path));
  if (!read.error) return null;
  const at =
    read.error.file && read.error.start !== undefined
      ? read.error.file.getLineAndCharacterOfPosition(read.error.start)
      : { line: 0, character: 0 };
  return {
    file,
    line: at.line + 1,
    column: at.character + 1,
    message: `tsconfig: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ').replace(/\.$/, '')}; fix the file, or name another with --tsconfig.`,
  };
}

/** tsconfig.json files of a project: the root one, or those of its packages (monorepos). */
export function findTsconfigs(root: string): string[] {
  const direct = join(root, 'tsconfig.json');
  try {
    if (statSync(direct).isFile()) return [direct];
  } catch {
    // none at the root: look in the packages
  }
  return packageTsconfigs(root);
}

/** The tsconfig.json files of the packages below `root` (the nearest one on each path, three levels deep at most). */
export function packageTsconfigs(root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number): void => {
    if (depth > 3) return;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of entries) {
      if (SKIPPED_DIRECTORIES.has(name) || name.startsWith('.')) continue;
      const path = join(dir, name);
      let isDirectory: boolean;
      try {
        isDirectory = lstatSync(path).isDirectory();
      } catch {
        continue;
      }
      if (isDirectory) {
        const config = join(path, 'tsconfig.json');
        try {
          if (statSync(config).isFile()) {
            found.push(config);
            continue;
          }
        } catch {
          // keep looking below
        }
        visit(path, depth + 1);
      }
    }
  };
  visit(root, 1);
  return found.sort();
}

/** The .gitignore files from `root` down, read once each, asked about a path as git would. */
class GitIgnores {
  private readonly byDirectory = new Map<string, Ignore | null>();

  constructor(private readonly root: string) {}

  private at(dir: string): Ignore | null {
    let rules = this.byDirectory.get(dir);
    if (rules === undefined) {
      rules = null;
      try {
        rules = ignore().add(readFileSync(join(dir, '.gitignore'), 'utf8'));
      } catch {
        // no .gitignore here
      }
      this.byDirectory.set(dir, rules);
    }
    return rules;
  }

  isIgnored(path: string, isDirectory: boolean): boolean {
    let dir = this.root;
    const parts = relative(this.root, path).split(sep);
    for (let i = 0; i < parts.length; i++) {
      const rules = this.at(dir);
      const rest = parts.slice(i).join('/');
      if (rules?.ignores(isDirectory ? `${rest}/` : rest)) return true;
      dir = join(dir, parts[i] ?? '');
    }
    return false;
  }
}

/**
 * Source files below `dir`: what git would track (.gitignore files honoured, `node_modules`, `dist`
 * and the like skipped even without one). Symbolic links to directories are not followed (no
 * loops); a link to a file of the project is read, one out of it or broken is reported.
 */
export function walkSources(dir: string, problems: InputProblem[]): string[] {
  const root = resolve(dir);
  const ignores = new GitIgnores(root);
  const candidates = new fdir()
    .withFullPaths()
    .exclude((name, path) => SKIPPED_DIRECTORIES.has(name) || ignores.isIgnored(path.replace(/[\\/]$/, ''), true))
    .filter(
      (path, isDirectory) =>
        !isDirectory && SOURCE_EXTENSIONS.has(extname(path)) && !path.endsWith('.d.ts') && !ignores.isIgnored(path, false),
    )
    .crawl(root)
    .sync();
  const files: string[] = [];
  let realRoot: string | null = null;
  for (const path of candidates) {
    try {
      if (!statSync(path).isFile()) continue;
      if (lstatSync(path).isSymbolicLink()) {
        // A link is read where it points only inside the project: the audit reads no file the project does not hold.
        realRoot ??= realpathSync(root);
        if (!isWithin(realRoot, realpathSync(path))) {
          problems.push({ file: path, line: 1, column: 1, message: 'A symbolic link out of the project: not followed.' });
          continue;
        }
      }
      files.push(path);
    } catch {
      problems.push({ file: path, line: 1, column: 1, message: 'A broken symbolic link: skipped.' });
    }
  }
  return files.sort();
}

export function isWithin(dir: string, path: string): boolean {
  const inside = relative(dir, path);
  return inside !== '' && !inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside);
}

/**
 * The files of the project, from its tsconfig(s) and the projects they reference (a solution-style
 * tsconfig has `files: []` and `references`), or every source file when there is none; the
 * compiler options each file is resolved with, and the workspace packages of a monorepo.
 */
export function projectFiles(
  ts: TS,
  root: string,
  tsconfig: string | undefined,
  workspaceRoot?: string,
  /** The workspace packages of `workspaceRoot` when the caller has them (the scans of one audit share one listing). */
  listedWorkspaces?: ReadonlyMap<string, string>,
): ProjectFiles {
  const problems: InputProblem[] = [];
  const absoluteRoot = resolve(root);
  const sourceRoot = resolve(workspaceRoot ?? root);
  const workspaces = (workspaceRoot !== undefined ? listedWorkspaces : undefined) ?? workspacePackages(ts, sourceRoot);
  const tsconfigs = tsconfig ? [resolve(root, tsconfig)] : findTsconfigs(root);
  const parses = new TsconfigParses(ts);
  const listed = tsconfigFiles(ts, tsconfigs, problems, parses);
  if (tsconfigs.length === 0) {
    for (const file of walkSources(root, problems)) listed.files.add(file);
  } else if (!tsconfig && !tsconfigs.includes(join(absoluteRoot, 'tsconfig.json'))) {
    // No root tsconfig: a workspace package without a tsconfig of its own is read whole.
    for (const dir of workspaces.values()) {
      if (!(dir === absoluteRoot || dir.startsWith(absoluteRoot + sep))) continue;
      if (tsconfigs.some((config) => config.startsWith(dir + sep))) continue;
      for (const file of walkSources(dir, problems)) listed.files.add(file);
    }
  }
  const defaults = listed.compilerOptions ?? { allowJs: true };
  const nearest = nearestOptions(ts, sourceRoot, parses);
  return {
    root: absoluteRoot,
    sourceRoot,
    files: [...listed.files].sort(),
    tsconfigs: listed.used.map((c) => relative(root, c) || c),
    compilerOptions: defaults,
    // A file resolves with the nearest tsconfig above it that lists it, as editors do (a root
    // tsconfig of shared options leaves each package's `paths` to the package's own tsconfig).
    optionsOf: (file) => nearest(file) ?? listed.optionsByFile.get(file) ?? defaults,
    workspaces,
    problems,
    tsconfigParses: parses,
  };
}

/** A tsconfig as TypeScript parses it, and the error that made it unreadable, if any. */
interface TsconfigParse {
  readonly parsed: ts.ParsedCommandLine | undefined;
  readonly fatal: ts.Diagnostic | undefined;
}

/**
 * Tsconfigs parsed once each: the listing, the options of each file and the count of the packages'
 * files (see `listedSources`) read the same ones, and a parse walks the directories its globs cover.
 */
export class TsconfigParses {
  private readonly byPath = new Map<string, TsconfigParse>();

  constructor(private readonly ts: TS) {}

  parse(config: string): TsconfigParse {
    let known = this.byPath.get(config);
    if (!known) {
      let fatal: ts.Diagnostic | undefined;
      const parsed = this.ts.getParsedCommandLineOfConfigFile(
        config,
        {},
        {
          ...this.ts.sys,
          onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
            fatal = diagnostic;
          },
        },
      );
      known = { parsed, fatal };
      this.byPath.set(config, known);
    }
    return known;
  }
}

/** What the tsconfigs of a project list. */
interface TsconfigFiles {
  readonly files: Set<string>;
  /** The options of the first tsconfig that lists a file. */
  readonly optionsByFile: Map<string, ts.CompilerOptions>;
  /** The options of the first tsconfig that lists any source file. */
  readonly compilerOptions: ts.CompilerOptions | null;
  /** The tsconfigs that could be used. */
  readonly used: readonly string[];
}

/**
 * The source files the tsconfigs list, with the projects they reference; for a tsconfig that
 * cannot be used, every source file of its directory.
 */
function tsconfigFiles(ts: TS, tsconfigs: readonly string[], problems: InputProblem[], parses: TsconfigParses): TsconfigFiles {
  const files = new Set<string>();
  const optionsByFile = new Map<string, ts.CompilerOptions>();
  let compilerOptions: ts.CompilerOptions | null = null;
  const used: string[] = [];
  const queue = [...tsconfigs];
  const seen = new Set(queue);
  for (let config = queue.shift(); config !== undefined; config = queue.shift()) {
    const parsed = parseTsconfig(ts, config, problems, parses);
    if (!parsed) {
      for (const file of walkSources(dirname(config), problems)) files.add(file);
      continue;
    }
    used.push(config);
    // The projects a (solution-style) tsconfig references hold files too, with their own options.
    for (const reference of parsed.projectReferences ?? []) {
      const referenced = ts.resolveProjectReferencePath(reference);
      if (!seen.has(referenced)) {
        seen.add(referenced);
        queue.push(referenced);
      }
    }
    const options = { ...parsed.options, allowJs: true };
    const sources = parsed.fileNames
      .filter((file) => !file.endsWith('.d.ts') && SOURCE_EXTENSIONS.has(extname(file)))
      .map((file) => resolve(file));
    if (sources.length > 0) compilerOptions ??= options;
    for (const file of sources) {
      files.add(file);
      if (!optionsByFile.has(file)) optionsByFile.set(file, options);
    }
  }
  return { files, optionsByFile, compilerOptions, used };
}

/** A tsconfig parsed, its errors told as problems; null when it cannot be used at all. */
function parseTsconfig(ts: TS, config: string, problems: InputProblem[], parses: TsconfigParses): ts.ParsedCommandLine | null {
  const { parsed, fatal } = parses.parse(config);
  const errors = [...(parsed?.errors ?? []), ...(fatal ? [fatal] : [])].filter(
    (d) => d.category === ts.DiagnosticCategory.Error && d.code !== 18003,
  );
  for (const error of errors) {
    const position =
      error.file && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : { line: 0, character: 0 };
    problems.push({
      file: error.file?.fileName ?? config,
      line: position.line + 1,
      column: position.character + 1,
      message: `tsconfig: ${ts.flattenDiagnosticMessageText(error.messageText, ' ').replace(/\.$/, '')}.`,
    });
  }
  if (parsed && !fatal) return parsed;
  problems.push({
    file: config,
    line: 1,
    column: 1,
    message: 'This tsconfig cannot be used: scanning every source file of its directory instead.',
  });
  return null;
}

interface ParsedProject {
  readonly options: ts.CompilerOptions;
  readonly files: ReadonlySet<string>;
  readonly references: readonly string[];
}

/**
 * The options of the nearest tsconfig.json below the root (the root's own excluded) that lists a
 * file, itself or through a project it references (a solution-style tsconfig); undefined when none.
 */
function nearestOptions(ts: TS, root: string, parses: TsconfigParses): (file: string) => ts.CompilerOptions | undefined {
  const parsed = new Map<string, ParsedProject | null>();
  const configIn = new Map<string, string | null>();
  const parse = (config: string): ParsedProject | null => {
    let project = parsed.get(config);
    if (project === undefined) {
      const result = parses.parse(config).parsed;
      project = result
        ? {
            options: { ...result.options, allowJs: true },
            files: new Set(result.fileNames.map((file) => resolve(file))),
            references: (result.projectReferences ?? []).map((reference) => ts.resolveProjectReferencePath(reference)),
          }
        : null;
      parsed.set(config, project);
    }
    return project;
  };
  const nearestConfig = (dir: string): string | null => {
    if (dir === root || !dir.startsWith(root + sep)) return null;
    let config = configIn.get(dir);
    if (config === undefined) {
      const candidate = join(dir, 'tsconfig.json');
      config = ts.sys.fileExists(candidate) ? candidate : nearestConfig(dirname(dir));
      configIn.set(dir, config);
    }
    return config;
  };
  return (file) => {
    for (let config = nearestConfig(dirname(file)); config !== null; config = nearestConfig(dirname(dirname(config)))) {
      const project = parse(config);
      if (!project) continue;
      if (project.files.has(file)) return project.options;
      for (const reference of project.references) {
        const referenced = parse(reference);
        if (referenced?.files.has(file)) return referenced.options;
      }
    }
    return undefined;
  };
}

/** The source files the tsconfigs list, with the projects they reference (no options, no diagnostics: a count). */
export function listedSources(ts: TS, tsconfigs: readonly string[], parses: TsconfigParses): Set<string> {
  const files = new Set<string>();
  const queue = [...tsconfigs];
  const seen = new Set(queue);
  for (let config = queue.shift(); config !== undefined; config = queue.shift()) {
    const { parsed } = parses.parse(config);
    for (const file of parsed?.fileNames ?? [])
      if (!file.endsWith('.d.ts') && SOURCE_EXTENSIONS.has(extname(file))) files.add(resolve(file));
    for (const reference of parsed?.projectReferences ?? []) {
      const referenced = ts.resolveProjectReferencePath(reference);
      if (!seen.has(referenced)) {
        seen.add(referenced);
        queue.push(referenced);
      }
    }
  }
  return files;
}
