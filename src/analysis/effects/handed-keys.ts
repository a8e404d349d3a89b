import type ts from 'typescript';
import type { FileContext } from '../context.js';
import { memoTable } from '../session.js';
import { propertyNameText, unwrap } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import { isLogging, sourceCall } from './classify.js';

/** A call in a function's body and the key-shaped arguments it is handed. */
export interface HandedKeys {
  readonly call: ts.CallExpression;
  readonly name: string;
  readonly keys: readonly ts.Expression[];
}

const HANDED = memoTable<ts.Node, readonly HandedKeys[]>('handed keys');

/** Text that starts a key: a word, then `:` (`env:`, `user:profile:`), with no space anywhere; not a URL (`https://…`). */
const KEY_HEAD = /^[A-Za-z][\w.-]*:(?!\/\/)\S*$/;

/**
 * The keys a function hands to the calls in its body (`this.#bump(\`env:${id}\`)`): arguments
 * written as a key, a literal word and `:` first, with no space (a message is not a key, nor a URL). For a
 * function named like an invalidation whose calls reach no cache client the audit knows (an epoch
 * map, a cache class of its own), the keys it hands on are what it clears.
 */
export function handedKeys(ctx: FileContext, fn: ts.FunctionLikeDeclaration): readonly HandedKeys[] {
  return ctx.session.memo(HANDED, fn, () => {
    const { ts } = ctx;
    const found: HandedKeys[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isClassLike(node)) return;
      const site = ts.isCallExpression(node) ? sourceCall(ctx, node) : null;
      if (site && !isLogging(site)) {
        const keys = site.call.arguments.filter((argument) => isKeyShaped(ts, argument));
        if (keys.length > 0) found.push({ call: site.call, name: site.name, keys });
      }
      ts.forEachChild(node, visit);
    };
    if (fn.body) visit(fn.body);
    return found;
  });
}

/** `'settings:all'`, `` `env:${id}` ``, `'user:' + id`: an expression written as a cache key. */
function isKeyShaped(ts: TS, argument: ts.Expression): boolean {
  const value = unwrap(ts, argument);
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return KEY_HEAD.test(value.text);
  if (ts.isTemplateExpression(value)) {
    return KEY_HEAD.test(value.head.text) && value.templateSpans.every((span) => !/\s/.test(span.literal.text));
  }
  let first = value;
  while (ts.isBinaryExpression(first) && first.operatorToken.kind === ts.SyntaxKind.PlusToken) first = unwrap(ts, first.left);
  return first !== value && ts.isStringLiteral(first) && KEY_HEAD.test(first.text);
}

/** What an invalidation-named method changes of its object, and the keys of the reads that consult it. */
export interface FieldClears {
  /** Where the method changes the field (`this.#orgEpochs.set(orgId, …)`). */
  readonly change: ts.Node;
  readonly name: string;
  readonly keys: readonly ts.Expression[];
}

const FIELD_CLEARS = memoTable<ts.Node, FieldClears | null>('field clears');

/** Methods that change a collection held in a field (`this.#epochs.set(…)`, `this.entries.clear()`). */
const CHANGES = new Set(['set', 'delete', 'clear', 'add']);

/**
 * A method that hands on no key but changes a field of its class (`invalidateOrganization(orgId) {
 * this.#orgEpochs.set(orgId, …) }`, `this.generation++`, `this.#entries.clear()`): it clears what the
 * class's other methods read with that field, the keys they write as keys (`getEnv(id)` compares its
 * `env:${id}` entry with `this.#orgEpoch(…)`, which reads `#orgEpochs`); their holes stay open, as
 * the method does not say which entries. Null when it changes no field, or no reader names a key.
 */
export function fieldClears(ctx: FileContext, fn: ts.FunctionLikeDeclaration): FieldClears | null {
  return ctx.session.memo(FIELD_CLEARS, fn, () => {
    const { ts } = ctx;
    const cls = ts.isMethodDeclaration(fn) && ts.isClassLike(fn.parent) ? fn.parent : null;
    const changed = cls && fn.body ? changedField(ts, fn.body) : null;
    if (!cls || !changed) return null;
    const methods = new Map<string, ts.MethodDeclaration>();
    for (const member of cls.members) {
      const name = ts.isMethodDeclaration(member) && member.body ? propertyNameText(ts, member.name) : null;
      if (name !== null) methods.set(name, member as ts.MethodDeclaration);
    }
    const keys = new Map<string, ts.Expression>();
    for (const method of methods.values()) {
      if (method === fn || !method.body || !consults(ts, method.body, changed.field, methods)) continue;
      for (const handed of handedKeys(ctx, method)) for (const key of handed.keys) keys.set(ctx.text(key), key);
    }
    return keys.size > 0 ? { change: changed.node, name: changed.field, keys: [...keys.values()] } : null;
  });
}

/** The name of `F` of `this.F` (`this.#epochs`), or null. */
function ownField(ts: TS, node: ts.Node): string | null {
  if (!ts.isPropertyAccessExpression(node) || node.expression.kind !== ts.SyntaxKind.ThisKeyword) return null;
  return node.name.text;
}

/** The first field a body changes: `this.F.set(…)`, `this.F = …`, `this.F++`, `this.F += 1`. */
function changedField(ts: TS, body: ts.Node): { field: string; node: ts.Node } | null {
  let found: { field: string; node: ts.Node } | null = null;
  const visit = (node: ts.Node): void => {
    if (found || ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && CHANGES.has(node.expression.name.text)) {
      const field = ownField(ts, node.expression.expression);
      if (field !== null) found = { field, node };
    }
    const isAssignment =
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
    const target = isAssignment
      ? node.left
      : (ts.isPostfixUnaryExpression(node) || ts.isPrefixUnaryExpression(node)) &&
          (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
        ? node.operand
        : null;
    const field = target ? ownField(ts, target) : null;
    if (field !== null) found = { field, node };
    ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/** Whether a body reads `this.F`, itself or through a method of the class it calls (`this.#orgEpoch(…)`), one call deep. */
function consults(ts: TS, body: ts.Node, field: string, methods: ReadonlyMap<string, ts.MethodDeclaration>, depth = 0): boolean {
  let isFound = false;
  const visit = (node: ts.Node): void => {
    if (isFound) return;
    const name = ownField(ts, node);
    if (name === field) isFound = true;
    const called = name !== null && ts.isCallExpression(node.parent) && node.parent.expression === node ? methods.get(name) : undefined;
    if (called?.body && depth === 0 && consults(ts, called.body, field, methods, 1)) isFound = true;
    ts.forEachChild(node, visit);
  };
  visit(body);
  return isFound;
}
