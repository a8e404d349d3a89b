import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type ts from 'typescript';
import type { TSESLint } from '@typescript-eslint/utils';
import type { Finding, RuleOptions } from '../analysis/checks.js';
import { runCheck } from '../analysis/rule.js';
import type { RuleDefinition } from '../analysis/rule.js';
import { scriptKindOf } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';
import { MissingTypeScriptError, typescript } from '../ts/typescript.js';
import { extractFacts, textRelevance } from '../analysis/extract.js';
import { programCaches } from './program-caches.js';
import type { CacheFamily, FileFacts, Invalidation } from '../analysis/facts.js';
import type { CallResolver } from '../analysis/context.js';
import { configSchema, globToRegExp, resolveOptions } from '../analysis/options.js';
import type { AnalysisOptions, CacheAuditConfig } from '../analysis/options.js';
import { checkerResolver } from '../analysis/typed-resolver.js';
import { CascadeTables } from '../analysis/code-cascades.js';
import type { CascadeSchema } from '../analysis/prisma-schema.js';
import { readPrismaSchemas } from '../project/prisma-schemas.js';
import { AnalysisSession, entryOf } from '../analysis/session.js';
import { gaveUp, gaveUpMessage, MAX_FILE_BYTES, nestingError, tooDeeplyNested, tooLargeMessage } from '../analysis/limits.js';
import { loadConfigFor, missingRegistry } from '../config/load-config.js';
import type { CacheRegistry } from '../registry/define.js';
import { loadRegistry } from '../registry/load.js';
import type { RegistryDiagnostic } from '../registry/load.js';
import { untypedProject } from './project.js';
import type { UntypedProject } from './project.js';

type Context = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

/** One file's analysis, shared by every rule that runs on it. */
export interface FileAnalysis {
  readonly facts: FileFacts;
  readonly text: string;
  readonly registry: CacheRegistry | null;
  readonly registryFile: string | null;
  /** Problems of the configuration or the registry, reported once per file. */
  readonly setupProblems: readonly RegistryDiagnostic[];
  readonly options: AnalysisOptions;
  readonly ruleOptions: RuleOptions;
  readonly isIgnored: boolean;
  findings(rule: RuleDefinition, ruleOptions?: RuleOptions): readonly Finding[];
}

const analyses = new WeakMap<object, FileAnalysis>();
const reportedSetup = new WeakSet<object>();

/**
 * The TypeScript module that made `node`: the parser's copy may differ from ours, and syntax kind
 * numbers differ between versions, so the extraction must use the one that made the nodes. Ours
 * (`typescript()`) is tried first: where the project has one `typescript`, it is the parser's too,
 * already loaded, and the process keeps one copy.
 */
function typescriptFor(node: ts.Node): TS {
  let ours: TS | null = null;
  try {
    ours = typescript();
  } catch (error) {
    if (!(error instanceof MissingTypeScriptError)) throw error;
  }
  if (ours?.SyntaxKind[node.kind] === 'SourceFile') return ours;
  try {
    // The parser's own TypeScript, as the project resolves it.
    const fromProject = createRequire(resolve(process.cwd(), 'package.json'));
    const require = createRequire(fromProject.resolve('@typescript-eslint/typescript-estree'));
    const other = require('typescript') as TS;
    if (other.SyntaxKind[node.kind] === 'SourceFile') return other;
  } catch {
    // fall through: the error below
  }
  throw new Error('The TypeScript AST comes from an unknown TypeScript version.');
}

const NO_CONFIG: CacheAuditConfig = {};
const NO_SETTINGS = { config: NO_CONFIG, problems: [] };
const parsedSettings = new WeakMap<object, { config: CacheAuditConfig; problems: RegistryDiagnostic[] }>();
const resolvedOptions = new WeakMap<CacheAuditConfig, WeakMap<CacheAuditConfig, AnalysisOptions>>();

/** Options for a configuration file and ESLint settings, resolved once per pair. */
function optionsFor(fileConfig: CacheAuditConfig, settings: CacheAuditConfig): AnalysisOptions {
  let bySettings = resolvedOptions.get(fileConfig);
  if (!bySettings) {
    bySettings = new WeakMap();
    resolvedOptions.set(fileConfig, bySettings);
  }
  let options = bySettings.get(settings);
  if (!options) {
    options = resolveOptions({ ...fileConfig, ...settings });
    bySettings.set(settings, options);
  }
  return options;
}

function settingsConfig(context: Context): { config: CacheAuditConfig; problems: RegistryDiagnostic[] } {
  const settings = (context.settings as Record<string, unknown>)['cache-audit'];
  if (settings === undefined) return NO_SETTINGS;
  if (typeof settings === 'object' && settings !== null) {
    const cached = parsedSettings.get(settings);
    if (cached) return cached;
    const result = parseSettings(settings);
    parsedSettings.set(settings, result);
    return result;
  }
  return parseSettings(settings);
}

function parseSettings(settings: unknown): { config: CacheAuditConfig; problems: RegistryDiagnostic[] } {
  const parsed = configSchema().safeParse(settings);
  if (parsed.success) return { config: parsed.data, problems: [] };
  return {
    config: {},
    problems: parsed.error.issues.map((issue) => ({
      file: 'settings["cache-audit"]',
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
      message: `Invalid ESLint setting: \`${issue.path.join('.') || '(root)'}\`: ${issue.message}.`,
    })),
  };
}

/** The file's analysis: configuration, registry and facts, computed once per file and lint run. */
export function analysisFor(context: Context): FileAnalysis {
  const sourceCode = context.sourceCode;
  const cached = analyses.get(sourceCode);
  if (cached) return cached;
  const setup = setupFor(context);
  const { config, options, registry, registryFile, isIgnored, setupProblems } = setup;
  const services = sourceCode.parserServices as ParserServices | undefined;
  const program = services?.program ?? null;
  const { facts, ts: tsInstance, project, tree } = factsFor(context, setup, services);
  const memo = new Map<string, readonly Finding[]>();
  const ruleOptions: RuleOptions = config.rules ?? {};
  // The families are the project's, as in the CLI: the program's with type information, else read from
  // the project's files (only for a file whose handlers write: no other finding depends on them). With a
  // registry too: how the code loads an entry says which writes can change it.
  let families: readonly CacheFamily[] | undefined;
  let invalidations: readonly Invalidation[] | undefined;
  if (program && tsInstance && facts.isRelevant)
    ({ families, invalidations } = programCaches(tsInstance, program, options, sessionFor(program, options), () =>
      resolverFor(tsInstance, program),
    ));
  else if (project && facts.handlers.some((handler) => handler.writes.length > 0)) {
    // The linted file's own as its text reads now (an editor's buffer, a file not saved), the others' as on disk.
    const found = project.families();
    families = [...found.byFile.filter((family) => family.file !== facts.file), ...facts.families, ...found.cachedGets];
    invalidations = [
      ...[...found.invalidations].flatMap(([file, sites]) => (file === facts.file ? [] : sites)),
      ...facts.otherInvalidations,
    ];
  }
  const sourceOf = program
    ? (file: string) => program.getSourceFile(file)
    : project
      ? (file: string) => (file === tree?.fileName ? tree : project.sourceFile(file))
      : null;
  const locate = sourceOf
    ? (file: string, offset: number): string => {
        const other = sourceOf(file);
        const line = other ? other.getLineAndCharacterOfPosition(offset).line + 1 : 0;
        return `${relative(context.cwd, file).split('\\').join('/')}:${String(line)}`;
      }
    : undefined;
  const analysis: FileAnalysis = {
    facts,
    text: sourceCode.text,
    registry,
    registryFile,
    setupProblems,
    options,
    ruleOptions,
    isIgnored,
    findings(rule, overrides) {
      if (!facts.isRelevant) return [];
      const effective = { ...ruleOptions, ...overrides };
      const key = `${rule.id}:${JSON.stringify(effective)}`;
      let found = memo.get(key);
      if (!found) {
        found = runCheck(rule, {
          facts,
          text: sourceCode.text,
          registry,
          options,
          ruleOptions: effective,
          families,
          invalidations,
          locate,
        });
        memo.set(key, found);
      }
      return found;
    },
  };
  analyses.set(sourceCode, analysis);
  return analysis;
}

interface ParserServices {
  readonly esTreeNodeToTSNodeMap?: { get(node: unknown): ts.Node | undefined };
  readonly program?: ts.Program | null;
}

/** What applies to the linted file: its configuration (file and ESLint settings), options and registry. */
interface FileSetup {
  readonly config: CacheAuditConfig;
  readonly options: AnalysisOptions;
  readonly registry: CacheRegistry | null;
  readonly registryFile: string | null;
  readonly isIgnored: boolean;
  /** The directory the configuration's `ignores` are relative to. */
  readonly ignoreBase: string;
  /** Problems of the configuration, the registry and the file itself, reported once per file. */
  readonly setupProblems: RegistryDiagnostic[];
}

function setupFor(context: Context): FileSetup {
  const filename = context.filename;
  const fileConfig = loadConfigFor(dirname(filename));
  const settings = settingsConfig(context);
  const config: CacheAuditConfig = { ...fileConfig.config, ...settings.config };
  // Without a configuration file each lookup answers a fresh `{}`: one key for all of them.
  const options = optionsFor(fileConfig.file === null ? NO_CONFIG : fileConfig.config, settings.config);
  const setupProblems: RegistryDiagnostic[] = [...fileConfig.diagnostics, ...settings.problems];

  let registryFile: string | null = null;
  if (settings.config.registry) registryFile = resolve(context.cwd, settings.config.registry);
  else if (fileConfig.config.registry) registryFile = resolve(fileConfig.dir, fileConfig.config.registry);
  let registry: CacheRegistry | null = null;
  const missing = settings.config.registry ? null : missingRegistry(fileConfig);
  if (missing) setupProblems.push(missing);
  else if (registryFile) {
    const loaded = loadRegistry(registryFile);
    registry = loaded.registry;
    setupProblems.push(...loaded.diagnostics);
  }

  const ignoreBase = fileConfig.file ? fileConfig.dir : context.cwd;
  const isIgnored = isIgnoredFile(filename, ignoreBase, config.ignores ?? []);
  return { config, options, registry, registryFile, isIgnored, ignoreBase, setupProblems };
}

interface LintedFacts {
  readonly facts: FileFacts;
  /** The TypeScript that made the file's tree (null: none was needed). */
  readonly ts: TS | null;
  /** The project read from disk, without type information (null: with it, or not needed). */
  readonly project: UntypedProject | null;
  /** The tree the facts were extracted from (null: none was). */
  readonly tree: ts.SourceFile | null;
}

/**
 * The facts of the linted file. The text says first whether the file can hold anything the rules
 * judge: most files of a project cannot, and are then neither parsed again nor walked. Calls into
 * other files are followed with the type checker where the parser made a program, else through the
 * project read from disk, as the CLI reads it.
 */
function factsFor(context: Context, setup: FileSetup, services: ParserServices | undefined): LintedFacts {
  const { sourceCode, filename } = context;
  const { options, registry, isIgnored, setupProblems } = setup;
  const program = services?.program ?? null;
  // A file the CLI skips for its size is skipped here too, once said.
  const bytes = isIgnored ? 0 : byteLength(sourceCode.text);
  if (bytes > MAX_FILE_BYTES) setupProblems.push(problemAt(filename, 1, 1, tooLargeMessage(bytes)));
  const textSays = isIgnored || bytes > MAX_FILE_BYTES ? null : textRelevance(filename, sourceCode.text, options);
  const none: FileFacts = { file: filename, handlers: [], otherInvalidations: [], reads: [], families: [], isRelevant: false };
  if (!textSays || !(textSays.handlers || textSays.sites)) return { facts: none, ts: null, project: null, tree: null };
  const mapped = services?.esTreeNodeToTSNodeMap?.get(sourceCode.ast);
  let tsInstance: TS;
  let sourceFile: ts.SourceFile;
  if (mapped) {
    tsInstance = typescriptFor(mapped);
    sourceFile = mapped as ts.SourceFile;
  } else {
    tsInstance = typescript();
    sourceFile = tsInstance.createSourceFile(
      filename,
      sourceCode.text,
      tsInstance.ScriptTarget.Latest,
      true,
      scriptKindOf(tsInstance, filename),
    );
  }
  // A file that is not on disk (a test's code, standard input) is linted alone.
  const project =
    program || !existsSync(filename)
      ? null
      : untypedProject(tsInstance, filename, context.cwd, options, {
          config: setup.config,
          ignoreBase: setup.ignoreBase,
          registryFile: setup.registryFile,
        });
  if (project) sourceFile = project.lintedTree(filename, sourceCode.text, sourceFile);
  const extract = {
    ts: tsInstance,
    options,
    resolver: program ? resolverFor(tsInstance, program) : (project?.resolver ?? null),
    // With type information the files of a program share one analysis; without, those of the project read from disk.
    ...(program ? { session: sessionFor(program, options) } : project ? { session: project.session } : {}),
    // With a registry, only a file of handlers needs its own: how it loads an entry says which writes reach it.
    withFamilies: registry === null || textSays.handlers,
  };
  // The analysis's walks recurse: a file nested too deeply is not walked.
  const deep = tooDeeplyNested(tsInstance, sourceFile);
  try {
    if (deep) throw nestingError(deep);
    return { facts: extractFacts(sourceFile, extract), ts: tsInstance, project, tree: sourceFile };
  } catch (error) {
    // A file the analysis gives up on is said once, and the lint run goes on.
    const why = gaveUp(error);
    if (!why) throw error;
    setupProblems.push(gaveUpProblem(context.cwd, filename, sourceFile, why));
    return { facts: none, ts: tsInstance, project, tree: sourceFile };
  }
}

/** The file's size in UTF-8 bytes, as on disk (counted only when its length leaves room for doubt). */
function byteLength(text: string): number {
  return text.length * 3 <= MAX_FILE_BYTES ? text.length : Buffer.byteLength(text, 'utf8');
}

function problemAt(file: string, line: number, column: number, message: string): RegistryDiagnostic {
  return { file, line, column, endLine: line, endColumn: column, message };
}

/** Where and why the analysis gave up on the linted file (where, when it gave up in another file, is named in the message). */
function gaveUpProblem(
  cwd: string,
  filename: string,
  sourceFile: ts.SourceFile,
  why: { reason: string; node: ts.Node | null },
): RegistryDiagnostic {
  const where = why.node?.getSourceFile();
  const at = where && why.node ? where.getLineAndCharacterOfPosition(why.node.getStart(where)) : null;
  if (at && where === sourceFile) return problemAt(filename, at.line + 1, at.character + 1, gaveUpMessage(why.reason, null));
  const elsewhere = at && where ? `${relative(cwd, where.fileName).split('\\').join('/')}:${String(at.line + 1)}` : null;
  return problemAt(filename, 1, 1, gaveUpMessage(why.reason, elsewhere));
}

/** Whether the configuration's `ignores` (globs relative to `base`) cover the file. */
function isIgnoredFile(filename: string, base: string, ignores: readonly string[]): boolean {
  if (ignores.length === 0) return false;
  const relativePath = relative(base, filename).split('\\').join('/');
  return !isAbsolute(relativePath) && !relativePath.startsWith('..') && ignores.some((glob) => globToRegExp(glob).test(relativePath));
}

const resolvers = new WeakMap<ts.Program, CallResolver>();

/**
 * One resolver per program, shared by the files linted with it: it builds its tables of the
 * program's listeners and hooks once, not once per file.
 */
function resolverFor(tsInstance: TS, program: ts.Program): CallResolver {
  return entryOf(resolvers, program, () => {
    // The cascades of the program's files, and for a Prisma client's delete of the Prisma schema
    // too (read below the program's directory).
    const cascades = new CascadeTables(
      tsInstance,
      () => program.getSourceFiles().filter((file) => !file.isDeclarationFile && !program.isSourceFileFromExternalLibrary(file)),
      () => readPrismaSchemas(program.getCurrentDirectory()),
    );
    return {
      ...checkerResolver(tsInstance, program),
      cascadesOf: (model: string, schema: CascadeSchema) => cascades.cascadesOf(model, schema),
    };
  });
}

const sessions = new WeakMap<ts.Program, WeakMap<AnalysisOptions, AnalysisSession>>();

/** One analysis session per program and options: the files linted with them share its memos (the summaries of the functions they call). */
function sessionFor(program: ts.Program, options: AnalysisOptions): AnalysisSession {
  const byOptions = entryOf(sessions, program, () => new WeakMap<AnalysisOptions, AnalysisSession>());
  return entryOf(byOptions, options, () => new AnalysisSession());
}

/**
 * The linted file that reports each setup problem, per run: the first one that met it. A run is
 * told by its computed configuration (ESLint makes one per ESLint instance and shares it between
 * the files it matches); without one, the process.
 */
const setupOwners = new WeakMap<object, Map<string, string>>();
const processRun = {};

/**
 * The setup problems this rule reports on this file: once per run, not once per linted file. A
 * problem is reported where it is when that file is linted (a registry in TypeScript), otherwise
 * on the first linted file that met it, naming its place. The first rule to ask on a file reports.
 */
export function claimSetupProblems(context: Context, problems: readonly RegistryDiagnostic[]): readonly RegistryDiagnostic[] {
  if (problems.length === 0 || reportedSetup.has(context.sourceCode)) return [];
  reportedSetup.add(context.sourceCode);
  return problems.filter((problem) => {
    if (problem.file === context.filename) return true;
    const key = `${problem.file}\u0000${String(problem.line)}\u0000${String(problem.column)}\u0000${problem.message}`;
    const run = (context.languageOptions as object | undefined) ?? processRun;
    let owners = setupOwners.get(run);
    if (!owners) {
      owners = new Map();
      setupOwners.set(run, owners);
    }
    const owner = owners.get(key);
    if (owner === undefined) owners.set(key, context.filename);
    return owner === undefined || owner === context.filename;
  });
}
