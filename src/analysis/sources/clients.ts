import type ts from 'typescript';
import { enclosingClass, propertyNameText, unwrap } from '../../ts/syntax.js';
import { declarationOf, isNullishType } from './declarations.js';
import type { FileContext } from '../context.js';
import { memoTable } from '../session.js';
import { SOURCES } from './index.js';
import type { ClientKind } from './source.js';
import type { ImportBinding } from '../../ts/imports.js';

const REDIS_TYPES = new Set(['Redis', 'Cluster', 'RedisClientType', 'RedisClusterType', 'RedisClient', 'IORedis']);
const REDIS_FACTORIES = new Set(['Redis', 'IORedis', 'Cluster', 'createClient', 'createCluster', 'fromEnv']);
const CACHE_FACTORIES = new Set(['caching', 'createCache', 'Keyv']);
const CACHE_LIKE = /cache|redis/i;

/** Whether a receiver's name says it is a cache (`cache`, `sessionCacheStrategy`, `redis`). */
export function isCacheLikeName(name: string): boolean {
  return CACHE_LIKE.test(name);
}

/** The kind of the clients of a module, as the library sources declare it (`libraries`), or null. */
function kindOfModule(module: string): ClientKind | null {
  for (const source of SOURCES) {
    for (const library of source.libraries ?? []) if (library.client && library.modules.test(module)) return library.client;
  }
  return null;
}

/** The kind of each import of a file, by its binding: a name is imported once and used by many receivers and types. */
const IMPORT_KINDS = memoTable<FileContext, WeakMap<ImportBinding, ClientKind | null>>('import kinds');

/**
 * The kind of a name imported from a module: the library's, also where a project module passes it
 * on from the library (`export { createCache, type Cache as UnkeyCache } from '@unkey/cache'` in a
 * workspace package).
 */
function kindOfImport(ctx: FileContext, binding: ImportBinding): ClientKind | null {
  return ctx.session.memoPair(IMPORT_KINDS, ctx, binding, () => readImportKind(ctx, binding));
}

function readImportKind(ctx: FileContext, binding: ImportBinding): ClientKind | null {
  const kind = kindOfModule(binding.module);
  if (kind || binding.imported === '*' || !ctx.isProjectModule(binding.module)) return kind;
  const from = ctx.resolver?.packageOfExport?.(binding.module, ctx.sourceFile, binding.imported) ?? null;
  return from === null ? null : kindOfModule(from);
}

/**
 * The kind of a type annotation (`Redis`, `Cache`, `RedisService`), from where its name is imported;
 * a union (`Redis | Cluster | undefined`), or the project's alias of one, is the kind all its members share.
 */
function kindOfType(ctx: FileContext, type: ts.TypeNode | undefined, depth = 0): ClientKind | null {
  const { ts } = ctx;
  if (type && ts.isUnionTypeNode(type) && depth < 4) return unionKind(ctx, type, depth);
  if (!type || !ts.isTypeReferenceNode(type)) return null;
  const name = ts.isIdentifier(type.typeName) ? type.typeName.text : ts.isQualifiedName(type.typeName) ? type.typeName.right.text : null;
  const root = ts.isQualifiedName(type.typeName) && ts.isIdentifier(type.typeName.left) ? type.typeName.left.text : name;
  if (name === null || root === null) return null;
  const binding = ctx.importOf(root);
  if (binding) {
    const kind = kindOfImport(ctx, binding);
    if (kind) return kind;
    if (!ctx.isProjectModule(binding.module)) return null;
    const alias = ts.isIdentifier(type.typeName) && depth < 4 ? (ctx.resolver?.resolveDeclaration?.(type.typeName) ?? null) : null;
    if (alias && ts.isTypeAliasDeclaration(alias)) {
      const file = alias.getSourceFile();
      return kindOfType(file === ctx.sourceFile ? ctx : ctx.contextOf(file), alias.type, depth + 1) ?? 'project';
    }
    // A client type the project passes on from its package (`import { Redis } from 'ioredis'; export { Redis }`
    // in a workspace package) is declared nowhere in the project: it is the package's.
    if (!alias && REDIS_TYPES.has(name) && name === root) return 'redis';
    return alias && ts.isInterfaceDeclaration(alias) && isCacheInterface(ctx, alias) ? 'cache-like' : 'project';
  }
  if (ctx.classes.has(name)) return 'project';
  return REDIS_TYPES.has(name) ? 'redis' : null;
}

/** The methods through which a cache interface of the project reads and fills its entries. */
const CACHE_INTERFACE_METHODS = ['get', 'set'];

/**
 * Whether a project's interface is a cache client's (`interface ICacheService { get; set; invalidate }`):
 * named like a cache, declaring its reads and fills, and implemented by no class of the project (one
 * that is, `class InMemoryCacheStrategy implements CacheStrategy`, runs its own code: its calls are followed there).
 */
function isCacheInterface(ctx: FileContext, declaration: ts.InterfaceDeclaration): boolean {
  const { ts } = ctx;
  const file = declaration.getSourceFile();
  const methods = new Set(
    declaration.members.flatMap((m) => (m.name && (ts.isMethodSignature(m) || ts.isPropertySignature(m)) ? [m.name.getText(file)] : [])),
  );
  return (
    CACHE_LIKE.test(declaration.name.text) &&
    CACHE_INTERFACE_METHODS.every((name) => methods.has(name)) &&
    (ctx.resolver?.implementationsOf?.(declaration.name.text) ?? []).length === 0
  );
}

/** The kind every member of a union shares, `undefined` and `null` aside. */
function unionKind(ctx: FileContext, union: ts.UnionTypeNode, depth: number): ClientKind | null {
  const { ts } = ctx;
  const members = union.types.filter((t) => !isNullishType(ts, t));
  const kinds = new Set(members.map((t) => kindOfType(ctx, t, depth + 1)));
  const [kind] = kinds;
  return kinds.size === 1 && kind !== undefined ? kind : null;
}

/** Calls that make another client of the same kind (`redis.pipeline()`, `redis.multi()`). */
const SAME_KIND_MAKERS = new Set(['pipeline', 'multi']);

/** The kind a value gets from its initializer (`new Redis(url)`, `createClient()`, `Redis.fromEnv()`). */
function kindOfInitializer(ctx: FileContext, init: ts.Expression): ClientKind | null {
  const { ts } = ctx;
  const expression = unwrap(ts, init);
  if (!ts.isNewExpression(expression) && !ts.isCallExpression(expression)) return null;
  const callee = unwrap(ts, expression.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : null;
  const root = ts.isIdentifier(callee)
    ? callee.text
    : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)
      ? callee.expression.text
      : null;
  if (ts.isNewExpression(expression) && name === 'Proxy') return kindOfFacade(ctx, expression);
  if (ts.isCallExpression(expression) && ts.isPropertyAccessExpression(callee) && name !== null && SAME_KIND_MAKERS.has(name)) {
    return clientOf(ctx, callee.expression) === 'redis' ? 'redis' : null;
  }
  const binding = root === null ? undefined : ctx.importOf(root);
  const module = binding?.module ?? null;
  const fromModule = binding ? kindOfImport(ctx, binding) : null;
  if (fromModule) return fromModule;
  if (name !== null && REDIS_FACTORIES.has(name) && module === null) return 'redis';
  if (name !== null && CACHE_FACTORIES.has(name) && module === null) return 'cache-manager';
  return null;
}

/**
 * A `Proxy` facade (`new Proxy({} as CacheService, { get(…) {…} })`) is what it stands in for: the
 * declared type of its target, or a type named like a cache, whose calls it forwards.
 */
function kindOfFacade(ctx: FileContext, proxy: ts.NewExpression): ClientKind | null {
  const { ts } = ctx;
  const target = proxy.arguments?.[0];
  const type = proxy.typeArguments?.[0] ?? (target && ts.isAsExpression(target) ? target.type : undefined);
  if (!type || !ts.isTypeReferenceNode(type)) return null;
  const kind = kindOfType(ctx, type);
  if (kind !== null && kind !== 'project') return kind;
  const name = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text;
  return CACHE_LIKE.test(name) ? 'cache-like' : null;
}

/** Decorators of an injected parameter or property: `@Inject(CACHE_MANAGER)`, `@InjectRedis()`. */
function kindOfInjection(ctx: FileContext, decorators: readonly ts.Decorator[]): ClientKind | null {
  const { ts } = ctx;
  for (const decorator of decorators) {
    const expression = decorator.expression;
    if (!ts.isCallExpression(expression)) continue;
    const callee = unwrap(ts, expression.expression);
    const name = ts.isIdentifier(callee) ? callee.text : null;
    if (name === 'InjectRedis') return 'redis';
    const first = expression.arguments[0];
    if (name === 'Inject' && first && ts.isIdentifier(first) && first.text === 'CACHE_MANAGER') return 'cache-manager';
  }
  return null;
}

/**
 * What the declaration of `this.name` or `name` says: its injection, declared type or initializer
 * (a parameter's default value aside); for an import, the module or what it is initialised with.
 */
function declaredKind(ctx: FileContext, at: ts.Expression, name: string): ClientKind | null | undefined {
  const { ts } = ctx;
  const declared = declarationOf(ctx, at, false);
  if (declared) {
    return (
      kindOfInjection(ctx, declared.decorators) ??
      declaredTypeKind(ctx, declared.type) ??
      (declared.initializer && !declared.parameterOf ? kindOfInitializer(ctx, declared.initializer) : null)
    );
  }
  if (!ts.isIdentifier(unwrap(ts, at))) return undefined;
  const binding = ctx.importOf(name);
  if (!binding) return undefined;
  const fromModule = kindOfImport(ctx, binding);
  if (fromModule) return fromModule;
  // `import { redis } from '@/lib/redis'`: what that module initialises it with.
  const remote = ctx.resolver?.resolveConstant?.(at as ts.Identifier) ?? null;
  if (remote) return kindOfInitializer(ctx.contextOf(remote.getSourceFile()), remote);
  return undefined;
}

/** What each declared type reads as, by file and type: the receivers of one declaration share it (`this.integrationRepository`). */
const TYPE_KINDS = memoTable<FileContext, WeakMap<ts.TypeNode, ClientKind | null>>('declared type kinds');

/** The kind of a declared type (see `kindOfType`), read once per file and type. */
function declaredTypeKind(ctx: FileContext, type: ts.TypeNode | undefined): ClientKind | null {
  return type ? ctx.session.memoPair(TYPE_KINDS, ctx, type, () => kindOfType(ctx, type)) : null;
}

/** What each receiver is, by file and expression (many calls share a receiver: `this.redis`). */
const CLIENTS = memoTable<FileContext, WeakMap<ts.Expression, ClientKind | null>>('client kinds');

/**
 * What a call's receiver is. Declared types, injections and initializers decide first; a name
 * containing `cache` or `redis` (or one of `cacheReceivers`) is the fallback when nothing is known.
 */
export function clientOf(ctx: FileContext, receiver: ts.Expression): ClientKind | null {
  return ctx.session.memoPair(CLIENTS, ctx, receiver, () => readClient(ctx, receiver));
}

function readClient(ctx: FileContext, receiver: ts.Expression): ClientKind | null {
  const { ts } = ctx;
  const expression = unwrap(ts, receiver);
  let known: ClientKind | null | undefined;
  if (ts.isPropertyAccessExpression(expression) && unwrap(ts, expression.expression).kind === ts.SyntaxKind.ThisKeyword) {
    known = declaredKind(ctx, expression, expression.name.text);
  } else if (ts.isIdentifier(expression)) {
    known = declaredKind(ctx, expression, expression.text);
  }
  if (known) return known;
  const name = ts.isIdentifier(expression) ? expression.text : ts.isPropertyAccessExpression(expression) ? expression.name.text : null;
  if (name !== null && (CACHE_LIKE.test(name) || ctx.options.cacheReceivers.has(name))) return 'cache-like';
  // `this.redisService.client.get(k)`, `this.redis.getClient().del(k)`: the chain names it.
  if (ts.isPropertyAccessExpression(expression) || ts.isCallExpression(expression)) {
    const inner = ts.isCallExpression(expression) ? expression.expression : expression.expression;
    const innerName = ts.isPropertyAccessExpression(unwrap(ts, inner))
      ? (unwrap(ts, inner) as ts.PropertyAccessExpression).name.text
      : null;
    if (innerName !== null && CACHE_LIKE.test(innerName)) return 'cache-like';
    if (ts.isPropertyAccessExpression(unwrap(ts, inner)) || ts.isIdentifier(unwrap(ts, inner))) {
      const base = unwrap(ts, inner);
      const baseName = ts.isIdentifier(base) ? base.text : ts.isPropertyAccessExpression(base) ? base.name.text : null;
      if (baseName !== null && CACHE_LIKE.test(baseName) && clientOf(ctx, base) !== 'project') return 'cache-like';
    }
  }
  return null;
}

const MEMO_DEPTH = 4;

/**
 * Whether a receiver is a memo that lives no longer than one call or one request, so that nothing
 * it holds can be stale for the next one: a `Map` made in the function that uses it (`const seen =
 * new Map()`), or the one a `WeakMap` keeps for an object (`this.caches.get(ctx)`: per request
 * context), also through a method of the class that returns it (`this.getContextCache(ctx)`).
 * A `Map` of a module or a class lives as long as the process: a cache, not a memo.
 */
export function isScopedMemo(ctx: FileContext, receiver: ts.Expression, depth = 0): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, receiver);
  if (depth > MEMO_DEPTH || !ts.isIdentifier(expression)) return false;
  const declared = declarationOf(ctx, expression, false);
  if (!declared || declared.parameterOf || !declared.initializer || !isInFunction(ctx, expression.text)) return false;
  return isScopedValue(ctx, declared.initializer, depth);
}

/** The collections a process keeps its own entries in: a delete on one clears nothing in a shared cache. */
const IN_PROCESS = new Set(['Map', 'WeakMap', 'Set', 'LRUCache', 'LRU', 'QuickLRU', 'TTLCache', 'NodeCache']);

/** Whether a receiver is a collection of the process (`const models = new Map()`, `this.cache = new LRUCache(…)`). */
export function isInProcessStore(ctx: FileContext, receiver: ts.Expression): boolean {
  const { ts } = ctx;
  const initializer = declarationOf(ctx, receiver, false)?.initializer;
  if (!initializer) return false;
  const made = unwrap(ts, initializer);
  return ts.isNewExpression(made) && ts.isIdentifier(made.expression) && IN_PROCESS.has(made.expression.text);
}

/** Whether `name` is not a variable of the module (so one of the function's). */
function isInFunction(ctx: FileContext, name: string): boolean {
  const { ts } = ctx;
  return !ctx.sourceFile.statements.some(
    (s) => ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name),
  );
}

/** A value made for this call (`new Map()`), got from a `WeakMap` for an object, or returned by an own method that gives one. */
function isScopedValue(ctx: FileContext, value: ts.Expression, depth: number): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, value);
  if (ts.isNewExpression(expression)) return isMapClass(ctx, expression.expression);
  if (!ts.isCallExpression(expression)) return false;
  const callee = unwrap(ts, expression.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  if (callee.name.text === 'get' && isWeakMap(ctx, callee.expression)) return true;
  if (unwrap(ts, callee.expression).kind !== ts.SyntaxKind.ThisKeyword) return false;
  const method = enclosingClass(ts, expression)?.members.find(
    (m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && !!m.body && propertyNameText(ts, m.name) === callee.name.text,
  );
  const returned = method?.body?.statements.filter((s): s is ts.ReturnStatement => ts.isReturnStatement(s) && !!s.expression) ?? [];
  return returned.length > 0 && returned.every((r) => r.expression !== undefined && isScopedMemo(ctx, r.expression, depth + 1));
}

function isMapClass(ctx: FileContext, callee: ts.Expression): boolean {
  const { ts } = ctx;
  const expression = unwrap(ts, callee);
  return ts.isIdentifier(expression) && (expression.text === 'Map' || expression.text === 'WeakMap') && !ctx.importOf(expression.text);
}

/** `this.caches` or `caches` initialised with `new WeakMap()`. */
function isWeakMap(ctx: FileContext, receiver: ts.Expression): boolean {
  const { ts } = ctx;
  const declared = declarationOf(ctx, receiver, false);
  const init = declared?.initializer ? unwrap(ts, declared.initializer) : null;
  if (!init || !ts.isNewExpression(init)) return false;
  const callee = unwrap(ts, init.expression);
  return ts.isIdentifier(callee) && callee.text === 'WeakMap' && !ctx.importOf('WeakMap');
}
