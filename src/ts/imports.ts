import type ts from 'typescript';
import { unwrap } from './syntax.js';
import type { TS } from './syntax.js';

export interface ImportBinding {
  readonly module: string;
  /** The exported name (`default` for default imports, `*` for namespaces). */
  readonly imported: string;
}

/**
 * The names a file imports: local name → module and exported name. CommonJS counts too:
 * `const m = require('m')` (and `import m = require('m')`) binds the whole module (`*`),
 * `const { a, b: c } = require('m')` and `const a = require('m').a` bind its members.
 */
export function importBindings(ts: TS, sourceFile: ts.SourceFile): Map<string, ImportBinding> {
  const imports = new Map<string, ImportBinding>();
  for (const statement of sourceFile.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) requireBinding(ts, declaration, imports);
      continue;
    }
    if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) {
      const expression = statement.moduleReference.expression;
      if (ts.isStringLiteral(expression)) imports.set(statement.name.text, { module: expression.text, imported: '*' });
      continue;
    }
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const module = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (clause?.name) imports.set(clause.name.text, { module, imported: 'default' });
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements)
        imports.set(element.name.text, { module, imported: (element.propertyName ?? element.name).text });
    } else if (bindings && ts.isNamespaceImport(bindings)) {
      imports.set(bindings.name.text, { module, imported: '*' });
    }
  }
  return imports;
}

/** The package a bare module specifier names: `@nestjs/common/decorators` → `@nestjs/common`, `hono/factory` → `hono`. */
export function packageOf(specifier: string): string {
  return specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
}

/** The module of `require('m')`, or null. */
export function requiredModule(ts: TS, node: ts.Expression): string | null {
  const expression = unwrap(ts, node);
  if (!ts.isCallExpression(expression) || !ts.isIdentifier(expression.expression) || expression.expression.text !== 'require') return null;
  const [first] = expression.arguments;
  return expression.arguments.length === 1 && first && ts.isStringLiteralLike(first) ? first.text : null;
}

/** What `require('m')` (the whole module, `*`) or `require('m').a` (its member `a`) binds, or null. */
export function requiredBinding(ts: TS, node: ts.Expression): ImportBinding | null {
  const expression = unwrap(ts, node);
  const whole = requiredModule(ts, expression);
  if (whole !== null) return { module: whole, imported: '*' };
  const member = ts.isPropertyAccessExpression(expression) ? requiredModule(ts, expression.expression) : null;
  return member !== null && ts.isPropertyAccessExpression(expression) ? { module: member, imported: expression.name.text } : null;
}

function requireBinding(ts: TS, declaration: ts.VariableDeclaration, imports: Map<string, ImportBinding>): void {
  if (!declaration.initializer) return;
  const init = unwrap(ts, declaration.initializer);
  const whole = requiredModule(ts, init);
  if (ts.isIdentifier(declaration.name)) {
    const binding = requiredBinding(ts, init);
    if (binding) imports.set(declaration.name.text, binding);
    return;
  }
  if (whole === null || !ts.isObjectBindingPattern(declaration.name)) return;
  for (const element of declaration.name.elements) {
    if (element.dotDotDotToken || !ts.isIdentifier(element.name)) continue;
    const property = element.propertyName;
    const imported =
      property === undefined ? element.name.text : ts.isIdentifier(property) || ts.isStringLiteral(property) ? property.text : null;
    if (imported !== null) imports.set(element.name.text, { module: whole, imported });
  }
}

const SPECIFIER = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*(['"`])([^'"`\r\n]+)\1/g;

/**
 * The module specifiers a text names: after `from` (imports and re-exports), `import` (side-effect
 * and dynamic imports) and `require(`. A literal scan, not a parse: it also finds the ones written
 * in comments and strings, so that it errs toward more modules, never fewer, than the file imports
 * (`ts.preProcessFile` finds the same ones at about a third of the cost of a parse).
 */
export function importSpecifiers(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(SPECIFIER)) if (match[2] !== undefined) found.add(match[2]);
  return [...found];
}

/**
 * The top-level assignments of a CommonJS module to its exports, in order: `module.exports = value`
 * (and TypeScript's `export = value`) with `member` null, `exports.name = value` and
 * `module.exports.name = value` with `member` `name`.
 */
export function commonJsAssignments(ts: TS, file: ts.SourceFile): { member: string | null; value: ts.Expression }[] {
  const result: { member: string | null; value: ts.Expression }[] = [];
  for (const statement of file.statements) {
    if (ts.isExportAssignment(statement) && statement.isExportEquals) {
      result.push({ member: null, value: unwrap(ts, statement.expression) });
      continue;
    }
    if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
    const { left, operatorToken, right } = statement.expression;
    if (operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    if (isModuleExports(ts, left)) result.push({ member: null, value: unwrap(ts, right) });
    else if (
      ts.isPropertyAccessExpression(left) &&
      ((ts.isIdentifier(left.expression) && left.expression.text === 'exports') || isModuleExports(ts, left.expression))
    ) {
      result.push({ member: left.name.text, value: unwrap(ts, right) });
    }
  }
  return result;
}

/** `module.exports`. */
function isModuleExports(ts: TS, node: ts.Expression): boolean {
  return (
    ts.isPropertyAccessExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'module' &&
    node.name.text === 'exports'
  );
}

/**
 * The value a CommonJS module exports under `name` (`*` or `default`: the whole `module.exports`):
 * what it assigns, or for a name the file declares (`module.exports = client`, `{ client }`), that
 * top-level variable's initializer. Null when the module assigns nothing under that name.
 */
export function commonJsConstant(ts: TS, file: ts.SourceFile, name: string): ts.Expression | null {
  const initializerOf = (value: ts.Expression): ts.Expression | null => {
    if (!ts.isIdentifier(value)) return value;
    for (const statement of file.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const d of statement.declarationList.declarations)
        if (ts.isIdentifier(d.name) && d.name.text === value.text && d.initializer) return d.initializer;
    }
    return null;
  };
  for (const { member, value } of commonJsAssignments(ts, file)) {
    if (member === null && (name === '*' || name === 'default')) return initializerOf(value);
    if (member === name) return initializerOf(value);
    if (member !== null || !ts.isObjectLiteralExpression(value)) continue;
    for (const property of value.properties) {
      if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return initializerOf(property.name);
      if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === name)
        return initializerOf(unwrap(ts, property.initializer));
    }
  }
  return null;
}

/** Whether an initializer is `require('m')` or `require('m').name`: an import, in CommonJS. */
export function isRequire(ts: TS, node: ts.Expression): boolean {
  return requiredBinding(ts, node) !== null;
}
