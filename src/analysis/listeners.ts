import type ts from 'typescript';
import { enclosingClass } from '../ts/syntax.js';
import type { TS } from '../ts/syntax.js';

type Fn = ts.FunctionLikeDeclaration;

/**
 * The keys a listener's event expression is known by: its string value (a literal, or a `const`
 * of the file), and its text for names written as expressions (`PortfolioChangedEvent.getName()`,
 * `Events.QuoteChanged`), which an emit writing the same expression matches.
 */
function listenerKeys(ts: TS, file: ts.SourceFile, event: ts.Expression): string[] {
  if (ts.isStringLiteral(event) || ts.isNoSubstitutionTemplateLiteral(event)) return [event.text];
  const keys = [`expr:${event.getText(file).replace(/\s+/g, '')}`];
  if (ts.isIdentifier(event)) {
    for (const statement of file.statements) {
      if (!ts.isVariableStatement(statement) || (statement.declarationList.flags & ts.NodeFlags.Const) === 0) continue;
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === event.text && d.initializer && ts.isStringLiteral(d.initializer))
          keys.push(d.initializer.text);
      }
    }
  }
  return keys;
}

const SUBSCRIBE_CALLS = new Set(['subscribe']);
const ON_CALLS = new Set(['on', 'once', 'addListener', 'prependListener']);

/** `ofType(RoleEvent)` somewhere down a receiver chain (`.pipe(filter(…))`, `?.`): the event class. */
function ofTypeClass(ts: TS, node: ts.Expression): string | null {
  let current: ts.Expression = node;
  for (let i = 0; i < 8; i++) {
    while (ts.isParenthesizedExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
    if (!ts.isCallExpression(current) || !ts.isPropertyAccessExpression(current.expression)) return null;
    const [first] = current.arguments;
    if (current.expression.name.text === 'ofType' && first && ts.isIdentifier(first)) return first.text;
    current = current.expression.expression;
  }
  return null;
}

/** The function a subscription runs: an arrow or function written there, or a method of the class (`this.onRole`). */
function listenerFunction(ts: TS, arg: ts.Expression | undefined): Fn | null {
  if (!arg) return null;
  if (ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) return arg;
  if (ts.isPropertyAccessExpression(arg) && arg.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const method = enclosingClass(ts, arg)?.members.find(
      (m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !!m.body && m.name.getText() === arg.name.text,
    );
    return method ?? null;
  }
  return null;
}

/**
 * A subscription written as a call: `eventBus.ofType(RoleEvent).subscribe(fn)` (an RxJS event bus,
 * matched by the event class, key `class:RoleEvent`) and `emitter.on('quote.changed', fn)` (a Node
 * EventEmitter or the project's wrapper of one, matched by the event as for `@OnEvent`).
 */
function subscription(ts: TS, file: ts.SourceFile, call: ts.CallExpression): { keys: string[]; fn: Fn } | null {
  if (!ts.isPropertyAccessExpression(call.expression)) return null;
  const method = call.expression.name.text;
  if (SUBSCRIBE_CALLS.has(method)) {
    const event = ofTypeClass(ts, call.expression.expression);
    const fn = listenerFunction(ts, call.arguments[0]);
    return event !== null && fn ? { keys: [`class:${event}`], fn } : null;
  }
  if (ON_CALLS.has(method) && call.arguments.length === 2) {
    const [event, handler] = call.arguments;
    const fn = listenerFunction(ts, handler);
    return event && fn ? { keys: listenerKeys(ts, file, event), fn } : null;
  }
  return null;
}

/** What the text of a file that holds a listener contains: a decorator, or a subscription written as a call. */
export const LISTENER_MARKER = /OnEvent|ofType\(|\.on\(|\.once\(|\.addListener\(|\.prependListener\(/;

/** `@OnEvent(…)` methods and subscriptions (see `subscription`) of the given files, by event key (see `listenerKeys`). */
export function collectListeners(ts: TS, files: readonly ts.SourceFile[]): Map<string, Fn[]> {
  const listeners = new Map<string, Fn[]>();
  const add = (key: string, fn: Fn): void => {
    const list = listeners.get(key) ?? [];
    list.push(fn);
    listeners.set(key, list);
  };
  for (const file of files) {
    const hasDecorators = file.text.includes('OnEvent');
    const hasSubscriptions = file.text.includes('ofType(') || file.text.includes('.on(') || file.text.includes('.once(');
    if (!hasDecorators && !hasSubscriptions) continue;
    const visit = (node: ts.Node): void => {
      if (hasSubscriptions && ts.isCallExpression(node)) {
        const found = subscription(ts, file, node);
        if (found) for (const key of found.keys) add(key, found.fn);
      }
      if (hasDecorators && ts.isMethodDeclaration(node) && node.body) {
        for (const decorator of ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : []) {
          const call = decorator.expression;
          if (!ts.isCallExpression(call)) continue;
          const callee = call.expression;
          const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
          if (name !== 'OnEvent') continue;
          const first = call.arguments[0];
          const events = first && ts.isArrayLiteralExpression(first) ? first.elements : first ? [first] : [];
          for (const event of events) {
            for (const key of listenerKeys(ts, file, event)) add(key, node);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return listeners;
}

/**
 * Whether a subscription written in place can run for an event whose properties `valueOf` reads
 * (a string, or null when unknown): false only when a `filter(…)` piped after `ofType(…)` tests a
 * property against literals the event's value does not match (`filter(e => e.type === 'updated')`
 * for an event made with `'created'`). Anything else it cannot decide admits the event.
 */
export function admitsEvent(ts: TS, listener: Fn, valueOf: (property: string) => string | null): boolean {
  const call = listener.parent;
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || !SUBSCRIBE_CALLS.has(call.expression.name.text))
    return true;
  return pipedFilters(ts, call.expression.expression).every((predicate) => evaluate(ts, predicate, valueOf) !== false);
}

/** The predicates of the `filter(…)` operators piped between `ofType(…)` and `.subscribe`, as `(event) => test` functions. */
function pipedFilters(ts: TS, node: ts.Expression): Fn[] {
  const predicates: Fn[] = [];
  let current = node;
  for (let i = 0; i < 8; i++) {
    while (ts.isParenthesizedExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
    if (!ts.isCallExpression(current) || !ts.isPropertyAccessExpression(current.expression)) break;
    if (current.expression.name.text === 'ofType') break;
    if (current.expression.name.text === 'pipe') {
      for (const operator of current.arguments) {
        if (!ts.isCallExpression(operator) || !ts.isIdentifier(operator.expression) || operator.expression.text !== 'filter') continue;
        const [predicate] = operator.arguments;
        if (predicate && (ts.isArrowFunction(predicate) || ts.isFunctionExpression(predicate))) predicates.push(predicate);
      }
    }
    current = current.expression.expression;
  }
  return predicates;
}

/** The names a predicate's parameter gives the event's properties: `e` of `e => e.type`, or `type` of `({ type }) => type`. */
function propertyReader(ts: TS, predicate: Fn): ((node: ts.Expression) => string | null) | null {
  const parameter = predicate.parameters[0]?.name;
  if (!parameter) return null;
  if (ts.isIdentifier(parameter)) {
    return (node) =>
      ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === parameter.text
        ? node.name.text
        : null;
  }
  if (ts.isObjectBindingPattern(parameter)) {
    const names = new Map<string, string>();
    for (const element of parameter.elements) {
      const property = element.propertyName ?? element.name;
      if (ts.isIdentifier(element.name) && ts.isIdentifier(property) && !element.dotDotDotToken)
        names.set(element.name.text, property.text);
    }
    return (node) => (ts.isIdentifier(node) ? (names.get(node.text) ?? null) : null);
  }
  return null;
}

/** A filter's verdict on the event (true, false, or null when the test is not one of literals on its properties). */
function evaluate(ts: TS, predicate: Fn, valueOf: (property: string) => string | null): boolean | null {
  const body = predicate.body;
  const read = propertyReader(ts, predicate);
  if (!body || !read) return null;
  const test = ts.isBlock(body) ? returned(ts, body) : body;
  if (!test) return null;
  const literal = (node: ts.Expression): string | null =>
    ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : null;
  const value = (node: ts.Expression): string | null => {
    const property = read(node);
    return property === null ? null : valueOf(property);
  };
  const decide = (node: ts.Expression): boolean | null => {
    if (ts.isParenthesizedExpression(node)) return decide(node.expression);
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
      const inner = decide(node.operand);
      return inner === null ? null : !inner;
    }
    if (ts.isBinaryExpression(node)) {
      const operator = node.operatorToken.kind;
      if (operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.AmpersandAmpersandToken) {
        const left = decide(node.left);
        const right = decide(node.right);
        if (operator === ts.SyntaxKind.BarBarToken)
          return left === true || right === true ? true : left === null || right === null ? null : false;
        return left === false || right === false ? false : left === null || right === null ? null : true;
      }
      const isEqual = operator === ts.SyntaxKind.EqualsEqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsToken;
      const isUnequal = operator === ts.SyntaxKind.ExclamationEqualsEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsToken;
      if (!isEqual && !isUnequal) return null;
      const [actual, expected] = [value(node.left) ?? value(node.right), literal(node.right) ?? literal(node.left)];
      if (actual === null || expected === null) return null;
      return (actual === expected) === isEqual;
    }
    // `['created', 'updated'].includes(e.type)`
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'includes') {
      const list = node.expression.expression;
      const [argument] = node.arguments;
      const actual = argument ? value(argument) : null;
      if (!ts.isArrayLiteralExpression(list) || actual === null) return null;
      const options = list.elements.map((element) => literal(element));
      return options.includes(null) ? null : options.includes(actual);
    }
    return null;
  };
  return decide(test);
}

/** The expression of a block's only statement when it is a `return`. */
function returned(ts: TS, block: ts.Block): ts.Expression | null {
  const [only] = block.statements;
  return block.statements.length === 1 && only && ts.isReturnStatement(only) && only.expression ? only.expression : null;
}
