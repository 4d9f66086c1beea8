/**
 * Runs the incidents: one xstate actor per open incident, each transition stored before its effects run.
 *
 * The order that makes a crash harmless: the machine emits effects while it transitions (they are
 * buffered here), xstate then notifies the observer, which writes the snapshot, the new timeline entries
 * and the effects in one transaction; only then are the effects performed, in order, per incident, and
 * marked done. A crash after the write re-performs the stored effects at the next start; a crash before
 * it loses a transition that nobody has seen the effects of.
 *
 * After a restart every open incident is restored from its snapshot and sent `incident.resume`, which
 * re-arms its timers for the time that remains (xstate does not restore pending `after` timers). A
 * snapshot that cannot be restored is quarantined and the others go on.
 */
import { createActor, type Actor as XActor, type SnapshotFrom } from 'xstate';
import {
  incidentMachine,
  phaseOf,
  type IncidentMachine,
  type IncidentPhase,
} from '../../machines/incident.js';
import type {
  Actor,
  EscalationPolicy,
  IncidentContext,
  IncidentEffect,
  IncidentEvent,
  IncidentSource,
} from '../../machines/incident-types.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { IncidentRecord, IncidentStore, IncidentTransition, PendingEffect } from './store.js';

export interface IncidentView {
  readonly id: number;
  readonly phase: IncidentPhase;
  readonly open: boolean;
  readonly context: IncidentContext;
}

export type EffectPerformer = (incident: IncidentView, effects: readonly PendingEffect[]) => Promise<void>;

export type SendOutcome =
  | { readonly ok: true; readonly incident: IncidentView }
  | {
      readonly ok: false;
      readonly reason: 'not-found' | 'closed' | 'not-applicable';
      readonly incident?: IncidentView;
    };

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
  /** Effects emitted during the transition now being processed, not yet stored. */
  buffer: IncidentEffect[];
  /** How many timeline entries are already stored. */
  storedTimeline: number;
  /** Effects run one after the other per incident, in the order their transitions were stored. */
  chain: Promise<void>;
  /** A logger bound to the incident, made on demand: 10,000 open incidents must not hold 10,000 loggers. */
  readonly log: () => Logger;
}

export interface IncidentServiceDeps {
  readonly store: IncidentStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly performEffects: EffectPerformer;
}

export class IncidentService {
  private readonly running = new Map<number, Running>();
  private readonly settling = new Set<Promise<void>>();
  /** Transitions waiting for the next commit, in the order they happened. */
  private uncommitted: Array<{ transition: IncidentTransition; running: Running; view: IncidentView }> = [];
  /** Effects performed since the last commit, marked done by the next. */
  private performed: number[] = [];
  private commitScheduled = false;
  private stopped = false;

  constructor(private readonly deps: IncidentServiceDeps) {}

  /** Restores every open incident, re-arms its timers and re-performs effects stored but not performed. */
  restore(): RestoreReport {
    const quarantined: number[] = [];
    const pending = this.deps.store.pendingEffects();
    let restored = 0;
    const broken: Array<{ id: number; problem: string }> = [];
    const policies = new Map<string, EscalationPolicy>();
    for (const record of this.deps.store.loadOpen()) {
      const problem = this.tryRestore(record, policies);
      if (problem === undefined) restored += 1;
      else broken.push({ id: record.id, problem });
    }
    // After the iteration: a store may stream the rows and cannot write meanwhile.
    for (const { id, problem } of broken) {
      this.deps.logger.error(
        { incident: id, reason: problem },
        `incident #${id} cannot be restored; quarantined`,
      );
      this.deps.store.quarantine(id, problem);
      quarantined.push(id);
    }
    const leftover = pending.filter((effect) => !quarantined.includes(effect.incidentId));
    for (const [incidentId, effects] of groupBy(leftover, (effect) => effect.incidentId)) {
      const view = this.get(incidentId);
      if (view) this.enqueueEffects(incidentId, view, effects);
    }
    const now = this.deps.clock.now();
    for (const [id, running] of this.running) {
      running.actor.send({ type: 'incident.resume', at: now });
      running.log().debug('resumed');
      void id;
    }
    return { restored, quarantined, pendingEffects: leftover.length };
  }

  declare(input: DeclareInput): IncidentView {
    const id = this.deps.store.allocateId();
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
    if (!running) {
      const stored = this.get(id);
      return stored ? { ok: false, reason: 'closed', incident: stored } : { ok: false, reason: 'not-found' };
    }
    const snapshot = running.actor.getSnapshot();
    if (!snapshot.can(event)) return { ok: false, reason: 'not-applicable', incident: viewOf(id, snapshot) };
    running.actor.send(event);
    return { ok: true, incident: viewOf(id, running.actor.getSnapshot()) };
  }

  /** An open incident from memory, or a closed one from the store. */
  get(id: number): IncidentView | undefined {
    const running = this.running.get(id);
    if (running) return viewOf(id, running.actor.getSnapshot());
    // Closed this tick and not yet committed: the store does not know yet.
    const closing = this.uncommitted.findLast((item) => item.transition.incidentId === id);
    if (closing) return closing.view;
    const record = this.deps.store.get(id);
    return record ? viewOfRecord(record) : undefined;
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
   * queued for the next commit, which runs before anything else can happen (a microtask), so every
   * transition of this tick, across all incidents, is stored in one transaction (group commit) before
   * any of their effects go out.
   */
  private persist(id: number, running: Running, snapshot: SnapshotFrom<IncidentMachine>): void {
    const context = snapshot.context;
    const newEntries = context.timeline.slice(running.storedTimeline);
    const open = snapshot.status === 'active';
    if (newEntries.length === 0 && running.buffer.length === 0 && open) return;
    const transition: IncidentTransition = {
      incidentId: id,
      group: context.group,
      summary: context.summary,
      phase: phaseOf(snapshot.value),
      open,
      snapshot: running.actor.getPersistedSnapshot(),
      at: context.lastEventAt,
      timeline: { from: running.storedTimeline, entries: newEntries },
      effects: running.buffer,
    };
    running.buffer = [];
    running.storedTimeline = context.timeline.length;
    if (!open) this.running.delete(id);
    this.uncommitted.push({ transition, running, view: viewOf(id, snapshot) });
    this.scheduleCommit();
  }

  private scheduleCommit(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    const commit = new Promise<void>((resolve) =>
      queueMicrotask(() => {
        this.commitScheduled = false;
        this.commit();
        resolve();
      }),
    );
    this.track(commit);
  }

  /**
   * Stores the queued transitions and the ids of effects performed since the last commit, in one
   * transaction, then hands each transition's effects on. When the store fails, everything stays queued
   * (effects held back) and goes with the next commit.
   */
  private commit(): void {
    const batch = this.uncommitted;
    const completed = this.performed;
    if (batch.length === 0 && completed.length === 0) return;
    this.uncommitted = [];
    this.performed = [];
    let stored: PendingEffect[][];
    try {
      stored = this.deps.store.saveTransitions(
        batch.map((item) => item.transition),
        completed,
      );
    } catch (error) {
      this.uncommitted = [...batch, ...this.uncommitted];
      this.performed = [...completed, ...this.performed];
      this.deps.logger.error(
        { err: error, transitions: batch.length },
        'could not store transitions; their effects are held back until a commit succeeds',
      );
      return;
    }
    batch.forEach(({ transition, running, view }, index) => {
      for (const entry of transition.timeline.entries) {
        running
          .log()
          .info(
            { phase: transition.phase, kind: entry.kind, by: entry.by?.name, detail: entry.detail },
            `incident #${transition.incidentId} ${entry.kind}`,
          );
      }
      if (!transition.open)
        running.log().info({ phase: transition.phase }, `incident #${transition.incidentId} closed`);
      const effects = stored[index] ?? [];
      if (effects.length > 0) this.enqueueEffects(transition.incidentId, view, effects, running);
    });
  }

  private enqueueEffects(
    id: number,
    view: IncidentView,
    effects: readonly PendingEffect[],
    running = this.running.get(id),
  ): void {
    const log = running?.log() ?? this.deps.logger.child({ incident: id });
    const previous = running?.chain ?? Promise.resolve();
    const next = previous.then(async () => {
      if (this.stopped) return;
      for (const effect of effects)
        log.info({ effect: effect.effect.type }, `incident #${id} effect ${effect.effect.type}`);
      try {
        await this.deps.performEffects(view, effects);
      } catch (error) {
        log.error({ err: error }, 'an effect failed; it stays pending and is retried at the next start');
        return;
      }
      // Marked done with the next commit, soon: a crash before it performs these again at start.
      this.performed.push(...effects.map((effect) => effect.id));
      this.scheduleCommit();
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

function viewOf(id: number, snapshot: SnapshotFrom<IncidentMachine>): IncidentView {
  return {
    id,
    phase: phaseOf(snapshot.value),
    open: snapshot.status === 'active',
    context: snapshot.context,
  };
}

/** A stored incident as a view; undefined when its snapshot is damaged (unreadable, or not an incident's). */
function viewOfRecord(record: IncidentRecord): IncidentView | undefined {
  const context = (record.snapshot as { context?: IncidentContext } | null)?.context;
  if (!context || !Array.isArray(context.timeline)) return undefined;
  return { id: record.id, phase: record.phase, open: record.open, context };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
