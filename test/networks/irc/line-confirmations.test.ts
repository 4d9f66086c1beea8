import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import type { DeliveryOutcome } from '../../../src/core/delivery.js';
import { LineConfirmations, deliveryTag, type Probe } from '../../../src/networks/irc/line-confirmations.js';
import { MessageProgress } from '../../../src/networks/irc/message-progress.js';

function setup(echoes: boolean) {
  const clock = new SimulatedClock();
  const probes: Probe[] = [];
  const confirmations = new LineConfirmations(
    clock,
    30_000,
    () => echoes,
    () => 'irc.test:6697',
    (probe) => probes.push(probe),
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
  return { clock, confirmations, outcomes, delivery, write, probes };
}

/** The probe as the pacer writes it: its line, handed over, then taken by the socket. */
function writeProbe(probe: Probe | undefined): string {
  const line = probe?.line();
  assert.ok(probe && line, 'a PING to write');
  probe.sent();
  probe.flushed();
  return line.replace(/^PING :/, '');
}

test('without echo-message the socket taking a line confirms nothing: the PONG to a later PING does', () => {
  const { outcomes, delivery, write, confirmations, probes } = setup(false);
  const page = delivery('page');
  const written = write(page, '#ops');
  page.finishedWriting();
  assert.equal(probes.length, 0, 'no PING before the socket took the line');
  written();
  assert.equal(outcomes.size, 0, 'in a socket buffer, the line may still be lost with the connection');
  const token = writeProbe(probes[0]);
  assert.equal(token, 'firebell-confirm-1');
  assert.equal(confirmations.pong('firebell-1700000000'), false, "the watchdog's PONG is not ours");
  assert.equal(outcomes.size, 0);
  assert.equal(confirmations.pong(token), true);
  assert.deepEqual(outcomes.get('page'), { status: 'delivered', at: 0, receipt: [] });
  const lost = delivery('lost');
  write(lost, '#ops')(new Error('socket destroyed'));
  assert.equal(outcomes.has('lost'), false);
  assert.equal(confirmations.takeAll().length, 1, 'handed back with the connection');
});

test('one PING covers every line the socket took before it; lines after it wait for the next one', () => {
  const { outcomes, delivery, write, confirmations, probes } = setup(false);
  const first = delivery('first');
  const second = delivery('second');
  const third = delivery('third');
  for (const progress of [first, second]) {
    write(progress, '#ops')();
    progress.finishedWriting();
  }
  assert.equal(probes.length, 1, 'the second line joined the PING already queued');
  const probe = probes[0] as Probe;
  const line = probe.line();
  probe.sent();
  // Written after the PING was handed over, taken by the socket after it: not covered.
  const late = write(third, '#ops');
  third.finishedWriting();
  probe.flushed();
  late();
  assert.equal(probes.length, 2, 'the third line asks for a PING of its own');
  confirmations.pong((line ?? '').replace(/^PING :/, ''));
  assert.deepEqual([...outcomes.keys()], ['first', 'second']);
  writeProbe(probes[1]);
  confirmations.pong('firebell-confirm-2');
  assert.deepEqual([...outcomes.keys()], ['first', 'second', 'third']);
});

test('without echo-message a refusal before the PONG refuses the line; a PING nothing waits for is not written', () => {
  const { outcomes, delivery, write, confirmations, probes } = setup(false);
  const ghost = delivery('ghost');
  write(ghost, 'ghost')();
  ghost.finishedWriting();
  assert.equal(confirmations.refused('ghost', 'ghost: No such nick (401)'), true);
  assert.equal(outcomes.get('ghost')?.status, 'refused');
  assert.equal(probes[0]?.line(), undefined, 'no line waits: the PING is dropped unwritten');
});

test('without echo-message, no PONG within the timeout, counted from the PING’s write, is a timeout', () => {
  const { clock, outcomes, delivery, write, probes } = setup(false);
  const page = delivery('page');
  write(page, '#ops')();
  page.finishedWriting();
  clock.increment(60_000); // the PING waits its turn in the bulk lane: the clock does not run for it yet
  writeProbe(probes[0]);
  clock.increment(29_999);
  assert.equal(outcomes.size, 0);
  clock.increment(1);
  assert.deepEqual(outcomes.get('page'), {
    status: 'timed-out',
    at: 90_000,
    reason: 'irc.test:6697 did not answer the PING written after the line within 30 s of writing it',
  });
});

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

test('the server’s answer to our QUIT confirms every line still waiting: it read them before the QUIT', () => {
  const { outcomes, delivery, write, confirmations, probes } = setup(false);
  const page = delivery('page');
  write(page, '#ops')();
  page.finishedWriting();
  const reply = delivery('reply');
  write(reply, '#ops'); // handed to the socket, its callback still to come: before the QUIT all the same
  reply.finishedWriting();
  confirmations.quitAnswered();
  assert.deepEqual(
    [...outcomes.values()].map((outcome) => outcome.status),
    ['delivered', 'delivered'],
  );
  assert.equal(probes[0]?.line(), undefined, 'nothing left for the PING');
  assert.deepEqual(confirmations.takeAll(), []);
});
