/**
 * Which write of a handler stales which read of a cached entry: the pairs the stale-family check
 * reports, each with the path facts that say whether the handler clears the entry on the write's
 * path.
 */
import type { Invalidation, ModelRead, ModelWrite } from '../facts.js';
import { exclusiveWith, runsOnlySometimes } from '../effects/paths.js';
import { canChange, isExistenceCheck, isOnlyMaybeFound } from '../sources/operations.js';

/**
 * The reads whose rows an entry holds. An id-only lookup of a row beside reads of other models
 * (`organization.findUnique({ select: { id: true } })` before an organization's billing is made)
 * only decides whether those run: a guard, whose row the entry does not hold. Deleting that row
 * leaves only the entry of the id that is gone, not data of a live row. An entry that holds
 * nothing but such a lookup holds the answer itself (`post:{id}` of `select: { id: true }`).
 */
export function heldLoads(loads: readonly ModelRead[]): ModelRead[] {
  const held = loads.filter((read) => !isExistenceCheck(read));
  return held.length === 0
    ? [...loads]
    : [...held, ...loads.filter((read) => isExistenceCheck(read) && held.some((h) => h.model === read.model))];
}

/** Writes on every path of the functions the handler calls before those on a branch of a helper. */
export function ordered(writes: readonly ModelWrite[]): ModelWrite[] {
  return [...writes.filter((w) => !w.isOnHelperBranch), ...writes.filter((w) => w.isOnHelperBranch)];
}

/** A write that can change what a family's loader reads, with that read, made on a path that does not clear the family. */
export interface StaleWrite {
  readonly write: ModelWrite;
  readonly read: ModelRead;
  /** The family is cleared, only on other paths (a sibling branch): here. */
  readonly clearedElsewhere: Invalidation | null;
}

/**
 * The writes of the handler that can change what the family's loader reads, each with that read,
 * on a path that clears the family nowhere: none of `clearing` runs, or each of them runs on
 * another branch than the write (at least one under another arm of a branch the write is under,
 * the others only on some of the write's paths, as in a loop over other rows). The pairs whose
 * write surely reaches what the read holds go before those where it only may (a create beside the
 * first row a filter finds, see `isOnlyMaybeFound`), each in the order of the writes.
 */
export function staleWrites(writes: readonly ModelWrite[], loads: readonly ModelRead[], clearing: readonly Invalidation[]): StaleWrite[] {
  const proving: StaleWrite[] = [];
  const maybe: StaleWrite[] = [];
  for (const write of ordered(writes)) {
    const arms = write.arms ?? [];
    const isApart = exclusiveWith(arms);
    const apart = clearing.map((c) => isApart(c.arms ?? []));
    const elsewhere = clearing.find((_, i) => apart[i]);
    const isCleared = clearing.length > 0 && (!elsewhere || !clearing.every((c, i) => apart[i] || runsOnlySometimes(c.arms ?? [], arms)));
    if (isCleared) continue;
    for (const read of loads) {
      if (read.model !== write.model || !canChange(write, read)) continue;
      (isOnlyMaybeFound(write, read) ? maybe : proving).push({ write, read, clearedElsewhere: elsewhere ?? null });
    }
  }
  return [...proving, ...maybe];
}

/**
 * Whether a pair only may leave stale the entries of a memoizer's cached function, whose value goes
 * to callers the audit does not read. An update proves it where the code names the fields it writes
 * and the fields the loader uses of the row, and they meet: beside a loader that hands on the row
 * whole, the callers may never use the fields written (`deleteAt`). A delete proves it where the
 * loader hands on the row: one that makes its value from some of the row's fields (a site's address
 * to query another service) keeps a value that was right when made, now out of the row's reach.
 */
export function isUnprovedOnMemoized({ write, read }: StaleWrite): boolean {
  if (write.change === 'update') return write.fields === null || read.fields === null;
  return write.change === 'delete' && write.cascade === undefined && read.hasFieldsByUse === true;
}

/**
 * Whether the write names none of the fields a list's filter holds (`isBlueprint: true` in the
 * read; an update of other fields, a create that leaves the field to its default, a delete, which
 * says nothing of the row's fields): the row may not be in the list at all, and the write does not
 * say it moves in or was there. A list filtered in a way not read may not hold any row written.
 */
function isOutsideFilter({ write, read }: StaleWrite): boolean {
  const pinned = read.pinned ?? [];
  if (read.lookup === 'list' && read.hasUnreadFilter === true && write.change !== 'upsert') return true;
  if (read.lookup !== 'list' || pinned.length === 0) return false;
  if (write.change === 'delete') return true;
  return (
    (write.change === 'update' || write.change === 'create') &&
    write.fields !== null &&
    !write.fields.some((field) => pinned.includes(field))
  );
}

/** What of a family bears on whether a pair proves it stale: its expiry, whether a memoizer fills it, and whether every finding of it is mild. */
export interface FamilyTerms {
  readonly ttl: number | null;
  readonly isMemoized: boolean;
  /** Short-lived by the team's choice, filled from a mutation's input, or judged past code not followed. */
  readonly isMild: boolean;
}

/**
 * Whether a pair only may leave the family stale (a warning). A write (or the loader's read) on a
 * branch of a shared helper may never happen for this handler, and an update of a row a filtered
 * list may not hold may leave the list alone. A write on a branch the handler's invalidation is not
 * on is seen in syntax alone (branches may join in a loop). A relation's join rows change what a
 * read returns only where it loads the relation, which its options may not say. A schema's cascade
 * (not the code) proves a stale entry only where the entry never expires. A row created in a
 * relation a family loads may belong to a parent no entry holds.
 */
export function isMildPair(found: StaleWrite, family: FamilyTerms): boolean {
  return (
    family.isMild ||
    (found.write.cascade !== undefined && family.ttl !== null) ||
    found.write.isOnHelperBranch === true ||
    found.write.relation !== undefined ||
    found.read.isOnHelperBranch === true ||
    isOutsideFilter(found) ||
    isOnlyMaybeFound(found.write, found.read) ||
    (found.read.isRelated === true && found.write.change === 'create') ||
    found.clearedElsewhere !== null ||
    (family.isMemoized && isUnprovedOnMemoized(found))
  );
}

/** The pair a finding names: the first with no reason to be a warning (see `isMildPair`), else the first. */
export function strongestPair(pairs: readonly StaleWrite[], family: FamilyTerms): StaleWrite | null {
  return pairs.find((pair) => !isMildPair(pair, family)) ?? pairs[0] ?? null;
}
