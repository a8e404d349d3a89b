import { readFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import type { TS } from '../ts/syntax.js';
import { ProjectResolver } from './project-resolver.js';
import type { ScanCache } from './scan-cache.js';
import { resolutionHost } from './scan-extract.js';
import type { ScanSetup } from './scan-load.js';
import type { ScanOptions } from './scan.js';
import { importSpecifiers } from './relevance.js';

/**
 * The files a change reaches (`--staged`): the changed files, every project file they import,
 * transitively (by the import lists, without parsing), and the files that import a changed file,
 * directly or through other importers up to `IMPORTER_DEPTH` (a controller's module, the
 * application module that registers global interceptors). An importer's own imports are not
 * followed: they are the rest of the project.
 */
const IMPORTER_DEPTH = 3;

/**
 * The scope of a scan that follows the change, or null when it must be the whole project: a
 * changed registry is audited against every invalidation of the project.
 */
export function changeScope(ts: TS, setup: ScanSetup, options: ScanOptions, cache: ScanCache | null): string[] | null {
  const changed = [...(options.onlyFiles ?? [])];
  if (setup.registryFile !== null && changed.includes(setup.registryFile)) return null;
  const candidates = new Set(setup.listed.files);
  const resolver = new ProjectResolver(ts, setup.listed, resolutionHost(ts, setup.listed.files), () => undefined);
  const texts = new Texts(options, cache);
  const resolved = (file: string, specifiers: readonly string[]): string[] =>
    specifiers.map((s) => resolver.modulePath(s, file)).filter((p): p is string => p !== null && candidates.has(p));

  const scope = new Set(changed.filter((file) => candidates.has(file)));
  // What the changed files import, transitively.
  const queue = [...scope];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const target of resolved(file, texts.imports(file))) {
      if (scope.has(target)) continue;
      scope.add(target);
      queue.push(target);
    }
  }
  // Who imports them.
  let targets = changed.filter((file) => candidates.has(file));
  for (let depth = 0; depth < IMPORTER_DEPTH && targets.length > 0; depth++) {
    const stems = new Set(targets.map(stemOf));
    const wanted = new Set(targets);
    const next: string[] = [];
    for (const file of candidates) {
      if (wanted.has(file) || !texts.mayImport(file, stems)) continue;
      if (resolved(file, texts.imports(file)).some((target) => wanted.has(target))) {
        if (!scope.has(file)) next.push(file);
        scope.add(file);
      }
    }
    targets = next;
  }
  const audited = new Set(setup.files);
  return [...scope].filter((file) => audited.has(file)).sort();
}

/** The name an import of a file ends with: `users.controller` for `users.controller.ts`, the directory for an index. */
function stemOf(file: string): string {
  const stem = basename(file, extname(file));
  return stem === 'index' ? basename(dirname(file)) : stem;
}

/** File texts and import lists, from the cache when the file is unchanged. */
class Texts {
  private readonly importLists = new Map<string, readonly string[]>();

  constructor(
    private readonly options: ScanOptions,
    private readonly cache: ScanCache | null,
  ) {}

  private bytes(file: string): Buffer | null {
    try {
      return this.options.readFile?.(file) ?? readFileSync(file);
    } catch {
      return null;
    }
  }

  /** The cached import list of an unchanged file, else null. */
  private cached(file: string): readonly string[] | null {
    const known = this.importLists.get(file);
    if (known) return known;
    if (!this.cache) return null;
    const staged = this.options.readFile?.(file);
    const entry = this.cache.entry(file, staged);
    return entry?.imports ?? null;
  }

  imports(file: string): readonly string[] {
    const known = this.cached(file);
    if (known) return known;
    const bytes = this.bytes(file);
    if (!bytes) return [];
    // Only the imports are kept: whether the file is relevant is the reader's to say, with the
    // diagnostics of a file that cannot be audited (binary, too large, not UTF-8).
    const imports = importSpecifiers(bytes.toString('utf8'));
    this.importLists.set(file, imports);
    const entry = this.cache?.entry(file, this.options.readFile?.(file));
    if (entry) this.cache?.remember(file, entry.hash, { ...this.cache.verdict(file, entry.hash), imports }, entry.size, entry.mtimeMs);
    return imports;
  }

  /** Whether a file may import one of these stems: by its cached import list, else by its text. */
  mayImport(file: string, stems: ReadonlySet<string>): boolean {
    const cached = this.cached(file);
    if (cached) return cached.some((specifier) => stems.has(lastSegment(specifier)));
    const text = this.bytes(file)?.toString('utf8') ?? '';
    for (const stem of stems) if (text.includes(stem)) return true;
    return false;
  }
}

function lastSegment(specifier: string): string {
  const segment = specifier.slice(specifier.lastIndexOf('/') + 1);
  return segment.replace(/\.[cm]?[jt]sx?$/, '');
}
