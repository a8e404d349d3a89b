import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { nearest } from '../analysis/checks/helpers.js';
import { configSchema } from '../analysis/options.js';
import type { CacheAuditConfig } from '../analysis/options.js';
import { FileCache, RECHECK_MS } from '../registry/file-cache.js';
import { readStaticModule } from '../registry/static-module.js';
import type { RegistryDiagnostic } from '../registry/load.js';

export const CONFIG_FILES = [
  'cache-audit.config.json',
  'cache-audit.config.ts',
  'cache-audit.config.mts',
  'cache-audit.config.js',
  'cache-audit.config.mjs',
  'cache-audit.config.cjs',
];

export interface LoadedConfig {
  /** The file it came from, or null when none was found (defaults apply). */
  readonly file: string | null;
  /** Relative paths in the configuration are relative to this directory. */
  readonly dir: string;
  readonly config: CacheAuditConfig;
  readonly diagnostics: readonly RegistryDiagnostic[];
  /** Where the file writes its `registry` path (line and column), when it does. */
  readonly registryAt?: { readonly line: number; readonly column: number };
}

/** Directory → the configuration file found from it, and when that was looked up. */
const byDirectory = new Map<string, { readonly file: string | null; readonly at: number }>();
const byFile = new FileCache<LoadedConfig>();

/** The nearest configuration file from `start` upward (a directory), cached per directory. */
export function findConfigFile(start: string): string | null {
  const dir = resolve(start);
  const cached = byDirectory.get(dir);
  // Looked up again after a while: an editor keeps running while configuration files come and go.
  if (cached !== undefined && Date.now() - cached.at < RECHECK_MS) return cached.file;
  let found: string | null = null;
  for (const name of CONFIG_FILES) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) {
      found = candidate;
      break;
    }
  }
  if (found === null) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && hasCacheAuditField(pkg)) found = pkg;
  }
  if (found === null) {
    const parent = dirname(dir);
    found = parent === dir ? null : findConfigFile(parent);
  }
  byDirectory.set(dir, { file: found, at: Date.now() });
  return found;
}

function hasCacheAuditField(pkg: string): boolean {
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { cacheAudit?: unknown }).cacheAudit !== undefined;
  } catch {
    return false;
  }
}

/** Forgets the directory lookups (a test or a watcher that creates configuration files). */
export function clearConfigCache(): void {
  byDirectory.clear();
  byFile.clear();
}

/**
 * Loads the configuration that applies to `start` (a directory), read statically and validated:
 * `options.file` when one is named (`--config`), else the one found from `start` upward.
 */
export function loadConfigFor(start: string, options: { readonly recheckMs?: number; readonly file?: string } = {}): LoadedConfig {
  if (options.file !== undefined) return loadConfigFile(resolve(options.file), options);
  const file = findConfigFile(start);
  if (file === null) return { file: null, dir: resolve(start), config: {}, diagnostics: [] };
  const loaded = loadConfigFile(file, options);
  if (!vanished.has(loaded)) return loaded;
  // Deleted since it was found (an editor keeps running): look again, as a new process would.
  byDirectory.clear();
  const again = findConfigFile(start);
  return again === null ? { file: null, dir: resolve(start), config: {}, diagnostics: [] } : loadConfigFile(again, options);
}

/** Results for configuration files that no longer exist. */
const vanished = new WeakSet<LoadedConfig>();

function loadConfigFile(file: string, options: { readonly recheckMs?: number } = {}): LoadedConfig {
  return byFile.get(file, () => readConfig(file), options.recheckMs);
}

function readConfig(file: string): LoadedConfig {
  const dir = dirname(file);
  if (!existsSync(file)) {
    const missing: LoadedConfig = {
      file,
      dir,
      config: {},
      diagnostics: [at(file, 1, 1, `The configuration file ${file} does not exist.`)],
    };
    vanished.add(missing);
    return missing;
  }
  const diagnostics: RegistryDiagnostic[] = [];
  let value: unknown;
  // Where a value is written, or with `isName` its `name: value` (an option the schema does not know).
  let locate: (path: readonly PropertyKey[], isName?: boolean) => { line: number; column: number } = () => ({ line: 1, column: 1 });
  if (file.endsWith('package.json')) {
    try {
      value = (JSON.parse(readFileSync(file, 'utf8')) as { cacheAudit?: unknown }).cacheAudit;
    } catch (error) {
      return { file, dir, config: {}, diagnostics: [at(file, 1, 1, `package.json is not valid JSON: ${(error as Error).message}.`)] };
    }
  } else {
    const read = readStaticModule(file, {
      what: 'configuration',
      callee: 'defineConfig',
      key: null,
      example: "export default { registry: './src/cache/keys.ts' }",
    });
    if (!('root' in read)) return { file, dir, config: {}, diagnostics: read.diagnostics };
    value = read.value;
    diagnostics.push(...read.reader.diagnostics);
    locate = (path, isName = false) => {
      const { value: written, property } = read.reader.locateProperty(
        read.root,
        path.map((p) => (typeof p === 'number' ? p : String(p))),
      );
      const node = isName ? (property ?? written) : written;
      const { line, character } = read.source.getLineAndCharacterOfPosition(node.getStart(read.source));
      return { line: line + 1, column: character + 1 };
    };
  }
  const parsed = configSchema().safeParse(value);
  if (parsed.success) {
    const registryAt = parsed.data.registry === undefined ? {} : { registryAt: locate(['registry']) };
    return { file, dir, config: parsed.data, diagnostics, ...registryAt };
  }
  for (const issue of parsed.error.issues) {
    // An unknown option is said where its name is written, not at the object that holds it.
    const key = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? issue.keys : [];
    const { line, column } = locate([...issue.path, ...key], key.length > 0);
    const where = issue.path.length > 0 ? `\`${issue.path.join('.')}\`: ` : '';
    diagnostics.push(at(file, line, column, `Invalid configuration: ${where}${issue.message}.${renameHint(issue)}`));
  }
  return { file, dir, config: {}, diagnostics };
}

/** Options that were renamed or are no option of the file: the name → what to do instead. */
const RENAMED: Readonly<Record<string, string>> = {
  shortTtl: 'Rename `shortTtl` to `shortTtlSeconds` (seconds; without it, no family is short-lived and every finding is an error).',
  root: 'The project directory is not an option of the file: remove `root`, and give the directory on the command line (`cache-audit <dir>` or `--root <dir>`); the paths of this file are relative to its folder.',
};

/** What to do with an unknown option: what replaced it, the option it misspells, else remove it. */
function renameHint(issue: { readonly code: string; readonly path: readonly PropertyKey[]; readonly keys?: readonly string[] }): string {
  if (issue.code !== 'unrecognized_keys') return '';
  const options = optionNames(issue.path);
  const hints = (issue.keys ?? []).map((key) => {
    const renamed = RENAMED[key];
    if (renamed !== undefined) return renamed;
    const { best, distance } = nearest(key, options);
    if (best !== null && distance <= Math.max(2, Math.floor(key.length / 3))) return `Did you mean \`${best}\`?`;
    return `Remove \`${key}\`: the options here are ${options.map((o) => `\`${o}\``).join(', ')}.`;
  });
  return ` ${hints.join(' ')}`;
}

/** The options the configuration's schema knows at a path (`rules`: the rules that take options). */
function optionNames(path: readonly PropertyKey[]): string[] {
  let schema: unknown = configSchema();
  for (const key of path) schema = shapeOf(schema)[String(key)];
  return Object.keys(shapeOf(schema)).filter((name) => name !== '$schema');
}

function shapeOf(schema: unknown): Record<string, unknown> {
  let inner = schema;
  while (inner !== null && typeof inner === 'object' && 'unwrap' in inner && typeof inner.unwrap === 'function')
    inner = (inner.unwrap as () => unknown).call(inner);
  return inner !== null && typeof inner === 'object' && 'shape' in inner ? (inner.shape as Record<string, unknown>) : {};
}

/**
 * The registry path of a configuration file where no file is, said where the path is written (not
 * at a file that is not there), or null.
 */
export function missingRegistry(config: LoadedConfig): RegistryDiagnostic | null {
  const { registry } = config.config;
  if (!registry || config.file === null || existsSync(resolve(config.dir, registry))) return null;
  const { line, column } = config.registryAt ?? { line: 1, column: 1 };
  return at(
    config.file,
    line,
    column,
    `\`registry\`: no file at '${registry}' (relative to the folder of this configuration): check the path.`,
  );
}

function at(file: string, line: number, column: number, message: string): RegistryDiagnostic {
  return { file, line, column, endLine: line, endColumn: column, message };
}
