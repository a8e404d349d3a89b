import type ts from 'typescript';
import { escapeGlob } from '../patterns/escape.js';
import { parsePattern } from '../patterns/parse.js';
import type { PatternPart } from '../patterns/parse.js';
import { constantOf, receiverClass, staticObjectIn, staticString } from './context.js';
import { boundFunctionName, decidedBranch, functionValue, localConstant, localFunction } from './bound-values.js';
import { lastName, propertyNameText, truncate, unwrap } from '../ts/syntax.js';
import type { FileContext } from './context.js';
import type { Interpolation } from './facts.js';
import { appendFrame, boundArgument, boundElements, boundProperty } from './env.js';
import { factoryMember, memberFunction, returnedExpression } from './factories.js';
import type { Bound, Env } from './env.js';
import { callbackElement, elementOf, isArrayMade, mapValue } from './elements.js';
import { whitespaceStripped } from './key-forms.js';
import { isRecordId } from './record-ids.js';

/** How deep a key may be built (a constant of a constant, a builder's call) before it counts as unreadable. */
const MAX_DEPTH = 8;

/**
 * Escapes the braces of a template's text that make no `{name}` placeholder within it:
 * `` `{${type}:${id}}` `` is a key wrapped in a Redis Cluster hash tag, not a broken placeholder.
 */
function literalBraces(text: string): string {
  if (!/[{}]/.test(text)) return text;
  return text.replace(/\{[A-Za-z_$][\w$]*\}|\\.|[{}]/g, (match) => (match === '{' || match === '}' ? `\\${match}` : match));
}

/** A runtime value of a key, and the file whose text holds it. */
interface Hole {
  readonly interpolation: Interpolation;
  readonly file: ts.SourceFile;
}

/**
 * Reads the parts of a key or pattern (literal text and holes) from the expressions that build it,
 * following constants, parameters bound to their arguments, joins and key builders. `isKey`: the
 * text is an exact key, whose glob characters are escaped.
 */
export class PartsReader {
  readonly parts: PatternPart[] = [];
  readonly holes: Hole[] = [];
  /** Whether the expression read is a piece of a larger key (a template span, a side of `+`), not the whole key. */
  private isPiece = false;

  constructor(private readonly isKey: boolean) {}

  /** Appends the parts of `node`; returns why it cannot be read, or null. */
  read(ctx: FileContext, node: ts.Expression, depth: number, env: Env): string | null {
    const { ts } = ctx;
    const expression = unwrap(ts, node);
    const bound = boundValue(ctx, expression, env);
    // A parameter followed to its argument costs no depth: the frames left only shrink.
    if (bound) return this.read(bound.ctx, bound.expr, depth, bound.env);
    if (depth > MAX_DEPTH) return 'it is built too indirectly to be read statically';
    const functionName = boundFunctionName(ctx, expression, env);
    if (functionName !== null) {
      this.literal(functionName);
      return null;
    }
    const stripped = whitespaceStripped(ctx, expression);
    if (stripped) return this.readStripped(ctx, stripped, depth, env);
    const same = this.sameEitherWay(ctx, expression, depth, env);
    if (same) {
      this.parts.push(...same.parts);
      this.holes.push(...same.holes);
      return null;
    }
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) {
      this.literal(expression.text);
      return null;
    }
    if (ts.isTemplateExpression(expression)) {
      this.fragment(expression.head.text);
      for (const span of expression.templateSpans) {
        this.piece(ctx, span.expression, depth, env);
        this.fragment(span.literal.text);
      }
      return null;
    }
    const joined = joinedElements(ctx, expression, env);
    if (joined) {
      joined.elements.forEach((element, index) => {
        if (index > 0) this.literal(joined.separator);
        this.piece(element.ctx, element.expr, depth, element.env);
      });
      return null;
    }
    if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      return this.sum(ctx, expression, depth, env);
    }
    if (ts.isIdentifier(expression)) return this.constant(ctx, expression, depth, env);
    const constant = staticString(ctx, expression);
    if (constant !== null) {
      this.literal(constant);
      return null;
    }
    const builder = builderBody(ctx, expression, env) ?? indexedProperty(ctx, expression, env) ?? mapValue(ctx, expression, env);
    if (builder) return this.read(builder.ctx, builder.expr, depth + 1, builder.env);
    // A whole key that is an array (`del(ids.map((id) => \`user:${id}\`))`): each element matches its element's pattern.
    const element = this.isPiece || !isArrayMade(ts, expression) ? null : elementOf(ctx, expression, env);
    if (element) return this.read(element.ctx, element.expr, depth + 1, element.env);
    return `\`${truncate(ctx.text(expression))}\` cannot be read statically`;
  }

  /** `key.replaceAll(/\s/g, '')`: the key with the whitespace of its literal text taken out (a hole is one segment, none in it). */
  private readStripped(ctx: FileContext, key: ts.Expression, depth: number, env: Env): string | null {
    const start = this.parts.length;
    const failure = this.read(ctx, key, depth + 1, env);
    if (failure !== null) return failure;
    for (let i = start; i < this.parts.length; i++) {
      const part = this.parts[i];
      if (typeof part === 'string') this.parts[i] = part.replace(/\s/g, '');
    }
    return null;
  }

  /**
   * A key a library puts behind literal text of its own (a namespace's `users:`): the prefix, then
   * the argument read whole (an array of keys, an element at a time), or else one hole, as a
   * template `users:${key}` has it: whatever the value, the library keeps it under the prefix.
   */
  readBehind(prefix: string, ctx: FileContext, node: ts.Expression, env: Env): null {
    this.parts.push(escapeGlob(prefix));
    const partCount = this.parts.length;
    const holeCount = this.holes.length;
    if (this.read(ctx, node, 0, env) === null) return null;
    this.parts.length = partCount;
    this.holes.length = holeCount;
    // `remove(keys.map(({ id }) => id))`: the hole is one element, named as it.
    const expression = unwrap(ctx.ts, node);
    const element = isArrayMade(ctx.ts, expression) ? elementOf(ctx, expression, env) : null;
    this.hole(ctx, element?.ctx === ctx ? element.expr : node);
    return null;
  }

  private literal(value: string): void {
    this.parts.push(this.isKey ? escapeGlob(value) : value);
  }

  /** Text between the holes of a template: a brace that closes no `{name}` there is the key's own (a Cluster hash tag). */
  private fragment(value: string): void {
    this.parts.push(literalBraces(this.isKey ? escapeGlob(value) : value));
  }

  /** Reads `node` as one more part; on failure, forgets what it appended and answers false. */
  private tryRead(ctx: FileContext, node: ts.Expression, depth: number, env: Env): boolean {
    const partCount = this.parts.length;
    const holeCount = this.holes.length;
    if (this.readPiece(ctx, node, depth, env) === null) return true;
    this.parts.length = partCount;
    this.holes.length = holeCount;
    return false;
  }

  /** Reads `node` as a piece of the key: an array there is printed, not one key per element. */
  private readPiece(ctx: FileContext, node: ts.Expression, depth: number, env: Env): string | null {
    const wasPiece = this.isPiece;
    this.isPiece = true;
    try {
      return this.read(ctx, node, depth, env);
    } finally {
      this.isPiece = wasPiece;
    }
  }

  /** `'quotes:' + tenantId + ':list'`: each side a constant, a value read through, or a hole. */
  private sum(ctx: FileContext, expression: ts.BinaryExpression, depth: number, env: Env): string | null {
    const { ts } = ctx;
    for (const side of [expression.left, expression.right]) {
      const constant = staticString(ctx, side);
      if (constant !== null) {
        this.literal(constant);
        continue;
      }
      const inner = unwrap(ts, side);
      const bound = boundValue(ctx, inner, env) ?? builderBody(ctx, inner, env);
      if (bound) {
        if (!this.tryRead(bound.ctx, bound.expr, depth + 1, bound.env)) this.hole(ctx, side);
      } else if (ts.isBinaryExpression(inner) || ts.isTemplateExpression(inner) || ts.isStringLiteral(inner)) {
        const failure = this.readPiece(ctx, inner, depth + 1, env);
        if (failure !== null) return failure;
      } else {
        this.hole(ctx, side);
      }
    }
    return null;
  }

  /** A name: a constant of the function being read, of the file, or of another file (its text, no runtime value). */
  private constant(ctx: FileContext, expression: ts.Identifier, depth: number, env: Env): string | null {
    const constant = constantOf(ctx, expression);
    // A constant of the function being read (`const key = \`fb:${parts.join(':')}\``) sees its arguments.
    if (constant && constant.ctx === ctx) return this.read(ctx, constant.init, depth + 1, env);
    if (constant) {
      // A constant of another file: its text, but no runtime value (their places are in that file).
      const before = this.holes.length;
      const failure = this.read(constant.ctx, constant.init, depth + 1, null);
      if (failure !== null || this.holes.length === before) return failure;
      this.holes.length = before;
      return `\`${expression.text}\` is built from runtime values in another file`;
    }
    return ctx.importOf(expression.text)
      ? `\`${expression.text}\` is imported, and this pass reads other files only with type information or in the CLI`
      : `\`${expression.text}\` is not a constant of this file`;
  }

  /**
   * A key that reads the same whichever way it is written: a one-element array (`[key]`, as `del`
   * takes it and as a template prints it), or both branches of `?:` (`Array.isArray(key) ? key : [key]`).
   */
  private sameEitherWay(ctx: FileContext, expression: ts.Expression, depth: number, env: Env): PartsReader | null {
    const { ts } = ctx;
    const readAlone = (node: ts.Expression): PartsReader | null => {
      const reader = new PartsReader(this.isKey);
      // Its parts are smaller than it: no depth is spent.
      return reader.read(ctx, node, depth, env) === null ? reader : null;
    };
    const [only, ...rest] = ts.isArrayLiteralExpression(expression) ? expression.elements : [];
    if (only && rest.length === 0 && !ts.isSpreadElement(only) && !ts.isOmittedExpression(only)) return readAlone(only);
    if (!ts.isConditionalExpression(expression)) return null;
    const decided = decidedBranch(ctx, expression, env);
    if (decided) return readAlone(decided);
    const unprefixed = withoutOptionalPrefix(ctx, expression);
    if (unprefixed) return readAlone(unprefixed);
    const whenTrue = readAlone(expression.whenTrue);
    const whenFalse = whenTrue ? readAlone(expression.whenFalse) : null;
    if (!whenTrue || !whenFalse) return null;
    return parsePattern(whenTrue.parts).source === parsePattern(whenFalse.parts).source ? whenTrue : null;
  }

  /**
   * One piece of a key (a template span, an element joined): a constant, the argument or the key
   * builder it stands for, or else one hole, named as the expression (the parameter) it came through.
   */
  private piece(ctx: FileContext, node: ts.Expression, depth: number, env: Env): void {
    const constant = staticString(ctx, node);
    if (constant !== null) {
      this.parts.push(this.isKey ? escapeGlob(constant) : constant);
      return;
    }
    const expression = unwrap(ctx.ts, node);
    const fallback = optionDefault(ctx, expression);
    if (fallback !== null) {
      this.parts.push(this.isKey ? escapeGlob(fallback) : fallback);
      return;
    }
    const inner =
      boundValue(ctx, expression, env) ??
      localConstant(ctx, expression, env) ??
      builderBody(ctx, expression, env) ??
      joinedBound(ctx, expression, env) ??
      indexedProperty(ctx, expression, env) ??
      mapValue(ctx, expression, env);
    // A runtime value after all: one hole.
    if (!inner || !this.tryRead(inner.ctx, inner.expr, depth + 1, inner.env)) this.hole(ctx, node);
  }

  private hole(ctx: FileContext, expression: ts.Expression): void {
    const { ts } = ctx;
    const inner = unwrap(ts, expression);
    let isEscaped =
      ts.isNumericLiteral(inner) || (ctx.resolver?.isGlobSafe?.(inner) ?? false) || isRecordId(ts, inner, ctx.options.tenantNames);
    let named: ts.Expression = inner;
    if (ts.isCallExpression(inner)) {
      const callee = lastName(ts, inner.expression);
      if (callee !== null && ctx.options.escapeFunctions.has(callee)) {
        isEscaped = true;
        named = inner.arguments[0] ?? inner;
      }
    }
    // A value made from another (`JSON.stringify(query)`, `hash(params)`) is named after what it is made from.
    const source =
      ts.isCallExpression(named) && named.arguments.length === 1 && named.arguments[0] ? unwrap(ts, named.arguments[0]) : named;
    const name = ts.isIdentifier(source) || ts.isPropertyAccessExpression(source) ? lastName(ts, source) : null;
    this.parts.push({ hole: name, text: ctx.text(expression) });
    this.holes.push({ interpolation: { range: ctx.range(expression), text: ctx.text(expression), isEscaped }, file: ctx.sourceFile });
  }
}

/**
 * The default of an option written in place (`this.options?.cachePrefix ?? 'vendure-session-cache'`,
 * `config.prefix || 'sessions'`): the key as the application has it unless it sets the option.
 */
function optionDefault(ctx: FileContext, expression: ts.Expression): string | null {
  const { ts } = ctx;
  if (!ts.isBinaryExpression(expression)) return null;
  const operator = expression.operatorToken.kind;
  if (operator !== ts.SyntaxKind.QuestionQuestionToken && operator !== ts.SyntaxKind.BarBarToken) return null;
  const option = unwrap(ts, expression.left);
  return ts.isPropertyAccessExpression(option) ? staticString(ctx, expression.right) : null;
}

/**
 * `prefix ? \`${prefix}${key}\` : key`, `prefix ? prefix + key : key`: the key with the client's
 * prefix put before it when there is one (a SCAN pattern, which the client does not prefix). Keys
 * are read without the client's prefix, so this is `key`.
 */
function withoutOptionalPrefix(ctx: FileContext, expression: ts.ConditionalExpression): ts.Expression | null {
  const { ts } = ctx;
  const condition = unwrap(ts, expression.condition);
  if (!ts.isIdentifier(condition)) return null;
  const whenTrue = unwrap(ts, expression.whenTrue);
  let prefix: ts.Expression | null = null;
  let rest: ts.Expression | null = null;
  if (ts.isBinaryExpression(whenTrue) && whenTrue.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    [prefix, rest] = [whenTrue.left, whenTrue.right];
  } else if (ts.isTemplateExpression(whenTrue) && whenTrue.head.text === '' && whenTrue.templateSpans.length === 2) {
    const [first, second] = whenTrue.templateSpans;
    if (first && second && first.literal.text === '' && second.literal.text === '') [prefix, rest] = [first.expression, second.expression];
  }
  if (!prefix || !rest) return null;
  const isSamePrefix = ctx.text(unwrap(ts, prefix)) === condition.text;
  return isSamePrefix && ctx.text(unwrap(ts, rest)) === ctx.text(unwrap(ts, expression.whenFalse)) ? expression.whenFalse : null;
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

/**
 * The key every return of a function gives, when they differ only by a Redis Cluster hash tag
 * around it (`return cluster ? '{prices}' : 'prices'`, as two `if` returns): the key without it.
 */
function oneReturnedKey(ctx: FileContext, body: ts.ConciseBody): ts.Expression | null {
  const { ts } = ctx;
  if (!ts.isBlock(body)) return null;
  const returns: (ts.Expression | null)[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) return;
    if (ts.isReturnStatement(node)) returns.push(node.expression ?? null);
    else ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  if (returns.length < 2) return null;
  const values = returns.map((expr) => ({ expr, value: expr === null ? null : staticString(ctx, expr) }));
  const bare = values.map(({ value }) => (value === null ? null : value.replace(/^\{([^{}]*)\}/, '$1')));
  const [first] = bare;
  if (first === null || first === undefined || bare.some((b) => b !== first)) return null;
  return values.find((v) => v.value === first)?.expr ?? null;
}

/**
 * `PREFIXES[type]`: the property of a constant object picked by a key that is a constant, or a
 * parameter given one (`clearMarker(projectId, 'traceBased')`). Null for a key known only at run time.
 */
function indexedProperty(ctx: FileContext, expression: ts.Expression, env: Env): Bound | null {
  const { ts } = ctx;
  if (!ts.isElementAccessExpression(expression)) return null;
  const held = staticObjectIn(ctx, expression.expression);
  if (!held) return null;
  const index = unwrap(ts, expression.argumentExpression);
  const bound = followed(boundValue(ctx, index, env));
  const name = bound ? staticString(bound.ctx, bound.expr) : staticString(ctx, index);
  if (name === null) return null;
  const property = held.object.properties.find(
    (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(ts, p.name) === name,
  );
  return property ? { expr: property.initializer, ctx: held.ctx, env: null } : null;
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
export function boundValue(ctx: FileContext, expression: ts.Expression, env: Env): Bound | null {
  const { ts } = ctx;
  // The parameter of a callback of an array method stands for an element of the array (`keys.forEach((key) => …)`).
  if (ts.isIdentifier(expression))
    return (env === null ? null : boundArgument(ctx, expression, env)) ?? callbackElement(ctx, expression, env);
  if (env === null) return null;
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
  const target = declaration.getSourceFile() === ctx.sourceFile ? ctx : ctx.contextOf(declaration.getSourceFile());
  const returned = returnedExpression(ts, declaration.body) ?? oneReturnedKey(target, declaration.body);
  if (!returned) return null;
  return { expr: returned, ctx: target, env: { fn: declaration, args: expression.arguments, ctx, next: builder.next } };
}

/** The function a key-building call runs, and the frames its free names are read with (`next`). */
function keyBuilder(ctx: FileContext, call: ts.CallExpression, env: Env): { declaration: ts.FunctionLikeDeclaration; next: Env } | null {
  const { ts } = ctx;
  const callee = unwrap(ts, call.expression);
  if (ts.isIdentifier(callee)) {
    const local = ctx.functions.get(callee.text) ?? localFunction(ctx, callee);
    if (local) return { declaration: local, next: env };
    // `keyOf(...args)` of a parameter given a function (`memoize(run, ['settings', (id) => id])`).
    const given = followed(boundValue(ctx, callee, env));
    const fn = given ? functionValue(given) : null;
    if (given && fn) return { declaration: fn.fn, next: given.env };
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
