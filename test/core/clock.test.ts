/**
 * Long timers: Node fires a timer longer than 2^31-1 ms (24.8 days) at once. `steppedClock` re-arms in
 * steps, so a 30-day deadline fires on day 30. The host below behaves as Node does (an overlong delay
 * becomes 1 ms) on a simulated clock, so the tests run in no time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, SimulatedClock } from 'xstate';
import { incidentMachine } from '../../machines/incident.js';
import type { EscalationPolicy, IncidentEffect } from '../../machines/incident-types.js';
import { MAX_TIMER_MS, steppedClock, type TimerHost } from '../../src/core/clock.js';

const DAY = 86_400_000;

/** A simulated host with Node's limit: what it is asked to wait past 2^31-1 ms it waits 1 ms. */
function nodeLikeHost(): TimerHost & { clock: SimulatedClock; armed: number[] } {
  const clock = new SimulatedClock();
  const armed: number[] = [];
  return {
    clock,
    armed,
    now: () => clock.now(),
    setTimeout: (fn, ms) => {
      armed.push(ms);
      return clock.setTimeout(fn, ms > MAX_TIMER_MS ? 1 : ms);
    },
    clearTimeout: (handle) => clock.clearTimeout(handle as number),
  };
}

test('the host is as Node is: an overlong timer fires at once', () => {
  const host = nodeLikeHost();
  let fired = false;
  host.setTimeout(() => (fired = true), 30 * DAY);
  host.clock.increment(1);
  assert.equal(fired, true);
});

test('a 30-day timer is re-armed in steps and fires on day 30, not before', () => {
  const host = nodeLikeHost();
  const clock = steppedClock(host);
  let firedAt: number | undefined;
  clock.setTimeout(() => (firedAt = host.clock.now()), 30 * DAY);
  assert.deepEqual(host.armed, [MAX_TIMER_MS], 'the first step is the longest Node takes');
  host.clock.increment(MAX_TIMER_MS);
  assert.equal(firedAt, undefined, 'day 24.8: one step done');
  assert.deepEqual(host.armed, [MAX_TIMER_MS, 30 * DAY - MAX_TIMER_MS], 'then what remains');
  host.clock.increment(30 * DAY - MAX_TIMER_MS - 1);
  assert.equal(firedAt, undefined, 'one millisecond before day 30');
  host.clock.increment(1);
  assert.equal(firedAt, 30 * DAY);
});

test('a stepped timer is cleared whichever step it is in; short timers are one step', () => {
  const host = nodeLikeHost();
  const clock = steppedClock(host);
  let fired = 0;
  const long = clock.setTimeout(() => (fired += 1), 60 * DAY);
  host.clock.increment(MAX_TIMER_MS + 5);
  clock.clearTimeout(long);
  host.clock.increment(60 * DAY);
  assert.equal(fired, 0, 'cleared in its second step');
  clock.setTimeout(() => (fired += 1), 5_000);
  assert.equal(host.armed.at(-1), 5_000);
  host.clock.increment(5_000);
  assert.equal(fired, 1);
  clock.clearTimeout(undefined);
});

test('the incident machine on the stepped clock: a 30-day repeat of the last tier pages on day 30', () => {
  const host = nodeLikeHost();
  const policy: EscalationPolicy = {
    name: 'slow',
    tiers: [{ tier: 1, afterMinutes: 5 }],
    repeat: 0,
    whenExhausted: { action: 'keep-paging-last-tier', afterMinutes: 30 * 24 * 60 },
    ackTimeoutMinutes: null,
    statusReminder: null,
    nobodyAwake: 'soonest',
  };
  const actor = createActor(incidentMachine, {
    clock: steppedClock(host),
    input: {
      id: 1,
      summary: 'the mirror is slowly rotting',
      group: 'infra',
      declaredBy: { name: 'alice', network: 'libera' },
      at: 0,
      policy,
      source: { kind: 'chat' },
    },
  });
  const pages: Array<{ at: number; effect: IncidentEffect }> = [];
  actor.on('*', (effect) => {
    const typed = effect as IncidentEffect;
    if (typed.type === 'effect.page' || typed.type === 'effect.escalation-exhausted')
      pages.push({ at: host.clock.now(), effect: typed });
  });
  actor.start();
  actor.send({ type: 'incident.announced', at: 0 });
  host.clock.increment(5 * 60_000);
  assert.deepEqual(
    pages.map((page) => [page.at, page.effect.type]),
    [[5 * 60_000, 'effect.page']],
  );
  actor.send({ type: 'incident.paged', at: 5 * 60_000, tierIndex: 0, round: 0, recipients: ['ana'] });
  // Day 24.8 (one step), then the rest of the way up to a millisecond before 30 days after the page.
  host.clock.increment(MAX_TIMER_MS);
  host.clock.increment(30 * DAY - MAX_TIMER_MS - 1);
  assert.equal(pages.length, 1, 'nothing before day 30');
  host.clock.increment(1);
  assert.deepEqual(
    pages.slice(1).map((page) => [page.at, page.effect.type]),
    [
      [30 * DAY + 5 * 60_000, 'effect.escalation-exhausted'],
      [30 * DAY + 5 * 60_000, 'effect.page'],
    ],
    'exhausted, and the last tier paged again, 30 days after the last page to the millisecond',
  );
  actor.stop();
});
