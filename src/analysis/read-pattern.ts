import type ts from 'typescript';
import { escapeGlob } from '../patterns/escape.js';
import { parsePattern } from '../patterns/parse.js';
import type { PatternPart } from '../patterns/parse.js';
import { constantInitializer, constantOf, receiverClass, staticObject, staticObjectIn, staticString } from './context.js';
import { bindsName, lastName, parentOf, truncate, unwrap } from '../ts/syntax.js';
import type { FileContext } from './context.js';
import type { Interpolation, Invalidation, PatternFact } from './facts.js';
import { appendFrame, boundArgument, boundElements, boundProperty } from './env.js';
import { factoryMember, memberFunction, returnedExpression } from './factories.js';
import { declarationOf } from './sources/declarations.js';
import type { Bound, Env } from './env.js';

const REGISTRY_METHODS = new Set(['pattern', 'key']);

/**
 * Reads a pattern (or, with `isKey`, an exact key) from an expression: literals, template literals
 * (each `${expr}` a hole named after its last identifier), `+` chains, constants of the file, and
 * registry references (`cacheKeys.pattern('quotesList', { tenantId })`). What it cannot read is
 * returned with `pattern: null` and the reason, never guessed.
 */
/**
 * Escapes the braces of a template's text that make no `{name}` placeholder within it:
 * `` `{${type}:${id}}` `` is a key wrapped in a Redis Cluster hash tag, not a broken placeholder.
 */
function literalBraces(text: string): string {
  if (!/[{}]/.test(text)) return text;
  return text.replace(/\{[A-Za-z_$][\w$]*\}|\\.|[{}]/g, (match) => (match === '{' || match === '}' ? `\\${match}` : match));
}

export function readPattern(ctx: FileContext, node: ts.Expression, isKey = false, env: Env = null): PatternFact {
  // A key is read at every level of the call path it is shifted to: once per expression, chain and options.
  let byNode = readFacts.get(ctx.options);
  if (!byNode) {
    byNode = new WeakMap();
    readFacts.set(ctx.options, byNode);
  }
  let byEnv = byNode.get(node);
  if (!byEnv) {
    byEnv = new WeakMap();
    byNode.set(node, byEnv);
  }
  const chain = env ?? NO_FRAMES;
  let known = byEnv.get(chain);
  if (!known) {
    known = {};
    byEnv.set(chain, known);
  }
  return isKey ? (known.key ??= readPatternOnce(ctx, node, true, env)) : (known.pattern ??= readPatternOnce(ctx, node, false, env));
}

/** The facts `readPattern` read, by options, expression and frame chain (`NO_FRAMES` for none), read as a pattern or as a key. */
const readFacts = new WeakMap<FileContext['options'], WeakMap<ts.Node, WeakMap<object, { pattern?: PatternFact; key?: PatternFact }>>>();

/** Forgets the facts read with these options (see `forgetSummaries`). */
export function forgetReadFacts(options: FileContext['options']): void {
  readFacts.delete(options);
}
const NO_FRAMES = {};

function readPatternOnce(ctx: FileContext, node: ts.Expression, isKey: boolean, env: Env): PatternFact {
  const { ts } = ctx;
  const range = ctx.range(node);
  const text = ctx.text(node);
  const expression = unwrap(ts, node);
  const base = {
    text,
    range,
    registryRef: null,
    isLiteral: false,
    placeholders: [] as string[],
    forwardedBy: forwardingFunction(ctx, expression),
  };

  const registryRef = readRegistryRef(ctx, expression);
  if (registryRef) {
    return { ...base, pattern: null, unresolved: null, interpolations: [], registryRef };
  }

  const parts: PatternPart[] = [];
  const interpolations: Interpolation[] = [];
  const failure = collectParts(ctx, expression, parts, interpolations, isKey, 0, env);
  if (failure !== null) {
    return {
      ...base,
      pattern: null,
      unresolved: failure,
      interpolations,
      ...(isRuntimeValue(ctx, expression, env) ? { isRuntimeValue: true } : {}),
    };
  }
  const pattern = parsePattern(parts);
  // A hole written in another file (a key builder imported) has its place there, not here.
  const here = interpolations.filter((i) => writtenIn.get(i) === ctx.sourceFile);
  interpolations.length = 0;
  interpolations.push(...here);
  const placeholders = parts.flatMap((part) =>
    typeof part === 'string' ? parsePattern(part).tokens.flatMap((t) => (t.kind === 'hole' && t.name !== null ? [t.name] : [])) : [],
  );
  return {
    ...base,
    placeholders,
    pattern,
    unresolved: null,
    interpolations,
    isLiteral: ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression),
  };
}

/**
 * The name of the function whose parameter `expression` is (destructured too), or that it holds
 * either way (`const keys = Array.isArray(key) ? key : [key]`), or null.
 */
function forwardingFunction(ctx: FileContext, expression: ts.Expression, depth = 0): string | null {
  const { ts } = ctx;
  if (!ts.isIdentifier(expression) || depth > 4) return null;
  let node = parentOf(expression);
  while (node && !ts.isFunctionLike(node)) node = parentOf(node);
  if (!node) return null;
  if (!node.parameters.some((p) => bindsName(ts, p.name, expression.text))) {
    const init = constantInitializer(ctx, expression);
    const held = init ? heldEitherWay(ts, unwrap(ts, init)) : null;
    return held && held !== expression ? forwardingFunction(ctx, held, depth + 1) : null;
  }
  if (node.name && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name))) return node.name.text;
  const parent = parentOf(node);
  return parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : null;
}

/** The one identifier an expression holds whichever way it is written (`[key]`, `c ? key : [key]`), or null. */
function heldEitherWay(ts: FileContext['ts'], expression: ts.Expression): ts.Identifier | null {
  if (ts.isIdentifier(expression)) return expression;
  const [only, ...rest] = ts.isArrayLiteralExpression(expression) ? expression.elements : [];
  if (only && rest.length === 0 && !ts.isSpreadElement(only)) return heldEitherWay(ts, unwrap(ts, only));
  if (!ts.isConditionalExpression(expression)) return null;
  const whenTrue = heldEitherWay(ts, unwrap(ts, expression.whenTrue));
  const whenFalse = heldEitherWay(ts, unwrap(ts, expression.whenFalse));
  return whenTrue && whenFalse && whenTrue.text === whenFalse.text ? whenTrue : null;
}

function readRegistryRef(ctx: FileContext, expression: ts.Expression): PatternFact['registryRef'] {
  const { ts } = ctx;
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return null;
  const method = expression.expression.name.text;
  if (!REGISTRY_METHODS.has(method)) return null;
  const [first, second] = expression.arguments;
  const name = first ? staticString(ctx, first) : null;
  if (name === null) return null;
  const params: string[] = [];
  if (second) {
    const object = staticObject(ctx, second);
    if (!object) return null;
    for (const property of object.properties) {
      const key = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : null;
      if (key === null) return null;
      params.push(key);
    }
  }
  return { name, params, isKey: method === 'key' };
}

/** Appends the parts of `expression`; returns why it cannot be read, or null. */
function collectParts(
  ctx: FileContext,
  node: ts.Expression,
  parts: PatternPart[],
  interpolations: Interpolation[],
  isKey: boolean,
  depth: number,
  env: Env = null,
): string | null {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  const bound = boundValue(ctx, expression, env);
  // A parameter followed to its argument costs no depth: the frames left only shrink.
  if (bound) return collectParts(bound.ctx, bound.expr, parts, interpolations, isKey, depth, bound.env);
  const literal = (value: string): void => {
    parts.push(isKey ? escapeGlob(value) : value);
  };
  // Text between the holes of a template: a brace that closes no `{name}` there is the key's own (a Cluster hash tag).
  const fragment = (value: string): void => {
    parts.push(literalBraces(isKey ? escapeGlob(value) : value));
  };
  if (depth > 8) return 'it is built too indirectly to be read statically';
  const same = sameEitherWay(ctx, expression, isKey, depth, env);
  if (same) {
    parts.push(...same.parts);
    interpolations.push(...same.interpolations);
    return null;
  }
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) {
    literal(expression.text);
    return null;
  }
  if (ts.isTemplateExpression(expression)) {
    fragment(expression.head.text);
    for (const span of expression.templateSpans) {
      collectPiece(ctx, span.expression, parts, interpolations, isKey, depth, env);
      fragment(span.literal.text);
    }
    return null;
  }
  const joined = joinedElements(ctx, expression, env);
  if (joined) {
    joined.elements.forEach((element, index) => {
      if (index > 0) literal(joined.separator);
      collectPiece(element.ctx, element.expr, parts, interpolations, isKey, depth, element.env);
    });
    return null;
  }
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    for (const side of [expression.left, expression.right]) {
      const constant = staticString(ctx, side);
      if (constant !== null) {
        literal(constant);
        continue;
      }
      const inner = unwrap(ts, side);
      const bound = boundValue(ctx, inner, env) ?? builderBody(ctx, inner, env);
      if (bound) {
        const partCount = parts.length;
        const interpolationCount = interpolations.length;
        if (collectParts(bound.ctx, bound.expr, parts, interpolations, isKey, depth + 1, bound.env) !== null) {
          parts.length = partCount;
          interpolations.length = interpolationCount;
          hole(ctx, side, parts, interpolations);
        }
      } else if (ts.isBinaryExpression(inner) || ts.isTemplateExpression(inner) || ts.isStringLiteral(inner)) {
        const failure = collectParts(ctx, inner, parts, interpolations, isKey, depth + 1, env);
        if (failure !== null) return failure;
      } else {
        hole(ctx, side, parts, interpolations);
      }
    }
    return null;
  }
  if (ts.isIdentifier(expression)) {
    const constant = constantOf(ctx, expression);
    // A constant of the function being read (`const key = \`fb:${parts.join(':')}\``) sees its arguments.
    if (constant && constant.ctx === ctx) return collectParts(ctx, constant.init, parts, interpolations, isKey, depth + 1, env);
    if (constant) {
      // A constant of another file: its text, but no runtime value (their places are in that file).
      const before = interpolations.length;
      const failure = collectParts(constant.ctx, constant.init, parts, interpolations, isKey, depth + 1);
      if (failure !== null || interpolations.length === before) return failure;
      interpolations.length = before;
      return `\`${expression.text}\` is built from runtime values in another file`;
    }
    return ctx.importOf(expression.text)
      ? `\`${expression.text}\` is imported, and this pass reads other files only with type information or in the CLI`
      : `\`${expression.text}\` is not a constant of this file`;
  }
  const constant = staticString(ctx, expression);
  if (constant !== null) {
    literal(constant);
    return null;
  }
  const builder = builderBody(ctx, expression, env);
  if (builder) return collectParts(builder.ctx, builder.expr, parts, interpolations, isKey, depth + 1, builder.env);
  return `\`${truncate(ctx.text(expression))}\` cannot be read statically`;
}

/**
 * A key that reads the same whichever way it is written: a one-element array (`[key]`, as `del`
 * takes it and as a template prints it), or both branches of `?:` (`Array.isArray(key) ? key : [key]`).
 */
function sameEitherWay(
  ctx: FileContext,
  expression: ts.Expression,
  isKey: boolean,
  depth: number,
  env: Env,
): { parts: PatternPart[]; interpolations: Interpolation[] } | null {
  const { ts } = ctx;
  const read = (node: ts.Expression): { parts: PatternPart[]; interpolations: Interpolation[] } | null => {
    const parts: PatternPart[] = [];
    const interpolations: Interpolation[] = [];
    // Its parts are smaller than it: no depth is spent.
    return collectParts(ctx, node, parts, interpolations, isKey, depth, env) === null ? { parts, interpolations } : null;
  };
  const [only, ...rest] = ts.isArrayLiteralExpression(expression) ? expression.elements : [];
  if (only && rest.length === 0 && !ts.isSpreadElement(only) && !ts.isOmittedExpression(only)) return read(only);
  if (!ts.isConditionalExpression(expression)) return null;
  const whenTrue = read(expression.whenTrue);
  const whenFalse = whenTrue ? read(expression.whenFalse) : null;
  if (!whenTrue || !whenFalse) return null;
  return parsePattern(whenTrue.parts).source === parsePattern(whenFalse.parts).source ? whenTrue : null;
}

/**
 * One piece of a key (a template span, an element joined): a constant, the argument or the key
 * builder it stands for, or else one hole, named as the expression (the parameter) it came through.
 */
function collectPiece(
  ctx: FileContext,
  node: ts.Expression,
  parts: PatternPart[],
  interpolations: Interpolation[],
  isKey: boolean,
  depth: number,
  env: Env,
): void {
  const { ts } = ctx;
  const constant = staticString(ctx, node);
  if (constant !== null) {
    parts.push(isKey ? escapeGlob(constant) : constant);
    return;
  }
  const expression = unwrap(ts, node);
  const inner = boundValue(ctx, expression, env) ?? builderBody(ctx, expression, env) ?? joinedBound(ctx, expression, env);
  if (inner) {
    const partCount = parts.length;
    const interpolationCount = interpolations.length;
    if (collectParts(inner.ctx, inner.expr, parts, interpolations, isKey, depth + 1, inner.env) === null) return;
    // A runtime value after all: one hole.
    parts.length = partCount;
    interpolations.length = interpolationCount;
  }
  hole(ctx, node, parts, interpolations);
}

/** `parts.join(':')`, `[a, b].join(':')`: the elements joined (a rest parameter's are its arguments) and the separator. */
function joinedElements(ctx: FileContext, expression: ts.Expression, env: Env): { elements: Bound[]; separator: string } | null {
  const { ts } = ctx;
  if (!ts.isCallExpression(expression) || !ts.isPropertyAccessExpression(expression.expression)) return null;
  if (expression.expression.name.text !== 'join' || expression.arguments.length > 1) return null;
  const separatorArg = expression.arguments[0];
  const separator = separatorArg ? staticString(ctx, separatorArg) : ',';
  if (separator === null) return null;
  const elements = boundElements(ctx, expression.expression.expression, env);
  return elements && elements.length > 0 ? { elements, separator } : null;
}

/** A join whose elements are known, as an expression to read again (the same call). */
function joinedBound(ctx: FileContext, expression: ts.Expression, env: Env): Bound | null {
  return joinedElements(ctx, expression, env) ? { expr: expression, ctx, env } : null;
}

/** A bound value followed through the parameters it was passed on by, to where it is written. */
function followed(bound: Bound | null): Bound | null {
  let current = bound;
  for (let i = 0; current && i < 8; i++) {
    const next = boundValue(current.ctx, unwrap(current.ctx.ts, current.expr), current.env);
    if (!next) return current;
    current = next;
  }
  return current;
}

/** A parameter (or a property of one) of a function on the call path: the argument it was given. */
function boundValue(ctx: FileContext, expression: ts.Expression, env: Env): Bound | null {
  const { ts } = ctx;
  if (env === null) return null;
  if (ts.isIdentifier(expression)) return boundArgument(ctx, expression, env);
  if (ts.isPropertyAccessExpression(expression)) return boundProperty(ctx, expression, env);
  return null;
}

/**
 * A key builder: a call of a function of the project whose body is one returned expression
 * (`this.key(id)`, `RedisPrefix.collection(id)`, `getSnapshotKey({ userId })`), read with its
 * parameters bound to the call's arguments.
 */
function builderBody(ctx: FileContext, expression: ts.Expression, env: Env): Bound | null {
  const { ts } = ctx;
  if (!ts.isCallExpression(expression)) return null;
  const builder = keyBuilder(ctx, expression, env);
  const declaration = builder?.declaration;
  if (!builder || !declaration?.body) return null;
  const returned = returnedExpression(ts, declaration.body);
  if (!returned) return null;
  const target = declaration.getSourceFile() === ctx.sourceFile ? ctx : ctx.contextOf(declaration.getSourceFile());
  return { expr: returned, ctx: target, env: { fn: declaration, args: expression.arguments, ctx, next: builder.next } };
}

/** The function a key-building call runs, and the frames its free names are read with (`next`). */
function keyBuilder(ctx: FileContext, call: ts.CallExpression, env: Env): { declaration: ts.FunctionLikeDeclaration; next: Env } | null {
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  if (ts.isIdentifier(callee)) {
    const local = ctx.functions.get(callee.text);
    if (local) return { declaration: local, next: env };
  } else if (ts.isPropertyAccessExpression(callee)) {
    const object = unwrap(ts, callee.expression);
    const owner = receiverClass(ctx, object, call);
    const member = owner?.members.find(
      (m) => (ts.isMethodDeclaration(m) || ts.isGetAccessorDeclaration(m)) && m.name.getText(owner.getSourceFile()) === callee.name.text,
    );
    if (member && (ts.isMethodDeclaration(member) || ts.isGetAccessorDeclaration(member))) return { declaration: member, next: env };
    if (!owner) {
      // `createCacheKey.workspace.state(id)`: a function held by a constant object (nested, imported).
      const held = staticObjectIn(ctx, object);
      const fromConstant = held ? memberFunction(held.ctx, held.object, callee.name.text) : null;
      if (fromConstant) return { declaration: fromConstant, next: env };
      // `this.config.getKey(id)` where `config` was given `{ getKey: (id) => \`facet:${id}\` }`.
      const bound = followed(boundValue(ctx, object, env));
      const value = bound ? unwrap(ts, bound.expr) : null;
      const fromArgument =
        bound && value && ts.isObjectLiteralExpression(value) ? memberFunction(bound.ctx, value, callee.name.text) : null;
      if (fromArgument && bound) return { declaration: fromArgument, next: bound.env === null ? env : appendFrame(env, bound.env) };
      // `buildFeedKey().invalidate(args)`: a face of a two-faced builder.
      const face = factoryMember(ctx, object, callee.name.text, env);
      if (face) return { declaration: face.declaration, next: face.outer };
    }
  }
  const resolved = ctx.resolver?.resolveCall(call)?.[0] ?? null;
  return resolved ? { declaration: resolved, next: env } : null;
}

function hole(ctx: FileContext, expression: ts.Expression, parts: PatternPart[], interpolations: Interpolation[]): void {
  const { ts } = ctx;
  const inner = unwrap(ts, expression);
  let isEscaped = ts.isNumericLiteral(inner) || (ctx.resolver?.isGlobSafe?.(inner) ?? false);
  let named: ts.Expression = inner;
  if (ts.isCallExpression(inner)) {
    const callee = lastName(ts, inner.expression);
    if (callee !== null && ctx.options.escapeFunctions.has(callee)) {
      isEscaped = true;
      named = inner.arguments[0] ?? inner;
    }
  }
  // A value made from another (`JSON.stringify(query)`, `hash(params)`) is named after what it is made from.
  const source = ts.isCallExpression(named) && named.arguments.length === 1 && named.arguments[0] ? unwrap(ts, named.arguments[0]) : named;
  const name = ts.isIdentifier(source) || ts.isPropertyAccessExpression(source) ? lastName(ts, source) : null;
  parts.push({ hole: name, text: ctx.text(expression) });
  const interpolation = { range: ctx.range(expression), text: ctx.text(expression), isEscaped };
  writtenIn.set(interpolation, ctx.sourceFile);
  interpolations.push(interpolation);
}

const writtenIn = new WeakMap<Interpolation, ts.SourceFile>();

/** The invalidation an invalidation decorator (`@InvalidateCachePattern('quotes:*')`) stands for. */
export function decoratorInvalidation(ctx: FileContext, expression: ts.Expression, name: string, through: readonly string[]): Invalidation {
  const { ts } = ctx;
  const args = ts.isCallExpression(expression) ? expression.arguments : [];
  return {
    via: 'decorator',
    name,
    kind: 'pattern',
    patterns: args.filter((arg) => !ts.isObjectLiteralExpression(unwrap(ts, arg))).map((arg) => readPattern(ctx, arg)),
    isConditional: false,
    isDeferred: false,
    range: ctx.range(expression),
    through,
    file: null,
  };
}

/** Methods that turn a runtime value into another (a header read, a string cleaned up), not a key built by the project. */
const VALUE_METHODS = new Set([
  'get',
  'header',
  'replace',
  'trim',
  'split',
  'slice',
  'substring',
  'toString',
  'toLowerCase',
  'toUpperCase',
  'at',
]);

/**
 * Whether an expression is one runtime value as a whole: a parameter, a property of one, a local
 * variable holding one, or such a value passed through string or header methods (`String(x)`,
 * `ctx.get('authorization').replace(…)`). A call into the project's own code is not (it may build a key).
 */
function isRuntimeValue(ctx: FileContext, node: ts.Expression, env: Env, depth = 0): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  if (depth > 8) return false;
  if (ts.isAwaitExpression(expression)) return isRuntimeValue(ctx, expression.expression, env, depth + 1);
  if (ts.isPropertyAccessExpression(expression) || ts.isElementAccessExpression(expression)) {
    return isRuntimeValue(ctx, expression.expression, env, depth + 1);
  }
  if (ts.isCallExpression(expression)) {
    const callee = unwrap(ts, expression.expression);
    if (ts.isIdentifier(callee) && callee.text === 'String' && expression.arguments[0]) {
      return isRuntimeValue(ctx, expression.arguments[0], env, depth + 1);
    }
    return (
      ts.isPropertyAccessExpression(callee) && VALUE_METHODS.has(callee.name.text) && isRuntimeValue(ctx, callee.expression, env, depth + 1)
    );
  }
  if (!ts.isIdentifier(expression)) return false;
  const bound = boundValue(ctx, expression, env);
  if (bound) return isRuntimeValue(bound.ctx, bound.expr, bound.env, depth + 1);
  const declared = declarationOf(ctx, expression, false);
  if (!declared) return false;
  if (declared.parameterOf) return true;
  return declared.initializer !== undefined && isRuntimeValue(declared.ctx, declared.initializer, null, depth + 1);
}
