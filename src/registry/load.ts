import { resolve } from 'node:path';
import { createRegistry } from './define.js';
import type { CacheRegistry } from './define.js';
import { FileCache } from './file-cache.js';
import { validateRegistry } from './model.js';
import { fileDiagnostic, readStaticModule } from './static-module.js';
import type { RegistryDiagnostic } from './static-value.js';

export type { RegistryDiagnostic };

export interface LoadedRegistry {
  readonly file: string;
  /**
   * What could be read: a key with an invalid template or field is left out, a field that cannot
   * be read is left unset (its key stays, so that no pattern for it is reported as unknown).
   * Null when no registry object was found.
   */
  readonly registry: CacheRegistry | null;
  readonly diagnostics: readonly RegistryDiagnostic[];
  /** Where each key family is defined, for messages that point at it. */
  readonly locations: ReadonlyMap<string, { readonly line: number; readonly column: number }>;
}

const DEFINE = 'defineCacheRegistry';

const cache = new FileCache<LoadedRegistry>();

/**
 * Reads a registry file without running it: the object inside `defineCacheRegistry(…)`, an
 * exported object literal with `keys` (`as const` and `satisfies` allowed), or a JSON file, with
 * string and number constants of the same file. Anything it cannot read becomes a diagnostic with
 * its line and column; the keys it could read are kept. Results are cached until the file changes.
 */
export function loadRegistry(file: string, options: { readonly recheckMs?: number } = {}): LoadedRegistry {
  const path = resolve(file);
  try {
    return cache.get(path, () => loadUncached(path), options.recheckMs);
  } catch {
    return failure(path, `The registry file ${path} does not exist: check the \`registry\` path in the cache-audit configuration.`);
  }
}

function failure(file: string, message: string): LoadedRegistry {
  return {
    file,
    registry: null,
    diagnostics: [fileDiagnostic(file, message)],
    locations: new Map(),
  };
}

function loadUncached(file: string): LoadedRegistry {
  const read = readStaticModule(file, {
    what: 'registry',
    callee: DEFINE,
    key: 'keys',
    example: 'export const cacheKeys = defineCacheRegistry({ keys: { … } })',
  });
  if (!('root' in read)) return { file, registry: null, diagnostics: read.diagnostics, locations: new Map() };
  const { source, reader, root, value } = read;
  const { entries, prefix, issues } = validateRegistry(value);
  for (const issue of issues) {
    const node = reader.locate(root, issue.path);
    reader.report(node.getStart(source), node.getWidth(source), issue.message);
  }
  const locations = new Map<string, { line: number; column: number }>();
  for (const entry of entries) {
    const { value, property } = reader.locateProperty(root, ['keys', entry.name]);
    const node = property ?? value;
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    locations.set(entry.name, { line: line + 1, column: character + 1 });
  }
  const hasKeys = typeof value === 'object' && value !== null && 'keys' in value;
  return {
    file,
    registry: hasKeys || entries.length > 0 ? createRegistry(entries, prefix) : null,
    diagnostics: reader.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column),
    locations,
  };
}
