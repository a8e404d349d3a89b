import type ts from 'typescript';
import { importBindings } from '../ts/imports.js';
import { typescript } from '../ts/typescript.js';
import { truncate, unwrap as unwrapWith } from '../ts/syntax.js';

// The values a registry or configuration file writes, read from its syntax without running it.

/** A located problem in a registry file; lines and columns are 1-based. */
export interface RegistryDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly message: string;
}

/** What an expression that cannot be read evaluates to (its diagnostic is reported). */
export const UNREADABLE = Symbol('unreadable');
type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
type Result = Value | typeof UNREADABLE;

/** The expression under `as`, `satisfies`, `!` and parentheses (the analysis' own helper). */
export function unwrap(node: ts.Expression): ts.Expression {
  const ts = typescript();
  return unwrapWith(ts, node);
}

export function propertyName(property: ts.ObjectLiteralElementLike): string | null {
  const ts = typescript();
  const name = property.name;
  if (!name) return null;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return null;
}

/** Evaluates constant expressions of one file, reporting what it cannot read. */
export class Reader {
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
