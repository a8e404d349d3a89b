import type ts from 'typescript';
import { parentOf, propertyNameText, unwrap } from '../ts/syntax.js';
import { constantOf, receiverClass, staticObjectIn } from './context.js';
import type { FileContext } from './context.js';
import { assignedValues, decidedBranch } from './bound-values.js';
import { boundArgument, boundProperty, frameOf } from './env.js';
import type { Env } from './env.js';
import type { EffectTtl } from './effects/model.js';

const MAX_DEPTH = 12;

/**
 * The expiry of a fill in whole seconds, or null when the code does not say it statically: a
 * number literal, a constant (of the file, imported, a member of a constant object, a readonly
 * class property), `+ - * /` over those, a wrapper's parameter read from its caller's argument (or
 * its default value when the caller passes none).
 */
export function ttlSeconds(ttl: EffectTtl): number | null {
  const value = staticNumber(ttl.bound.ctx, ttl.bound.expr, ttl.bound.env, 0);
  if (value === null || !Number.isFinite(value) || value <= 0) return null;
  const seconds = ttl.unit === 'milliseconds' ? value / 1000 : value;
  return Math.max(1, Math.round(seconds));
}

function staticNumber(ctx: FileContext, node: ts.Expression, env: Env, depth: number): number | null {
  const { ts } = ctx;
  if (depth > MAX_DEPTH) return null;
  const expression = unwrap(ts, node);
  if (ts.isNumericLiteral(expression)) return Number(expression.text.replace(/_/g, ''));
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) {
    const number = Number(expression.text);
    return expression.text.trim() !== '' && Number.isFinite(number) ? number : null;
  }
  if (ts.isPrefixUnaryExpression(expression) && expression.operator === ts.SyntaxKind.MinusToken) {
    const operand = staticNumber(ctx, expression.operand, env, depth + 1);
    return operand === null ? null : -operand;
  }
  if (ts.isBinaryExpression(expression)) return binary(ctx, expression, env, depth);
  if (ts.isConditionalExpression(expression)) {
    const branch = decidedBranch(ctx, expression, env);
    return branch ? staticNumber(ctx, branch, env, depth + 1) : null;
  }
  if (ts.isCallExpression(expression)) return msDuration(ctx, expression);
  if (ts.isIdentifier(expression)) {
    const argument = boundArgument(ctx, expression, env);
    if (argument) return staticNumber(argument.ctx, argument.expr, argument.env, depth + 1);
    const fallback = defaultOfParameter(ctx, expression, env);
    if (fallback) return staticNumber(ctx, fallback, env, depth + 1);
    const constant = constantOf(ctx, expression);
    if (constant) return staticNumber(constant.ctx, constant.init, null, depth + 1);
    return assignedNumber(ctx, expression, env, depth);
  }
  if (ts.isPropertyAccessExpression(expression)) {
    const property = boundProperty(ctx, expression, env);
    if (property) return staticNumber(property.ctx, property.expr, property.env, depth + 1);
    const member = classProperty(ctx, expression) ?? objectMember(ctx, expression);
    return member ? staticNumber(member.ctx, member.init, null, depth + 1) : null;
  }
  return null;
}

/** Milliseconds per unit of the `ms` package's duration strings. */
const MS_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  msec: 1,
  msecs: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
  y: 31_557_600_000,
  yr: 31_557_600_000,
  yrs: 31_557_600_000,
  year: 31_557_600_000,
  years: 31_557_600_000,
};

/** `ms('1 week')` of the `ms` package: the milliseconds its literal string says. */
function msDuration(ctx: FileContext, call: ts.CallExpression): number | null {
  const { ts } = ctx;
  const [argument] = call.arguments;
  if (!ts.isIdentifier(call.expression) || ctx.importOf(call.expression.text)?.module !== 'ms' || !argument) return null;
  const text = unwrap(ts, argument);
  if (!ts.isStringLiteral(text) && !ts.isNoSubstitutionTemplateLiteral(text)) return null;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.text.trim());
  const perUnit = match ? MS_UNITS[(match[2] ?? '').toLowerCase() || 'ms'] : undefined;
  return match && perUnit !== undefined ? Number(match[1]) * perUnit : null;
}

function binary(ctx: FileContext, expression: ts.BinaryExpression, env: Env, depth: number): number | null {
  const { ts } = ctx;
  const operators: Partial<Record<ts.SyntaxKind, (a: number, b: number) => number>> = {
    [ts.SyntaxKind.PlusToken]: (a, b) => a + b,
    [ts.SyntaxKind.MinusToken]: (a, b) => a - b,
    [ts.SyntaxKind.AsteriskToken]: (a, b) => a * b,
    [ts.SyntaxKind.SlashToken]: (a, b) => a / b,
  };
  const apply = operators[expression.operatorToken.kind];
  if (!apply) return null;
  const left = staticNumber(ctx, expression.left, env, depth + 1);
  const right = left === null ? null : staticNumber(ctx, expression.right, env, depth + 1);
  return left === null || right === null ? null : apply(left, right);
}

/** A `let` given one number by the arguments of the call (the other values it is given, none): that number. */
function assignedNumber(ctx: FileContext, name: ts.Identifier, env: Env, depth: number): number | null {
  const values = assignedValues(ctx, name) ?? [];
  const numbers = new Set(values.map((value) => staticNumber(ctx, value, env, depth + 1)).filter((n) => n !== null));
  return numbers.size === 1 ? ([...numbers][0] ?? null) : null;
}

/** `ttl = 300` of a parameter that the call on the path passes nothing for. */
function defaultOfParameter(ctx: FileContext, identifier: ts.Identifier, env: Env): ts.Expression | null {
  const { ts } = ctx;
  for (let node = parentOf(identifier); node && !ts.isSourceFile(node); node = parentOf(node)) {
    if (!ts.isFunctionLike(node)) continue;
    const index = node.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === identifier.text);
    if (index < 0) continue;
    const parameter = node.parameters[index];
    const frame = frameOf(ctx, env, node);
    // Without the call, the parameter is whatever the caller passes: a runtime value, unless it has a default and nobody passes one.
    const isOmitted = frame ? frame.args[index] === undefined : false;
    return isOmitted ? (parameter?.initializer ?? null) : null;
  }
  return null;
}

/** `this.ttl` or `Service.TTL`: a readonly property of the class with an initializer. */
function classProperty(ctx: FileContext, access: ts.PropertyAccessExpression): { init: ts.Expression; ctx: FileContext } | null {
  const { ts } = ctx;
  const owner = receiverClass(ctx, access.expression, access);
  if (!owner) return null;
  for (const member of owner.members) {
    if (!ts.isPropertyDeclaration(member) || !member.initializer || propertyNameText(ts, member.name) !== access.name.text) continue;
    const isReadonly = ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword) === true;
    return isReadonly ? { init: member.initializer, ctx } : null;
  }
  return null;
}

/** `TTL.hour` where `TTL` is a constant object literal. */
function objectMember(ctx: FileContext, access: ts.PropertyAccessExpression): { init: ts.Expression; ctx: FileContext } | null {
  const { ts } = ctx;
  const found = staticObjectIn(ctx, access.expression);
  if (!found) return null;
  for (const property of found.object.properties) {
    if (ts.isPropertyAssignment(property) && propertyNameText(ts, property.name) === access.name.text)
      return { init: property.initializer, ctx: found.ctx };
  }
  return null;
}
