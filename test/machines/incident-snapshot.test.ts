import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, SimulatedClock, type Actor as XActor } from 'xstate';
import { incidentMachine, type IncidentMachine } from '../../machines/incident.js';
import { persistedIncidentSnapshot } from '../../machines/incident-snapshot.js';
import type { Actor, IncidentEvent } from '../../machines/incident-types.js';
import { alice, makeIncidentInput, makePolicy, tiers } from '../support/builders.js';

const MIN = 60_000;
const bob: Actor = { name: 'bob', network: 'matrix', account: '@bob:example.org' };

/** An incident at each step of a life that visits every region and most states. */
function* lifeOf(): Generator<[string, XActor<IncidentMachine>, SimulatedClock]> {
  const clock = new SimulatedClock();
  const actor = createActor(incidentMachine, {
    clock,
    input: makeIncidentInput({ group: 'opendev', at: 0, policy: makePolicy({ tiers: tiers(5, 5) }) }),
  });
  actor.start();
  yield ['detected', actor, clock];
  const steps: Array<[string, number, IncidentEvent | undefined]> = [
    ['announced', 1, { type: 'incident.announced', at: MIN }],
    ['escalated to tier 2', 7, undefined],
    ['reported again', 8, { type: 'incident.reported', at: 8 * MIN, by: bob, detail: 'again' }],
    ['acknowledged', 9, { type: 'incident.ack', at: 9 * MIN, by: bob }],
    ['taken back', 10, { type: 'incident.unack', at: 10 * MIN, by: bob }],
    ['assigned', 11, { type: 'incident.assign', at: 11 * MIN, by: alice, assignee: bob }],
    ['resolved', 12, { type: 'incident.resolve', at: 12 * MIN, by: alice, note: 'mirror resynced' }],
  ];
  for (const [name, minute, event] of steps) {
    clock.set(minute * MIN);
    if (event) actor.send(event);
    yield [name, actor, clock];
  }
}

describe('the persisted incident snapshot', () => {
  test("is what xstate's getPersistedSnapshot gives, at every step of an incident's life", () => {
    for (const [step, actor] of lifeOf()) {
      const ours = persistedIncidentSnapshot(incidentMachine, actor.getSnapshot());
      assert.deepEqual(ours, actor.getPersistedSnapshot(), `at "${step}"`);
      assert.deepEqual(
        JSON.parse(JSON.stringify(ours)),
        JSON.parse(JSON.stringify(actor.getPersistedSnapshot())),
      );
    }
  });

  test('restores to the same state and context, timers included', () => {
    for (const [step, actor, clock] of lifeOf()) {
      const stored = JSON.parse(
        JSON.stringify(persistedIncidentSnapshot(incidentMachine, actor.getSnapshot())),
      );
      const restored = createActor(incidentMachine, { clock, snapshot: stored, input: undefined as never });
      assert.deepEqual(restored.getSnapshot().value, actor.getSnapshot().value, `at "${step}"`);
      assert.deepEqual(restored.getSnapshot().context, actor.getSnapshot().context, `at "${step}"`);
    }
  });

  test('leaves the live snapshot as it was', () => {
    for (const [step, actor] of lifeOf()) {
      const before = actor.getSnapshot();
      const { context } = before;
      persistedIncidentSnapshot(incidentMachine, before);
      assert.equal(actor.getSnapshot(), before, `at "${step}"`);
      assert.equal(before.context, context);
      assert.ok(before.context.timeline.length > 0);
    }
  });
});
