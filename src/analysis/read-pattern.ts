import type ts from 'typescript';
import { parsePattern } from '../patterns/parse.js';
import { constantInitializer, staticObject, staticString } from './context.js';
import { bindsName, parentOf, unwrap } from '../ts/syntax.js';
import type { FileContext } from './context.js';
import type { Invalidation, PatternFact } from './facts.js';
import { boundValue, PartsReader } from './pattern-parts.js';
import { entryOf, memoTable } from './session.js';
import { declarationOf } from './sources/declarations.js';
import { iteratedArray } from './elements.js';
import type { Env } from './env.js';

const REGISTRY_METHODS = new Set(['pattern', 'key']);

/**
 * Reads a pattern (or, with `isKey`, an exact key) from an expression: literals, template literals
 * (each `${expr}` a hole named after its last identifier), `+` chains, constants of the file, and
 * registry references (`cacheKeys.pattern('quotesList', { tenantId })`). What it cannot read is
 * returned with `pattern: null` and the reason, never guessed. `prefix`: literal text a library puts
 * before the key it is given (a namespace's `users:`); the expression is then one value behind it.
 */
export function readPattern(ctx: FileContext, node: ts.Expression, isKey = false, env: Env = null, prefix = ''): PatternFact {
  // A key is read at every level of the call path it is shifted to: once per expression and chain,
  // and once for every chain when the reading consulted none of the chain's frames.
  const byEnv = ctx.session.memo(READ_FACTS, node, () => new WeakMap<object, Map<string, PatternFact>>());
  const reading = `${isKey ? 'key' : 'pattern'}\u0000${prefix}`;
  const anyChain = env === null ? undefined : byEnv.get(ANY_FRAMES)?.get(reading);
  if (anyChain) return anyChain;
  const known = entryOf(byEnv, env ?? NO_FRAMES, () => new Map<string, PatternFact>());
  const fact = known.get(reading);
  if (fact) {
    // What was read for this chain may have consulted it.
    for (let frame = env; frame; frame = frame.next) ctx.session.consulted(frame);
    return fact;
  }
  if (env === null) return entryOf(known, reading, () => readPatternOnce(ctx, node, isKey, env, prefix));
  const frames = new Set<object>();
  for (let frame: Env = env; frame; frame = frame.next) frames.add(frame);
  const read = ctx.session.watchingFrames(frames, () => readPatternOnce(ctx, node, isKey, env, prefix));
  const kept = read.isConsulted ? known : entryOf(byEnv, ANY_FRAMES, () => new Map<string, PatternFact>());
  kept.set(reading, read.value);
  return read.value;
}

/**
 * The facts `readPattern` read, by expression and frame chain (`NO_FRAMES` for none, `ANY_FRAMES`
 * for a reading that consulted no frame of its chain), then by how it was read (as a key or a
 * pattern, behind which prefix).
 */
const READ_FACTS = memoTable<ts.Node, WeakMap<object, Map<string, PatternFact>>>('pattern facts');
const NO_FRAMES = {};
const ANY_FRAMES = {};

function readPatternOnce(ctx: FileContext, node: ts.Expression, isKey: boolean, env: Env, prefix: string): PatternFact {
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

  const reader = new PartsReader(isKey);
  const failure = prefix === '' ? reader.read(ctx, expression, 0, env) : reader.readBehind(prefix, ctx, expression, env);
  const { parts } = reader;
  if (failure !== null) {
    return {
      ...base,
      pattern: null,
      unresolved: failure,
      interpolations: reader.holes.map((h) => h.interpolation),
      ...(isRuntimeValue(ctx, expression, env) ? { isRuntimeValue: true } : {}),
    };
  }
  const pattern = parsePattern(parts);
  // A hole written in another file (a key builder imported) has its place there, not here.
  const interpolations = reader.holes.flatMap((h) => (h.file === ctx.sourceFile ? [h.interpolation] : []));
  const placeholders = parts.flatMap((part) =>
    typeof part === 'string' ? parsePattern(part).tokens.flatMap((t) => (t.kind === 'hole' && t.name !== null ? [t.name] : [])) : [],
  );
  return {
    ...base,
    placeholders,
    pattern,
    unresolved: null,
    interpolations,
    isLiteral: prefix === '' && (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)),
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
  // `keys.map((key) => redis.del(key))`: an element of the array a function was given.
  const array = iteratedArray(ts, expression);
  if (array) return forwardingFunction(ctx, unwrap(ts, array), depth + 1);
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
