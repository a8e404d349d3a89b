import type ts from 'typescript';
import { enclosingClass, propertyNameText, unwrap } from '../../ts/syntax.js';
import { classPropertyInitializer, constantOf } from '../context.js';
import type { FileContext } from '../context.js';
import { memoTable } from '../session.js';
import type { TtlArgument } from './source.js';

/** Per class or file: the values assigned to each name (`this.cache = …`, `cache = …`). */
const ASSIGNMENTS = memoTable<ts.Node, ReadonlyMap<string, readonly ts.Expression[]>>('assignments by name');

/** The options of a cache-making call that build the key from what the cache's methods are given. */
const KEY_BUILDERS = new Set(['getKey', 'keyBuilder', 'keyGenerator', 'buildKey', 'makeKey', 'toKey']);

/**
 * A cache made with a key builder (`createCache({ getKey: (id) => \`facet:${id}\`, options: { ttl } })`):
 * its `get(id)`, `set(id, v)` and `delete(id)` take what the builder turns into the key, and the
 * expiry is the one the options give.
 */
export interface KeyedCache {
  readonly getKey: ts.FunctionLikeDeclaration;
  /** The file the cache is made in (its builder's), when another than the call's. */
  readonly ctx: FileContext;
  readonly ttl?: TtlArgument;
}

/**
 * The keyed cache a receiver holds: the call that made it (a `const`, a class property initialised
 * with it, or the one value assigned to it, as in an `init()` method) given an options object with a
 * key-builder function. Null for anything else.
 */
export function keyedCacheOf(ctx: FileContext, receiver: ts.Expression): KeyedCache | null {
  const { ts } = ctx;
  const made = madeBy(ctx, unwrap(ts, receiver));
  if (!made || !ts.isCallExpression(made.call)) return null;
  const at = made.ctx;
  for (const argument of made.call.arguments) {
    const options = unwrap(ts, argument);
    if (!ts.isObjectLiteralExpression(options)) continue;
    const getKey = builderIn(at, options);
    if (getKey) {
      const ttl = ttlIn(at, options);
      return ttl ? { getKey, ctx: at, ttl } : { getKey, ctx: at };
    }
  }
  return null;
}

/**
 * The value a receiver was made from, with the file it is written in: a `const` (imported too), a
 * class property's initializer, or its one assignment.
 */
function madeBy(ctx: FileContext, object: ts.Expression): { call: ts.Expression; ctx: FileContext } | null {
  const { ts } = ctx;
  if (ts.isIdentifier(object)) {
    const constant = constantOf(ctx, object);
    if (constant) return { call: unwrap(ts, constant.init), ctx: constant.ctx };
    const assigned = onlyAssigned(ctx, ctx.sourceFile, object.text);
    return assigned ? { call: unwrap(ts, assigned), ctx } : null;
  }
  if (!ts.isPropertyAccessExpression(object) || unwrap(ts, object.expression).kind !== ts.SyntaxKind.ThisKeyword) return null;
  const init = classPropertyInitializer(ctx, object) ?? onlyAssignedInClass(ctx, object);
  return init ? { call: unwrap(ts, init), ctx } : null;
}

function onlyAssignedInClass(ctx: FileContext, object: ts.PropertyAccessExpression): ts.Expression | null {
  const owner = enclosingClass(ctx.ts, object);
  return owner ? onlyAssigned(ctx, owner, object.name.text) : null;
}

/** The right side of the one assignment under `root` to `name` (`this.name` for a class); null when none or several. */
function onlyAssigned(ctx: FileContext, root: ts.Node, name: string): ts.Expression | null {
  const { ts } = ctx;
  const byName = ctx.session.memo(ASSIGNMENTS, root, () => {
    const found = new Map<string, ts.Expression[]>();
    const isClass = ts.isClassLike(root);
    const visit = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const left = unwrap(ts, node.left);
        const target = isClass
          ? ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword
            ? left.name.text
            : null
          : ts.isIdentifier(left)
            ? left.text
            : null;
        if (target !== null) found.set(target, [...(found.get(target) ?? []), node.right]);
      }
      ts.forEachChild(node, visit);
    };
    visit(root);
    return found;
  });
  const values = byName.get(name) ?? [];
  return values.length === 1 ? (values[0] ?? null) : null;
}

function builderIn(ctx: FileContext, options: ts.ObjectLiteralExpression): ts.FunctionLikeDeclaration | null {
  const { ts } = ctx;
  for (const property of options.properties) {
    const name = property.name ? propertyNameText(ts, property.name) : null;
    if (name === null || !KEY_BUILDERS.has(name)) continue;
    if (ts.isMethodDeclaration(property) && property.body) return property;
    if (ts.isPropertyAssignment(property)) {
      const value = unwrap(ts, property.initializer);
      if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return value;
    }
  }
  return null;
}

/**
 * The expiry of the options (`ttl`, or `ttl` of a nested `options`), in milliseconds where the code
 * says so (`ms('1w')`, `60 * 1000`, a name ending in `Ms`) and in seconds where it says `Seconds`;
 * absent where it does not say the unit.
 */
function ttlIn(ctx: FileContext, options: ts.ObjectLiteralExpression, depth = 0): TtlArgument | undefined {
  const { ts } = ctx;
  for (const property of options.properties) {
    if (!ts.isPropertyAssignment(property)) continue;
    const name = propertyNameText(ts, property.name);
    const value = unwrap(ts, property.initializer);
    if (name === 'options' && ts.isObjectLiteralExpression(value) && depth === 0) return ttlIn(ctx, value, depth + 1);
    if (name === 'ttl' || name === 'ttlMs' || name === 'ttlSeconds') {
      const unit = name === 'ttlSeconds' ? 'seconds' : name === 'ttlMs' || isMilliseconds(ctx, value) ? 'milliseconds' : null;
      return unit ? { expr: property.initializer, unit } : undefined;
    }
  }
  return undefined;
}

/** `ms('1w')` (the `ms` package), or a product with 1000. */
function isMilliseconds(ctx: FileContext, value: ts.Expression): boolean {
  const { ts } = ctx;
  if (ts.isCallExpression(value) && ts.isIdentifier(value.expression)) return ctx.importOf(value.expression.text)?.module === 'ms';
  if (!ts.isBinaryExpression(value) || value.operatorToken.kind !== ts.SyntaxKind.AsteriskToken) return false;
  const isThousand = (e: ts.Expression): boolean => {
    const operand = unwrap(ts, e);
    return ts.isNumericLiteral(operand) && Number(operand.text.replace(/_/g, '')) === 1000;
  };
  return isThousand(value.left) || isThousand(value.right) || isMilliseconds(ctx, unwrap(ts, value.left));
}
