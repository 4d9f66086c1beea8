/**
 * Runs the incidents: one xstate actor per open incident, each transition stored before anything it causes
 * is said.
 *
 * The order that makes a crash harmless: the machine emits effects while it transitions (they are
 * buffered here); xstate then notifies the observer, which records the snapshot, the new timeline entries
 * and the effects in the journal, and holds the journal's batch open while the effects are performed (in
 * order, per incident). Performing an effect only records more in the same batch: the deliveries it asks
 * for (outbox rows), the events it reports back (more transitions), and the mark that it is done. The
 * batch then commits as one transaction, and only after that do the deliveries go to their channels. A
 * crash before the commit loses a transition nobody has seen anything of; after it, the outbox sends what
 * was stored. An effect whose performing fails stays stored as pending and is performed at the next start.
 *
 * After a restart every open incident is restored from its snapshot and sent `incident.resume`, which
 * re-arms its timers for the time that remains (xstate does not restore pending `after` timers). A
 * snapshot that cannot be restored is quarantined and the others go on.
 */
import { createActor, type Actor as XActor, type SnapshotFrom } from 'xstate';
import { incidentMachine, phaseOf, type IncidentMachine } from '../../machines/incident.js';
import { persistedIncidentSnapshot } from '../../machines/incident-snapshot.js';
import type {
  Actor,
  EscalationPolicy,
  IncidentContext,
  IncidentEffect,
  IncidentEvent,
  IncidentSource,
} from '../../machines/incident-types.js';
import type { Clock } from './clock.js';
import { viewOf, viewOfRecord, type IncidentView } from './incident-view.js';
import { errorMessage } from './error-message.js';
import type { Journal, RefusedUnit } from './journal.js';
import type { Logger } from './logger.js';
import type { IncidentRecord, IncidentTransition, PendingEffect, Store } from './store.js';

export type { IncidentView } from './incident-view.js';

export type EffectPerformer = (incident: IncidentView, effects: readonly PendingEffect[]) => Promise<void>;

export type SendOutcome =
  | { readonly ok: true; readonly incident: IncidentView }
  /** Closed, never declared, or quarantined: `find` tells which. */
  | { readonly ok: false; readonly reason: 'not-open' }
  | { readonly ok: false; readonly reason: 'not-applicable'; readonly incident: IncidentView };

export interface DeclareInput {
  readonly summary: string;
  readonly group: string;
  readonly by: Actor;
  readonly policy: EscalationPolicy;
  readonly source: IncidentSource;
}

export interface RestoreReport {
  readonly restored: number;
  readonly quarantined: readonly number[];
  readonly pendingEffects: number;
}

interface Running {
  readonly actor: XActor<IncidentMachine>;
  /** Effects emitted during the transition now being processed, not yet recorded. */
  buffer: IncidentEffect[];
  /** How many timeline entries are already recorded. */
  storedTimeline: number;
  /** Effects run one after the other per incident, in the order their transitions were stored. */
  chain: Promise<void>;
  /** A logger bound to the incident, made on demand: 10,000 open incidents must not hold 10,000 loggers. */
  readonly log: () => Logger;
}

export interface IncidentServiceDeps {
  readonly journal: Journal;
  /** Reads closed incidents. */
  readonly store: Pick<Store, 'incident'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly performEffects: EffectPerformer;
  /** The highest incident number and effect id handed out so far (from the store, at start). */
  readonly counters: { readonly lastIncidentId: number; readonly lastEffectId: number };
}

/** What the store held at start for the service. */
export interface RestoreInput {
  readonly openIncidents: Iterable<IncidentRecord>;
  readonly pendingEffects: readonly PendingEffect[];
}

export class IncidentService {
  private readonly running = new Map<number, Running>();
  private readonly settling = new Set<Promise<void>>();
  /** Incidents closed by a transition not committed yet: the store does not know yet. */
  private readonly closing = new Map<number, IncidentView>();
  private lastIncidentId: number;
  private lastEffectId: number;
  private stopped = false;

  constructor(private readonly deps: IncidentServiceDeps) {
    this.lastIncidentId = deps.counters.lastIncidentId;
    this.lastEffectId = deps.counters.lastEffectId;
    deps.journal.onRefused((refused) => this.quarantineRefused(refused));
  }

  /** Restores every open incident, re-arms its timers and re-performs effects stored but not performed. */
  async restore(input: RestoreInput): Promise<RestoreReport> {
    const quarantined: number[] = [];
    let restored = 0;
    const policies = new Map<string, EscalationPolicy>();
    for (const record of input.openIncidents) {
      const problem = record.damage ?? this.tryRestore(record, policies);
      if (problem === undefined) {
        restored += 1;
        continue;
      }
      this.deps.logger.error(
        { incident: record.id, reason: problem },
        `incident #${record.id} cannot be restored; quarantined`,
      );
      this.deps.journal.record({ quarantines: [{ incidentId: record.id, reason: problem }] });
      quarantined.push(record.id);
    }
    const leftover = input.pendingEffects.filter((effect) => !quarantined.includes(effect.incidentId));
    const byIncident = groupBy(leftover, (effect) => effect.incidentId);
    // A closed incident's effects (its resolution announced, say) need its view from the store.
    const views = await Promise.all([...byIncident.keys()].map((id) => this.find(id)));
    [...byIncident].forEach(([incidentId, effects], index) => {
      const view = views[index];
      if (view) return this.enqueueEffects(incidentId, view, effects);
      this.deps.logger.error({ incident: incidentId }, 'pending effects of an unreadable incident dropped');
      this.deps.journal.record({ effectsDone: effects.map((effect) => effect.id) });
    });
    const now = this.deps.clock.now();
    for (const running of this.running.values()) {
      running.actor.send({ type: 'incident.resume', at: now });
      running.log().debug('resumed');
    }
    return { restored, quarantined, pendingEffects: leftover.length };
  }

  declare(input: DeclareInput): IncidentView {
    // Never reused: the number is stored with the incident's first transition (or was never shown).
    this.lastIncidentId += 1;
    const id = this.lastIncidentId;
    const at = this.deps.clock.now();
    const actor = createActor(incidentMachine, {
      clock: this.deps.clock,
      logger: this.xstateLogger(id),
      input: {
        id,
        summary: input.summary,
        group: input.group,
        declaredBy: input.by,
        at,
        policy: input.policy,
        source: input.source,
      },
    });
    this.run(id, actor, 0);
    const view = this.get(id);
    if (!view) throw new Error(`incident #${id} did not start`);
    return view;
  }

  /** Sends an event to an open incident, if the incident can take it in its current state. */
  send(id: number, event: IncidentEvent): SendOutcome {
    const running = this.running.get(id);
    if (!running) return { ok: false, reason: 'not-open' };
    const snapshot = running.actor.getSnapshot();
    if (!snapshot.can(event)) return { ok: false, reason: 'not-applicable', incident: viewOf(id, snapshot) };
    running.actor.send(event);
    return { ok: true, incident: viewOf(id, running.actor.getSnapshot()) };
  }

  /** An open incident (or one closed and not committed yet), from memory. */
  get(id: number): IncidentView | undefined {
    const running = this.running.get(id);
    return running ? viewOf(id, running.actor.getSnapshot()) : this.closing.get(id);
  }

  /** Any incident: from memory, or a closed one from the store. Undefined when its snapshot is damaged. */
  async find(id: number): Promise<IncidentView | undefined> {
    const record = this.get(id) === undefined ? await this.deps.store.incident(id) : undefined;
    return this.get(id) ?? (record && viewOfRecord(record));
  }

  open(): IncidentView[] {
    return [...this.running.entries()]
      .map(([id, running]) => viewOf(id, running.actor.getSnapshot()))
      .sort((a, b) => a.id - b.id);
  }

  /** Resolves once every effect queued so far has been performed (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.settling.size > 0) await Promise.allSettled([...this.settling]);
  }

  stop(): void {
    this.stopped = true;
    for (const running of this.running.values()) running.actor.stop();
    this.running.clear();
  }

  /**
   * The store refused a write about these incidents and the journal dropped it: the running machine is
   * ahead of its row, and its next transition would build on what is not stored. It stops, as the service
   * stops, and is quarantined as a snapshot that cannot be restored is (a refused quarantine is not
   * quarantined again: the refusal is logged, the machine stopped, the next start loads the row as it is).
   */
  private quarantineRefused(refused: RefusedUnit): void {
    if ((refused.writes.quarantines?.length ?? 0) > 0) return;
    for (const id of refused.incidents) {
      this.running.get(id)?.actor.stop();
      this.running.delete(id);
      this.closing.delete(id);
      const reason = `the store refused a write of it (${refused.reason})`;
      this.deps.logger.error({ incident: id, reason }, `incident #${id} stopped and quarantined`);
      this.deps.journal.record({ quarantines: [{ incidentId: id, reason }] });
    }
  }

  private tryRestore(record: IncidentRecord, policies: Map<string, EscalationPolicy>): string | undefined {
    const shape = record.snapshot as {
      status?: unknown;
      value?: unknown;
      context?: { -readonly [K in keyof IncidentContext]?: IncidentContext[K] };
    } | null;
    if (!shape || typeof shape !== 'object' || !shape.context || shape.context.id !== record.id) {
      return 'the stored snapshot is not an incident snapshot (missing or mismatched context)';
    }
    if (
      !Array.isArray(shape.context.timeline) ||
      !shape.context.policy ||
      !Array.isArray(shape.context.policy.tiers)
    ) {
      return 'the stored snapshot lacks its timeline or escalation policy';
    }
    // Frozen policies are never mutated, so incidents frozen with the same policy can share one copy:
    // 10,000 restored incidents need not hold 10,000 copies of the same tiers.
    const key = JSON.stringify(shape.context.policy);
    const shared = policies.get(key);
    if (shared) shape.context.policy = shared;
    else policies.set(key, shape.context.policy);
    let actor: XActor<IncidentMachine>;
    try {
      actor = createActor(incidentMachine, {
        clock: this.deps.clock,
        logger: this.xstateLogger(record.id),
        snapshot: record.snapshot as SnapshotFrom<IncidentMachine>,
        // Required by the machine's input type; xstate ignores it when restoring a snapshot.
        input: undefined as never,
      });
    } catch (error) {
      return `xstate could not restore it: ${errorMessage(error)}`;
    }
    const status = actor.getSnapshot().status;
    if (status === 'error')
      return `xstate restored it in error status: ${errorMessage(actor.getSnapshot().error)}`;
    if (status !== 'active') return `it is not active (status ${status}) although stored as open`;
    try {
      this.run(record.id, actor, shape.context.timeline.length);
    } catch (error) {
      this.running.delete(record.id);
      return `it failed to start: ${errorMessage(error)}`;
    }
    return undefined;
  }

  private run(id: number, actor: XActor<IncidentMachine>, storedTimeline: number): void {
    const running: Running = {
      actor,
      buffer: [],
      storedTimeline,
      chain: Promise.resolve(),
      log: () => this.deps.logger.child({ incident: id }),
    };
    this.running.set(id, running);
    actor.on('*', (effect) => {
      running.buffer.push(effect as IncidentEffect);
    });
    actor.subscribe({
      next: (snapshot) => this.persist(id, running, snapshot),
      error: (error) => running.log().error({ err: error }, 'incident actor failed'),
    });
    actor.start();
  }

  /**
   * Called by xstate after every transition. A transition with no timeline entry and no effect (a restore,
   * a resume re-arming timers, an ignored event) changes nothing worth keeping: its deadlines are the
   * stored ones; skipping it keeps a restart of 10,000 incidents from rewriting 10,000 rows. Any other is
   * recorded in the journal, and its effects performed into the same batch (see the top of this file).
   */
  private persist(id: number, running: Running, snapshot: SnapshotFrom<IncidentMachine>): void {
    const context = snapshot.context;
    const newEntries = context.timeline.slice(running.storedTimeline);
    const open = snapshot.status === 'active';
    if (newEntries.length === 0 && running.buffer.length === 0 && open) return;
    const effects: PendingEffect[] = running.buffer.map((effect) => ({
      id: (this.lastEffectId += 1),
      incidentId: id,
      effect,
    }));
    const transition: IncidentTransition = {
      incidentId: id,
      group: context.group,
      summary: context.summary,
      phase: phaseOf(snapshot.value),
      open,
      snapshot: persistedIncidentSnapshot(incidentMachine, snapshot),
      at: context.lastEventAt,
      timeline: { from: running.storedTimeline, entries: newEntries },
      effects,
    };
    running.buffer = [];
    running.storedTimeline = context.timeline.length;
    const view = viewOf(id, snapshot);
    if (!open) {
      this.running.delete(id);
      this.closing.set(id, view);
    }
    this.deps.journal.record({ transitions: [transition] }, () => this.committed(transition, running, view));
    if (effects.length > 0) this.enqueueEffects(id, view, effects, running);
  }

  /** The transition is stored: its log lines now (a line must never tell of something not stored). */
  private committed(transition: IncidentTransition, running: Running, view: IncidentView): void {
    for (const entry of transition.timeline.entries) {
      running
        .log()
        .info(
          { phase: transition.phase, kind: entry.kind, by: entry.by?.name, detail: entry.detail },
          `incident #${transition.incidentId} ${entry.kind}`,
        );
    }
    if (transition.open) return;
    running.log().info({ phase: transition.phase }, `incident #${transition.incidentId} closed`);
    if (this.closing.get(transition.incidentId) === view) this.closing.delete(transition.incidentId);
  }

  /**
   * Performs the effects after what is already queued for the incident, holding the journal's batch open
   * until they are done, and marks them done in that batch: the deliveries they produced and the mark
   * commit together, so a crash never performs again an effect whose messages were stored.
   */
  private enqueueEffects(
    id: number,
    view: IncidentView,
    effects: readonly PendingEffect[],
    running = this.running.get(id),
  ): void {
    const log = running?.log() ?? this.deps.logger.child({ incident: id });
    const release = this.deps.journal.hold(`incident #${id} effects`);
    const previous = running?.chain ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        if (this.stopped) return;
        for (const effect of effects)
          log.info({ effect: effect.effect.type }, `incident #${id} effect ${effect.effect.type}`);
        try {
          await this.deps.performEffects(view, effects);
        } catch (error) {
          log.error({ err: error }, 'an effect failed; it stays pending and is performed at the next start');
          return;
        }
        this.deps.journal.record({ effectsDone: effects.map((effect) => effect.id) });
      } finally {
        release();
      }
    });
    if (running) running.chain = next;
    this.track(next);
  }

  private track(work: Promise<void>): void {
    this.settling.add(work);
    void work.finally(() => this.settling.delete(work));
  }

  private xstateLogger(id: number): (...args: unknown[]) => void {
    return (...args: unknown[]) =>
      this.deps.logger.debug({ incident: id, module: 'xstate', args }, 'xstate log');
  }
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}
