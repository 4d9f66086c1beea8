/**
 * An in-memory IncidentStore for unit tests of the service and the router: the same contract as the SQLite
 * store (data is copied through JSON, so nothing shares references with the running actors), without a
 * file. The SQLite store has its own tests against real files.
 */
import type { IncidentEffect, TimelineEntry } from '../../machines/incident-types.js';
import type {
  IncidentRecord,
  IncidentStore,
  IncidentTransition,
  PendingEffect,
} from '../../src/core/store.js';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class MemoryIncidentStore implements IncidentStore {
  readonly incidents = new Map<number, IncidentRecord>();
  readonly timelines = new Map<number, TimelineEntry[]>();
  readonly effects = new Map<number, { incidentId: number; effect: IncidentEffect; done: boolean }>();
  readonly quarantined = new Map<number, string>();
  saves = 0;
  /** Group commits: transactions that stored at least one transition. */
  commits = 0;
  /** Makes the next saveTransition throw, to test that effects are held back. */
  failNextSave = false;
  private lastId = 0;
  private lastEffectId = 0;

  allocateId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  saveTransition(transition: IncidentTransition): PendingEffect[] {
    if (this.failNextSave) {
      this.failNextSave = false;
      throw new Error('disk full (simulated)');
    }
    this.saves += 1;
    const existing = this.incidents.get(transition.incidentId);
    this.incidents.set(transition.incidentId, {
      id: transition.incidentId,
      group: transition.group,
      summary: transition.summary,
      phase: transition.phase,
      open: transition.open,
      snapshot: copy(transition.snapshot),
      createdAt: existing?.createdAt ?? transition.at,
      updatedAt: transition.at,
    });
    const timeline = this.timelines.get(transition.incidentId) ?? [];
    transition.timeline.entries.forEach((entry, index) => {
      timeline[transition.timeline.from + index] = copy(entry);
    });
    this.timelines.set(transition.incidentId, timeline);
    return transition.effects.map((effect) => {
      this.lastEffectId += 1;
      this.effects.set(this.lastEffectId, {
        incidentId: transition.incidentId,
        effect: copy(effect),
        done: false,
      });
      return { id: this.lastEffectId, incidentId: transition.incidentId, effect: copy(effect) };
    });
  }

  saveTransitions(
    transitions: readonly IncidentTransition[],
    completed: readonly number[] = [],
  ): PendingEffect[][] {
    if (this.failNextSave) {
      this.failNextSave = false;
      throw new Error('disk full (simulated)');
    }
    const stored = transitions.map((transition) => this.saveTransition(transition));
    this.completeEffects(completed);
    if (transitions.length > 0) this.commits += 1;
    return stored;
  }

  completeEffects(ids: readonly number[]): void {
    for (const id of ids) {
      const effect = this.effects.get(id);
      if (effect) effect.done = true;
    }
  }

  pendingEffects(): PendingEffect[] {
    return [...this.effects.entries()]
      .filter(([, effect]) => !effect.done)
      .map(([id, effect]) => ({ id, incidentId: effect.incidentId, effect: copy(effect.effect) }));
  }

  loadOpen(): IncidentRecord[] {
    return [...this.incidents.values()]
      .filter((record) => record.open && !this.quarantined.has(record.id))
      .map(copy);
  }

  get(id: number): IncidentRecord | undefined {
    const record = this.incidents.get(id);
    return record && copy(record);
  }

  timeline(id: number): TimelineEntry[] {
    return copy(this.timelines.get(id) ?? []);
  }

  recent(limit: number): IncidentRecord[] {
    return [...this.incidents.values()]
      .sort((a, b) => b.id - a.id)
      .slice(0, limit)
      .map(copy);
  }

  quarantine(id: number, reason: string): void {
    this.quarantined.set(id, reason);
    for (const effect of this.effects.values()) if (effect.incidentId === id) effect.done = true;
  }

  close(): void {}
}
