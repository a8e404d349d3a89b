import type ts from 'typescript';
import { lastName, unwrap } from '../../ts/syntax.js';
import { staticString } from '../context.js';
import type { FileContext } from '../context.js';
import type { TS } from '../../ts/syntax.js';
import { constructed, declarationOf, propertyValue, typeReference } from './declarations.js';
import type { Source } from './source.js';

const PUBLISH = new Set(['publishJSON', 'publish', 'enqueueJSON', 'enqueue']);
const QSTASH = '@upstash/qstash';

/** Whether a receiver is a QStash client: `new Client({ token })` from @upstash/qstash, typed so, or named like it. */
function isQstash(ctx: FileContext, receiver: ts.Expression): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, receiver);
  // `qstash.queue({ queueName }).enqueueJSON(…)`
  const base =
    ts.isCallExpression(expression) && ts.isPropertyAccessExpression(unwrap(ts, expression.expression))
      ? (unwrap(ts, expression.expression) as ts.PropertyAccessExpression).expression
      : expression;
  const declared = declarationOf(ctx, base);
  if (declared) {
    const made = declared.initializer ? constructed(ts, declared.initializer) : null;
    if (made?.root && declared.ctx.importOf(made.root)?.module === QSTASH) return true;
    const type = typeReference(ts, declared.type);
    if (type && ctx.importOf(type.root)?.module === QSTASH) return true;
  }
  return /qstash/i.test(lastName(ts, base) ?? '');
}

/**
 * The path of a destination URL: `${APP_URL}/api/cron/x` → `/api/cron/x`, 'https://app/api/x' →
 * `/api/x`; interpolations after the base read as `*`.
 */
function urlPath(ts: TS, expression: ts.Expression): string | null {
  const bare = unwrap(ts, expression);
  if (ts.isStringLiteral(bare) || ts.isNoSubstitutionTemplateLiteral(bare)) {
    const match = /^(?:[a-z]+:\/\/[^/]+)?(\/[^?#]*)/i.exec(bare.text);
    return match?.[1] ?? null;
  }
  if (!ts.isTemplateExpression(bare)) return null;
  let text = bare.head.text;
  for (const [index, span] of bare.templateSpans.entries()) text += (index === 0 && text === '' ? '' : '*') + span.literal.text;
  const match = /^(?:[a-z]+:\/\/[^/]+)?(\/[^?#]*)/i.exec(text);
  return match?.[1] ?? null;
}

/**
 * QStash (`@upstash/qstash`): `publishJSON({ url, body })`, `publish(…)`, `queue(…).enqueueJSON(…)`.
 * The job is recorded with the destination's URL path as its queue, and its request: a
 * destination that is a route of the app runs that route's handler, later.
 */
export const qstash: Source = {
  id: 'qstash',
  precedesHelpers: true,
  classify({ ctx, call, name, receiver }) {
    const { ts } = ctx;
    if (!receiver || !PUBLISH.has(name) || !isQstash(ctx, receiver)) return null;
    const options = call.arguments[0] ? unwrap(ts, call.arguments[0]) : null;
    const url = options && ts.isObjectLiteralExpression(options) ? propertyValue(ts, options, 'url') : null;
    const payload = options && ts.isObjectLiteralExpression(options) ? propertyValue(ts, options, 'body') : null;
    const method = options && ts.isObjectLiteralExpression(options) ? propertyValue(ts, options, 'method') : null;
    // QStash calls the destination with POST unless told otherwise.
    const verb = method ? staticString(ctx, method)?.toUpperCase() : 'POST';
    const request = url && verb ? { request: { url, method: verb } } : {};
    return [{ kind: 'enqueue', queue: url ? urlPath(ts, url) : null, job: null, payload, ...request }];
  },
};
