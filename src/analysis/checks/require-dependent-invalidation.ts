import { basename } from 'node:path';
import { covers, patternsOverlap } from '../../patterns/operations.js';
import { parsePattern } from '../../patterns/parse.js';
import type { ParsedPattern } from '../../patterns/parse.js';
import type { CheckInput, Report } from '../checks.js';
import type { CacheFamily, ModelRead, ModelWrite, RouteHandler } from '../facts.js';
import { canChange } from '../sources/operations.js';
import {
  handlerResources,
  familyPattern,
  decoratorSuggestion,
  isFullyKnown,
  handlerPatterns,
  isReadOnlyRoute,
  exceptionText,
  resolvePattern,
} from './helpers.js';

/** A family whose ttl is at most this many seconds is reported as a warning: the team chose short staleness. */
const DEFAULT_SHORT_TTL = 60;

export function check(input: CheckInput, report: Report): void {
  if (input.registry) checkRegistry(input, report);
  else checkInferred(input, report);
}

function shortTtl(input: CheckInput): number {
  return input.ruleOptions?.['require-dependent-invalidation']?.shortTtl ?? DEFAULT_SHORT_TTL;
}

function isJudged(handler: RouteHandler, input: CheckInput): boolean {
  return handler.isMutation && !handler.exception && !isReadOnlyRoute(handler, input.options);
}

/** With a registry: its `dependsOn` is the authority; a handler must cover every family of the resources it changes. */
function checkRegistry(input: CheckInput, report: Report): void {
  const { facts, registry, options } = input;
  if (!registry) return;
  for (const handler of facts.handlers) {
    if (!isJudged(handler, input)) continue;
    if (handler.invalidations.length === 0 || !isFullyKnown(handler, registry)) continue;
    const patterns = handlerPatterns(handler, registry);
    const reported = new Set<string>();
    for (const resource of handlerResources(handler, registry, options, facts.file)) {
      for (const entry of registry.dependentsOf(resource)) {
        if (reported.has(entry.name)) continue;
        if (patterns.some(({ pattern }) => covers(pattern, entry.parsed))) continue;
        reported.add(entry.name);
        const pattern = familyPattern(entry);
        report(
          'missing',
          handler.nameRange,
          { handler: handler.name, resource, key: entry.name, template: entry.template, pattern },
          decoratorSuggestion(input, handler, [pattern], 'addPattern', { pattern }),
          entry.ttl !== undefined && entry.ttl <= shortTtl(input),
        );
      }
    }
  }
}

/** The families of one key, read in several places: their loads, reads and fills together. */
interface KeyFamily {
  readonly key: string;
  readonly pattern: ParsedPattern;
  readonly loads: ModelRead[];
  readonly reads: CacheFamily[];
  /** Null when some fill gives no expiry that can be read. */
  ttl: number | null;
}

function byKey(families: readonly CacheFamily[]): KeyFamily[] {
  const result = new Map<string, KeyFamily>();
  for (const family of families) {
    let entry = result.get(family.key);
    if (!entry) {
      const pattern = parsePattern(family.key);
      if (pattern.errors.length > 0) continue;
      entry = { key: family.key, pattern, loads: [], reads: [], ttl: family.ttl };
      result.set(family.key, entry);
    }
    entry.loads.push(...family.loads);
    entry.reads.push(family);
    entry.ttl = entry.ttl === null || family.ttl === null ? null : Math.max(entry.ttl, family.ttl);
  }
  return [...result.values()];
}

/**
 * Whether the handler's invalidations can all be read, so that a family it does not reach is
 * known to be left alone: a call that cannot be followed, a pattern that cannot be read, or a
 * Next.js tag (another cache, which a tag of the family's name may stand for) leaves it unjudged.
 */
function isReadable(handler: RouteHandler): boolean {
  const hasDeclared = handler.invalidations.some((i) => i.via !== 'call');
  if (handler.opaqueCalls.length > 0 && !hasDeclared) return false;
  return handler.invalidations.every(
    (i) => (i.kind === 'pattern' || i.kind === 'key') && i.patterns.length > 0 && i.patterns.every((p) => resolvePattern(p, null) !== null),
  );
}

/**
 * The first write of the handler that can change what the family's loader reads, with that read:
 * a write on every path of the functions it calls before one on a branch of a helper.
 */
function reason(writes: readonly ModelWrite[], loads: readonly ModelRead[]): { write: ModelWrite; read: ModelRead } | null {
  const ordered = [...writes.filter((w) => !w.isOnHelperBranch), ...writes.filter((w) => w.isOnHelperBranch)];
  for (const write of ordered) {
    for (const read of loads) if (read.model === write.model && canChange(write, read)) return { write, read };
  }
  return null;
}

/**
 * Without a registry: the families are those the code reads through the cache, each depending on
 * the models its loader reads. A mutation that writes such a model, in a way that can change what
 * the loader returns, and invalidates no key of the family, leaves it stale.
 */
function checkInferred(input: CheckInput, report: Report): void {
  const { facts } = input;
  const families = byKey(input.families ?? facts.families).filter((f) => f.loads.length > 0);
  if (families.length === 0) return;
  const bound = shortTtl(input);
  for (const handler of facts.handlers) {
    if (!isJudged(handler, input) || handler.writes.length === 0 || !isReadable(handler)) continue;
    const patterns = handlerPatterns(handler, null).map((p) => p.pattern);
    for (const family of families) {
      const found = reason(handler.writes, family.loads);
      if (!found) continue;
      if (patterns.some((pattern) => patternsOverlap(pattern, family.pattern))) continue;
      const read = family.reads[0];
      const fill = family.reads.flatMap((r) => r.fills)[0];
      const data = {
        handler: handler.name,
        model: found.write.model,
        change: found.write.change,
        family: family.key,
        read: read ? locate(input, read.file, read.range.start) : '?',
        fill: fill ? `, filled at ${locate(input, fill.file, fill.range.start)}` : '',
        lookup: found.read.row
          ? `its row where ${found.read.row.field} is '${found.read.row.value}'`
          : found.read.lookup === 'point'
            ? 'looked up by key'
            : 'a list, count or aggregate',
        ttl: family.ttl === null ? '' : ` for up to its ${String(family.ttl)} s ttl`,
        exception: exceptionText(handler),
      };
      // A write on a branch of a shared helper may never happen for this handler: a warning, not a proof.
      const isShort = family.ttl !== null && family.ttl <= bound;
      report('missingFamily', handler.nameRange, data, [], isShort || found.write.isOnHelperBranch === true);
    }
  }
}

/** A place as a message names it: file and line. */
function locate(input: CheckInput, file: string, offset: number): string {
  if (input.locate) return input.locate(file, offset);
  if (file !== input.facts.file) return basename(file);
  const line = input.text.slice(0, offset).split('\n').length;
  return `${basename(file)}:${String(line)}`;
}
