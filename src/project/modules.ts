import type ts from 'typescript';
import { importBindings } from '../ts/imports.js';
import type { ImportBinding } from '../ts/imports.js';
import type { TS } from '../ts/syntax.js';
import { UNRESOLVED } from './module-resolution.js';
import type { ModuleResolution } from './module-resolution.js';

/**
 * Told of every file the resolver reads and of every project-wide table it consults, so that a
 * caller can record what an answer depends on (the persistent cache keeps that per file).
 */
export interface ReadRecorder {
  /** A file's tree was asked for; `isFound`: whether it could be read. */
  parsed(path: string, isFound: boolean): void;
  /** A file's text was asked whether it can export a name, before a wholesale re-export of it is parsed. */
  scanned(path: string): void;
  /** The listener, hook, processor or route tables were consulted. */
  consultedTables(): void;
}

/** How the project's files are read. */
export interface FileAccess {
  /** The parsed file at a path (parsing it on demand), or undefined when it cannot be read. */
  readonly sourceFileAt: (path: string) => ts.SourceFile | undefined;
  /**
   * Whether the module at a path can export `name`, asked before a module re-exported wholesale
   * (`export * from './quotes'`) is parsed to look for it: a barrel then costs only the modules
   * that can hold the name. Yes by default.
   */
  readonly mayExport?: (path: string, name: string) => boolean;
  readonly recorder?: ReadRecorder;
}

/** The project's modules as trees: the file an import names, parsed, and each file's import bindings. */
export class ProjectModules {
  private readonly importsByFile = new WeakMap<ts.SourceFile, Map<string, ImportBinding>>();
  /** The project file each specifier of a file names, or null: asked once per file and specifier. */
  private readonly pathsByFile = new WeakMap<ts.SourceFile, Map<string, string | null>>();

  constructor(
    private readonly ts: TS,
    private readonly resolution: ModuleResolution,
    private readonly access: FileAccess,
  ) {}

  /** The parsed project file an import of `from` names, or null (a package, nothing, unreadable). */
  moduleFile(from: ts.SourceFile, specifier: string): ts.SourceFile | null {
    const path = this.pathOf(from, specifier);
    return path === null ? null : this.parsed(path);
  }

  /** The module of a wholesale re-export (`export * from`), when it can export `name`. */
  reexportedFile(from: ts.SourceFile, specifier: string, name: string): ts.SourceFile | null {
    const path = this.pathOf(from, specifier);
    if (path === null) return null;
    this.access.recorder?.scanned(path);
    return this.access.mayExport?.(path, name) === false ? null : this.parsed(path);
  }

  /** The project file an import of `from` names, or null (a package, nothing). */
  private pathOf(from: ts.SourceFile, specifier: string): string | null {
    let byFile = this.pathsByFile.get(from);
    if (!byFile) {
      byFile = new Map();
      this.pathsByFile.set(from, byFile);
    }
    let path = byFile.get(specifier);
    if (path === undefined) {
      const resolved = this.resolution.projectModulePath(specifier, from.fileName);
      path = resolved === UNRESOLVED ? null : resolved;
      byFile.set(specifier, path);
    }
    return path;
  }

  /** The parsed file at a path, told to the recorder. */
  parsed(path: string): ts.SourceFile | null {
    const sourceFile = this.access.sourceFileAt(path) ?? null;
    this.access.recorder?.parsed(path, sourceFile !== null);
    return sourceFile;
  }

  /** The file's import bindings by local name, read once per tree. */
  imports(file: ts.SourceFile): Map<string, ImportBinding> {
    let map = this.importsByFile.get(file);
    if (!map) {
      map = importBindings(this.ts, file);
      this.importsByFile.set(file, map);
    }
    return map;
  }
}
