/**
 * Committing around the writes a store refuses (journal.ts). A batch the store refuses for what it holds
 * (a `RefusedBatchError`) fails the same way however often it is tried, and the journal retries a failed
 * batch with everything recorded after it, so one bad write would hold every later one back for good.
 * This finds the record unit(s) that cause it by committing the batch's units in order, in ranges halved
 * while they are refused: the units before a bad one are stored (a range that commits is one transaction,
 * as large as the search allows), the bad one is dropped, and the search goes on with the rest. Order
 * holds: a unit is stored only after every unit recorded before it was stored or dropped.
 *
 * The units of one hold (an effect's pages and its "done" mark) may land in two transactions here, so a
 * crash between them would perform that effect again (a page twice, as the IRC rule allows after a
 * crash). Searching a hold as one unit would be the other choice, but the journal cannot tell which of
 * overlapping holds a write belongs to, so it would drop, and quarantine, other people's work recorded
 * meanwhile for one bad write: a wider harm than a repeat that needs a crash within the search.
 */
import { RefusedBatchError } from './store.js';
import type { RecordUnit } from './journal-batch.js';

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
 * it, with that failure and the units left, which the journal retries as it retries any batch.
 */
export async function commitAroundRefused(
  units: readonly RecordUnit[],
  commits: UnitCommits,
): Promise<{ readonly left: readonly RecordUnit[]; readonly error: unknown } | undefined> {
  const pending = [...units];
  let start = 0;
  // pending[start, refusedEnd) is known to be refused as a batch (the whole batch was, to begin with).
  let refusedEnd = pending.length;
  let span = Math.ceil(pending.length / 2);
  while (start < pending.length) {
    const part = pending.slice(start, start + Math.max(1, span));
    try {
      await commits.commit(part);
    } catch (error) {
      if (!(error instanceof RefusedBatchError)) return { left: pending.slice(start), error };
      if (part.length > 1) {
        refusedEnd = start + part.length;
        span = Math.ceil(part.length / 2);
        continue;
      }
      pending.splice(start, 1);
      commits.refused(part[0] as RecordUnit, error);
      dropFollowers(pending, start, commits);
      refusedEnd = pending.length;
      span = pending.length - start;
      continue;
    }
    commits.stored(part);
    start += part.length;
    // The refused range's rest holds the bad unit; once past it (a refusal that went away), try the rest.
    span = (refusedEnd > start ? refusedEnd : pending.length) - start;
  }
  return undefined;
}

function dropFollowers(pending: RecordUnit[], from: number, commits: UnitCommits): void {
  for (let index = from; index < pending.length;) {
    const unit = pending[index] as RecordUnit;
    const cause = commits.follows(unit);
    if (cause === undefined) index += 1;
    else {
      pending.splice(index, 1);
      commits.refused(unit, cause);
    }
  }
}
