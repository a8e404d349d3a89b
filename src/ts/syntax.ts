import type ts from 'typescript';

/** The TypeScript module, passed in: the one that made the nodes (the ESLint parser's, or `typescript()` of ./typescript.ts). */
export type TS = typeof ts;

/** A node's parent, or undefined above the source file (TypeScript's declarations leave that out). */
export function parentOf(node: ts.Node): ts.Node | undefined {
  return node.parent;
}

/** Strips `as`, `satisfies`, `!`, parentheses and `<T>` casts. */
export function unwrap(ts: TS, node: ts.Expression): ts.Expression {
  let current = node;
  while (
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isParenthesizedExpression(current) ||
    ts.isTypeAssertionExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isAwaitExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/** The outermost expression a node's value is, through parentheses, `as` and `satisfies` (`(f() as T)` for `f()`). */
export function outerExpression(ts: TS, node: ts.Node): ts.Node {
  let current = node;
  let parent = parentOf(current);
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent))) {
    current = parent;
    parent = parentOf(current);
  }
  return current;
}

/** The last name of a callee or receiver: `a.b.c` → `c`, `f` → `f`, `this` → `this`. */
export function lastName(ts: TS, node: ts.Expression): string | null {
  const expression = unwrap(ts, node);
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  if (ts.isElementAccessExpression(expression) && ts.isStringLiteral(expression.argumentExpression))
    return expression.argumentExpression.text;
  if (expression.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isCallExpression(expression)) return lastName(ts, expression.expression);
  return null;
}

/** The script kind TypeScript should parse a file as, from its extension. */
export function scriptKindOf(ts: TS, fileName: string): ts.ScriptKind {
  const extension = /\.[^./\\]*$/.exec(fileName)?.[0]?.toLowerCase() ?? '';
  if (extension === '.ts' || extension === '.mts' || extension === '.cts') return ts.ScriptKind.TS;
  if (extension === '.tsx') return ts.ScriptKind.TSX;
  if (extension === '.jsx') return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

/**
 * A file parsed for the analysis: parent links set, its kind from the extension, and no JSDoc
 * parsed (nothing reads it; about a quarter of the parse time on a NestJS code base). TypeScript
 * before 5.3 ignores `jsDocParsingMode` and parses JSDoc as before.
 */
export function parseSource(ts: TS, fileName: string, text: string): ts.SourceFile {
  const modes = (ts as Partial<Pick<TS, 'JSDocParsingMode'>>).JSDocParsingMode;
  const options: ts.CreateSourceFileOptions = {
    languageVersion: ts.ScriptTarget.Latest,
    ...(modes ? { jsDocParsingMode: modes.ParseNone } : {}),
  };
  return ts.createSourceFile(fileName, text, options, true, scriptKindOf(ts, fileName));
}

/** The class a node is written in, or null. */
export function enclosingClass(ts: TS, node: ts.Node): ts.ClassLikeDeclaration | null {
  let current = parentOf(node);
  while (current) {
    if (ts.isClassLike(current)) return current;
    current = parentOf(current);
  }
  return null;
}

/** The function a node is written in (the innermost), or null at the top of its file. */
export function enclosingFunction(ts: TS, node: ts.Node): ts.SignatureDeclaration | null {
  let current = parentOf(node);
  while (current && !ts.isSourceFile(current)) {
    if (ts.isFunctionLike(current)) return current;
    current = parentOf(current);
  }
  return null;
}

/**
 * The name a function is written under: its own (`flush`, `#flush`), or that of the `const` or
 * property an arrow or function expression is assigned to (`const flushAll = () => …`); null for none.
 */
export function writtenName(ts: TS, fn: ts.SignatureDeclaration): string | null {
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name))) return fn.name.text;
  const holder = ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) ? parentOf(fn) : undefined;
  return holder && (ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder)) && ts.isIdentifier(holder.name)
    ? holder.name.text
    : null;
}

/** The decorators of a node, in either of TypeScript's representations. */
export function decoratorsOf(ts: TS, node: ts.Node): readonly ts.Decorator[] {
  if (!ts.canHaveDecorators(node)) return [];
  return ts.getDecorators(node) ?? [];
}

export function bindsName(ts: TS, binding: ts.BindingName, name: string): boolean {
  if (ts.isIdentifier(binding)) return binding.text === name;
  return binding.elements.some((element) => !ts.isOmittedExpression(element) && bindsName(ts, element.name, name));
}

export function propertyNameText(ts: TS, name: ts.PropertyName): string | null {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return null;
}

export function hasDirective(ts: TS, statements: readonly ts.Statement[], directive: string): boolean {
  for (const statement of statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) return false;
    if (statement.expression.text === directive) return true;
  }
  return false;
}

/** Source text on one line, cut to `max` characters, for messages. */
export function truncate(text: string, max = 50): string {
  const single = text.replace(/\s+/g, ' ');
  return single.length > max ? `${single.slice(0, max - 3)}...` : single;
}

/**
 * The function a `const` (or a class property) is initialised with: itself, or the function a
 * wrapping call is given (`reactCache(async (id) => …)`, `memoize(fn)`, `withAuth(async () => …)`),
 * since calling the result runs it.
 */
export function functionOfInitializer(ts: TS, initializer: ts.Expression, depth = 0): ts.ArrowFunction | ts.FunctionExpression | null {
  const init = unwrap(ts, initializer);
  if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  if (ts.isCallExpression(init) && depth < 2) {
    for (const arg of init.arguments) {
      const inner = functionOfInitializer(ts, arg, depth + 1);
      if (inner) return inner;
    }
  }
  return null;
}
