/**
 * The intake's row per alert group key (and per storm incident): which incident it has, how many alerts
 * fire, a pending close. Kept in the journaled key-value store, committed with the transitions it goes
 * with, and forgotten once its incident is over and the row is past its retention.
 */
import type { Clock } from '../clock.js';
import type { JournaledKeyValues } from '../key-values.js';

const NAMESPACE = 'intake';

/**
 * How long an alert group's row outlives its incident: a month, like the outbox rows of non-incident
 * messages. A group that fires after that declares a new incident, as it would anyway once closed.
 */
export const INTAKE_RETENTION_MS = 30 * 24 * 3_600_000;

export interface KeyState {
  readonly incident: number;
  readonly group: string;
  readonly firing: number;
  /** Which alerts fire (the source's digest), when it says. */
  readonly firingSet?: string;
  /** When the pending close is due (monitoring said resolved). */
  readonly closeAt?: number;
  readonly closedBy?: string;
  /** A holder was asked to confirm the resolution already. */
  readonly asked?: boolean;
  /** The key is one alert group of a storm incident, which other keys share. */
  readonly member?: boolean;
  /** When the row was last written (its retention counts from there once the incident is over). */
  readonly at?: number;
}

export class IntakeRows {
  constructor(
    private readonly keyValues: JournaledKeyValues,
    private readonly clock: Clock,
  ) {}

  get(key: string): KeyState | undefined {
    const value = this.keyValues.get(NAMESPACE, key);
    return value === undefined ? undefined : parse(value);
  }

  save(key: string, state: KeyState): void {
    this.keyValues.set(NAMESPACE, key, JSON.stringify({ ...state, at: this.clock.now() }));
  }

  entries(): Array<[key: string, state: KeyState]> {
    return this.keyValues.entries(NAMESPACE).flatMap(([key, value]) => {
      const state = parse(value);
      return state ? [[key, state] as [string, KeyState]] : [];
    });
  }

  /**
   * Forgets the rows whose incident is not open, once past their retention: every group key ever seen
   * would otherwise stay in the store, and in memory, for good. Rows from before they carried a time
   * start counting now; unreadable ones go at once.
   */
  prune(isOpen: (incident: number) => boolean): void {
    const now = this.clock.now();
    for (const [key, value] of this.keyValues.entries(NAMESPACE)) {
      const state = parse(value);
      if (state === undefined) this.keyValues.delete(NAMESPACE, key);
      else if (isOpen(state.incident)) continue;
      else if (state.at === undefined) this.save(key, state);
      else if (now - state.at > INTAKE_RETENTION_MS) this.keyValues.delete(NAMESPACE, key);
    }
  }
}

function parse(value: string): KeyState | undefined {
  try {
    const state = JSON.parse(value) as KeyState;
    return typeof state.incident === 'number' ? state : undefined;
  } catch {
    return undefined;
  }
}
