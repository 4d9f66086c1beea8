import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import type { DeliveryOutcome } from '../../../src/core/delivery.js';
import { LineConfirmations, deliveryTag } from '../../../src/networks/irc/line-confirmations.js';
import { MessageProgress } from '../../../src/networks/irc/message-progress.js';

/** With echo-message; without it, see server-answers.test.ts. */
function setup(echoes: boolean) {
  const clock = new SimulatedClock();
  /** The server talks all the time, unless a test makes it fall silent (a dead connection). */
  const server = { silentFrom: Infinity };
  const confirmations = new LineConfirmations(
    clock,
    30_000,
    () => echoes,
    () => 'irc.test:6697',
    () => assert.fail('with echo-message no line waits for an answer'),
    () => Math.min(clock.now(), server.silentFrom),
  );
  const outcomes = new Map<string, DeliveryOutcome>();
  const delivery = (id: string) => new MessageProgress(id, clock, (outcome) => outcomes.set(id, outcome));
  const write = (progress: MessageProgress, targetKey: string, index = 0) =>
    confirmations.written({
      index,
      chunk: `line ${index}`,
      targetKey,
      progress,
      owner: undefined,
    });
  return { clock, confirmations, outcomes, delivery, write, server };
}

test('with echo-message: the echo confirms the oldest line to its target, with its msgid; a tag names the line', () => {
  const { outcomes, delivery, write, confirmations } = setup(true);
  const first = delivery('first');
  const second = delivery('second');
  write(first, '#ops')();
  write(second, '#ops')();
  first.finishedWriting();
  second.finishedWriting();
  assert.equal(outcomes.size, 0, 'written, not echoed');
  // A tagged echo names its line, whatever the order.
  assert.equal(confirmations.echo('#ops', 'm2', deliveryTag('second', 0)), true);
  assert.deepEqual(outcomes.get('second'), { status: 'delivered', at: 0, receipt: ['m2'] });
  assert.equal(confirmations.echo('#ops', 'm1', undefined), true);
  assert.deepEqual(outcomes.get('first'), { status: 'delivered', at: 0, receipt: ['m1'] });
  assert.equal(confirmations.echo('#ops', 'm3', undefined), false, 'an echo of nothing we wait for');
  assert.equal(confirmations.echo('#ops', 'm4', deliveryTag('unknown', 0)), false);
});

test('our protocol lines keep the echoes aligned: a CTCP reply’s echo confirms no delivery', () => {
  const { outcomes, delivery, write, confirmations } = setup(true);
  confirmations.expect('alice');
  const page = delivery('page');
  write(page, 'alice')();
  page.finishedWriting();
  assert.equal(confirmations.echo('alice', 'm1', undefined), false, 'the VERSION reply came back first');
  assert.equal(outcomes.size, 0);
  assert.equal(confirmations.echo('alice', 'm2', undefined), true);
  assert.equal(outcomes.get('page')?.status, 'delivered');
});

test('a multi-line message settles when its last line is confirmed, or at the first refusal', () => {
  const { outcomes, delivery, write, confirmations } = setup(true);
  const long = delivery('long');
  write(long, '#ops', 0)();
  write(long, '#ops', 1)();
  confirmations.echo('#ops', 'a', undefined);
  long.finishedWriting();
  assert.equal(outcomes.size, 0, 'one line still unconfirmed');
  confirmations.echo('#ops', 'b', undefined);
  assert.deepEqual(outcomes.get('long'), { status: 'delivered', at: 0, receipt: ['a', 'b'] });
  const refusedOne = delivery('refused');
  write(refusedOne, 'ghost')();
  write(refusedOne, 'ghost', 1)();
  assert.equal(confirmations.refused('ghost', 'ghost: No such nick (401)'), true);
  assert.deepEqual(outcomes.get('refused'), {
    status: 'refused',
    at: 0,
    reason: 'ghost: No such nick (401)',
  });
});

test('no echo within the timeout, counted from the write, is a timeout', () => {
  const { clock, outcomes, delivery, write } = setup(true);
  const slow = delivery('slow');
  const written = write(slow, '#ops');
  slow.finishedWriting();
  clock.increment(60_000); // still in the socket's buffer: the clock does not run for it yet
  assert.equal(outcomes.size, 0);
  written();
  clock.increment(29_999);
  assert.equal(outcomes.size, 0);
  clock.increment(1);
  assert.deepEqual(outcomes.get('slow'), {
    status: 'timed-out',
    at: 90_000,
    reason: 'irc.test:6697 did not echo the line within 30 s of writing it',
  });
});

test('no echo on a connection gone silent is no timeout: the line waits for the connection’s end, to go again', () => {
  const { clock, outcomes, delivery, write, confirmations, server } = setup(true);
  const page = delivery('page');
  write(page, '#ops')();
  page.finishedWriting();
  server.silentFrom = clock.now(); // the connection died with the page in a socket buffer
  clock.increment(90_000);
  assert.equal(outcomes.size, 0, 'the page may be lost: settled timed-out, it would never go again');
  assert.equal(confirmations.takeAll().length, 1, 'the ping timeout ends the connection: handed back');
  const dropped = delivery('dropped');
  write(dropped, '#quiet')();
  dropped.finishedWriting();
  clock.increment(30_000);
  assert.equal(outcomes.size, 0, 'a quiet server: nothing yet says it is alive');
  server.silentFrom = Infinity; // it answers the watchdog's PING: alive, and it did not echo the line
  clock.increment(30_000);
  assert.deepEqual(outcomes.get('dropped'), {
    status: 'timed-out',
    at: 150_000,
    reason: 'irc.test:6697 did not echo the line within 30 s of writing it',
  });
});
