import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { ircCaseFold } from '../../../src/core/casemapping.js';
import { TopicTracker } from '../../../src/networks/irc/topic-tracker.js';

const setup = () => {
  const clock = new SimulatedClock();
  /** The server talks all the time, unless a test makes it fall silent (a dead connection). */
  const server = { silentFrom: Infinity };
  return {
    clock,
    server,
    topics: new TopicTracker(
      () => ircCaseFold('rfc1459'),
      clock,
      10_000,
      () => 'irc.test:6697',
      () => Math.min(clock.now(), server.silentFrom),
    ),
  };
};

test('topics are cached from what the server says; a query waits for the answer', async () => {
  const { topics } = setup();
  assert.equal(topics.cached('#ops'), undefined);
  const query = topics.query('#OPS');
  query.written();
  topics.observed('#ops', 'all good', false);
  assert.equal(await query.answer, 'all good');
  assert.equal(topics.cached('#Ops'), 'all good');
  topics.observed('#ops', '', false);
  assert.equal(topics.cached('#ops'), '', 'no topic is known to be empty');
});

test('setting: our own TOPIC coming back is success; 482 is a refusal with the reason', async () => {
  const { topics } = setup();
  const first = topics.change('#ops');
  first.sent();
  first.written();
  topics.observed('#ops', 'someone else', false);
  topics.observed('#ops', 'ours', true);
  assert.deepEqual(await first.outcome, { status: 'set' });
  const second = topics.change('#ops');
  second.sent();
  second.written();
  topics.refused('#ops', 'not a channel operator');
  assert.deepEqual(await second.outcome, { status: 'refused', reason: 'not a channel operator' });
});

test('answers belong to the changes written, in write order; a queued change is not answered', async () => {
  const { topics } = setup();
  const written = topics.change('#ops');
  const queued = topics.change('#ops');
  written.sent();
  topics.observed('#ops', 'ours', true);
  assert.deepEqual(await written.outcome, { status: 'set' });
  assert.equal(queued.settled, false, 'an answer to an earlier line is not the queued change’s');
  topics.refused('#ops', 'not a channel operator');
  assert.equal(queued.settled, false);
});

test('no answer within the timeout counted from the write is a timeout that says so', async () => {
  const { clock, topics } = setup();
  const slow = topics.change('#ops');
  // Queued behind a long fan-out: the clock runs, but nothing was written yet.
  clock.increment(60_000);
  assert.equal(slow.settled, false);
  slow.sent();
  slow.written();
  const query = topics.query('#ops');
  query.written();
  clock.increment(9_999);
  assert.equal(slow.settled, false);
  clock.increment(1);
  assert.deepEqual(await slow.outcome, {
    status: 'timed-out',
    reason: 'no answer from irc.test:6697 to the topic change in #ops within 10 s of sending it',
  });
  assert.equal(await query.answer, undefined);
});

test('no answer on a connection gone silent is no timeout: the change waits for the connection’s end, to go again', async () => {
  const { clock, topics, server } = setup();
  const alert = topics.change('#status');
  alert.sent();
  alert.written();
  server.silentFrom = clock.now(); // the connection died with the TOPIC in a socket buffer
  clock.increment(90_000);
  assert.equal(alert.settled, false, 'the change may be lost: settled timed-out, it would never go again');
  assert.deepEqual(topics.connectionLost(), [alert], 'the ping timeout ends the connection: handed back');
  server.silentFrom = Infinity; // the next connection
  alert.sent();
  alert.written();
  topics.observed('#status', 'alert', true);
  assert.deepEqual(await alert.outcome, { status: 'set' });
});

test('a quiet server that talks again without answering the change times it out, as before', async () => {
  const { clock, topics, server } = setup();
  server.silentFrom = 0; // quiet since before the write
  const lagging = topics.change('#ops');
  lagging.sent();
  lagging.written();
  clock.increment(10_000);
  assert.equal(lagging.settled, false, 'a quiet server: nothing yet says it is alive');
  server.silentFrom = Infinity; // it answers the watchdog's PING: alive, and it did not answer the change
  clock.increment(9_999);
  assert.equal(lagging.settled, false);
  clock.increment(1);
  assert.deepEqual(await lagging.outcome, {
    status: 'timed-out',
    reason: 'no answer from irc.test:6697 to the topic change in #ops within 10 s of sending it',
  });
});

test('a lost connection hands the changes in flight back to be written again; stopping abandons them', async () => {
  const { clock, topics } = setup();
  const cut = topics.change('#ops');
  cut.sent();
  cut.written();
  assert.deepEqual(topics.connectionLost(), [cut]);
  clock.increment(60_000);
  assert.equal(cut.settled, false, 'no timeout runs while it waits for the next connection');
  cut.sent();
  cut.written();
  topics.stop('firebell is stopping');
  assert.deepEqual(await cut.outcome, { status: 'abandoned', reason: 'firebell is stopping' });
});

test('a channel joined without RPL_TOPIC before the end of NAMES has no topic: known, not asked for', () => {
  const clock = new SimulatedClock();
  const tracker = new TopicTracker(
    () => (value: string) => value.toLowerCase(),
    clock,
    1000,
    () => 'irc.test',
    () => clock.now(),
  );
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
