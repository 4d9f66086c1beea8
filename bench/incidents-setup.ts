/**
 * The incident core as the benchmarks run it: a real store, and either an outbox that only counts (what is
 * measured is not about deliveries) or the durable outbox to a channel that takes everything.
 */
import type { Config } from '../src/config/config.js';
import { systemClock } from '../src/core/clock.js';
import type { Delivery, DeliveryOutcome } from '../src/core/delivery.js';
import type { DurableState } from '../src/core/durable-state.js';
import { Firebell } from '../src/core/firebell.js';
import { silentLogger, type Logger } from '../src/core/logger.js';
import type { ChatNetwork, ConnectionState } from '../src/core/network.js';
import { makeConfig, makePolicy, tiers } from '../test/support/builders.js';
import { RecordingOutbox } from '../test/support/recording-outbox.js';
import type { Actor, EscalationPolicy, IncidentEvent } from '../machines/incident-types.js';

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

export interface QuietFirebell extends Firebell {
  readonly policy: EscalationPolicy;
  readonly sent: { count: number };
}

/** A core whose outbox only counts what it is given: nothing is stored for deliveries. */
export function quietFirebell(durable: DurableState, logger: Logger = silentLogger): QuietFirebell {
  const outbox = new RecordingOutbox(undefined, undefined, false);
  const firebell = new Firebell({
    config: benchConfig,
    durable,
    networks: [],
    clock: systemClock,
    logger,
    outbox,
  });
  return Object.assign(firebell, { policy: benchPolicy, sent: outbox });
}

/**
 * The channel of the benchmarks' group: takes every delivery, and confirms what it holds when told to (a
 * network confirms a line some time after it was handed over, while other work goes on).
 */
export class BenchChannel implements ChatNetwork {
  readonly id = 'bench';
  readonly kind = 'irc' as const;
  private held: Array<() => void> = [];
  delivered = 0;

  deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    void delivery;
    return new Promise((settle) =>
      this.held.push(() => {
        this.delivered += 1;
        settle({ status: 'delivered', at: systemClock.now(), receipt: [] });
      }),
    );
  }

  /** Confirms everything handed over so far. */
  confirm(): void {
    for (const settle of this.held.splice(0)) settle();
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.confirm();
    return Promise.resolve();
  }

  getTopic(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  connectionState(): ConnectionState {
    return 'connected';
  }
}

/** Takes every delivery at once: for benchmarks that measure something else than a network. */
export class TakingChannel extends BenchChannel {
  override deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    void delivery;
    this.delivered += 1;
    return Promise.resolve({ status: 'delivered', at: systemClock.now(), receipt: [] });
  }
}

/** A core as firebell runs: the journal, the durable outbox (to `channel`), the incident service. */
export function benchFirebell(
  durable: DurableState,
  channel: BenchChannel,
): Firebell & { policy: EscalationPolicy } {
  const firebell = new Firebell({
    config: benchConfig,
    durable,
    networks: [channel],
    clock: systemClock,
    logger: silentLogger,
  });
  return Object.assign(firebell, { policy: benchPolicy });
}

/** The one person of the benchmarks: declares, acknowledges, takes it back. */
export const benchActor: Actor = { name: 'alice', network: 'bench', account: 'alice' };

/** Round by round: acknowledged, then taken back, ...: each a timeline entry and an effect that says so. */
export const ackOrUnack = (round: number): IncidentEvent =>
  round % 2 === 0
    ? { type: 'incident.ack', at: systemClock.now(), by: benchActor }
    : { type: 'incident.unack', at: systemClock.now(), by: benchActor };

/** The `index`th incident the benchmarks declare. */
export const benchDeclaration = (policy: EscalationPolicy, index: number) => ({
  summary: `incident ${index}`,
  group: 'infra',
  by: benchActor,
  policy,
  source: { kind: 'chat' as const },
});

/** Declares `count` incidents and waits until each is announced and the announcements confirmed. */
export async function declareIncidents(
  firebell: ReturnType<typeof benchFirebell>,
  channel: BenchChannel,
  count: number,
): Promise<void> {
  for (let index = 0; index < count; index += 1)
    firebell.service.declare(benchDeclaration(firebell.policy, index));
  await firebell.idle();
  channel.confirm();
  await firebell.idle();
}

/**
 * One transition at a time over incidents 1..`incidents` in turn, each awaited to its commit; the last
 * event's announcement is confirmed first, so its outcome rides in this event's commit. Counts them.
 */
export function oneTransitionAtATime(
  firebell: ReturnType<typeof benchFirebell>,
  channel: BenchChannel,
  incidents: number,
): { readonly next: () => Promise<void>; readonly count: () => number } {
  let events = 0;
  return {
    count: () => events,
    next: async () => {
      channel.confirm();
      const id = (events % incidents) + 1;
      const sent = firebell.service.send(id, ackOrUnack(Math.floor(events / incidents)));
      if (!sent.ok) throw new Error(`incident #${id} did not take the event: ${sent.reason}`);
      await firebell.idle();
      events += 1;
    },
  };
}
