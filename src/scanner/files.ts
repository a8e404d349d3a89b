import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fdir } from 'fdir';
import ignore from 'ignore';
import type { Ignore } from 'ignore';
import type ts from 'typescript';
import type { TS } from '../ts/syntax.js';

export const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', '.next', 'out', '.turbo', '.cache']);

export interface InputProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface ProjectFiles {
  readonly files: string[];
  readonly tsconfigs: string[];
  readonly compilerOptions: ts.CompilerOptions;
  readonly problems: InputProblem[];
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
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (!read.error) return null;
  const at = read.error.file && read.error.start !== undefined ? read.error.file.getLineAndCharacterOfPosition(read.error.start) : { line: 0, character: 0 };
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
 * loops); a link to a file is read, a broken one reported.
 */
export function walkSources(dir: string, problems: InputProblem[]): string[] {
  const root = resolve(dir);
  const ignores = new GitIgnores(root);
  const candidates = new fdir()
    .withFullPaths()
    .exclude((name, path) => SKIPPED_DIRECTORIES.has(name) || ignores.isIgnored(path.replace(/[\\/]$/, ''), true))
    .filter((path, isDirectory) => !isDirectory && SOURCE_EXTENSIONS.has(extname(path)) && !path.endsWith('.d.ts') && !ignores.isIgnored(path, false))
    .crawl(root)
    .sync();
  const files: string[] = [];
  for (const path of candidates) {
    try {
      if (statSync(path).isFile()) files.push(path);
    } catch {
      problems.push({ file: path, line: 1, column: 1, message: 'A broken symbolic link: skipped.' });
    }
  }
  return files.sort();
}

/** The files of the project: from its tsconfig(s), or every source file when there is none. */
export function projectFiles(ts: TS, root: string, tsconfig: string | undefined): ProjectFiles {
  const problems: InputProblem[] = [];
  const tsconfigs = tsconfig ? [resolve(root, tsconfig)] : findTsconfigs(root);
  const files = new Set<string>();
  let compilerOptions: ts.CompilerOptions = { allowJs: true };
  const used: string[] = [];
  for (const config of tsconfigs) {
    let fatal: ts.Diagnostic | undefined;
    const parsed = ts.getParsedCommandLineOfConfigFile(config, {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        fatal = diagnostic;
      },
    });
    const errors = [...(parsed?.errors ?? []), ...(fatal ? [fatal] : [])].filter((d) => d.category === ts.DiagnosticCategory.Error && d.code !== 18003);
    for (const error of errors) {
      const position = error.file && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : { line: 0, character: 0 };
      problems.push({
        file: error.file?.fileName ?? config,
        line: position.line + 1,
        column: position.character + 1,
        message: `tsconfig: ${ts.flattenDiagnosticMessageText(error.messageText, ' ').replace(/\.$/, '')}.`,
      });
    }
    if (!parsed || fatal) {
      problems.push({ file: config, line: 1, column: 1, message: 'This tsconfig cannot be used: scanning every source file of its directory instead.' });
      for (const file of walkSources(dirname(config), problems)) files.add(file);
      continue;
    }
    used.push(config);
    if (used.length === 1) compilerOptions = { ...parsed.options, allowJs: true };
    for (const file of parsed.fileNames) if (!file.endsWith('.d.ts') && SOURCE_EXTENSIONS.has(extname(file))) files.add(resolve(file));
  }
  if (tsconfigs.length === 0) for (const file of walkSources(root, problems)) files.add(file);
  return { files: [...files].sort(), tsconfigs: used.map((c) => relative(root, c) || c), compilerOptions, problems };
}
