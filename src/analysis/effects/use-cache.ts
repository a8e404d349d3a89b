import type ts from 'typescript';
import { staticString } from '../context.js';
import type { FileContext } from '../context.js';
import type { CacheFamily } from '../facts.js';
import { parentOf } from '../../ts/syntax.js';
import type { TS } from '../../ts/syntax.js';
import { keyPattern } from './keys.js';
import { loadsOf } from './loads.js';

/** `cacheLife` profiles of Next.js, by how long an entry is served before it is revalidated (seconds). */
const CACHE_LIFE: Readonly<Record<string, number>> = {
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86400,
  weeks: 604800,
  max: 2592000,
  default: 900,
};

/** Whether a body (or a file) starts with a `'use cache'` directive (`'use cache: remote'`, `'use cache: private'` too). */
function hasUseCache(ts: TS, statements: readonly ts.Statement[]): boolean {
  for (const statement of statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) return false;
    if (/^use cache(:\s*\w+)?$/.test(statement.expression.text)) return true;
  }
  return false;
}

/**
 * The families of Next.js `'use cache'` functions (the directive in the function, or at the top of
 * the file for its exported functions): one per tag its `cacheTag(…)` calls give, each with the
 * function's other tags (`cacheTag('quotes', \`quote-${id}\`)`: one entry, cleared by either), holding what the
 * function reads, with the revalidation of its `cacheLife(…)` profile as its ttl (15 minutes when
 * none is given). A function with no tag can be cleared by no `updateTag`: it is no family here.
 */
export function useCacheFamilies(ctx: FileContext): CacheFamily[] {
  const { ts } = ctx;
  if (!ctx.sourceFile.text.includes('use cache')) return [];
  const isFileCached = hasUseCache(ts, ctx.sourceFile.statements);
  const families: CacheFamily[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body && ts.isBlock(node.body)) {
      const isCached = hasUseCache(ts, node.body.statements) || (isFileCached && isTopLevelFunction(ts, node, ctx.sourceFile));
      if (isCached) families.push(...useCacheFamiliesOf(ctx, node, node.body));
    }
    ts.forEachChild(node, visit);
  };
  visit(ctx.sourceFile);
  return families;
}

/** The tags a cached function's `cacheTag(…)` calls give, and the ttl of its `cacheLife(…)` profile. */
function tagsAndLife(ctx: FileContext, body: ts.Block): { tags: ts.Expression[]; ttl: number } {
  const { ts } = ctx;
  const tags: ts.Expression[] = [];
  let ttl = CACHE_LIFE['default'] ?? 900;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const binding = ctx.importOf(node.expression.text);
      const imported = binding?.module === 'next/cache' ? binding.imported : null;
      if (imported === 'cacheTag' || imported === 'unstable_cacheTag') tags.push(...node.arguments.filter((a) => !ts.isSpreadElement(a)));
      if ((imported === 'cacheLife' || imported === 'unstable_cacheLife') && node.arguments[0]) {
        const profile = staticString(ctx, node.arguments[0]);
        if (profile !== null && CACHE_LIFE[profile] !== undefined) ttl = CACHE_LIFE[profile];
      }
    }
    if (!ts.isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return { tags, ttl };
}

/** A function declared at the top of a file: `function f() {}`, `const f = async () => {}`, `const f = function () {}`. */
function isTopLevelFunction(ts: TS, fn: ts.Node, file: ts.SourceFile): boolean {
  const parent = parentOf(fn);
  if (parent === file) return true;
  if (!parent || !ts.isVariableDeclaration(parent) || parent.initializer !== fn) return false;
  // VariableDeclaration ← VariableDeclarationList ← VariableStatement ← the file.
  const statement = parentOf(parentOf(parent) ?? parent);
  return statement !== undefined && parentOf(statement) === file;
}

function useCacheFamiliesOf(ctx: FileContext, fn: ts.FunctionLikeDeclaration, body: ts.Block): CacheFamily[] {
  const { tags, ttl } = tagsAndLife(ctx, body);
  if (tags.length === 0) return [];
  const loads = loadsOf(ctx, fn);
  // `export const getPosts = async () => { 'use cache'; … }` is named by its variable.
  const holder = parentOf(fn);
  const named = fn.name ?? (holder && ctx.ts.isVariableDeclaration(holder) ? holder.name : fn);
  const where = { file: ctx.file, range: ctx.range(named) };
  const fills = [{ ...where, ttl }];
  const keys = tags.flatMap((tag) => keyPattern({ bound: { expr: tag, ctx, env: null }, isKey: true })?.source ?? []);
  // One entry carries every tag its function gives: an `updateTag` of any of them clears it.
  return keys.map((key) => {
    const others = keys.filter((other) => other !== key);
    const models = [...new Set(loads.map((l) => l.model))];
    return { key, models, loads, ...where, ttl, fills, isTag: true, ...(others.length > 0 ? { tags: others } : {}) };
  });
}
