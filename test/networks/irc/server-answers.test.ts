/**
 * Without echo-message a message line is confirmed by the server's answer to a line written after it:
 * the PONG to a PING, the echo of our JOIN or TOPIC. Driven on the simulated clock, the pacer's part
 * played by hand (see outgoing-pacer.test.ts for the PING in the lanes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import type { IrcMessage } from 'irc-framework';
import type { DeliveryOutcome } from '../../../src/core/delivery.js';
import { LineConfirmations } from '../../../src/networks/irc/line-confirmations.js';
import { MessageProgress } from '../../../src/networks/irc/message-progress.js';
import { PROMOTE_AFTER_MS, ServerAnswers, type Probe } from '../../../src/networks/irc/server-answers.js';
import type { LineContext } from '../../../src/networks/irc/line-dispatcher.js';

function setup() {
  const clock = new SimulatedClock();
  const queued: { probe: Probe; promoted: boolean }[] = [];
  /** The server talks all the time, unless a test makes it fall silent (a dead connection). */
  const server = { silentFrom: Infinity };
  const confirmations: LineConfirmations = new LineConfirmations(
    clock,
    30_000,
    () => false,
    () => 'irc.test:6667',
    () => answers.want(),
    () => Math.min(clock.now(), server.silentFrom),
  );
  const answers = new ServerAnswers(
    clock,
    confirmations,
    (name) => name.toLowerCase(),
    (probe, promoted) => queued.push({ probe, promoted }),
  );
  const handlers = answers.handlers();
  const outcomes = new Map<string, DeliveryOutcome>();
  const delivery = (id: string) => new MessageProgress(id, clock, (outcome) => outcomes.set(id, outcome));
  /** A line handed to the socket; the returned function is the socket taking it. */
  const write = (progress: MessageProgress, targetKey = '#ops') => {
    const taken = confirmations.written({ index: 0, chunk: 'text', targetKey, progress, owner: undefined });
    progress.finishedWriting();
    return taken;
  };
  /** A line from the server, to the answers' handlers. */
  const hear = (command: string, params: string[], fromSelf = false): boolean =>
    handlers[command]?.(
      { command, params, tags: {} } as unknown as IrcMessage,
      {
        fromSelf,
      } as LineContext,
    ) === true;
  /** The queued PING as the pacer writes it; its token. */
  const writePing = (index = queued.length - 1): string => {
    const probe = queued[index]?.probe;
    const line = probe?.line();
    assert.ok(probe && line, 'a PING to write');
    probe.sent();
    return line.replace(/^PING :/, '');
  };
  return { clock, confirmations, answers, outcomes, delivery, write, hear, writePing, queued, server };
}

test('the socket taking a line confirms nothing: the PONG to a PING written after it does', () => {
  const { outcomes, delivery, write, hear, writePing, queued, confirmations } = setup();
  const taken = write(delivery('page'));
  assert.equal(queued.length, 0, 'no PING before the socket took the line');
  taken();
  assert.equal(outcomes.size, 0, 'in a socket buffer, the line may still be lost with the connection');
  assert.equal(queued.length, 1);
  const token = writePing();
  assert.equal(token, 'firebell-confirm-1');
  assert.equal(hear('PONG', ['irc.test', 'firebell-1700000000']), false, "the watchdog's PONG is not ours");
  assert.equal(outcomes.size, 0);
  assert.equal(hear('PONG', ['irc.test', token]), true, 'our PONG is consumed');
  assert.deepEqual(outcomes.get('page'), { status: 'delivered', at: 0, receipt: [] });
  write(delivery('lost'))(new Error('socket destroyed'));
  assert.equal(outcomes.has('lost'), false);
  assert.equal(confirmations.takeAll().length, 1, 'handed back with the connection');
});

test('one PING covers every line written before it; a line written after it waits for the next', () => {
  const { outcomes, delivery, write, hear, writePing, queued } = setup();
  write(delivery('first'))();
  write(delivery('second'))();
  assert.equal(queued.length, 1, 'the second line joined the PING already queued');
  const token = writePing();
  write(delivery('third'))();
  assert.equal(queued.length, 2, 'the third asks for a PING of its own');
  hear('PONG', ['irc.test', token]);
  assert.deepEqual([...outcomes.keys()], ['first', 'second']);
  hear('PONG', ['irc.test', writePing()]);
  assert.deepEqual([...outcomes.keys()], ['first', 'second', 'third']);
});

test('the echo of our own JOIN or TOPIC confirms the lines written before it, and the PING is not written', () => {
  const { outcomes, delivery, write, hear, answers, queued } = setup();
  write(delivery('page'))();
  answers.written('JOIN #infra,#web');
  write(delivery('notice'))();
  answers.written('TOPIC #web :Mirror problems');
  hear('TOPIC', ['#web', 'Mirror problems'], false);
  assert.equal(outcomes.size, 0, "someone else's TOPIC answers nothing of ours");
  hear('JOIN', ['#WEB'], true);
  assert.deepEqual([...outcomes.keys()], ['page'], 'the JOIN came after the page, before the notice');
  hear('TOPIC', ['#web', 'Mirror problems'], true);
  assert.deepEqual([...outcomes.keys()], ['page', 'notice']);
  assert.equal(queued[0]?.probe.line(), undefined, 'nothing waits: the PING is dropped unwritten');
  write(delivery('banned'))();
  answers.written('JOIN #secret');
  hear('474', ['fbbot', '#secret', 'Cannot join channel (+b)']);
  assert.equal(outcomes.get('banned')?.status, 'delivered', 'a refused JOIN answers as well');
});

test('a refusal before the answer refuses the line', () => {
  const { outcomes, delivery, write, confirmations } = setup();
  write(delivery('ghost'), 'ghost')();
  assert.equal(confirmations.refused('ghost', 'ghost: No such nick (401)'), true);
  assert.equal(outcomes.get('ghost')?.status, 'refused');
});

test('two lines to one target with no PING between: a refusal of one counts neither as delivered', () => {
  const { outcomes, delivery, write, hear, writePing, confirmations } = setup();
  write(delivery('announcement'))(); // taken by the server, which says nothing
  write(delivery('page'))(); // the channel went +m meanwhile: 404
  write(delivery('elsewhere'), '#web')();
  assert.equal(confirmations.refused('#ops', '#ops: Cannot send to channel (404)'), true);
  assert.equal(outcomes.size, 0, 'in doubt until the answer shows no other refusal is coming');
  hear('PONG', ['irc.test', writePing()]);
  for (const id of ['announcement', 'page']) {
    const outcome = outcomes.get(id);
    assert.equal(outcome?.status, 'refused', id);
    assert.match(
      outcome.status === 'refused' ? outcome.reason : '',
      /refused one of the lines written to this target.*#ops: Cannot send to channel \(404\).*does not say which/,
    );
  }
  assert.equal(outcomes.get('elsewhere')?.status, 'delivered', 'another target is not in doubt');
  write(delivery('later'))();
  hear('PONG', ['irc.test', writePing()]);
  assert.equal(outcomes.get('later')?.status, 'delivered', 'the doubt ends with the answer');
});

test('a PING between two lines to one target tells a refusal’s line: the one before it', () => {
  const { outcomes, delivery, write, hear, writePing, confirmations } = setup();
  write(delivery('announcement'))();
  const token = writePing();
  write(delivery('page'))();
  confirmations.refused('#ops', '#ops: Cannot send to channel (404)');
  assert.deepEqual(outcomes.get('announcement'), {
    status: 'refused',
    at: 0,
    reason: '#ops: Cannot send to channel (404)',
  });
  hear('PONG', ['irc.test', token]);
  assert.equal(outcomes.has('page'), false, 'written after the PING: its PONG does not answer it');
  hear('PONG', ['irc.test', writePing()]);
  assert.equal(outcomes.get('page')?.status, 'delivered');
});

test('as many refusals as lines in doubt: each refused at once, with its own reason', () => {
  const { outcomes, delivery, write, confirmations } = setup();
  write(delivery('first'), 'ghost')();
  write(delivery('second'), 'ghost')();
  confirmations.refused('ghost', 'ghost: No such nick (401)');
  assert.equal(outcomes.size, 0);
  confirmations.refused('ghost', 'ghost: Cannot send (404)');
  assert.deepEqual(outcomes.get('first'), { status: 'refused', at: 0, reason: 'ghost: No such nick (401)' });
  assert.deepEqual(outcomes.get('second'), { status: 'refused', at: 0, reason: 'ghost: Cannot send (404)' });
});

test('no PONG within the timeout, counted from the PING’s write, is a timeout', () => {
  const { clock, outcomes, delivery, write, writePing } = setup();
  write(delivery('page'))();
  clock.increment(20_000); // the PING waits its turn in the bulk lane: the clock does not run yet
  writePing();
  clock.increment(29_999);
  assert.equal(outcomes.size, 0);
  clock.increment(1);
  assert.deepEqual(outcomes.get('page'), {
    status: 'timed-out',
    at: 50_000,
    reason: 'irc.test:6667 did not answer the PING written after the line within 30 s of writing it',
  });
});

test('no PONG on a connection gone silent is no timeout: the line waits for the connection’s end, to go again', () => {
  const { clock, outcomes, delivery, write, writePing, confirmations, server } = setup();
  write(delivery('page'))();
  server.silentFrom = clock.now(); // the connection died with the page in a socket buffer, or after it
  writePing();
  clock.increment(90_000);
  assert.equal(outcomes.size, 0, 'the page may be lost: settled timed-out, it would never go again');
  assert.equal(confirmations.takeAll().length, 1, 'the ping timeout ends the connection: handed back');
  const lagging = delivery('lagging');
  write(lagging)();
  writePing();
  clock.increment(30_000);
  assert.equal(outcomes.size, 0);
  server.silentFrom = Infinity; // the server talks again, and still does not answer the PING
  clock.increment(30_000);
  assert.equal(outcomes.get('lagging')?.status, 'timed-out', 'a live server that does not answer: timed out');
});

test('a PING kept waiting in the bulk lane moves ahead of the other lanes; either copy writes it once', () => {
  const { clock, delivery, write, queued } = setup();
  write(delivery('page'))();
  assert.deepEqual(
    queued.map((entry) => entry.promoted),
    [false],
  );
  clock.increment(PROMOTE_AFTER_MS);
  assert.deepEqual(
    queued.map((entry) => entry.promoted),
    [false, true],
  );
  const [bulk, promoted] = queued.map((entry) => entry.probe);
  assert.equal(bulk, promoted, 'one PING, queued twice');
  assert.ok(promoted?.line());
  promoted?.sent();
  assert.equal(bulk?.line(), undefined, 'the bulk copy finds it written');
});

test('the server’s answer to our QUIT confirms every line still waiting: it read them before the QUIT', () => {
  const { outcomes, delivery, write, confirmations, queued } = setup();
  write(delivery('page'))();
  write(delivery('reply')); // handed to the socket, its callback still to come: before the QUIT all the same
  confirmations.quitAnswered();
  assert.deepEqual(
    [...outcomes.values()].map((outcome) => outcome.status),
    ['delivered', 'delivered'],
  );
  assert.equal(queued[0]?.probe.line(), undefined, 'nothing left for the PING');
  assert.deepEqual(confirmations.takeAll(), []);
});
