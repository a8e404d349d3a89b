import { relative, resolve } from 'node:path';
import { typescript } from '../ts/typescript.js';
import { loadConfigFor, missingRegistry } from '../config/load-config.js';
import type { LoadedConfig } from '../config/load-config.js';
import { loadRegistry } from '../registry/load.js';
import type { LoadedRegistry } from '../registry/load.js';
import { findTsconfigs, tsconfigError } from '../project/files.js';
import { UsageError } from './errors.js';
import { withShownPaths } from './io.js';

interface Located {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const NO_CONFIGURATION = (root: string): string =>
  `No cache-audit configuration found in '${root}' or above: add cache-audit.config.json with { "registry": "src/cache/keys.ts" }.`;

/**
 * Throws a `UsageError` (exit 2): one line per file, `file:line:column: message`, the first
 * problem of each (a syntax error is often followed by others it causes).
 */
function fail(problems: readonly Located[], cwd: string): never {
  const byFile = new Map<string, Located[]>();
  for (const problem of problems) byFile.set(problem.file, [...(byFile.get(problem.file) ?? []), problem]);
  const lines = [...byFile.values()].map(([first, ...rest]) => {
    const p = first as Located;
    const more = rest.length > 0 ? ` (and ${String(rest.length)} more in this file)` : '';
    return `${relative(cwd, p.file) || p.file}:${String(p.line)}:${String(p.column)}: ${withShownPaths(p.message, cwd)}${more}`;
  });
  throw new UsageError(lines.join('\ncache-audit: '));
}

/** The configuration of `root` (or the file named), which must exist and be valid. */
export function requireConfig(root: string, cwd: string, configFile?: string): LoadedConfig & { readonly file: string } {
  const loaded = loadConfigFor(root, { recheckMs: 0, file: configFile });
  if (loaded.file === null) throw new UsageError(NO_CONFIGURATION(root));
  if (loaded.diagnostics.length > 0) fail(loaded.diagnostics, cwd);
  return { ...loaded, file: loaded.file };
}

/** The registry the configuration names (null when it names none), which must load without a problem. */
export function requireRegistry(config: LoadedConfig, cwd: string): LoadedRegistry | null {
  const { registry } = config.config;
  if (!registry) return null;
  const missing = missingRegistry(config);
  if (missing) fail([missing], cwd);
  const loaded = loadRegistry(resolve(config.dir, registry), { recheckMs: 0 });
  if (loaded.registry === null || loaded.diagnostics.length > 0) fail(loaded.diagnostics, cwd);
  return loaded;
}

/**
 * Everything an audit needs before it starts, so that a broken setup fails (exit 2) instead of
 * passing green with the checks off: the configuration (when there is one), the registry it
 * names, the tsconfig(s).
 */
export function checkSetup(root: string, tsconfig: string | undefined, cwd: string, configFile?: string): void {
  // No configuration at all is fine (the defaults apply); a configuration that is there must be valid.
  const loaded = loadConfigFor(root, { recheckMs: 0, file: configFile });
  if (loaded.file !== null) requireRegistry(requireConfig(root, cwd, configFile), cwd);
  const ts = typescript();
  const tsconfigs = tsconfig ? [resolve(root, tsconfig)] : findTsconfigs(root);
  const problems = tsconfigs.map((file) => tsconfigError(ts, file)).filter((p) => p !== null);
  if (problems.length > 0) fail(problems, cwd);
}
