/** The incident core as the benchmarks run it: a real store, no chat networks, an outbox that counts. */
import type { Config } from '../src/config/config.js';
import { systemClock } from '../src/core/clock.js';
import { Firebell } from '../src/core/firebell.js';
import { silentLogger, type Logger } from '../src/core/logger.js';
import { makeConfig, makePolicy, tiers } from '../test/support/builders.js';
import { RecordingOutbox } from '../test/support/recording-outbox.js';
import type { IncidentRecord, IncidentStore, IncidentTransition, PendingEffect } from '../src/core/store.js';
import type { EscalationPolicy, TimelineEntry } from '../machines/incident-types.js';

/** Long delays: no timer fires during a benchmark, so every transition is one the benchmark caused. */
export const benchPolicy: EscalationPolicy = makePolicy({
  name: 'bench',
  tiers: tiers(60, 60),
  whenExhausted: { action: 'stop', afterMinutes: 60 },
});

export const benchConfig: Config = makeConfig({
  files: {
    firebell: 'bench/firebell.yaml',
    contacts: 'bench/contacts.yaml',
    whitelist: 'bench/whitelist.yaml',
  },
  bot: { name: 'firebell', admin: 'bench', playbookUrl: 'https://example.org/playbook' },
  groups: [
    {
      id: 'infra',
      members: [{ network: 'bench', conversation: '#infra', topic: true, status: true }],
      relay: false,
      relayJoinsAndParts: false,
    },
  ],
  policies: { bench: benchPolicy },
  defaultPolicy: 'bench',
  incidents: {
    dedupeWindowMinutes: 15,
    permissions: { declare: 'anyone', ack: 'anyone', unack: 'anyone', assign: 'anyone', resolve: 'anyone' },
  },
});

/** Counts what reaches the store: transitions stored and the transactions (commits) they took. */
export class CountingStore implements IncidentStore {
  transitions = 0;
  commits = 0;

  constructor(private readonly inner: IncidentStore) {}

  allocateId(): number {
    return this.inner.allocateId();
  }
  saveTransition(transition: IncidentTransition): PendingEffect[] {
    this.transitions += 1;
    this.commits += 1;
    return this.inner.saveTransition(transition);
  }
  saveTransitions(
    transitions: readonly IncidentTransition[],
    completed?: readonly number[],
  ): PendingEffect[][] {
    const stored = this.inner.saveTransitions(transitions, completed);
    this.transitions += transitions.length;
    this.commits += 1;
    return stored;
  }
  completeEffects(ids: readonly number[]): void {
    this.commits += 1;
    this.inner.completeEffects(ids);
  }
  pendingEffects(): PendingEffect[] {
    return this.inner.pendingEffects();
  }
  loadOpen(): Iterable<IncidentRecord> {
    return this.inner.loadOpen();
  }
  get(id: number): IncidentRecord | undefined {
    return this.inner.get(id);
  }
  timeline(id: number): TimelineEntry[] {
    return this.inner.timeline(id);
  }
  recent(limit: number): IncidentRecord[] {
    return this.inner.recent(limit);
  }
  quarantine(id: number, reason: string): void {
    this.inner.quarantine(id, reason);
  }
  close(): void {
    this.inner.close();
  }
}

export interface QuietFirebell extends Firebell {
  readonly policy: EscalationPolicy;
  readonly sent: { count: number };
}

export function quietFirebell(store: IncidentStore, logger: Logger = silentLogger): QuietFirebell {
  const outbox = new RecordingOutbox(undefined, undefined, false);
  const firebell = new Firebell({
    config: benchConfig,
    store,
    networks: [],
    clock: systemClock,
    logger,
    outbox,
  });
  return Object.assign(firebell, { policy: benchPolicy, sent: outbox });
}
