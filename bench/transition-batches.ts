/**
 * What the store benchmarks commit, one batch per transition, as the core would: the fixture's richest
 * transition with one new timeline entry and one effect (a real persisted snapshot of about 2 KB), spread
 * over `incidents` incidents, each batch with the announcement's outbox row and the previous row's outcome.
 * The snapshot changes with every batch (times, counters), as a transition's does, so a store never
 * rewrites a row identical to the one it holds.
 */
import { emptyBatch, type IncidentTransition, type StoreBatch } from '../src/core/store.js';
import { runIncident } from '../test/store/incident-fixture.js';
import { deliveryRow } from '../test/store/store-fixture.js';

/** The fixture's richest transition with exactly one new timeline entry and one effect. */
export function richestTransition(): IncidentTransition {
  const size = (transition: IncidentTransition): number => JSON.stringify(transition.snapshot).length;
  const [richest] = runIncident(1)
    .transitions.filter(
      (transition) => transition.timeline.entries.length === 1 && transition.effects.length === 1,
    )
    .sort((a, b) => size(b) - size(a));
  if (!richest) throw new Error('the incident fixture has no transition with one entry and one effect');
  return richest;
}

/** A maker of the next batch, each one transition of the next incident in turn. */
export function transitionBatches(base: IncidentTransition, incidents: number): () => StoreBatch {
  const snapshot = base.snapshot as { context: Record<string, unknown> };
  const nextSeq = new Array<number>(incidents).fill(0);
  let count = 0;
  let previous: string | undefined;
  return () => {
    const slot = count % incidents;
    const from = nextSeq[slot] ?? 0;
    nextSeq[slot] = from + 1;
    count += 1;
    const at = base.at + count;
    const incidentId = slot + 1;
    const effects = base.effects.map((effect) => ({ ...effect, id: count, incidentId }));
    const id = `delivery-${count}`;
    const outcome = previous;
    previous = id;
    return {
      ...emptyBatch(at),
      transitions: [
        {
          ...base,
          incidentId,
          at,
          snapshot: { ...snapshot, context: { ...snapshot.context, id: incidentId, updatedAt: at } },
          effects,
          timeline: { from, entries: base.timeline.entries },
        },
      ],
      effectsDone: effects.map((effect) => effect.id),
      deliveries: [
        deliveryRow(id, `Incident #${incidentId} acknowledged by Ana after 4 min; paging stopped.`, {
          incidentId,
          createdAt: at,
        }),
      ],
      deliveryUpdates:
        outcome === undefined
          ? []
          : [{ id: outcome, kind: 'outcome', state: 'delivered', at, receipt: [`$event-${count}`] }],
    };
  };
}
