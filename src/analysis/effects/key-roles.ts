import type { ParsedPattern } from '../../patterns/parse.js';
import { cachedMethods } from '../cached-methods.js';
import type { FileContext } from '../context.js';
import { memoTable } from '../session.js';
import { CACHE_READ_METHODS } from '../sources/cache-clients.js';
import { isLibraryReadMethod, mayNameCache } from '../sources/index.js';
import { sourceCall } from './classify.js';
import { keyPattern } from './keys.js';
import { libraryEffects } from './library.js';

/** The keys a project uses besides caching (locks, markers, counters), and the keys it reads (back) from the cache. */
export interface KeyRoles {
  readonly others: readonly ParsedPattern[];
  readonly cached: readonly ParsedPattern[];
  /** Keys claimed with a value written in the code (`set(key, 'processing', { nx: true })`): locks, whether read back or not. */
  readonly claims: readonly ParsedPattern[];
}

const FILE_ROLES = memoTable<FileContext, KeyRoles>('key roles');

/** The calls that can name a lock, marker or counter key, or read a key back (with a library's read methods): the rest are not asked. */
const ROLE_CALLS = new Set([
  'set',
  'setnx',
  'msetnx',
  'hsetnx',
  'incr',
  'incrby',
  'incrbyfloat',
  'decr',
  'decrby',
  'hincrby',
  'hincrbyfloat',
  ...[...CACHE_READ_METHODS].map((name) => name.toLowerCase()),
]);

/** The roles of the keys of the whole project (through the resolver), or of the file alone. */
export function keyRolesFor(ctx: FileContext): KeyRoles {
  return ctx.resolver?.keyRoles?.() ?? keyRolesOfFile(ctx);
}

/**
 * The roles of the keys a file's calls name, from the library sources alone (no helper followed):
 * a key set if absent or counted is a lock, a marker or a counter wherever it is deleted.
 */
export function keyRolesOfFile(ctx: FileContext): KeyRoles {
  return ctx.session.memo(FILE_ROLES, ctx, () => rolesOf(ctx));
}

function rolesOf(ctx: FileContext): KeyRoles {
  const others: ParsedPattern[] = [];
  const cached: ParsedPattern[] = [];
  const claims: ParsedPattern[] = [];
  if (mayNameCache(ctx.sourceFile.text)) {
    for (const call of ctx.nodes.calls) {
      const site = sourceCall(ctx, call);
      if (site === null || site.receiver === null || !(ROLE_CALLS.has(site.name.toLowerCase()) || isLibraryReadMethod(site.name))) continue;
      for (const effect of libraryEffects(site) ?? []) {
        if (effect.kind !== 'redis-other' && effect.kind !== 'cache-read') continue;
        if (effect.kind === 'redis-other' && effect.role === 'data') continue;
        const target = effect.kind === 'redis-other' ? others : cached;
        for (const key of effect.keys) {
          const pattern = !('expr' in key)
            ? null
            : keyPattern({ bound: { expr: key.expr, ctx, env: null }, isKey: key.isKey, prefix: key.prefix });
          if (pattern) target.push(pattern);
          if (pattern && effect.kind === 'redis-other' && effect.role === 'lock') claims.push(pattern);
        }
      }
    }
  }
  // A method a caching decorator wraps reads its key back too.
  for (const { key } of cachedMethods(ctx)) {
    const pattern = keyPattern({ bound: key, isKey: true });
    if (pattern) cached.push(pattern);
  }
  return { others, cached, claims };
}
