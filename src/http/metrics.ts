/**
 * firebell's Prometheus metrics (prom-client), named as Prometheus asks: `firebell_` prefix, base units,
 * `_total` for counters. Gauges read the live state when scraped; counters and histograms are fed by the
 * outbox's outcomes, the store's commits and the HTTP listener.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Delivery, DeliveryOutcome } from '../core/delivery.js';
import type { IncidentPhase } from '../../machines/incident.js';
import type { ConnectionState } from '../core/network.js';
import type { StoreHealth } from '../core/journal.js';
import type { LoadedState, Store, StoreBatch } from '../core/store.js';
import type { InstanceRole } from './ops-routes.js';

export interface MetricsSources {
  openIncidents(): readonly { readonly phase: IncidentPhase }[];
  networkStates(): Record<string, ConnectionState>;
  storeHealth(): StoreHealth;
  /** Writes recorded and not yet committed. */
  journalBacklog(): number;
  /** Deliveries not settled yet, by channel and lane. */
  outboxLeft(): readonly { readonly channel: string; readonly lane: string; readonly count: number }[];
  /** Active or standby (PostgreSQL store); absent: a single instance. */
  instanceRole?(): InstanceRole;
}

export class FirebellMetrics {
  readonly registry = new Registry();
  private readonly deliveries: Counter<'network' | 'purpose' | 'outcome'>;
  private readonly deliveryWait: Histogram<'lane'>;
  private readonly commitSeconds: Histogram;
  private readonly httpRequests: Counter<'route' | 'status'>;
  private readonly intakeRequests: Counter<'source' | 'result'>;
  private readonly timeToAck: Histogram;
  /** When each open, not yet acknowledged incident was declared (read off what the store committed). */
  private readonly awaitingAck = new Map<number, number>();

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'firebell_' });
    new Gauge({
      name: 'firebell_incidents_open',
      help: 'Open incidents by phase.',
      labelNames: ['phase'],
      registers,
      collect() {
        const counts: Record<string, number> = { detected: 0, announced: 0, assigned: 0 };
        for (const incident of sources.openIncidents())
          counts[incident.phase] = (counts[incident.phase] ?? 0) + 1;
        for (const [phase, count] of Object.entries(counts)) this.set({ phase }, count);
      },
    });
    new Gauge({
      name: 'firebell_network_connected',
      help: 'Whether each chat network is connected (1) or not (0).',
      labelNames: ['network'],
      registers,
      collect() {
        for (const [network, state] of Object.entries(sources.networkStates()))
          this.set({ network }, state === 'connected' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'firebell_store_healthy',
      help: 'Whether the store takes commits (1) or commits are failing and being retried (0).',
      registers,
      collect() {
        this.set(sources.storeHealth().ok ? 1 : 0);
      },
    });
    new Gauge({
      name: 'firebell_store_refused_writes',
      help: 'Writes the store refused for what they held and firebell dropped since start (journal.ts): a bug.',
      registers,
      collect() {
        this.set(sources.storeHealth().refused?.count ?? 0);
      },
    });
    new Gauge({
      name: 'firebell_instance_active_since_seconds',
      help: 'When this instance became the active one (Unix seconds); 0 while it is not active.',
      labelNames: ['role'],
      registers,
      collect() {
        const role = sources.instanceRole?.() ?? { role: 'single' };
        this.reset();
        const since = role.since === undefined ? 0 : Date.parse(role.since) / 1000;
        this.set({ role: role.role }, role.role === 'active' || role.role === 'single' ? since : 0);
      },
    });
    new Gauge({
      name: 'firebell_journal_backlog_writes',
      help: 'Writes recorded and not yet committed to the store.',
      registers,
      collect() {
        this.set(sources.journalBacklog());
      },
    });
    new Gauge({
      name: 'firebell_outbox_unsettled',
      help: 'Deliveries handed to a channel and not yet settled, by channel and lane.',
      labelNames: ['channel', 'lane'],
      registers,
      collect() {
        this.reset();
        for (const left of sources.outboxLeft())
          this.set({ channel: left.channel, lane: left.lane }, left.count);
      },
    });
    this.deliveries = new Counter({
      name: 'firebell_deliveries_total',
      help: 'Deliveries by network, purpose (page, announce, reply...) and outcome.',
      labelNames: ['network', 'purpose', 'outcome'],
      registers,
    });
    this.deliveryWait = new Histogram({
      name: 'firebell_delivery_seconds',
      help: 'From a delivery being stored to its outcome, by lane.',
      labelNames: ['lane'],
      buckets: [0.005, 0.05, 0.25, 1, 2.5, 10, 30, 120, 600],
      registers,
    });
    this.commitSeconds = new Histogram({
      name: 'firebell_store_commit_seconds',
      help: 'Time for one store commit (one transaction, one fsync).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2],
      registers,
    });
    this.timeToAck = new Histogram({
      name: 'firebell_time_to_ack_seconds',
      help: 'From an incident being declared to its first acknowledgement.',
      buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400],
      registers,
    });
    this.intakeRequests = new Counter({
      name: 'firebell_intake_requests_total',
      help: 'Intake requests by source and result (declared, updated, repeated, resolved, unauthorized...).',
      labelNames: ['source', 'result'],
      registers,
    });
    this.httpRequests = new Counter({
      name: 'firebell_http_requests_total',
      help: 'HTTP requests by route and status code.',
      labelNames: ['route', 'status'],
      registers,
    });
  }

  intakeResult(source: string, result: string): void {
    this.intakeRequests.inc({ source, result });
  }

  /** The outbox's observer. */
  outcome = (delivery: Delivery, outcome: DeliveryOutcome): void => {
    const { content } = delivery;
    const purpose =
      content.kind === 'topic' || content.kind === 'edit'
        ? content.kind
        : content.kind === 'offchat'
          ? content.page.kind
          : (content.message.purpose ?? 'message');
    this.deliveries.inc({ network: delivery.channel, purpose, outcome: outcome.status });
    this.deliveryWait.observe({ lane: delivery.lane }, Math.max(0, outcome.at - delivery.createdAt) / 1000);
  };

  httpRequest(route: string, status: number): void {
    this.httpRequests.inc({ route, status: String(status) });
  }

  /**
   * The store, with each commit timed and each committed batch read for the time to acknowledge (only
   * what is stored counts); everything else goes to the store itself.
   */
  timed<S extends Store>(store: S): S {
    const histogram = this.commitSeconds;
    const commit: Store['commit'] = async (batch) => {
      const stop = histogram.startTimer();
      try {
        await store.commit(batch);
      } finally {
        stop();
      }
      this.acknowledgements(batch);
    };
    const load: Store['load'] = async () => {
      const state = await store.load();
      this.awaitingAckFrom(state);
      return state;
    };
    return new Proxy(store, {
      get: (target, property, receiver) => {
        if (property === 'commit') return commit;
        if (property === 'load') return load;
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** Incidents still waiting for their first ack when firebell starts (declared in an earlier run). */
  private awaitingAckFrom(state: LoadedState): void {
    for (const incident of state.openIncidents)
      if (incident.phase === 'detected' || incident.phase === 'announced')
        this.awaitingAck.set(incident.id, incident.createdAt);
  }

  private acknowledgements(batch: StoreBatch): void {
    for (const { incidentId, timeline, open } of batch.transitions) {
      // The first timeline entry is the declaration.
      const declared = timeline.from === 0 ? timeline.entries[0] : undefined;
      if (declared) this.awaitingAck.set(incidentId, declared.at);
      const ack = timeline.entries.find((entry) => entry.kind === 'acknowledged');
      const declaredAt = this.awaitingAck.get(incidentId);
      if (ack && declaredAt !== undefined) {
        this.timeToAck.observe(Math.max(0, ack.at - declaredAt) / 1000);
        this.awaitingAck.delete(incidentId);
      }
      if (!open) this.awaitingAck.delete(incidentId);
    }
  }
}
