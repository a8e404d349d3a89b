import type ts from 'typescript';
import { unwrap } from '../ts/syntax.js';
import { constantOf, staticObjectIn, staticString } from './context.js';
import type { FileContext, RouteCode } from './context.js';
import { propertyValue } from './sources/declarations.js';

/** A request the code makes: its method and the path of its URL, runtime values as `*`. */
export interface SelfCall {
  readonly method: string;
  readonly path: string;
}

/** Modules whose `fetch` is the standard one. */
const FETCH_MODULES = new Set(['node-fetch', 'undici', 'cross-fetch', 'isomorphic-fetch']);
const AXIOS_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
/** A runtime value named like a path or a URL may hold several segments, or the whole URL. */
const PATH_LIKE = /path|url|uri|endpoint|route|href/i;
const LOCAL_HOST = /^https?:\/\/(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(:\d+)?(?=\/|$)/i;

/** A part of a URL as written: known text, or a runtime value (named by its expression). */
type Part = { readonly text: string } | { readonly hole: ts.Expression };

/**
 * The parts of a string expression: the spans of a template, the operands of `+`, a constant's
 * initializer; null when it is not a string built so.
 */
function partsOf(ctx: FileContext, node: ts.Expression, depth: number): { parts: Part[]; ctx: FileContext } | null {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  if (depth > 4) return null;
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return { parts: [{ text: expression.text }], ctx };
  if (ts.isIdentifier(expression)) {
    const constant = constantOf(ctx, expression);
    return constant ? partsOf(constant.ctx, constant.init, depth + 1) : null;
  }
  if (ts.isTemplateExpression(expression)) {
    const parts: Part[] = [{ text: expression.head.text }];
    for (const span of expression.templateSpans) parts.push({ hole: span.expression }, { text: span.literal.text });
    return { parts, ctx };
  }
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = partsOf(ctx, expression.left, depth + 1) ?? { parts: [{ hole: expression.left }], ctx };
    const right = partsOf(ctx, expression.right, depth + 1);
    if (!right || right.ctx !== left.ctx || left.ctx !== ctx) return null;
    return { parts: [...left.parts, ...right.parts], ctx };
  }
  return null;
}

/**
 * The path of a URL the app calls itself on, or null: the text after the base (a runtime value
 * such as `process.env.NEXTAUTH_URL`, or `http://localhost:3000`) up to `?` or `#`, each runtime
 * value in it a `*`. A URL written with another host, a base known to be one, or a path that
 * does not start after the base is not the app's own.
 */
function ownUrlPath(ctx: FileContext, node: ts.Expression, depth = 0): string | null {
  const { ts } = ctx;
  const expression = unwrap(ts, node);
  // `new URL('/api/x', base)`: the path is the first argument's.
  if (ts.isNewExpression(expression) && ts.isIdentifier(expression.expression) && expression.expression.text === 'URL') {
    const first = expression.arguments?.[0];
    return first && depth < 4 ? ownUrlPath(ctx, first, depth + 1) : null;
  }
  const found = partsOf(ctx, expression, depth);
  if (!found) return null;
  let text = '';
  let hasBase = false;
  for (const [index, part] of found.parts.entries()) {
    // The query and the fragment say nothing of the route.
    if (/[?#]/.test(text)) break;
    if ('text' in part) {
      text += part.text;
      continue;
    }
    const value = staticString(found.ctx, part.hole);
    if (value !== null) {
      text += value;
      continue;
    }
    // The base the URL starts with: what follows must be its path.
    if (text === '' && index <= 1 && !hasBase) {
      hasBase = true;
      continue;
    }
    if (PATH_LIKE.test(found.ctx.text(part.hole))) return null;
    text += '*';
  }
  const path = hasBase
    ? text
    : LOCAL_HOST.test(text)
      ? text.replace(LOCAL_HOST, '')
      : text.startsWith('/') && !text.startsWith('//')
        ? text
        : null;
  if (path === null || !path.startsWith('/')) return null;
  return path.split(/[?#]/)[0] ?? null;
}

/** The method of a `fetch` init object: its `method`, GET without one; null when it cannot be read. */
function fetchMethod(ctx: FileContext, init: ts.Expression | undefined): string | null {
  if (!init) return 'GET';
  const found = staticObjectIn(ctx, init);
  if (!found) return null;
  const { ts } = found.ctx;
  if (found.object.properties.some((p) => ts.isSpreadAssignment(p))) return null;
  const method = propertyValue(ts, found.object, 'method');
  if (!method) return 'GET';
  return staticString(found.ctx, method)?.toUpperCase() ?? null;
}

/**
 * The request a call makes, when it is one the app may make to itself: `fetch(url, init)` (the
 * global one, or a standard module's) and axios (`axios.post(url)`, `axios({ url, method })`).
 */
export function selfCallOf(ctx: FileContext, call: ts.CallExpression, callee: ts.Expression): SelfCall | null {
  const { ts } = ctx;
  const [first, second] = call.arguments;
  if (!first) return null;
  if (ts.isIdentifier(callee) && callee.text === 'fetch' && !ctx.functions.has('fetch')) {
    const binding = ctx.importOf('fetch');
    if (binding && !FETCH_MODULES.has(binding.module)) return null;
    const method = fetchMethod(ctx, second);
    const path = method === null ? null : ownUrlPath(ctx, first);
    return method !== null && path !== null ? { method, path } : null;
  }
  const isAxios = (expression: ts.Expression): boolean => ts.isIdentifier(expression) && ctx.importOf(expression.text)?.module === 'axios';
  if (ts.isPropertyAccessExpression(callee) && isAxios(unwrap(ts, callee.expression)) && AXIOS_METHODS.has(callee.name.text)) {
    const path = ownUrlPath(ctx, first);
    return path === null ? null : { method: callee.name.text.toUpperCase(), path };
  }
  const isRequest =
    isAxios(callee) || (ts.isPropertyAccessExpression(callee) && isAxios(unwrap(ts, callee.expression)) && callee.name.text === 'request');
  if (!isRequest) return null;
  const config = staticObjectIn(ctx, first);
  const url = config ? propertyValue(ts, config.object, 'url') : null;
  if (!config || !url) return null;
  const method = fetchMethod(ctx, first);
  const path = method === null ? null : ownUrlPath(config.ctx, url);
  return method !== null && path !== null ? { method, path } : null;
}

/** The code of the project's routes that serve a request (none without the whole project: the route table needs it). */
export function routesServing(ctx: FileContext, request: SelfCall): RouteCode[] {
  const served = ctx.resolver?.routesOf?.(request.path) ?? [];
  return served.flatMap((route) => route.code(route.file === ctx.sourceFile ? ctx : ctx.contextOf(route.file), request.method));
}

/** The routes of the project a request handed to an HTTP queue calls (QStash's destination), when its URL is the app's own. */
export function routesRequested(ctx: FileContext, request: { readonly url: ts.Expression; readonly method: string }): RouteCode[] {
  if (!ctx.resolver?.routesOf) return [];
  const path = ownUrlPath(ctx, request.url);
  return path === null ? [] : routesServing(ctx, { method: request.method, path });
}
