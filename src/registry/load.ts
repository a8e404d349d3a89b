import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type ts from 'typescript';
import { createRegistry } from './define.js';
import type { CacheRegistry } from './define.js';
import { FileCache } from './file-cache.js';
import { validateRegistry } from './model.js';
import { importBindings } from '../ts/imports.js';
import { typescript } from '../ts/typescript.js';
import { parseSource, truncate, unwrap as unwrapWith } from '../ts/syntax.js';

/** A located problem in a registry file; lines and columns are 1-based. */
export interface RegistryDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly message: string;
}

export interface LoadedRegistry {
  readonly file: string;
  /**
   * What could be read: a key with an invalid template or field is left out, a field that cannot
   * be read is left unset (its key stays, so that no pattern for it is reported as unknown).
   * Null when no registry object was found.
   */
  readonly registry: CacheRegistry | null;
  readonly diagnostics: readonly RegistryDiagnostic[];
  /** Where each key family is defined, for messages that point at it. */
  readonly locations: ReadonlyMap<string, { readonly line: number; readonly column: number }>;
}

const SUPPORTED = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json']);
const DEFINE = 'defineCacheRegistry';

const cache = new FileCache<LoadedRegistry>();

/**
 * Reads a registry file without running it: the object inside `defineCacheRegistry(…)`, an
 * exported object literal with `keys` (`as const` and `satisfies` allowed), or a JSON file, with
 * string and number constants of the same file. Anything it cannot read becomes a diagnostic with
 * its line and column; the keys it could read are kept. Results are cached until the file changes.
 */
export function loadRegistry(file: string, options: { readonly recheckMs?: number } = {}): LoadedRegistry {
  const path = resolve(file);
  try {
    return cache.get(path, () => loadUncached(path), options.recheckMs);
  } catch {
    return failure(path, `The registry file ${path} does not exist: check the \`registry\` path in the cache-audit configuration.`);
  }
}

function failure(file: string, message: string): LoadedRegistry {
  return {
    file,
    registry: null,
    diagnostics: [{ file, line: 1, column: 1, endLine: 1, endColumn: 1, message }],
    locations: new Map(),
  };
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
  const fail = (message: string) => ({ diagnostics: [...failure(file, message).diagnostics] });
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
  const source = extension === '.json' ? ts.parseJsonText(file, text) : parseSource(ts, file, text);
  const reader = new Reader(file, source);
  const syntax = syntaxErrors(source);
  if (syntax.length > 0) {
    for (const diagnostic of syntax)
      reader.report(
        diagnostic.start,
        diagnostic.length,
        `Syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/\.$/, '')}.`,
      );
    return { diagnostics: reader.diagnostics };
  }
  const root = extension === '.json' ? jsonRoot(source, reader, spec) : findExportedObject(source, reader, spec);
  if (!root) return { diagnostics: reader.diagnostics };
  const value = reader.evaluate(root);
  return { source, reader, root, value: value === UNREADABLE ? {} : value };
}

function loadUncached(file: string): LoadedRegistry {
  const read = readStaticModule(file, {
    what: 'registry',
    callee: DEFINE,
    key: 'keys',
    example: 'export const cacheKeys = defineCacheRegistry({ keys: { … } })',
  });
  if (!('root' in read)) return { file, registry: null, diagnostics: read.diagnostics, locations: new Map() };
  const { source, reader, root, value } = read;
  const { entries, prefix, issues } = validateRegistry(value);
  for (const issue of issues) {
    const node = reader.locate(root, issue.path);
    reader.report(node.getStart(source), node.getWidth(source), issue.message);
  }
  const locations = new Map<string, { line: number; column: number }>();
  for (const entry of entries) {
    const { value, property } = reader.locateProperty(root, ['keys', entry.name]);
    const node = property ?? value;
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    locations.set(entry.name, { line: line + 1, column: character + 1 });
  }
  const hasKeys = typeof value === 'object' && value !== null && 'keys' in value;
  return {
    file,
    registry: hasKeys || entries.length > 0 ? createRegistry(entries, prefix) : null,
    diagnostics: reader.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column),
    locations,
  };
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

const UNREADABLE = Symbol('unreadable');
type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
type Result = Value | typeof UNREADABLE;

/** The expression under `as`, `satisfies`, `!` and parentheses (the analysis' own helper). */
function unwrap(node: ts.Expression): ts.Expression {
  const ts = typescript();
  return unwrapWith(ts, node);
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

function propertyName(property: ts.ObjectLiteralElementLike): string | null {
  const ts = typescript();
  const name = property.name;
  if (!name) return null;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return null;
}

/** Evaluates constant expressions of one file, reporting what it cannot read. */
class Reader {
  readonly diagnostics: RegistryDiagnostic[] = [];
  private readonly constants = new Map<string, ts.Expression>();
  private readonly imports = new Map<string, string>();
  private readonly evaluating = new Set<ts.Node>();

  constructor(
    private readonly file: string,
    private readonly source: ts.SourceFile,
  ) {
    const ts = typescript();
    for (const statement of source.statements) {
      if (ts.isVariableStatement(statement)) {
        const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
        for (const declaration of statement.declarationList.declarations) {
          if (isConst && ts.isIdentifier(declaration.name) && declaration.initializer) {
            this.constants.set(declaration.name.text, declaration.initializer);
          }
        }
      }
    }
    for (const [name, binding] of importBindings(ts, source)) this.imports.set(name, binding.module);
  }

  report(start: number, length: number, message: string): void {
    const from = this.source.getLineAndCharacterOfPosition(start);
    const to = this.source.getLineAndCharacterOfPosition(start + length);
    this.diagnostics.push({
      file: this.file,
      line: from.line + 1,
      column: from.character + 1,
      endLine: to.line + 1,
      endColumn: to.character + 1,
      message,
    });
  }

  private fail(node: ts.Node, message: string): typeof UNREADABLE {
    this.report(node.getStart(this.source), node.getWidth(this.source), message);
    return UNREADABLE;
  }

  /** The object literal an expression stands for: inline, or a `const` of this file. */
  resolveObject(node: ts.Expression): ts.ObjectLiteralExpression | null {
    const ts = typescript();
    const expression = unwrap(node);
    if (ts.isObjectLiteralExpression(expression)) return expression;
    if (ts.isIdentifier(expression)) {
      const initializer = this.constants.get(expression.text);
      if (initializer && !this.evaluating.has(initializer)) {
        this.evaluating.add(initializer);
        const resolved = this.resolveObject(initializer);
        this.evaluating.delete(initializer);
        return resolved;
      }
    }
    return null;
  }

  /** The node that a validation path leads to (the deepest one that exists). */
  locate(root: ts.Expression, path: readonly (string | number)[]): ts.Node {
    return this.locateProperty(root, path).value;
  }

  /** Like `locate`, with the `name: value` property that holds the value (JSON nodes have no parents). */
  locateProperty(root: ts.Expression, path: readonly (string | number)[]): { value: ts.Node; property: ts.Node | null } {
    const ts = typescript();
    let node: ts.Node = root;
    let holder: ts.Node | null = null;
    for (const segment of path) {
      const array = ts.isExpression(node) ? unwrap(node) : null;
      if (array && ts.isArrayLiteralExpression(array) && typeof segment === 'number') {
        const element = array.elements[segment];
        if (!element) break;
        node = element;
        continue;
      }
      const object = ts.isExpression(node) ? this.resolveObject(node) : null;
      const property = object?.properties.find((p) => this.keyOf(p) === String(segment));
      if (!property) break;
      holder = property;
      node = ts.isPropertyAssignment(property) ? property.initializer : property;
    }
    return { value: node, property: holder };
  }

  private keyOf(property: ts.ObjectLiteralElementLike): string | null {
    const ts = typescript();
    const direct = propertyName(property);
    if (direct !== null) return direct;
    if (property.name && ts.isComputedPropertyName(property.name)) {
      const value = this.quiet(property.name.expression);
      return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
    }
    return null;
  }

  private quiet(node: ts.Expression): Result {
    const count = this.diagnostics.length;
    const value = this.evaluate(node);
    this.diagnostics.length = count;
    return value;
  }

  evaluate(node: ts.Expression): Result {
    const ts = typescript();
    const expression = unwrap(node);
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return expression.text;
    if (ts.isNumericLiteral(expression)) return Number(expression.text);
    if (expression.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (expression.kind === ts.SyntaxKind.FalseKeyword) return false;
    if (expression.kind === ts.SyntaxKind.NullKeyword) return null;
    if (ts.isPrefixUnaryExpression(expression) && expression.operator === ts.SyntaxKind.MinusToken) {
      const operand = this.evaluate(expression.operand);
      if (operand === UNREADABLE) return UNREADABLE;
      return typeof operand === 'number' ? -operand : this.fail(expression, 'Only a number can be negated here.');
    }
    if (ts.isTemplateExpression(expression)) return this.template(expression);
    if (ts.isBinaryExpression(expression)) return this.binary(expression);
    if (ts.isIdentifier(expression)) return this.identifier(expression);
    if (ts.isPropertyAccessExpression(expression)) return this.member(expression);
    if (ts.isObjectLiteralExpression(expression)) return this.object(expression);
    if (ts.isArrayLiteralExpression(expression)) return this.array(expression);
    if (ts.isCallExpression(expression)) {
      return this.fail(
        expression,
        `The call \`${expression.expression.getText(this.source)}(…)\` cannot be read without running the code: write the value inline.`,
      );
    }
    return this.fail(expression, `\`${truncate(expression.getText(this.source), 60)}\` cannot be read statically: write a literal value.`);
  }

  private template(expression: ts.TemplateExpression): Result {
    let text = expression.head.text;
    for (const span of expression.templateSpans) {
      const value = this.evaluate(span.expression);
      if (value === UNREADABLE) return UNREADABLE;
      if (typeof value !== 'string' && typeof value !== 'number') {
        return this.fail(span.expression, 'Only strings and numbers can be interpolated into a template here.');
      }
      text += String(value) + span.literal.text;
    }
    return text;
  }

  private binary(expression: ts.BinaryExpression): Result {
    const ts = typescript();
    const operator = expression.operatorToken.kind;
    const left = this.evaluate(expression.left);
    const right = this.evaluate(expression.right);
    if (left === UNREADABLE || right === UNREADABLE) return UNREADABLE;
    if (operator === ts.SyntaxKind.PlusToken && (typeof left === 'string' || typeof right === 'string')) {
      if ((typeof left === 'string' || typeof left === 'number') && (typeof right === 'string' || typeof right === 'number')) {
        return String(left) + String(right);
      }
    }
    if (typeof left === 'number' && typeof right === 'number') {
      if (operator === ts.SyntaxKind.PlusToken) return left + right;
      if (operator === ts.SyntaxKind.MinusToken) return left - right;
      if (operator === ts.SyntaxKind.AsteriskToken) return left * right;
      if (operator === ts.SyntaxKind.SlashToken) return left / right;
    }
    return this.fail(
      expression,
      `\`${truncate(expression.getText(this.source), 60)}\` cannot be read statically: only + - * / on numbers and + on strings are.`,
    );
  }

  private identifier(identifier: ts.Identifier): Result {
    const name = identifier.text;
    if (name === 'undefined') return this.fail(identifier, '`undefined` is not a value here: leave the field out.');
    const initializer = this.constants.get(name);
    if (initializer) {
      if (this.evaluating.has(initializer)) return this.fail(identifier, `\`${name}\` refers to itself.`);
      this.evaluating.add(initializer);
      const value = this.evaluate(initializer);
      this.evaluating.delete(initializer);
      return value;
    }
    const module = this.imports.get(name);
    if (module !== undefined) {
      return this.fail(
        identifier,
        `\`${name}\` is imported from '${module}': the registry is read from this file alone, so define it here or write the value inline.`,
      );
    }
    return this.fail(identifier, `\`${name}\` is not a \`const\` defined in this file: define it here or write the value inline.`);
  }

  private member(expression: ts.PropertyAccessExpression): Result {
    const object = this.evaluate(expression.expression);
    if (object === UNREADABLE) return UNREADABLE;
    if (typeof object === 'object' && object !== null && !Array.isArray(object) && expression.name.text in object) {
      return object[expression.name.text] ?? null;
    }
    return this.fail(expression, `\`${expression.getText(this.source)}\` does not name a property of a constant object of this file.`);
  }

  private object(expression: ts.ObjectLiteralExpression): Result {
    const ts = typescript();
    const result: { [key: string]: Value } = {};
    const seen = new Map<string, number>();
    let isReadable = true;
    for (const property of expression.properties) {
      if (ts.isSpreadAssignment(property)) {
        this.fail(
          property,
          `The spread \`${truncate(property.getText(this.source), 60)}\` cannot be read statically: list the entries inline.`,
        );
        isReadable = false;
        continue;
      }
      const key = this.keyOf(property);
      if (key === null) {
        this.fail(
          property.name,
          `The property name \`${truncate(property.name.getText(this.source), 60)}\` cannot be read statically: write a plain name.`,
        );
        isReadable = false;
        continue;
      }
      const previous = seen.get(key);
      if (previous !== undefined) {
        this.fail(property, `Duplicate name \`${key}\` (also on line ${String(previous)}): each name once.`);
        continue;
      }
      seen.set(key, this.source.getLineAndCharacterOfPosition(property.getStart(this.source)).line + 1);
      let value: Result;
      if (ts.isPropertyAssignment(property)) value = this.evaluate(property.initializer);
      else if (ts.isShorthandPropertyAssignment(property)) value = this.identifier(property.name);
      else value = this.fail(property, 'Methods and accessors cannot be read statically: write a plain value.');
      // A key family that cannot be read is left out; its siblings are still read.
      if (value !== UNREADABLE) result[key] = value;
    }
    return isReadable || Object.keys(result).length > 0 ? result : UNREADABLE;
  }

  private array(expression: ts.ArrayLiteralExpression): Result {
    const ts = typescript();
    const result: Value[] = [];
    for (const element of expression.elements) {
      if (ts.isSpreadElement(element)) {
        return this.fail(
          element,
          `The spread \`${truncate(element.getText(this.source), 60)}\` cannot be read statically: list the values inline.`,
        );
      }
      const value = this.evaluate(element);
      if (value === UNREADABLE) return UNREADABLE;
      result.push(value);
    }
    return result;
  }
}
