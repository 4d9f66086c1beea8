import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { caseFoldFor } from '../../../src/core/irc-case-fold.js';
import { TopicTracker } from '../../../src/networks/irc/topic-tracker.js';

const setup = () => {
  const clock = new SimulatedClock();
  return { clock, topics: new TopicTracker(() => caseFoldFor('rfc1459'), clock, 10_000) };
};

test('topics are cached from what the server says; a query waits for the answer', async () => {
  const { topics } = setup();
  assert.equal(topics.cached('#ops'), undefined);
  const answer = topics.awaitTopic('#OPS');
  topics.observed('#ops', 'all good', false);
  assert.equal(await answer, 'all good');
  assert.equal(topics.cached('#Ops'), 'all good');
  topics.observed('#ops', '', false);
  assert.equal(topics.cached('#ops'), '', 'no topic is known to be empty');
});

test('setting: our own TOPIC coming back is success; 482 is a refusal with the reason', async () => {
  const { topics } = setup();
  const first = topics.awaitSet('#ops', () => 'irc.test');
  topics.observed('#ops', 'someone else', false);
  topics.observed('#ops', 'ours', true);
  assert.deepEqual(await first, { ok: true });
  const second = topics.awaitSet('#ops', () => 'irc.test');
  topics.refused('#ops', 'not a channel operator');
  assert.deepEqual(await second, { ok: false, reason: 'not a channel operator' });
});

test('no answer within the timeout, or a lost connection, is a refusal that says so', async () => {
  const { clock, topics } = setup();
  const slow = topics.awaitSet('#ops', () => 'irc.test:6697');
  const query = topics.awaitTopic('#ops');
  clock.increment(10_000);
  assert.deepEqual(await slow, {
    ok: false,
    reason: 'no answer from irc.test:6697 to the topic change in #ops within 10 s',
  });
  assert.equal(await query, undefined);
  const cut = topics.awaitSet('#ops', () => 'irc.test');
  topics.connectionLost('connection lost');
  assert.deepEqual(await cut, { ok: false, reason: 'connection lost' });
});

test('a channel joined without RPL_TOPIC before the end of NAMES has no topic: known, not asked for', () => {
  const clock = new SimulatedClock();
  const tracker = new TopicTracker(() => (value: string) => value.toLowerCase(), clock, 1000);
  tracker.joined('#Quiet');
  assert.equal(tracker.cached('#quiet'), undefined);
  tracker.namesEnded('#quiet');
  assert.equal(tracker.cached('#quiet'), '');
  tracker.joined('#busy');
  tracker.observed('#busy', 'meetings on Tuesdays', false);
  tracker.namesEnded('#busy');
  assert.equal(tracker.cached('#busy'), 'meetings on Tuesdays');
  // A NAMES reply later (not after our JOIN) says nothing about the topic.
  tracker.namesEnded('#other');
  assert.equal(tracker.cached('#other'), undefined);
});
