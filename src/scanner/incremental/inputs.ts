import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_FILES } from '../../config/load-config.js';
import type { ScanSetup } from '../pipeline/load.js';
import { hashOf } from './cache-files.js';
import type { ScanCache } from './store.js';

// What a kept result and the kept summaries depend on besides the sources: the settings of the run.

/** The key of what per-file verdicts depend on: the configuration and the registry's content. */
export function settingsKey(setup: ScanSetup, cache: ScanCache): string {
  const registry = setup.registryFile ? (cache.entry(setup.registryFile)?.hash ?? 'unreadable') : null;
  return hashOf(JSON.stringify({ config: setup.config, registry }));
}

/** Files besides the sources whose content changes a result. */
export function settingFiles(setup: ScanSetup): string[] {
  const { root } = setup;
  const files = [
    join(root, 'package.json'),
    ...[...setup.listed.workspaces.values()].map((dir) => join(dir, 'package.json')),
    ...setup.listed.tsconfigs.map((file) => resolve(root, file)),
  ];
  if (setup.configFile !== null) files.push(resolve(root, setup.configFile));
  if (setup.registryFile !== null) files.push(setup.registryFile);
  return files.filter((file) => existsSync(file));
}

/**
 * The files consulted on the way up to the configuration in use (all the way up when there is
 * none): those that would have been found first must stay absent, a package.json there must keep
 * its content (a `cacheAudit` field added to it would be found).
 */
export function lookedUp(setup: ScanSetup): { absent: string[]; present: string[] } {
  const absent: string[] = [];
  const present: string[] = [];
  const found = setup.configFile === null ? null : resolve(setup.root, setup.configFile);
  for (let dir = setup.root; ; dir = dirname(dir)) {
    for (const name of [...CONFIG_FILES, 'package.json']) {
      const file = join(dir, name);
      if (file === found) return { absent, present };
      (existsSync(file) ? present : absent).push(file);
    }
    if (dirname(dir) === dir) return { absent, present };
  }
}
