import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { clearConfigCache, loadConfigFor } from '../config/load-config.js';
import { draftRegistry, sitesText } from '../scanner/pipeline/inferred-registry.js';
import type { DraftEntry } from '../scanner/pipeline/inferred-registry.js';
import { scan } from '../scanner/scan.js';
import { UsageError } from './errors.js';
import { requireConfig } from './setup.js';
import type { CliIo } from './io.js';

const quote = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** One entry of the written registry: a comment saying where the code reads and fills it, then the entry. */
function entryText(draft: DraftEntry): string {
  const { family } = draft;
  const filled = family.fills.length > 0 ? `filled at ${sitesText(family.fills, 3)}` : 'no fill seen';
  const loaded = family.models.length > 0 ? '' : '; no model read seen in its loader';
  const ttls = [...new Set(family.fills.map((f) => f.ttl))];
  const ttlNote =
    family.ttl !== null && ttls.length > 1 ? `; ttls ${ttls.map((t) => (t === null ? 'unknown' : `${String(t)} s`)).join(', ')}` : '';
  const fields = [
    `template: ${quote(draft.template)}`,
    ...(family.ttl === null ? [] : [`ttl: ${String(family.ttl)}`]),
    `dependsOn: [${family.models.map(quote).join(', ')}]`,
  ];
  return `    // Read at ${sitesText(family.reads, 3)}; ${filled}${ttlNote}${loaded}.\n    ${draft.name}: { ${fields.join(', ')} },`;
}

/** The registry module `init` writes: the same format as a hand-written one. */
function registryModule(drafts: readonly DraftEntry[]): string {
  return `import { defineCacheRegistry } from '@cache-audit/runtime';

/**
 * The cache keys of the application, inferred from the code by \`cache-audit init\`: templates,
 * ttls, and the models each key is loaded from. Review the names and templates, then keep it
 * up to date by hand (\`cache-audit registry\` shows what the code says beside it).
 */
export const cacheKeys = defineCacheRegistry({
  keys: {
${drafts.length > 0 ? drafts.map(entryText).join('\n') : '    // No cached read found in the code: add the keys the application caches.'}
  },
});
`;
}

/** Where the registry goes: the file the configuration names, else src/cache/keys.ts (or cache-keys.ts without src/). */
function registryPathOf(dir: string, config: { file: string | null; dir: string; registry?: string }): string {
  if (config.file && config.registry) return resolve(config.dir, config.registry);
  return existsSync(join(dir, 'src')) ? join(dir, 'src', 'cache', 'keys.ts') : join(dir, 'cache-keys.ts');
}

/**
 * `cache-audit init`: writes the registry the code implies (families read through the cache,
 * their templates, ttls and the models their loaders read; never a lock, a counter or a marker)
 * and a configuration naming it. Overwrites nothing without `force`; exit 2 when it would.
 */
export async function initProject(dir: string, options: { readonly force: boolean }, io: CliIo): Promise<number> {
  const shown = (path: string): string => relative(io.cwd, path) || path;
  clearConfigCache();
  const loaded = loadConfigFor(dir, { recheckMs: 0 });
  // A configuration that cannot be read is said as the audit says it (exit 2, file:line), not rewritten.
  if (loaded.file !== null) requireConfig(dir, io.cwd);
  // A configuration of this directory is changed (with --force); one further up is left alone.
  const localConfig = loaded.file !== null && dirname(loaded.file) === resolve(dir) ? loaded.file : null;
  const config = { file: localConfig, dir: loaded.dir, registry: localConfig ? loaded.config.registry : undefined };
  const registryPath = registryPathOf(dir, config);
  const existing = [registryPath, ...(localConfig && !config.registry ? [localConfig] : [])].filter((path) => existsSync(path));
  if (existing.length > 0 && !options.force) {
    throw new UsageError(
      `${existing.map(shown).join(' and ')} ${existing.length > 1 ? 'exist' : 'exists'} already: run cache-audit init --force to overwrite.`,
    );
  }
  const result = await scan({ root: dir });
  const drafts = draftRegistry(result.families);
  mkdirSync(dirname(registryPath), { recursive: true });
  writeFileSync(registryPath, registryModule(drafts));
  const registryRef = relative(config.file ? config.dir : dir, registryPath)
    .split('\\')
    .join('/');
  const configPath = writeConfig(dir, localConfig, config.registry, registryRef);
  const withTtl = drafts.filter((d) => d.family.ttl !== null).length;
  const withModels = drafts.filter((d) => d.family.models.length > 0).length;
  io.stdout.write(
    `Wrote ${[shown(registryPath), ...(configPath ? [shown(configPath)] : [])].join(' and ')}: ${String(drafts.length)} key ${drafts.length === 1 ? 'family' : 'families'} inferred from the code (${String(withTtl)} with a ttl, ${String(withModels)} with the models they are loaded from). Review the registry, then run cache-audit.\n`,
  );
  if (localConfig && !configPath && !config.registry)
    io.stdout.write(`Set "registry": "${registryRef}" in ${shown(localConfig)} to have the audit read it.\n`);
  return 0;
}

/** The configuration naming the registry: a new cache-audit.config.json, or `registry` set in an existing JSON one; null when none is written. */
function writeConfig(dir: string, existing: string | null, named: string | undefined, registryRef: string): string | null {
  if (existing === null) {
    const path = join(dir, 'cache-audit.config.json');
    writeFileSync(
      path,
      `${JSON.stringify({ $schema: './node_modules/cache-audit/schema/config.schema.json', registry: registryRef }, null, 2)}\n`,
    );
    return path;
  }
  if (named || !existing.endsWith('.json') || existing.endsWith('package.json')) return null;
  const json = JSON.parse(readFileSync(existing, 'utf8')) as Record<string, unknown>;
  writeFileSync(existing, `${JSON.stringify({ ...json, registry: registryRef }, null, 2)}\n`);
  return existing;
}
