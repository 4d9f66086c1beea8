/**
 * Committing around the writes a store refuses (journal.ts). A batch the store refuses for what it holds
 * (a `RefusedBatchError`) fails the same way however often it is tried, and the journal retries a failed
 * batch with everything recorded after it, so one bad write would hold every later one back for good.
 * This finds the record unit(s) that cause it by committing the batch's units in order, in ranges halved
 * while they are refused: the units before a bad one are stored (a range that commits is one transaction,
 * as large as the search allows), the bad one is dropped, and the search goes on with the rest. Order
 * holds: a unit is stored only after every unit recorded before it was stored or dropped.
 */
import { RefusedBatchError } from './store.js';
import { hasWrites, type RecordUnit } from './journal-batch.js';

export interface UnitCommits {
  /** Commits these units as one batch. */
  commit(units: readonly RecordUnit[]): Promise<void>;
  /** They are stored: what waits for them may run. */
  stored(units: readonly RecordUnit[]): void;
  /** The store refuses this unit on its own, or it builds on one refused: it is never stored. */
  refused(unit: RecordUnit, error: RefusedBatchError): void;
  /** The refusal of an earlier unit this one builds on (words about an incident whose transition was lost). */
  follows(unit: RecordUnit): RefusedBatchError | undefined;
}

/**
 * Commits `units`, whose batch the store refused, around the units it refuses. Resolves with nothing once
 * every unit is stored or dropped; or, when a failure that is no refusal (the connection, the disk) stops
 * it, with that failure and the units left, which the journal retries as it retries any batch. The units
 * of one hold are searched as one: committed in one transaction, or dropped together (a crash between an
 * effect's pages and its "done" mark would perform it twice).
 */
export async function commitAroundRefused(
  units: readonly RecordUnit[],
  commits: UnitCommits,
): Promise<{ readonly left: readonly RecordUnit[]; readonly error: unknown } | undefined> {
  const pending = byHold(units);
  let start = 0;
  // pending[start, refusedEnd) is known to be refused as a batch (the whole batch was, to begin with).
  let refusedEnd = pending.length;
  let span = Math.ceil(pending.length / 2);
  while (start < pending.length) {
    const part = pending.slice(start, start + Math.max(1, span)).flat();
    const blocks = Math.min(Math.max(1, span), pending.length - start);
    try {
      await commits.commit(part);
    } catch (error) {
      if (!(error instanceof RefusedBatchError)) return { left: pending.slice(start).flat(), error };
      if (blocks > 1) {
        refusedEnd = start + blocks;
        span = Math.ceil(blocks / 2);
        continue;
      }
      const [refused] = pending.splice(start, 1);
      dropBlock(refused ?? [], error, commits);
      dropFollowers(pending, start, commits);
      refusedEnd = pending.length;
      span = pending.length - start;
      continue;
    }
    commits.stored(part);
    start += blocks;
    // The refused range's rest holds the bad unit; once past it (a refusal that went away), try the rest.
    span = (refusedEnd > start ? refusedEnd : pending.length) - start;
  }
  return undefined;
}

/** The units in order, those recorded under one hold (consecutive: the batch waits for the hold) as one block. */
function byHold(units: readonly RecordUnit[]): RecordUnit[][] {
  const blocks: RecordUnit[][] = [];
  for (const unit of units) {
    const last = blocks[blocks.length - 1];
    if (last && unit.hold !== undefined && last[0]?.hold === unit.hold) last.push(unit);
    else blocks.push([unit]);
  }
  return blocks;
}

/** Drops the blocks after a refused one that build on it, whole: a block is stored or dropped as one. */
function dropFollowers(pending: RecordUnit[][], from: number, commits: UnitCommits): void {
  for (let index = from; index < pending.length;) {
    const block = pending[index] as RecordUnit[];
    const cause = block.map((unit) => commits.follows(unit)).find((found) => found !== undefined);
    if (cause === undefined) index += 1;
    else {
      pending.splice(index, 1);
      dropBlock(block, cause, commits);
    }
  }
}

/**
 * Drops a block's writes. A unit that writes nothing only waits for what was recorded before it (the
 * outbox's hand-over, `afterCommit`): that is stored or dropped now, so its work runs, as it would alone.
 */
function dropBlock(block: readonly RecordUnit[], error: RefusedBatchError, commits: UnitCommits): void {
  for (const unit of block)
    if (hasWrites(unit.writes)) commits.refused(unit, error);
    else commits.stored([unit]);
}
