/**
 * firebell's durable state while it runs, opened from a `Store`: the journal (the one commit path), what
 * is kept in memory (the adapters' key-value state, the statusbot's alert and saved topics), and what was
 * loaded for the core to take over once at start (open incidents, pending effects, undelivered outbox rows,
 * the counters). The composition root opens it before the networks, which keep their state in it.
 */
import type { Clock } from './clock.js';
import { Journal, type JournalOptions } from './journal.js';
import { JournaledKeyValues } from './key-values.js';
import type { Logger } from './logger.js';
import { JournaledStatus } from './status-state.js';
import type { LoadedState, Store } from './store.js';

export interface DurableStateDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly journal?: JournalOptions;
}

export class DurableState {
  readonly journal: Journal;
  readonly keyValues: JournaledKeyValues;
  readonly status: JournaledStatus;
  private loaded: LoadedState | undefined;

  private constructor(
    readonly store: Store,
    loaded: LoadedState,
    deps: DurableStateDeps,
  ) {
    this.loaded = loaded;
    this.journal = new Journal(store, deps.clock, deps.logger.child({ module: 'journal' }), deps.journal);
    this.keyValues = new JournaledKeyValues(this.journal, loaded.keyValues);
    this.status = new JournaledStatus(this.journal, store, loaded);
  }

  static async open(store: Store, deps: DurableStateDeps): Promise<DurableState> {
    return new DurableState(store, await store.load(), deps);
  }

  /** The counters the incident service numbers from (readable before the rest is taken). */
  peekCounters(): { readonly lastIncidentId: number; readonly lastEffectId: number } {
    const loaded = this.loaded;
    if (!loaded) throw new Error('the loaded state was already taken: firebell started twice');
    return { lastIncidentId: loaded.lastIncidentId, lastEffectId: loaded.lastEffectId };
  }

  /** What the core takes over at start, once (the open incidents may be many: not kept twice). */
  takeLoaded(): LoadedState {
    const loaded = this.loaded;
    if (!loaded) throw new Error('the loaded state was already taken: firebell started twice');
    this.loaded = undefined;
    return loaded;
  }
}
