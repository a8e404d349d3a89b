import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import type ts from 'typescript';
import type { TS } from '../analysis/context.js';

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
  let isFile = false;
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

/** Source files below `dir`, without following a symbolic link into a directory already seen. */
export function walkSources(dir: string, problems: InputProblem[]): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const visit = (current: string): void => {
    let real: string;
    try {
      real = realpathSync(current);
    } catch (error) {
      problems.push({ file: current, line: 1, column: 1, message: `Cannot read this path: ${(error as Error).message}.` });
      return;
    }
    if (seen.has(real)) {
      problems.push({ file: current, line: 1, column: 1, message: 'A symbolic link loops back to a directory already scanned: skipped.' });
      return;
    }
    seen.add(real);
    let entries: string[];
    try {
      entries = readdirSync(current).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      if (SKIPPED_DIRECTORIES.has(name)) continue;
      const path = join(current, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        problems.push({ file: path, line: 1, column: 1, message: 'A broken symbolic link: skipped.' });
        continue;
      }
      if (stat.isDirectory()) visit(path);
      else if (SOURCE_EXTENSIONS.has(extname(name)) && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  visit(resolve(dir));
  return files;
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
