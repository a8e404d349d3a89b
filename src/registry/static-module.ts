import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type ts from 'typescript';
import { typescript } from '../ts/typescript.js';
import { parseSource } from '../ts/syntax.js';
import { propertyName, Reader, UNREADABLE, unwrap } from './static-value.js';
import { beyondJson, STRICT_JSON } from './strict-json.js';
import type { RegistryDiagnostic } from './static-value.js';

// Finding the object a module exports (in `defineX(…)`, else an exported object literal, or a JSON
// file's), without running the module: for the registry and the configuration.

const SUPPORTED = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json']);

/** A diagnostic for the file as a whole (at its start). */
export function fileDiagnostic(file: string, message: string): RegistryDiagnostic {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1, message };
}

/** What a static read of a module found: the object it exports, evaluated, and where things are. */
export interface StaticModule {
  readonly source: ts.SourceFile;
  readonly reader: Reader;
  readonly root: ts.Expression;
  readonly value: unknown;
}

export interface StaticModuleSpec {
  /** What the file is, for messages: `registry`, `configuration`. */
  readonly what: string;
  /** The call whose argument is the object (`defineCacheRegistry`, `defineConfig`). */
  readonly callee: string;
  /** A property the exported object must have to be the one (`keys`), or null for the default export. */
  readonly key: string | null;
  readonly example: string;
}

/**
 * Reads the object a module exports without running it (see `loadRegistry` for what it accepts).
 * Returns the diagnostics alone when there is no object to read.
 */
export function readStaticModule(file: string, spec: StaticModuleSpec): StaticModule | { readonly diagnostics: RegistryDiagnostic[] } {
  const ts = typescript();
  const extension = extname(file).toLowerCase();
  const fail = (message: string) => ({ diagnostics: [fileDiagnostic(file, message)] });
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    return fail(`The ${spec.what} file ${file} does not exist.`);
  }
  if (!isFile) return fail(`The ${spec.what} path ${file} is not a file.`);
  if (!SUPPORTED.has(extension)) {
    return fail(`The ${spec.what} file must be .ts, .mts, .cts, .js, .mjs, .cjs or .json, not ${extension || 'a file without extension'}.`);
  }
  let text: string;
  try {
    const bytes = readFileSync(file);
    if (bytes.includes(0)) return fail(`The ${spec.what} file is binary, not source text.`);
    text = bytes.toString('utf8');
  } catch (error) {
    return fail(`The ${spec.what} file cannot be read: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const isJson = extension === '.json';
  const source = isJson ? ts.parseJsonText(file, text) : parseSource(ts, file, text);
  const reader = new Reader(file, source);
  const syntax = syntaxErrors(source);
  if (syntax.length > 0) {
    for (const diagnostic of syntax)
      reader.report(
        diagnostic.start,
        diagnostic.length,
        `Syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/\.$/, '')}.${isJson ? ` ${STRICT_JSON}` : ''}`,
      );
    return { diagnostics: reader.diagnostics };
  }
  if (isJson) {
    for (const problem of beyondJson(text)) reader.report(problem.start, problem.length, problem.message);
    if (reader.diagnostics.length > 0) return { diagnostics: reader.diagnostics };
  }
  const root = isJson ? jsonRoot(source, reader, spec) : findExportedObject(source, reader, spec);
  if (!root) return { diagnostics: reader.diagnostics };
  const value = reader.evaluate(root);
  return { source, reader, root, value: value === UNREADABLE ? {} : value };
}

function syntaxErrors(source: ts.SourceFile): readonly ts.DiagnosticWithLocation[] {
  const withParse = source as ts.SourceFile & { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] };
  return withParse.parseDiagnostics ?? [];
}

function jsonRoot(source: ts.SourceFile, reader: Reader, spec: StaticModuleSpec): ts.Expression | null {
  const ts = typescript();
  const statement = source.statements[0];
  if (statement && ts.isExpressionStatement(statement)) return statement.expression;
  reader.report(0, 0, `The JSON ${spec.what} is empty: write an object${spec.key ? ` with "${spec.key}"` : ''}.`);
  return null;
}

function isDefineCall(node: ts.Node, name: string, aliases: ReadonlySet<string>): node is ts.CallExpression {
  const ts = typescript();
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  if (ts.isIdentifier(callee)) return callee.text === name || aliases.has(callee.text);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === name;
}

/** Finds the object: in `defineX(…)`, else an exported object literal (with `spec.key`). */
function findExportedObject(source: ts.SourceFile, reader: Reader, spec: StaticModuleSpec): ts.Expression | null {
  const ts = typescript();
  const DEFINE_NAME = spec.callee;
  const aliases = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      if ((element.propertyName ?? element.name).text === DEFINE_NAME) aliases.add(element.name.text);
    }
  }
  const calls: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (isDefineCall(node, DEFINE_NAME, aliases)) calls.push(node);
    else ts.forEachChild(node, visit);
  };
  visit(source);
  const [first, ...others] = calls;
  for (const other of others) {
    reader.report(
      other.getStart(source),
      other.getWidth(source),
      `A second \`${DEFINE_NAME}\` call: keep one ${spec.what} per file; this one is ignored.`,
    );
  }
  if (first) {
    const argument = first.arguments[0];
    if (!argument) {
      reader.report(first.getStart(source), first.getWidth(source), `\`${DEFINE_NAME}()\` has no argument: pass an object literal.`);
      return null;
    }
    const resolved = reader.resolveObject(argument);
    if (!resolved) {
      reader.report(
        argument.getStart(source),
        argument.getWidth(source),
        `The argument of \`${DEFINE_NAME}\` must be an object literal written in this file, not \`${argument.getText(source)}\`.`,
      );
    }
    return resolved;
  }
  for (const candidate of exportedExpressions(source)) {
    const object = unwrap(candidate);
    if (ts.isObjectLiteralExpression(object) && (spec.key === null || object.properties.some((p) => propertyName(p) === spec.key)))
      return object;
  }
  reader.report(
    0,
    0,
    `No ${spec.what} found in this file: write \`${spec.example}\` or export an object literal${spec.key ? ` with \`${spec.key}\`` : ''}.`,
  );
  return null;
}

function exportedExpressions(source: ts.SourceFile): ts.Expression[] {
  const ts = typescript();
  const result: ts.Expression[] = [];
  for (const statement of source.statements) {
    const isExported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (ts.isVariableStatement(statement) && isExported) {
      for (const declaration of statement.declarationList.declarations) if (declaration.initializer) result.push(declaration.initializer);
    } else if (ts.isExportAssignment(statement)) {
      result.push(statement.expression);
    } else if (
      ts.isExpressionStatement(statement) &&
      ts.isBinaryExpression(statement.expression) &&
      statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      /^(module\.)?exports(\.\w+)?$/.test(statement.expression.left.getText(source))
    ) {
      result.push(statement.expression.right);
    }
  }
  return result;
}
