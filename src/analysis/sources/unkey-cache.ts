import type ts from 'typescript';
import { unwrap } from '../../ts/syntax.js';
import type { FileContext } from '../context.js';
import { memoTable } from '../session.js';
import { clientOf, isCacheLikeName } from './clients.js';
import type { CallEffect, KeyArgument, Library, Source, SourceCall } from './source.js';

/** `@unkey/cache` and its subpaths (`@unkey/cache/stores`, `@unkey/cache/middleware`). */
const LIBRARIES: readonly Library[] = [{ modules: /^@unkey\/cache(\/|$)/, client: 'namespaced' }];

/**
 * The methods of a namespace. `swr` (a loading read) and `remove` are called on a namespace of a
 * cache by no other cache client: on an object known by its name only they say the namespaced
 * shape; `get` and `set` do only on an object the same file calls one of them on.
 */
const DISTINCT = new Set(['swr', 'remove']);
const METHODS = new Set([...DISTINCT, 'get', 'set']);

/** Per file: the objects named like a cache whose namespaces it reads or clears (`cache` of `cache.keyByHash.swr(…)`), by their text. */
const NAMESPACED_OWNERS = memoTable<FileContext, ReadonlySet<string>>('namespaced cache owners');

function namespacedOwners(ctx: FileContext): ReadonlySet<string> {
  return ctx.session.memo(NAMESPACED_OWNERS, ctx, () => {
    const { ts } = ctx;
    const found = new Set<string>();
    for (const call of ctx.nodes.calls) {
      const callee = unwrap(ts, call.expression);
      if (!ts.isPropertyAccessExpression(callee) || !DISTINCT.has(callee.name.text)) continue;
      const namespace = unwrap(ts, callee.expression);
      if (ts.isPropertyAccessExpression(namespace) && isNamedLikeCache(ctx, namespace.expression))
        found.add(ctx.text(unwrap(ts, namespace.expression)));
    }
    return found;
  });
}

/** `cache`, `this.cache`, `services.cache`: an object named like a cache that is not one of the project's classes. */
function isNamedLikeCache(ctx: FileContext, object: ts.Expression): boolean {
  const { ts } = ctx;
  const bare = unwrap(ts, object);
  const name = ts.isIdentifier(bare) ? bare.text : ts.isPropertyAccessExpression(bare) ? bare.name.text : null;
  return name !== null && isCacheLikeName(name) && clientOf(ctx, bare) !== 'project';
}

/**
 * The namespace a receiver is (`keyByHash` of `cache.keyByHash`), or null: a property of a cache
 * made by `createCache(…)` of `@unkey/cache` or typed from it (also through the project's alias,
 * `type Cache = C<CacheNamespaces>`), or of an object named like a cache when the method, or
 * another call of the file on the same object, says the namespaced shape.
 */
function namespaceOf(ctx: FileContext, receiver: ts.Expression, method: string): string | null {
  const { ts } = ctx;
  const bare = unwrap(ts, receiver);
  if (!ts.isPropertyAccessExpression(bare)) return null;
  const owner = unwrap(ts, bare.expression);
  const namespace = bare.name.text;
  if (clientOf(ctx, owner) === 'namespaced') return namespace;
  if (!isNamedLikeCache(ctx, owner)) return null;
  return DISTINCT.has(method) || namespacedOwners(ctx).has(ctx.text(owner)) ? namespace : null;
}

/** What a namespace's method does: its keys are the namespace's (`keyByHash:` before the argument). */
function effectOf(call: ts.CallExpression, method: string, namespace: string): CallEffect[] {
  const [first, second] = call.arguments;
  const keys: KeyArgument[] = first ? [{ expr: first, isKey: true, prefix: `${namespace}:` }] : [];
  // Both resolve to `{ val, err }`: the entry is `val`.
  if (method === 'swr') return [{ kind: 'cache-read', keys, loader: second ?? null, valueIn: 'val' }];
  if (method === 'get') return [{ kind: 'cache-read', keys, loader: null, valueIn: 'val' }];
  // `set(key, value)` replaces the entry: after a write, a write-through.
  if (method === 'set') return [{ kind: 'cache-fill', keys, ...(second ? { value: second } : {}) }];
  // `remove(key)` takes one key or an array of them.
  return [{ kind: 'invalidate', invalidationKind: 'key', keys }];
}

/**
 * `@unkey/cache`: a cache made by `createCache({ keyById: new Namespace(ctx, opts), … })` is read,
 * filled and cleared per namespace (`cache.keyById.swr(id, loader)`, `.get(id)`, `.set(id, value)`,
 * `.remove(id)`): the namespace is the family, the argument the key, written `keyById:{id}`.
 */
export const unkeyCache: Source = {
  id: 'unkey-cache',
  libraries: LIBRARIES,
  cacheText: /@unkey\/cache|\.swr\(/,
  readMethods: new Set(['swr']),
  classify({ ctx, call, name, receiver }: SourceCall) {
    if (!receiver || !METHODS.has(name)) return null;
    const namespace = namespaceOf(ctx, receiver, name);
    return namespace === null ? null : effectOf(call, name, namespace);
  },
};
