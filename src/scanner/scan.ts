import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { ts as morphTs } from 'ts-morph';
import type ts from 'typescript';
import { formatMessage, RULE_IDS, RULES } from '../analysis/catalogue.js';
import type { RuleId } from '../analysis/catalogue.js';
import { resolvePattern, runCheck } from '../analysis/checks.js';
import { scriptKindOf, truncate } from '../analysis/context.js';
import type { FileContext, TS } from '../analysis/context.js';
import { extractFacts } from '../analysis/extract.js';
import { interceptInvalidations } from '../analysis/frameworks/nestjs.js';
import type { FileFacts, Invalidation, RouteHandler } from '../analysis/facts.js';
import { globToRegExp, resolveOptions } from '../analysis/options.js';
import { clearConfigCache, loadConfigFor } from '../config/load-config.js';
import { covers, overlaps } from '../patterns/operations.js';
import type { CacheRegistry } from '../registry/define.js';
import { loadRegistry } from '../registry/load.js';
import type { LoadedRegistry } from '../registry/load.js';
import { VERSION } from '../version.js';
import { projectFiles } from './files.js';
import { ProjectResolver } from './project-resolver.js';
import { compareFindings, RESULT_VERSION } from './result.js';
import type { Cell, MatrixRow, ScanDiagnostic, ScanFinding, ScanResult, Severity } from './result.js';
import { parseSuppressions } from './suppressions.js';

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

export type ScanErrorCode = 'root-not-found' | 'no-configuration';

/** A scan that cannot start: a usage or configuration error (exit code 2 in the CLI). */
export class ScanError extends Error {
  constructor(
    readonly code: ScanErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ScanError';
  }
}

const PROJECT_RULES = {
  'stale-key': 'A registered key that no mutation invalidates',
  'unused-key': 'A registered key that nothing reads or invalidates',
  unresolved: 'What the audit could not read statically',
} as const;

export const PROJECT_RULE_DESCRIPTIONS: Readonly<Record<string, string>> = PROJECT_RULES;

function severityOf(ruleId: RuleId): Severity {
  return RULES[ruleId].type === 'problem' ? 'error' : 'warning';
}

/**
 * Audits a whole project: the per-file checks of the ESLint rules, with calls followed across
 * files, and the project-wide ones (stale and unused keys, blind spots), the coverage matrix and
 * the coverage figure. Never prints, never exits; throws a `ScanError` when it cannot start.
 */
export async function scan(options: ScanOptions): Promise<ScanResult> {
  const started = performance.now();
  const ts = morphTs as unknown as TS;
  const root = resolve(options.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new ScanError('root-not-found', `${root} is not a directory.`);
  // A scan reads the files as they are now: no trust in what an earlier scan of this process saw.
  clearConfigCache();
  const loadedConfig = loadConfigFor(root, { recheckMs: 0 });
  if (!loadedConfig.file) {
    throw new ScanError('no-configuration', `No cache-audit configuration found in ${root} or above: add cache-audit.config.json with { "registry": "src/cache/keys.ts" }.`);
  }
  const rel = (file: string): string => relative(root, file).split(sep).join('/') || file;
  const diagnostics: ScanDiagnostic[] = loadedConfig.diagnostics.map((d) => ({ file: rel(d.file), line: d.line, column: d.column, message: d.message }));
  const config = loadedConfig.config;
  const analysisOptions = resolveOptions(config);

  let registry: CacheRegistry | null = null;
  let registryFile: string | null = null;
  let loadedRegistry: LoadedRegistry | null = null;
  if (config.registry) {
    registryFile = resolve(loadedConfig.dir, config.registry);
    const loaded = loadRegistry(registryFile, { recheckMs: 0 });
    loadedRegistry = loaded;
    registry = loaded.registry;
    for (const d of loaded.diagnostics) diagnostics.push({ file: rel(d.file), line: d.line, column: d.column, message: d.message });
  } else {
    diagnostics.push({ file: rel(loadedConfig.file), line: 1, column: 1, message: 'No `registry` in the configuration: the checks that need one are off.' });
  }

  const listed = projectFiles(ts, root, options.tsconfig);
  for (const p of listed.problems) diagnostics.push({ ...p, file: rel(p.file) });
  const ignores = (config.ignores ?? []).map((glob) => globToRegExp(glob, '/'));
  const ignoreBase = loadedConfig.dir;
  const isIgnored = (file: string): boolean => {
    const path = relative(ignoreBase, file).split(sep).join('/');
    return ignores.some((glob) => glob.test(path));
  };
  const files = listed.files.filter((file) => !isIgnored(file) && file !== registryFile);
  const maxBytes = options.maxFileBytes ?? 2 * 1024 * 1024;

  const sources = new Map<string, ts.SourceFile | null>();
  const texts = new Map<string, string>();
  const lineCache = new Map<string, string[]>();
  /** The lines of a scanned file, split once. */
  const linesOf = (file: string): string[] => {
    let lines = lineCache.get(file);
    if (!lines) {
      lines = texts.get(file)?.split('\n') ?? [];
      lineCache.set(file, lines);
    }
    return lines;
  };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const read = (file: string, isReported: boolean): ts.SourceFile | null => {
    const known = sources.get(file);
    if (known !== undefined) return known;
    let sourceFile: ts.SourceFile | null = null;
    const problem = (message: string): void => {
      if (isReported) diagnostics.push({ file: rel(file), line: 1, column: 1, message });
    };
    try {
      const bytes = options.readFile?.(file) ?? readFileSync(file);
      if (bytes.length > maxBytes) {
        problem(`Skipped: ${(bytes.length / 1024 / 1024).toFixed(1)} MB is larger than ${(maxBytes / 1024 / 1024).toFixed(1)} MB (generated code?).`);
      } else if (bytes.includes(0)) {
        problem('Skipped: a binary file, not source text.');
      } else {
        let text: string | null = null;
        try {
          text = decoder.decode(bytes);
        } catch {
          problem('Skipped: the file is not valid UTF-8; save it as UTF-8.');
        }
        if (text !== null) {
          sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindOf(ts, file));
          texts.set(file, text);
          const syntax = (sourceFile as ts.SourceFile & { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
          const first = syntax[0];
          if (first) {
            const at = sourceFile.getLineAndCharacterOfPosition(first.start);
            if (isReported) {
              diagnostics.push({
                file: rel(file),
                line: at.line + 1,
                column: at.character + 1,
                message: `Syntax error: ${ts.flattenDiagnosticMessageText(first.messageText, ' ').replace(/\.$/, '')}; the file is not audited until it parses.`,
              });
            }
            sourceFile = null;
          }
        }
      }
    } catch (error) {
      problem(`Cannot read this file: ${(error as Error).message}.`);
    }
    sources.set(file, sourceFile);
    return sourceFile;
  };

  // Module resolution asks the file system for many candidates: answer from the project's file
  // list first, and remember what the disk said.
  const known = new Set(listed.files);
  const existing = new Map<string, boolean>();
  const host: ts.ModuleResolutionHost = {
    ...ts.sys,
    fileExists: (path) => {
      if (known.has(path)) return true;
      let answer = existing.get(path);
      if (answer === undefined) {
        answer = ts.sys.fileExists(path);
        existing.set(path, answer);
      }
      return answer;
    },
    directoryExists: (path) => {
      const key = `${path}/`;
      let answer = existing.get(key);
      if (answer === undefined) {
        answer = ts.sys.directoryExists(path);
        existing.set(key, answer);
      }
      return answer;
    },
  };
  const resolver = new ProjectResolver(
    ts,
    listed.compilerOptions,
    host,
    (path) => read(resolve(path), false) ?? undefined,
    () => files.map((file) => read(file, true)).filter((f): f is ts.SourceFile => f !== null),
  );
  const contexts = new Map<ts.SourceFile, FileContext>();
  const facts: FileFacts[] = [];
  files.forEach((file, index) => {
    const sourceFile = read(file, true);
    if (sourceFile) facts.push(extractFacts(sourceFile, { ts, options: analysisOptions, resolver, contexts }));
    options.onProgress?.(index + 1, files.length);
  });

  applyGlobalInterceptors(ts, facts, contexts, resolver, registry);

  const reportedPaths = (options.paths ?? []).map((p) => resolve(root, p));
  const isReportedFile = (file: string): boolean =>
    (options.onlyFiles === undefined || options.onlyFiles.has(file)) &&
    (reportedPaths.length === 0 || reportedPaths.some((p) => file === p || file.startsWith(p + sep)));

  const findings: ScanFinding[] = [];
  const fingerprints = new Map<string, number>();
  const push = (finding: Omit<ScanFinding, 'fingerprint'>, lineText: string): void => {
    const base = `${finding.ruleId}\u0000${finding.file}\u0000${lineText.trim()}\u0000${finding.message}`;
    const occurrence = fingerprints.get(base) ?? 0;
    fingerprints.set(base, occurrence + 1);
    findings.push({ ...finding, fingerprint: createHash('sha1').update(`${base}\u0000${String(occurrence)}`).digest('hex').slice(0, 16) });
  };
  const ruleIds = RULE_IDS.filter((id) => options.strict || RULES[id].recommended);
  for (const fileFacts of facts) {
    if (!fileFacts.isRelevant || !isReportedFile(fileFacts.file)) continue;
    const text = texts.get(fileFacts.file) ?? '';
    const sourceFile = sources.get(fileFacts.file);
    if (!sourceFile) continue;
    const suppressions = parseSuppressions(text);
    const lines = linesOf(fileFacts.file);
    for (const ruleId of ruleIds) {
      for (const finding of runCheck(ruleId, { facts: fileFacts, text, registry, options: analysisOptions, ruleOptions: config.rules ?? {} })) {
        const start = sourceFile.getLineAndCharacterOfPosition(finding.range.start);
        const end = sourceFile.getLineAndCharacterOfPosition(finding.range.end);
        if (suppressions.isSuppressed(ruleId, start.line + 1)) continue;
        push(
          {
            ruleId,
            severity: severityOf(ruleId),
            message: formatMessage(RULES[ruleId].messages[finding.messageId as keyof (typeof RULES)[RuleId]['messages']] ?? finding.messageId, finding.data),
            file: rel(fileFacts.file),
            line: start.line + 1,
            column: start.character + 1,
            endLine: end.line + 1,
            endColumn: end.character + 1,
            via: viaOf(fileFacts, finding.range.start),
          },
          lines[start.line] ?? '',
        );
      }
    }
  }

  const handlers = facts.flatMap((f) => f.handlers.map((handler) => ({ handler, file: f.file })));
  const lineOf = (file: string, offset: number): number => (sources.get(file)?.getLineAndCharacterOfPosition(offset).line ?? 0) + 1;

  // Project-wide findings, reported at the registry's definitions.
  if (registry && registryFile && loadedRegistry) {
    const loaded = loadedRegistry;
    const registryText = existsSync(registryFile) ? readFileSync(registryFile, 'utf8').split('\n') : [];
    const allInvalidations: Invalidation[] = [
      ...handlers.flatMap(({ handler }) => handler.invalidations),
      ...facts.flatMap((f) => f.otherInvalidations),
    ];
    const invalidated = new Set<string>();
    for (const invalidation of allInvalidations) {
      for (const fact of invalidation.patterns) {
        const pattern = resolvePattern(fact, registry);
        if (!pattern) continue;
        for (const entry of registry.entries) if (!invalidated.has(entry.name) && overlaps(pattern, entry.parsed)) invalidated.add(entry.name);
      }
    }
    const isWrapper = (name: string | null): boolean => name !== null && (analysisOptions.callNames.has(name) || analysisOptions.callGlobs.some((g) => g.test(name)));
    const hasUnreadable = allInvalidations.some(
      (i) =>
        (i.kind === 'pattern' || i.kind === 'key') &&
        i.patterns.some((p) => p.pattern === null && p.registryRef === null && !isWrapper(p.forwardedBy)),
    );
    const readNames = new Set(facts.flatMap((f) => f.reads.map((r) => r.name)).filter((n): n is string => n !== null));
    for (const entry of registry.entries) {
      const at = loaded.locations.get(entry.name) ?? { line: 1, column: 1 };
      const base = { file: rel(registryFile), line: at.line, column: at.column, endLine: at.line, endColumn: at.column, via: [] as string[] };
      const lineText = registryText[at.line - 1] ?? '';
      if (isReportedFile(registryFile) && !invalidated.has(entry.name)) {
        if (!readNames.has(entry.name)) {
          push({ ...base, ruleId: 'unused-key', severity: 'warning', message: `The key \`${entry.name}\` (${entry.template}) is registered, but nothing reads or invalidates it: remove it, or use it.` }, lineText);
        } else if (!hasUnreadable) {
          push(
            {
              ...base,
              ruleId: 'stale-key',
              severity: entry.ttl === undefined ? 'error' : 'warning',
              message:
                entry.ttl === undefined
                  ? `No mutation invalidates \`${entry.name}\` (${entry.template}), and it has no ttl: its cached values never change.`
                  : `No mutation invalidates \`${entry.name}\` (${entry.template}): its cached values change only when their ${String(entry.ttl)} s ttl runs out.`,
            },
            lineText,
          );
        }
      }
    }
  }

  // Blind spots: what could not be read, so that users know where the audit is silent.
  for (const fileFacts of facts) {
    if (!isReportedFile(fileFacts.file)) continue;
    const text = linesOf(fileFacts.file);
    const seen = new Set<number>();
    const note = (offset: number, message: string): void => {
      const line = lineOf(fileFacts.file, offset);
      push({ ruleId: 'unresolved', severity: 'note', message, file: rel(fileFacts.file), line, column: 1, endLine: line, endColumn: 1, via: [] }, text[line - 1] ?? '');
    };
    for (const invalidation of [...fileFacts.otherInvalidations, ...fileFacts.handlers.flatMap((h) => h.invalidations.filter((i) => i.file === null))]) {
      for (const fact of invalidation.patterns) {
        // A wrapper forwarding its parameter is no blind spot: its callers say the pattern.
        const isWrapped = fact.forwardedBy !== null && (analysisOptions.callNames.has(fact.forwardedBy) || analysisOptions.callGlobs.some((g) => g.test(fact.forwardedBy ?? '')));
        if (fact.unresolved === null || isWrapped || seen.has(fact.range.start)) continue;
        seen.add(fact.range.start);
        note(fact.range.start, `The pattern \`${truncate(fact.text, 60)}\` of ${invalidation.name}() cannot be read statically (${fact.unresolved}): it is not checked.`);
      }
    }
    for (const handler of fileFacts.handlers) {
      if (!handler.isMutation || handler.opaqueCalls.length === 0 || handler.invalidations.length > 0) continue;
      note(handler.nameRange.start, `${handler.name} calls code this audit cannot follow (${handler.opaqueCalls.slice(0, 3).join(', ')}): whether it invalidates is unknown.`);
    }
  }

  const matrix = buildMatrix(handlers, facts, registry, rel, lineOf);
  const mutations = handlers.filter(({ handler }) => handler.isMutation && !analysisOptions.readOnlyRoutes.some((g) => handler.path !== null && g.test(handler.path)));
  const covered = mutations.filter(({ handler }) => handler.invalidations.length > 0 || handler.exception !== null).length;

  return {
    version: RESULT_VERSION,
    tool: { name: 'cache-audit', version: VERSION },
    root,
    registry:
      registry && registryFile
        ? {
            file: rel(registryFile),
            prefix: registry.prefix,
            keys: registry.entries.map((e) => ({ name: e.name, template: e.template, ttl: e.ttl ?? null, dependsOn: e.dependsOn })),
          }
        : null,
    tsconfigs: listed.tsconfigs,
    filesScanned: files.length,
    findings: findings.sort(compareFindings),
    diagnostics: diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column),
    matrix,
    coverage: { mutations: mutations.length, covered, ratio: mutations.length === 0 ? null : covered / mutations.length },
    durationMs: performance.now() - started,
  };
}

/** The helper chain of the invalidation a finding is about, when it was reached through helpers. */
function viaOf(facts: FileFacts, offset: number): string[] {
  for (const handler of facts.handlers) {
    if (handler.nameRange.start === offset) {
      const through = handler.invalidations.find((i) => i.through.length > 0);
      return through ? [...through.through] : [];
    }
  }
  return [];
}

function buildMatrix(
  handlers: readonly { handler: RouteHandler; file: string }[],
  facts: readonly FileFacts[],
  registry: CacheRegistry | null,
  rel: (file: string) => string,
  lineOf: (file: string, offset: number) => number,
): ScanResult['matrix'] {
  const keys = registry?.entries.map((e) => e.name) ?? [];
  const rows: MatrixRow[] = [];
  for (const { handler, file } of handlers) {
    if (!handler.isMutation) continue;
    const patterns = handler.invalidations.flatMap((i) => (i.kind === 'pattern' || i.kind === 'key' ? i.patterns.map((p) => (registry ? resolvePattern(p, registry) : null)) : [])).filter((p) => p !== null);
    const cells: Cell[] = (registry?.entries ?? []).map((entry) => {
      let best: Cell = 'none';
      for (const pattern of patterns) {
        if (!overlaps(pattern, entry.parsed)) continue;
        if (!covers(pattern, entry.parsed)) {
          if (best === 'none') best = 'partial';
          continue;
        }
        const holes = pattern.tokens.some((t) => t.kind === 'hole' && t.name !== null && entry.params.includes(t.name));
        if (!holes) return 'full';
        best = 'tenant';
      }
      return best;
    });
    rows.push({
      handler: handler.name,
      method: handler.method,
      path: handler.path,
      file: rel(file),
      line: lineOf(file, handler.nameRange.start),
      cells,
      exception: handler.exception?.reason ?? null,
    });
  }
  const reads: Record<string, { file: string; line: number }[]> = {};
  for (const f of facts) {
    for (const read of f.reads) {
      if (read.name === null) continue;
      (reads[read.name] ??= []).push({ file: rel(f.file), line: lineOf(f.file, read.range.start) });
    }
  }
  return { keys, rows: rows.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line), reads };
}

/**
 * Interceptors registered for the whole application (`{ provide: APP_INTERCEPTOR, useClass: X }`):
 * what their `intercept` deletes, with patterns that can be read, counts for every NestJS mutation.
 * An interceptor that deletes what handlers declare (patterns it cannot know statically) adds nothing.
 */
function applyGlobalInterceptors(
  ts: TS,
  facts: FileFacts[],
  contexts: ReadonlyMap<ts.SourceFile, FileContext>,
  resolver: ProjectResolver,
  registry: CacheRegistry | null,
): void {
  const global: Invalidation[] = [];
  for (const [sourceFile, ctx] of contexts) {
    if (!sourceFile.text.includes('APP_INTERCEPTOR')) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        const get = (name: string) =>
          node.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name)?.initializer;
        const provide = get('provide');
        const useClass = get('useClass');
        if (provide && ts.isIdentifier(provide) && provide.text === 'APP_INTERCEPTOR' && useClass && ts.isIdentifier(useClass)) {
          const declaration = ctx.classes.get(useClass.text) ?? resolver.resolveClass(useClass);
          for (const invalidation of declaration ? interceptInvalidations(ctx, declaration, `${useClass.text}.intercept (APP_INTERCEPTOR)`) : []) {
            const readable = invalidation.patterns.filter((p) => resolvePattern(p, registry) !== null);
            // Applied to handlers of every file: always say where the interceptor is.
            if (readable.length > 0) global.push({ ...invalidation, patterns: readable, file: invalidation.file ?? ctx.file });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  if (global.length === 0) return;
  facts.forEach((fileFacts, index) => {
    if (!fileFacts.handlers.some((h) => h.isMutation && (h.framework === 'nestjs' || h.framework === 'graphql'))) return;
    facts[index] = {
      ...fileFacts,
      handlers: fileFacts.handlers.map((handler) =>
        handler.isMutation && (handler.framework === 'nestjs' || handler.framework === 'graphql')
          ? { ...handler, invalidations: [...handler.invalidations, ...global] }
          : handler,
      ),
    };
  });
}
