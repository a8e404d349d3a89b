import type ts from 'typescript';
import type { CallResolver, FileContext, ServedRoute } from '../analysis/context.js';
import type { KeyRoles } from '../analysis/effects/key-roles.js';
import type { RouteTable } from '../analysis/frameworks/own-routes.js';
import type { Cascade, CascadeSchema, SchemaText } from '../analysis/prisma-schema.js';
import type { JobProcessor, ModelHook, RelationTarget } from '../analysis/sources/source.js';
import { parentOf } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import { CallTargets } from './call-targets.js';
import { ProjectExports } from './exports.js';
import { ModuleResolution } from './module-resolution.js';
import type { ResolvedProject } from './module-resolution.js';
import { ProjectModules } from './modules.js';
import type { FileAccess, ReadRecorder } from './modules.js';
import { readPrismaSchemas } from './prisma-schemas.js';
import { ProjectTables } from './tables.js';

type Fn = ts.FunctionLikeDeclaration;

/** How many modules a package's exports are followed through (`@/pkg/db` → `@unkey/db` → `drizzle-orm`). */
const MAX_REEXPORT_DEPTH = 4;

/** What a project module passes on: the packages it re-exports wholesale, and whether its own statements export the name asked for. */
interface PassedOn {
  readonly packages: readonly string[];
  readonly isDeclared: boolean;
}

/**
 * The name asked for when none is: no module writes it, so only the modules that re-export
 * wholesale themselves can pass it on (see `FileAccess.mayExport`).
 */
const WHOLESALE = '*';

/** The names a statement exports by a declaration of its own (`export function eq`, `export const db`). */
function exportedNames(ts: TS, statement: ts.Statement): string[] {
  if (!ts.canHaveModifiers(statement) || !(ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return [];
  if (ts.isVariableStatement(statement))
    return statement.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
  const named =
    ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement) ? statement.name : undefined;
  return named ? [named.text] : [];
}

/** The files whose text names an identifier, and the files searched for it. */
export interface FilesNaming {
  readonly naming: readonly string[];
  readonly searched: readonly string[];
}

/** What a resolver reads the project through. */
export interface ResolverInputs extends FileAccess {
  readonly project: ResolvedProject;
  readonly host: ts.ModuleResolutionHost;
  /** The parsed files that can hold event listeners, ORM hooks or job processors (those whose text can); none by default. */
  readonly tableFiles?: () => readonly ts.SourceFile[];
  /** The roles of the project's Redis keys (see `keyRolesOfFile`); without it, each file's own. */
  readonly keyRoles?: () => KeyRoles;
  /**
   * The route table of the project's files, for HTTP calls of the app's own routes; without it
   * (no whole project to make one of), such calls are not followed.
   */
  readonly routeTable?: () => RouteTable;
  /** The project's files whose text declares a class of a name (`class QuoteService`); none by default. */
  readonly classFiles?: (name: string) => readonly string[];
  /**
   * The files whose text names an identifier (`getProjectByIdCached`) among those searched (the
   * audited ones, or every source file of the monorepo an application is one of); without it,
   * references are not looked for.
   */
  readonly filesNaming?: (name: string) => FilesNaming;
  /**
   * What the answers that reach into other files (exported declarations and constants, through
   * re-exports) are remembered for: a new scope reads those files again, so that the persistent
   * cache records what each file's facts read (see `extractWithSummaries`). The whole run by default.
   */
  readonly answersScope?: () => object;
  /** The project's Prisma schema files; by default those below the project's root, read from disk. */
  readonly prismaSchemas?: () => readonly SchemaText[];
}

/**
 * Follows calls into other files with module resolution and the syntax alone, no type checker:
 * `this.service.method()` through the declared type of a constructor-injected member,
 * imported functions and namespace members, re-exports. What it cannot follow stays unresolved.
 * Each job is a module of its own: module resolution, the modules as trees, their exports, call
 * targets and the project-wide tables.
 */
export class ProjectResolver implements CallResolver {
  private readonly resolution: ModuleResolution;
  private readonly modules: ProjectModules;
  private readonly exports: ProjectExports;
  private readonly calls: CallTargets;
  private readonly tables: ProjectTables;
  /** The roles of the project's Redis keys, given by the scan (it knows every file). */
  readonly keyRoles?: () => KeyRoles;
  /** The files that declare a class, by its name, found once per name (see `classesNamed`). */
  private readonly classes = new Map<string, readonly string[]>();
  /** Per project module and name asked for, what it passes on (see `reexportedPackages`). */
  private readonly passedOn = new WeakMap<ts.SourceFile, Map<string, PassedOn>>();
  private readonly classFiles: (name: string) => readonly string[];
  private readonly filesNaming?: (name: string) => FilesNaming;
  private readonly recorder?: ReadRecorder;
  /** The route files that serve a URL path, when the scan gives a route table (it knows every file's path). */
  readonly routesOf?: (path: string) => readonly ServedRoute[];

  constructor(
    private readonly ts: TS,
    inputs: ResolverInputs,
  ) {
    this.resolution = new ModuleResolution(ts, inputs.project, inputs.host);
    this.modules = new ProjectModules(ts, this.resolution, inputs);
    const wholeRun = {};
    this.exports = new ProjectExports(ts, this.modules, inputs.answersScope ?? (() => wholeRun));
    this.tables = new ProjectTables(
      ts,
      inputs.tableFiles ?? (() => []),
      inputs.recorder,
      inputs.routeTable,
      (specifier, fromFile) => this.resolution.modulePath(specifier, fromFile),
      inputs.prismaSchemas ?? (() => readPrismaSchemas(inputs.project.root)),
    );
    this.calls = new CallTargets(ts, this.modules, this.exports, (name) => this.tables.implementationsOf(name));
    this.keyRoles = inputs.keyRoles;
    this.classFiles = inputs.classFiles ?? (() => []);
    this.filesNaming = inputs.filesNaming;
    this.recorder = inputs.recorder;
    if (inputs.routeTable) {
      // Each route file is parsed when it serves a path asked for, the read told to the recorder.
      this.routesOf = (path) =>
        this.tables.routeFilesOf(path).flatMap((route) => {
          const file = this.modules.parsed(route.file);
          return file
            ? [{ file, code: (ctx: FileContext, method: string) => route.routes.code(ctx, method, `${method} ${route.path}`) }]
            : [];
        });
    }
  }

  resolveConstant(reference: ts.Identifier): ts.Expression | null {
    const binding = this.modules.imports(reference.getSourceFile()).get(reference.text);
    if (!binding) return null;
    // A whole module (`const redis = require('./redis')`) stands for what it assigns to `module.exports`.
    const target = this.modules.moduleFile(reference.getSourceFile(), binding.module);
    return target ? this.exports.exportedConstant(target, binding.imported, 0) : null;
  }

  resolveClass(reference: ts.Identifier): ts.ClassLikeDeclaration | null {
    return this.exports.classNamed(reference.getSourceFile(), reference.text);
  }

  classesNamed(name: string): readonly ts.ClassLikeDeclaration[] {
    // Which files declare the name is a question of the whole project, as the tables are.
    this.recorder?.consultedTables();
    let files = this.classes.get(name);
    if (!files) {
      files = this.classFiles(name);
      this.classes.set(name, files);
    }
    const { ts } = this;
    // Parsed on each question, so that the file being summarised records what it read.
    return files
      .flatMap((file) => this.modules.parsed(file) ?? [])
      .flatMap((file) => file.statements.filter((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === name));
  }

  referencesOf(declaration: ts.VariableDeclaration): readonly ts.Identifier[] | null {
    const { ts } = this;
    const { name, initializer } = declaration;
    if (!this.filesNaming || !ts.isIdentifier(name) || !initializer) return null;
    // The answer depends on the text of every file searched: one that comes to name it changes it.
    const { naming, searched } = this.filesNaming(name.text);
    for (const path of searched) this.recorder?.scanned(path);
    const home = declaration.getSourceFile();
    const found: ts.Identifier[] = [];
    for (const path of naming) {
      const file = this.modules.parsed(path);
      if (!file) return null;
      const locals = new Set(
        [...this.modules.imports(file)].flatMap(([local, binding]) => (binding.imported === name.text ? [local] : [])),
      );
      if (file === home) locals.add(name.text);
      const references = referencesIn(ts, file, name.text, locals);
      if (references === null) return null;
      for (const reference of references) {
        // Another file's name for it must be its import of this declaration (through re-exports).
        if (file !== home && this.resolveConstant(reference) !== initializer) return null;
        found.push(reference);
      }
    }
    return found;
  }

  resolveDeclaration(reference: ts.Identifier): ts.EnumDeclaration | ts.TypeAliasDeclaration | ts.InterfaceDeclaration | null {
    const binding = this.modules.imports(reference.getSourceFile()).get(reference.text);
    if (!binding || binding.imported === '*') return null;
    const target = this.modules.moduleFile(reference.getSourceFile(), binding.module);
    const found = target ? this.exports.exported(target, binding.imported, 0) : null;
    const { ts } = this;
    return found && (ts.isEnumDeclaration(found) || ts.isTypeAliasDeclaration(found) || ts.isInterfaceDeclaration(found)) ? found : null;
  }

  resolveExport(file: ts.SourceFile, name: string): Fn | null {
    const found = this.exports.exported(file, name, 0);
    const { ts } = this;
    return found && (ts.isFunctionDeclaration(found) || ts.isArrowFunction(found) || ts.isFunctionExpression(found)) && found.body
      ? found
      : null;
  }

  resolveExportedConstant(file: ts.SourceFile, name: string): ts.Expression | null {
    return this.exports.exportedConstant(file, name, 0);
  }

  resolveCall(call: ts.CallExpression): readonly Fn[] | null {
    return this.calls.resolveCall(call);
  }

  resolveIdentifier(reference: ts.Expression): readonly Fn[] | null {
    return this.calls.resolveIdentifier(reference);
  }

  listenersOf(event: string): readonly Fn[] {
    return this.tables.listenersOf(event);
  }

  implementationsOf(name: string): readonly ts.ClassLikeDeclaration[] {
    return this.tables.implementationsOf(name);
  }

  hooksOf(model: string): readonly ModelHook[] {
    return this.tables.hooksOf(model);
  }

  relationsOf(model: string): ReadonlyMap<string, RelationTarget> {
    return this.tables.relationsOf(model);
  }

  processorsOf(queue: string): readonly JobProcessor[] {
    return this.tables.processorsOf(queue);
  }

  routePrefix(router: ts.Identifier): string | null {
    return this.tables.routePrefix(router);
  }

  cascadesOf(model: string, schema: CascadeSchema): readonly Cascade[] {
    return this.tables.cascadesOf(model, schema);
  }

  joinKeysOf(child: string, parent: string): readonly string[] | null {
    return this.tables.joinKeysOf(child, parent);
  }

  isProjectModule(specifier: string, fromFile: string): boolean | undefined {
    return this.resolution.isProjectModule(specifier, fromFile);
  }

  /**
   * The packages a project module passes exports of on wholesale (`export * from 'drizzle-orm'`),
   * itself or through the project modules it re-exports, a few levels deep. With `name`: also the
   * package it passes that name on from (`export { createCache } from '@unkey/cache'`, or a binding
   * it imports from a package and exports), and none when one of those project modules exports
   * `name` by a statement of its own (the name is the project's, even where its declaration cannot
   * be followed). Only the re-exported modules that
   * can export `name` (without one, those that re-export wholesale themselves) are parsed.
   */
  reexportedPackages(specifier: string, fromFile: ts.SourceFile, name?: string): readonly string[] {
    const target = this.modules.moduleFile(fromFile, specifier);
    const passed = target ? this.passedOnBy(target, name ?? WHOLESALE, 0) : null;
    return !passed || passed.isDeclared ? [] : passed.packages;
  }

  packageOfExport(specifier: string, fromFile: ts.SourceFile, name: string): string | null {
    const target = this.modules.moduleFile(fromFile, specifier);
    if (!target) return null;
    const { ts } = this;
    for (const statement of target.statements) {
      if (!ts.isExportDeclaration(statement)) continue;
      const clause = statement.exportClause;
      if (!clause || !ts.isNamedExports(clause)) continue;
      const element = clause.elements.find((e) => e.name.text === name);
      if (!element) continue;
      const from = this.exportedFrom(target, statement, element);
      return from !== null && this.isProjectModule(from, target.fileName) === false ? from : null;
    }
    return null;
  }

  /** The module an element of `export { … }` comes from: the statement's, or the one its local name is imported from. */
  private exportedFrom(file: ts.SourceFile, statement: ts.ExportDeclaration, element: ts.ExportSpecifier): string | null {
    const { ts } = this;
    const next = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : null;
    return next ?? this.modules.imports(file).get((element.propertyName ?? element.name).text)?.module ?? null;
  }

  private passedOnBy(file: ts.SourceFile, name: string, depth: number): PassedOn {
    let byName = this.passedOn.get(file);
    if (!byName) {
      byName = new Map();
      this.passedOn.set(file, byName);
    }
    let found = byName.get(name);
    if (found) return found;
    // A cycle of re-exports ends here: what the file passes on is being gathered further up.
    byName.set(name, { packages: [], isDeclared: false });
    const { ts } = this;
    const packages = new Set<string>();
    let isDeclared = false;
    for (const statement of file.statements) {
      if (!ts.isExportDeclaration(statement)) {
        isDeclared ||= exportedNames(ts, statement).includes(name);
        continue;
      }
      const next = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : null;
      const isPackage = next !== null && this.isProjectModule(next, file.fileName) === false;
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause)) {
        const element = clause.elements.find((e) => e.name.text === name);
        // `export { createCache } from '@unkey/cache'`, or a package's binding imported and exported
        // (`import { Redis } from 'ioredis'; export { Redis }`): the package's name, passed on.
        const from = element ? this.exportedFrom(file, statement, element) : null;
        if (from !== null && (from === next ? isPackage : this.isProjectModule(from, file.fileName) === false)) packages.add(from);
        else isDeclared ||= element !== undefined;
      } else if (clause) isDeclared ||= clause.name.text === name;
      else if (next !== null && isPackage) packages.add(next);
      else if (next !== null && depth < MAX_REEXPORT_DEPTH) {
        const nested = this.modules.reexportedFile(file, next, name);
        const inner = nested ? this.passedOnBy(nested, name, depth + 1) : null;
        for (const each of inner?.packages ?? []) packages.add(each);
        isDeclared ||= inner?.isDeclared === true;
      }
    }
    found = { packages: [...packages].sort(), isDeclared };
    byName.set(name, found);
    return found;
  }

  /** The project file an import specifier of `fromFile` names, or null (a package, nothing). */
  modulePath(specifier: string, fromFile: string): string | null {
    return this.resolution.modulePath(specifier, fromFile);
  }
}

/** Whether a file's text holds an identifier (`getProjectByIdCached`, not `getProjectByIdCachedTwice`). */
export function namesIdentifier(text: string | null | undefined, name: string): boolean {
  return text?.includes(name) === true && new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(text);
}

/** Whether a file's text declares a class of a name (`class QuoteService`, `export default class QuoteService`). */
export function declaresClass(text: string | null | undefined, name: string): boolean {
  return text?.includes(`class ${name}`) === true && new RegExp(`\\bclass\\s+${name}\\b`).test(text);
}

/**
 * The identifiers of a file that use a name (`locals`: the names it has there) as a value, leaving
 * out declarations, import and export specifiers and object keys; null where the name is a
 * property of something else (`db.getProjectByIdCached`, a namespace's member), which is not told.
 */
function referencesIn(ts: TS, file: ts.SourceFile, name: string, locals: ReadonlySet<string>): ts.Identifier[] | null {
  const found: ts.Identifier[] = [];
  const state = { isKnown: true };
  const visit = (node: ts.Node): void => {
    if (!state.isKnown) return;
    if (ts.isIdentifier(node) && (node.text === name || locals.has(node.text))) {
      const parent = parentOf(node);
      if (parent && ts.isPropertyAccessExpression(parent) && parent.name === node) state.isKnown = false;
      else if (!parent || !isDeclaredName(ts, parent, node)) found.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return state.isKnown ? found : null;
}

/** Whether an identifier is a name its parent declares (a variable, an import or export specifier, an object key), not a use. */
function isDeclaredName(ts: TS, parent: ts.Node, node: ts.Identifier): boolean {
  if (ts.isShorthandPropertyAssignment(parent)) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return true;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent))
    return true;
  return (parent as { name?: ts.Node }).name === node;
}
