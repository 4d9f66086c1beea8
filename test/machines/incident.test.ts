import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, SimulatedClock, type Actor as XActor } from 'xstate';
import { incidentMachine, phaseOf, type IncidentMachine } from '../../machines/incident.js';
import type {
  Actor,
  EscalationPolicy,
  IncidentEffect,
  IncidentEvent,
} from '../../machines/incident-types.js';
import { alice, makeIncidentInput, makePolicy } from '../support/builders.js';

const MIN = 60_000;
const bob: Actor = { name: 'bob', network: 'matrix', account: '@bob:example.org' };

interface Harness {
  clock: SimulatedClock;
  actor: XActor<IncidentMachine>;
  effects: Array<IncidentEffect & { firedAt: number }>;
  send(event: IncidentEvent): void;
  phase(): string;
  pages(): string[];
}

function start(policy: Partial<EscalationPolicy> = {}, startAt = 0): Harness {
  const clock = new SimulatedClock();
  clock.set(startAt);
  const effects: Harness['effects'] = [];
  const actor = createActor(incidentMachine, {
    clock,
    input: makeIncidentInput({ group: 'opendev', at: startAt, policy: makePolicy(policy) }),
  });
  actor.on('*', (effect) => effects.push({ ...(effect as IncidentEffect), firedAt: clock.now() }));
  actor.start();
  return {
    clock,
    actor,
    effects,
    send: (event) => actor.send(event),
    phase: () => phaseOf(actor.getSnapshot().value),
    pages: () =>
      effects.flatMap((effect) =>
        effect.type === 'effect.page' ? [`t${effect.tier}r${effect.round}@${effect.firedAt / MIN}`] : [],
      ),
  };
}

function announce(h: Harness): void {
  h.send({ type: 'incident.announced', at: h.clock.now() });
}

/** Advances the simulated clock minute by minute, so each timer fires at its own due time. */
function advanceTo(h: Harness, minute: number): void {
  for (let t = h.clock.now() / MIN + 1; t <= minute; t += 1) h.clock.set(t * MIN);
}

describe('states and transitions', () => {
  test('a new incident is detected and asks to be announced', () => {
    const h = start();
    assert.equal(h.phase(), 'detected');
    assert.deepEqual(
      h.effects.map((e) => e.type),
      ['effect.announce'],
    );
    const context = h.actor.getSnapshot().context;
    assert.equal(context.timeline[0]?.kind, 'detected');
    assert.deepEqual(context.timeline[0]?.by, alice);
  });

  test('detected → announced → assigned (ack) → resolved, with a timeline of who, where and when', () => {
    const h = start();
    announce(h);
    assert.equal(h.phase(), 'announced');
    h.clock.set(2 * MIN);
    h.send({ type: 'incident.ack', at: 2 * MIN, by: bob });
    assert.equal(h.phase(), 'assigned');
    assert.deepEqual(h.actor.getSnapshot().context.assignee, bob);
    h.clock.set(30 * MIN);
    h.send({ type: 'incident.resolve', at: 30 * MIN, by: alice, note: 'mirror resynced' });
    assert.equal(h.phase(), 'resolved');
    assert.equal(h.actor.getSnapshot().status, 'done');
    const timeline = h.actor
      .getSnapshot()
      .context.timeline.map((entry) => [entry.at / MIN, entry.kind, entry.by?.network ?? '-']);
    assert.deepEqual(timeline, [
      [0, 'detected', 'libera'],
      [0, 'announced', '-'],
      [2, 'acknowledged', 'matrix'],
      [30, 'resolved', 'libera'],
    ]);
    assert.deepEqual(h.actor.getSnapshot().context.resolution, {
      at: 30 * MIN,
      by: alice,
      note: 'mirror resynced',
      bySource: false,
    });
    assert.deepEqual(
      h.effects.map((e) => e.type),
      ['effect.announce', 'effect.acknowledged', 'effect.resolved'],
    );
  });

  test('ack straight from detected (before the announcement went out)', () => {
    const h = start();
    h.send({ type: 'incident.ack', at: 0, by: bob });
    assert.equal(h.phase(), 'assigned');
    // The announcement that was in flight is still recorded, and does not restart escalation.
    announce(h);
    assert.equal(h.phase(), 'assigned');
    assert.deepEqual(
      h.actor.getSnapshot().context.timeline.map((entry) => entry.kind),
      ['detected', 'acknowledged', 'announced'],
    );
    advanceTo(h, 60);
    assert.deepEqual(h.pages(), []);
  });

  test('assign from detected, announced and assigned; the assignee and who assigned are recorded', () => {
    const h = start();
    h.send({ type: 'incident.assign', at: 0, by: alice, assignee: bob });
    assert.equal(h.phase(), 'assigned');
    h.send({ type: 'incident.assign', at: 1, by: bob, assignee: alice });
    assert.deepEqual(h.actor.getSnapshot().context.assignee, alice);

    const other = start();
    announce(other);
    other.send({ type: 'incident.assign', at: 0, by: alice, assignee: bob });
    assert.equal(other.phase(), 'assigned');
    const assigned = other.effects.find((e) => e.type === 'effect.assigned');
    assert.deepEqual(assigned && { by: assigned.by, assignee: assigned.assignee }, {
      by: alice,
      assignee: bob,
    });
  });

  for (const from of ['detected', 'announced', 'assigned'] as const) {
    test(`resolve from ${from}`, () => {
      const h = start();
      if (from !== 'detected') announce(h);
      if (from === 'assigned') h.send({ type: 'incident.ack', at: 0, by: bob });
      h.send({ type: 'incident.resolve', at: 0, by: alice, note: null });
      assert.equal(h.phase(), 'resolved');
      assert.equal(h.actor.getSnapshot().status, 'done');
    });

    test(`resolved by the alert source from ${from}`, () => {
      const h = start();
      if (from !== 'detected') announce(h);
      if (from === 'assigned') h.send({ type: 'incident.ack', at: 0, by: bob });
      const source: Actor = { name: 'alertmanager', network: 'webhook' };
      h.send({ type: 'incident.source-resolved', at: 0, by: source, note: 'all alerts resolved' });
      assert.equal(h.phase(), 'resolved');
      assert.equal(h.actor.getSnapshot().context.resolution?.bySource, true);
      assert.equal(h.actor.getSnapshot().context.timeline.at(-1)?.kind, 'resolved-by-source');
    });
  }

  test('unack returns an acknowledged incident to announced', () => {
    const h = start();
    announce(h);
    h.send({ type: 'incident.ack', at: 0, by: bob });
    h.send({ type: 'incident.unack', at: 1 * MIN, by: bob });
    assert.equal(h.phase(), 'announced');
    assert.equal(h.actor.getSnapshot().context.assignee, null);
    assert.deepEqual(
      h.effects
        .filter((e) => e.type === 'effect.unacknowledged')
        .map((e) => e.type === 'effect.unacknowledged' && e.reason),
      ['unack'],
    );
  });

  test('invalid events are ignored', () => {
    const h = start();
    const before = h.actor.getSnapshot();
    h.send({ type: 'incident.unack', at: 0, by: bob });
    assert.equal(h.actor.getSnapshot().value, before.value);
    assert.equal(h.actor.getSnapshot().context.timeline.length, before.context.timeline.length);

    announce(h);
    h.send({ type: 'incident.ack', at: 0, by: bob });
    h.send({ type: 'incident.ack', at: 0, by: alice });
    assert.deepEqual(h.actor.getSnapshot().context.assignee, bob, 'a second ack does not steal the incident');

    h.send({ type: 'incident.resolve', at: 0, by: alice, note: null });
    const done = h.actor.getSnapshot();
    for (const event of [
      { type: 'incident.ack', at: 1, by: bob },
      { type: 'incident.unack', at: 1, by: bob },
      { type: 'incident.resolve', at: 1, by: bob, note: null },
      { type: 'incident.announced', at: 1 },
    ] as const) {
      h.send(event);
    }
    assert.equal(h.actor.getSnapshot(), done, 'a resolved incident ignores everything');
  });

  test('a repeated declaration is recorded, not re-announced', () => {
    const h = start();
    announce(h);
    h.send({ type: 'incident.reported', at: 1 * MIN, by: bob });
    assert.equal(h.actor.getSnapshot().context.timeline.at(-1)?.kind, 'reported-again');
    assert.equal(h.effects.filter((e) => e.type === 'effect.announce').length, 1);
  });
});

describe('escalation', () => {
  test('pages every tier after its delay, through every repeat, then stops as the policy says', () => {
    const h = start({ repeat: 1 });
    announce(h);
    advanceTo(h, 120);
    // Tier 1 after 5, tier 2 after 10 more; the repeat round the same; exhausted 15 after the last page.
    assert.deepEqual(h.pages(), ['t1r0@5', 't2r0@15', 't1r1@20', 't2r1@30']);
    const exhausted = h.effects
      .filter((e) => e.type === 'effect.escalation-exhausted')
      .map((e) => e.firedAt / MIN);
    assert.deepEqual(exhausted, [45]);
    assert.deepEqual(h.actor.getSnapshot().value, {
      lifecycle: { announced: 'exhausted' },
      statusUpdates: 'notDue',
    });
    assert.equal(h.actor.getSnapshot().context.timeline.at(-1)?.kind, 'escalation-exhausted');
  });

  test('keep-paging-last-tier keeps paging the last tier at the exhaustion interval', () => {
    const h = start({ whenExhausted: { action: 'keep-paging-last-tier', afterMinutes: 15 } });
    announce(h);
    advanceTo(h, 75);
    assert.deepEqual(h.pages(), ['t1r0@5', 't2r0@15', 't2r1@30', 't2r2@45', 't2r3@60', 't2r4@75']);
    assert.equal(
      h.effects.filter((e) => e.type === 'effect.escalation-exhausted').length,
      1,
      'exhaustion is announced once',
    );
    const repeats = h.effects.flatMap((e) => (e.type === 'effect.page' ? [e.repeatOfLastTier] : []));
    assert.deepEqual(repeats, [false, false, true, true, true, true]);
  });

  test('ack stops escalation; unack restarts it from tier 1', () => {
    const h = start({ repeat: 2 });
    announce(h);
    advanceTo(h, 16);
    assert.deepEqual(h.pages(), ['t1r0@5', 't2r0@15']);
    h.send({ type: 'incident.ack', at: 16 * MIN, by: bob });
    advanceTo(h, 40);
    assert.deepEqual(h.pages(), ['t1r0@5', 't2r0@15'], 'nothing while acknowledged');
    h.send({ type: 'incident.unack', at: 40 * MIN, by: bob });
    advanceTo(h, 56);
    assert.deepEqual(
      h.pages(),
      ['t1r0@5', 't2r0@15', 't1r0@45', 't2r0@55'],
      'tier 1 again, round 0, 5 min after the unack',
    );
  });

  test('the ack timeout unacknowledges and restarts escalation from tier 1', () => {
    const h = start({ ackTimeoutMinutes: 30 });
    announce(h);
    advanceTo(h, 6);
    h.send({ type: 'incident.ack', at: 6 * MIN, by: bob });
    advanceTo(h, 35);
    assert.equal(h.phase(), 'assigned');
    advanceTo(h, 36);
    assert.equal(h.phase(), 'announced');
    const timedOut = h.effects.find((e) => e.type === 'effect.unacknowledged');
    assert.deepEqual(
      timedOut && {
        at: timedOut.at / MIN,
        reason: timedOut.type === 'effect.unacknowledged' && timedOut.reason,
      },
      {
        at: 36,
        reason: 'ack-timeout',
      },
    );
    advanceTo(h, 42);
    assert.deepEqual(h.pages(), ['t1r0@5', 't1r0@41']);
    assert.equal(
      h.actor.getSnapshot().context.timeline.find((e) => e.kind === 'ack-timed-out')?.detail,
      'bob did not resolve it in time',
    );
  });

  test('re-assigning restarts the ack timeout', () => {
    const h = start({ ackTimeoutMinutes: 30 });
    announce(h);
    h.send({ type: 'incident.ack', at: 0, by: bob });
    advanceTo(h, 20);
    h.send({ type: 'incident.assign', at: 20 * MIN, by: bob, assignee: alice });
    advanceTo(h, 49);
    assert.equal(h.phase(), 'assigned', 'the first deadline (30) no longer applies');
    advanceTo(h, 50);
    assert.equal(h.phase(), 'announced');
  });

  test('a tier that reached nobody does not make the next tier wait out its delay', () => {
    const h = start({
      tiers: [
        { tier: 1, afterMinutes: 5 },
        { tier: 2, afterMinutes: 10 },
        { tier: 3, afterMinutes: 10 },
      ],
    });
    announce(h);
    advanceTo(h, 5);
    assert.deepEqual(h.pages(), ['t1r0@5']);
    h.clock.set(5 * MIN + 200);
    h.send({ type: 'incident.paged', at: 5 * MIN + 200, tierIndex: 0, round: 0, recipients: [] });
    h.clock.increment(0);
    assert.deepEqual(h.pages(), ['t1r0@5', `t2r0@${(5 * MIN + 200) / MIN}`], 'tier 2 is paged at once');
    h.send({ type: 'incident.paged', at: h.clock.now(), tierIndex: 1, round: 0, recipients: ['dana'] });
    advanceTo(h, 16);
    assert.deepEqual(h.pages().length, 3, 'tier 3 waits its full delay after a tier that reached someone');
    const pagedDetails = h.actor
      .getSnapshot()
      .context.timeline.filter((e) => e.kind === 'paged')
      .map((e) => e.detail);
    assert.deepEqual(pagedDetails, ['tier 1: nobody could be reached', 'tier 2: dana']);
  });

  test('an empty last tier leads straight to exhaustion; a new round still waits (no spinning)', () => {
    const h = start({ repeat: 1 });
    announce(h);
    advanceTo(h, 5);
    h.send({ type: 'incident.paged', at: 5 * MIN, tierIndex: 0, round: 0, recipients: [] });
    h.clock.increment(0);
    h.send({ type: 'incident.paged', at: 5 * MIN, tierIndex: 1, round: 0, recipients: [] });
    h.clock.increment(0);
    assert.deepEqual(h.pages(), ['t1r0@5', 't2r0@5'], 'round 1 waits for tier 1 delay');
    advanceTo(h, 10);
    assert.deepEqual(h.pages(), ['t1r0@5', 't2r0@5', 't1r1@10']);
    h.send({ type: 'incident.paged', at: 10 * MIN, tierIndex: 0, round: 1, recipients: [] });
    h.clock.increment(0);
    h.send({ type: 'incident.paged', at: 10 * MIN, tierIndex: 1, round: 1, recipients: [] });
    h.clock.increment(0);
    assert.equal(
      h.effects.filter((e) => e.type === 'effect.escalation-exhausted').length,
      1,
      'exhausted at once',
    );
    assert.deepEqual(h.actor.getSnapshot().value, {
      lifecycle: { announced: 'exhausted' },
      statusUpdates: 'notDue',
    });
  });

  test('a late or stale page report does not move escalation', () => {
    const h = start();
    announce(h);
    advanceTo(h, 5);
    h.send({ type: 'incident.paged', at: 5 * MIN, tierIndex: 1, round: 0, recipients: [] });
    h.clock.increment(0);
    assert.deepEqual(h.pages(), ['t1r0@5']);
  });

  test('the policy is frozen into the incident when it is detected', () => {
    const policy = structuredClone(makePolicy()) as {
      -readonly [K in keyof EscalationPolicy]: EscalationPolicy[K];
    } & {
      tiers: Array<{ tier: number; afterMinutes: number }>;
    };
    const h = start(policy);
    announce(h);
    // A config edit (here: the very object the incident was created from) must not reach a running incident.
    policy.tiers[0]!.afterMinutes = 1;
    policy.tiers.push({ tier: 3, afterMinutes: 1 });
    policy.repeat = 5;
    advanceTo(h, 60);
    assert.deepEqual(h.pages(), ['t1r0@5', 't2r0@15']);
    assert.deepEqual(h.actor.getSnapshot().context.policy, makePolicy());
  });
});

describe('status reminder', () => {
  test('fires when no #status was posted N minutes after the announcement, and repeats if configured', () => {
    const h = start({ statusReminder: { afterMinutes: 10, repeatMinutes: 20 } });
    announce(h);
    advanceTo(h, 50);
    const prompts = h.effects.filter((e) => e.type === 'effect.prompt-status').map((e) => e.firedAt / MIN);
    assert.deepEqual(prompts, [10, 30, 50]);
  });

  test('a #status posted in time cancels the reminder; the status is recorded', () => {
    const h = start({ statusReminder: { afterMinutes: 10, repeatMinutes: null } });
    announce(h);
    advanceTo(h, 4);
    h.send({ type: 'incident.status', at: 4 * MIN, by: alice, kind: 'alert', text: 'gate down, stand by' });
    advanceTo(h, 60);
    assert.equal(h.effects.filter((e) => e.type === 'effect.prompt-status').length, 0);
    assert.deepEqual(h.actor.getSnapshot().context.status, {
      alertUp: true,
      lastKind: 'alert',
      lastPostedAt: 4 * MIN,
      reminderAt: null,
    });
    assert.equal(
      h.actor.getSnapshot().context.timeline.find((e) => e.kind === 'status-posted')?.detail,
      'alert: gate down, stand by',
    );
  });

  test('the reminder keeps running whether or not someone acknowledged', () => {
    const h = start({ statusReminder: { afterMinutes: 10, repeatMinutes: null } });
    announce(h);
    h.send({ type: 'incident.ack', at: 1 * MIN, by: bob });
    advanceTo(h, 10);
    assert.deepEqual(
      h.effects.filter((e) => e.type === 'effect.prompt-status').map((e) => e.firedAt / MIN),
      [10],
    );
  });

  test('resolving while an alert is up asks for #status ok; without an alert it does not', () => {
    const h = start();
    announce(h);
    h.send({ type: 'incident.status', at: 0, by: alice, kind: 'alert', text: 'down' });
    h.send({ type: 'incident.resolve', at: 1, by: alice, note: null });
    const prompt = h.effects.find((e) => e.type === 'effect.prompt-status');
    assert.equal(prompt?.type === 'effect.prompt-status' && prompt.reason, 'resolved-with-alert-up');

    const quiet = start();
    announce(quiet);
    quiet.send({ type: 'incident.status', at: 0, by: alice, kind: 'alert', text: 'down' });
    quiet.send({ type: 'incident.status', at: 1, by: alice, kind: 'ok', text: '' });
    quiet.send({ type: 'incident.resolve', at: 2, by: alice, note: null });
    assert.equal(quiet.effects.filter((e) => e.type === 'effect.prompt-status').length, 0);
  });
});

describe('restore', () => {
  function restore(
    snapshot: unknown,
    clock: SimulatedClock,
    effects: Harness['effects'],
  ): XActor<IncidentMachine> {
    const actor = createActor(incidentMachine, {
      clock,
      snapshot: JSON.parse(JSON.stringify(snapshot)) as never,
      // Required by the types; ignored when restoring a snapshot.
      input: undefined as never,
    });
    actor.on('*', (effect) => effects.push({ ...(effect as IncidentEffect), firedAt: clock.now() }));
    actor.start();
    actor.send({ type: 'incident.resume', at: clock.now() });
    return actor;
  }

  /** Stops `h` as a crash would, and restores what it stored on a new clock set to `atMs`. */
  function restartAt(h: Harness, atMs: number) {
    const snapshot = h.actor.getPersistedSnapshot();
    h.actor.stop();
    const clock = new SimulatedClock();
    clock.set(atMs);
    const effects: Harness['effects'] = [];
    return { clock, effects, restored: restore(snapshot, clock, effects) };
  }

  test('a timer armed at t=0 for 1000 ms and restored at t=700 fires at t=1000, not 1700', () => {
    const h = start({ tiers: [{ tier: 1, afterMinutes: 1000 / MIN }] });
    announce(h);
    h.clock.set(700);
    const { clock, effects, restored } = restartAt(h, 700);
    clock.set(999);
    assert.equal(effects.length, 0);
    clock.set(1000);
    assert.deepEqual(
      effects.map((e) => [e.type, e.firedAt]),
      [['effect.page', 1000]],
    );
    restored.stop();
  });

  test('a timer that fell due while down fires once at restore, not once per missed step', () => {
    const h = start({ repeat: 3 });
    announce(h);
    const { clock, effects, restored } = restartAt(h, 200 * MIN);
    clock.increment(0);
    assert.deepEqual(
      effects.map((e) => e.type === 'effect.page' && `t${e.tier}r${e.round}@${e.firedAt / MIN}`),
      ['t1r0@200'],
      'one page now; the next tier keeps its full delay from now',
    );
    clock.set(209 * MIN);
    assert.equal(effects.length, 1);
    clock.set(210 * MIN);
    assert.equal(effects.length, 2);
    restored.stop();
  });

  test('resuming after the timer already fired does not fire it twice', () => {
    const h = start();
    announce(h);
    advanceTo(h, 5);
    assert.deepEqual(h.pages(), ['t1r0@5']);
    const { clock, effects, restored } = restartAt(h, 6 * MIN);
    clock.increment(0);
    clock.set(14 * MIN);
    assert.equal(effects.length, 0, 'tier 1 is not paged again');
    clock.set(15 * MIN);
    assert.deepEqual(
      effects.map((e) => e.type === 'effect.page' && e.tier),
      [2],
    );
    restored.stop();
  });

  test('the status reminder and the ack timeout are re-armed too', () => {
    const h = start({ ackTimeoutMinutes: 30, statusReminder: { afterMinutes: 10, repeatMinutes: null } });
    announce(h);
    h.send({ type: 'incident.ack', at: 0, by: bob });
    h.clock.set(3 * MIN);
    const { clock, effects, restored } = restartAt(h, 4 * MIN);
    for (let minute = 5; minute <= 31; minute += 1) clock.set(minute * MIN);
    assert.deepEqual(
      effects.map((e) => [e.type, e.firedAt / MIN]),
      [
        ['effect.prompt-status', 10],
        ['effect.unacknowledged', 30],
      ],
    );
    restored.stop();
  });
});

describe('events are checked, not cast', () => {
  test('an action reached by an event it was not written for stops the actor with a clear error', () => {
    // Wire the ack's bookkeeping to the announcement: it must not read `by` from an event that has none.
    // (`as never`: the wiring is wrong on purpose, and the types know it.)
    const acknowledge = incidentMachine.implementations.actions.acknowledge as never;
    const miswired = incidentMachine.provide({ actions: { recordAnnounced: acknowledge } });
    const clock = new SimulatedClock();
    const actor = createActor(miswired, { clock, input: makeIncidentInput() });
    const errors: unknown[] = [];
    actor.subscribe({ error: (error) => errors.push(error) });
    actor.start();
    actor.send({ type: 'incident.announced', at: 0 });
    assert.equal(actor.getSnapshot().status, 'error');
    assert.match(String(errors[0]), /incident\.announced.*incident\.ack/);
    assert.deepEqual(
      actor.getSnapshot().context.timeline.map((entry) => entry.kind),
      ['detected'],
    );
  });
});
