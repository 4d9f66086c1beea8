/**
 * What the journal (journal.ts) keeps about the writes the store refused for what they held: the units it
 * dropped, the incidents they wrote about (what is recorded about those later builds on a write that was
 * never stored, so it is dropped too, never said), and who must hear of each drop.
 */
import type { Clock } from './clock.js';
import { errorMessage } from './error-message.js';
import { describeUnit, type RecordUnit, type Writes } from './journal-batch.js';
import type { Logger } from './logger.js';
import type { RefusedBatchError } from './store.js';

/** Writes the store refused and the journal dropped since start: how many, and the latest. */
export interface RefusedWrites {
  readonly count: number;
  readonly lastAt: number;
  readonly lastReason: string;
}

/** A unit the store refused, for those who must know (the incident service quarantines its incidents). */
export interface RefusedUnit {
  readonly reason: string;
  readonly writes: Writes;
  /** The incidents it wrote about that no unit refused before did. */
  readonly incidents: readonly number[];
}

export class JournalRefusals {
  tally: RefusedWrites | undefined;
  /** Incidents a refused unit wrote about, and why. Empty nearly always. */
  private readonly incidents = new Map<number, RefusedBatchError>();
  private readonly listeners: Array<(refused: RefusedUnit) => void> = [];

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  listen(listener: (refused: RefusedUnit) => void): void {
    this.listeners.push(listener);
  }

  /** The refusal of an earlier unit this one builds on (words about an incident whose transition was lost). */
  follows(unit: RecordUnit): RefusedBatchError | undefined {
    if (this.incidents.size === 0) return undefined;
    for (const incident of describeUnit(unit.writes).incidents) {
      const cause = this.incidents.get(incident);
      if (cause) return cause;
    }
    return undefined;
  }

  /** Nothing of the unit is stored, so nothing of it may be said: its `after` never runs. */
  drop(unit: RecordUnit, error: RefusedBatchError): void {
    const reason = errorMessage(error);
    const { sections, incidents } = describeUnit(unit.writes);
    const newlyRefused = incidents.filter((incident) => !this.incidents.has(incident));
    for (const incident of newlyRefused) this.incidents.set(incident, error);
    this.tally = { count: (this.tally?.count ?? 0) + 1, lastAt: this.clock.now(), lastReason: reason };
    // The reason and the sections, not the rows: they may hold secrets (an adapter's token in the state).
    this.logger.error(
      { reason, sections, incidents },
      `the store refuses a write for what it holds (${reason}); it is dropped, so the writes after it are ` +
        'stored, and nothing of it is said',
    );
    const tell = (what: string, work: () => void): void => {
      try {
        work();
      } catch (failure) {
        this.logger.error({ err: failure }, `${what} failed`);
      }
    };
    if (unit.refused) tell('work after a refused write', () => unit.refused?.(reason));
    for (const listener of this.listeners)
      tell('a listener of refused writes', () =>
        listener({ reason, writes: unit.writes, incidents: newlyRefused }),
      );
  }
}
