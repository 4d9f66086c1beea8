/**
 * Realistic data for the store's tests and benchmark: the real incident machine, driven on a simulated
 * clock through its first three-quarters of an hour (pages, status posts, an ack, a hand-over), with every step turned
 * into the `IncidentTransition` the service would save.
 */
import { createActor, SimulatedClock } from 'xstate';
import type {
  Actor,
  EscalationPolicy,
  IncidentEffect,
  IncidentEvent,
} from '../../machines/incident-types.js';
import { incidentMachine, phaseOf } from '../../machines/incident.js';
import type { IncidentTransition } from '../../src/core/store.js';
import { alice, makeIncidentInput, makePolicy, tiers } from '../support/builders.js';

export { alice };

export const policy: EscalationPolicy = makePolicy({
  name: 'infra-default',
  tiers: tiers(5, 10, 15),
  repeat: 1,
  whenExhausted: { action: 'keep-paging-last-tier', afterMinutes: 30 },
  ackTimeoutMinutes: 120,
  statusReminder: { afterMinutes: 15, repeatMinutes: 30 },
});
const bob: Actor = { name: 'bob', contactId: 'bob', network: 'matrix', account: '@bob:example.org' };
const carol: Actor = { name: 'carol_', network: 'libera' };

export const START = Date.UTC(2025, 2, 14, 3, 7, 0);
const MINUTE = 60_000;

export interface IncidentRun {
  /** One per step, in order, as the service would save them. */
  readonly transitions: IncidentTransition[];
  /** The actor's persisted snapshot after the last step. */
  readonly snapshot: unknown;
}

/** Runs incident `id` through its first 40 minutes; every transition's snapshot is the real persisted one. */
export function runIncident(id: number, summary = 'mirror sync failing on all eu nodes'): IncidentRun {
  const clock = new SimulatedClock();
  clock.set(START);
  const actor = createActor(incidentMachine, {
    clock,
    input: makeIncidentInput({ id, summary, at: START, policy }),
  });
  let effects: IncidentEffect[] = [];
  actor.on('*', (effect) => effects.push(effect));
  const transitions: IncidentTransition[] = [];
  let saved = 0;
  const save = (): void => {
    const { context, value } = actor.getSnapshot();
    const phase = phaseOf(value);
    transitions.push({
      incidentId: id,
      group: context.group,
      summary: context.summary,
      phase,
      open: phase !== 'resolved',
      snapshot: JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as unknown,
      at: context.lastEventAt,
      timeline: { from: saved, entries: context.timeline.slice(saved) },
      effects,
    });
    saved = context.timeline.length;
    effects = [];
  };
  const send = (event: IncidentEvent): void => {
    actor.send(event);
    save();
  };

  actor.start();
  save();
  send({ type: 'incident.announced', at: clock.now() });
  clock.increment(5 * MINUTE);
  save();
  send({ type: 'incident.paged', at: clock.now(), tierIndex: 0, round: 0, recipients: ['alice', 'bob'] });
  clock.increment(MINUTE);
  send({
    type: 'incident.status',
    at: clock.now(),
    by: bob,
    kind: 'alert',
    text: 'mirror sync is failing on all eu nodes; downloads may be stale',
  });
  clock.increment(MINUTE);
  send({ type: 'incident.ack', at: clock.now(), by: alice });
  clock.increment(12 * MINUTE);
  send({ type: 'incident.reported', at: clock.now(), by: carol });
  clock.increment(MINUTE);
  send({
    type: 'incident.status',
    at: clock.now(),
    by: alice,
    kind: 'notice',
    text: 'eu-2 disk array degraded; failing over to eu-3, expect 20 minutes',
  });
  clock.increment(10 * MINUTE);
  send({ type: 'incident.unack', at: clock.now(), by: alice });
  clock.increment(5 * MINUTE);
  save();
  send({ type: 'incident.paged', at: clock.now(), tierIndex: 0, round: 0, recipients: ['alice', 'bob'] });
  clock.increment(2 * MINUTE);
  send({ type: 'incident.assign', at: clock.now(), by: bob, assignee: bob });
  clock.increment(4 * MINUTE);
  send({
    type: 'incident.status',
    at: clock.now(),
    by: bob,
    kind: 'log',
    text: 'eu-3 has taken over; resyncing eu-2 from the primary',
  });
  const snapshot = transitions.at(-1)?.snapshot;
  actor.stop();
  return { transitions, snapshot };
}
