import type { InvalidationKind } from '../facts.js';
import type ts from 'typescript';
import { parentOf, propertyNameText, unwrap } from '../../ts/syntax.js';
import type { CallEffect, Source, SourceCall } from './source.js';

const TAG_CALLS: Readonly<Record<string, InvalidationKind>> = {
  revalidateTag: 'tag',
  updateTag: 'tag',
  expireTag: 'tag',
  revalidatePath: 'path',
};

/** The Pages Router's on-demand revalidation on the API response: `res.revalidate('/path')`. */
const RESPONSE_REVALIDATE = new Set(['revalidate', 'unstable_revalidate']);
const RESPONSE_TYPES = /^(NextApiResponse|NextResponse|Response)\b/;

/**
 * Next.js tags and paths (`next/cache`). The names count only when they are among the configured
 * invalidation calls (they are by default).
 */
export const nextCache: Source = {
  id: 'next-cache',
  libraries: [{ modules: /^next\/cache$/ }],
  cacheText: /next\/cache/,
  classify({ ctx, call, name, receiver }) {
    if (!receiver && isFromNextCache(ctx, call)) return cachedFunction(ctx, call);
    if (RESPONSE_REVALIDATE.has(name) && receiver && isApiResponse(ctx, receiver))
      return [{ kind: 'invalidate', invalidationKind: 'path', keys: [] }];
    const kind = TAG_CALLS[name];
    if (!kind || !(ctx.options.callNames.has(name) || ctx.options.callGlobs.some((g) => g.test(name)))) return null;
    // A tag is kept as written, so that the registry's families can be matched by name.
    const tag = kind === 'tag' ? call.arguments[0] : undefined;
    return [{ kind: 'invalidate', invalidationKind: kind, keys: tag ? [{ expr: tag, isKey: true }] : [] }];
  },
  // `unstable_cache(loadAuthors, ['authors'], { tags })`: a loading read, its loader named or not.
  isCachedRead: (ts, call) => ts.isIdentifier(call.expression) && call.expression.text === 'unstable_cache',
};

/** Whether the callee is `unstable_cache` imported from `next/cache` (under any local name). */
function isFromNextCache(ctx: SourceCall['ctx'], call: ts.CallExpression): boolean {
  const { ts } = ctx;
  const callee = call.expression;
  if (!ts.isIdentifier(callee)) return false;
  const binding = ctx.importOf(callee.text);
  return binding?.module === 'next/cache' && binding.imported === 'unstable_cache';
}

/**
 * `unstable_cache(loader, keyParts, { revalidate, tags })`: a loading read whose family is named
 * by its first tag (what `revalidateTag` invalidates), else its first key part, and cleared by its
 * other tags too; `revalidate` is its ttl in seconds.
 */
function cachedFunction(ctx: SourceCall['ctx'], call: ts.CallExpression): CallEffect[] {
  const { ts } = ctx;
  const [loader, keyParts, options] = call.arguments;
  const firstOf = (list: ts.Expression | undefined): ts.Expression | undefined => {
    const value = list ? unwrap(ts, list) : undefined;
    const first = value && ts.isArrayLiteralExpression(value) ? value.elements[0] : undefined;
    return first && !ts.isSpreadElement(first) ? first : undefined;
  };
  const object = options ? unwrap(ts, options) : undefined;
  const property = (name: string): ts.Expression | undefined =>
    object && ts.isObjectLiteralExpression(object)
      ? object.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propertyNameText(ts, p.name) === name)
          ?.initializer
      : undefined;
  const key = firstOf(property('tags')) ?? firstOf(keyParts);
  const revalidate = property('revalidate');
  // The entry carries every tag: a `revalidateTag` of any of them clears it.
  const tagList = property('tags');
  const listed = tagList ? unwrap(ts, tagList) : undefined;
  const others = listed && ts.isArrayLiteralExpression(listed) ? listed.elements.slice(1).filter((e) => !ts.isSpreadElement(e)) : [];
  return [
    {
      kind: 'cache-read',
      keys: key ? [{ expr: key, isKey: true }] : [],
      loader: loader ?? null,
      ttl: revalidate ? { expr: revalidate, unit: 'seconds' } : undefined,
      ...(others.length > 0 ? { tags: others.map((expr) => ({ expr, isKey: true })) } : {}),
    },
  ];
}

/** `res` of a Pages API handler: a parameter typed NextApiResponse, or one named `res` / `response` in a file of Next.js. */
function isApiResponse(ctx: SourceCall['ctx'], receiver: ts.Expression): boolean {
  const { ts } = ctx;
  if (!ts.isIdentifier(receiver)) return false;
  let parameter: ts.ParameterDeclaration | undefined;
  for (let node = parentOf(receiver); node && !parameter; node = parentOf(node)) {
    if (ts.isFunctionLike(node)) parameter = node.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === receiver.text);
  }
  if (parameter?.type) return RESPONSE_TYPES.test(parameter.type.getText(ctx.sourceFile));
  return /^(res|response)$/.test(receiver.text) && ctx.importsModule((m) => m === 'next' || m.startsWith('next/'));
}

/** What the text of a file that tags cache entries contains (see `tagsGiven`). */
export const TAG_MARKER = /cacheTag|unstable_cache|cacheStrategy|\bnext\s*:\s*\{[^}]*\btags\b/;
