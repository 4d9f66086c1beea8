import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import type { DeliveryOutcome, Lane } from '../../../src/core/delivery.js';
import { LaneQueue } from '../../../src/networks/shared/lane-queue.js';
import type { IrcMessage } from 'irc-framework';
import { LineConfirmations } from '../../../src/networks/irc/line-confirmations.js';
import type { LineContext } from '../../../src/networks/irc/line-dispatcher.js';
import { ServerAnswers } from '../../../src/networks/irc/server-answers.js';
import { JoinPlanner } from '../../../src/networks/irc/join-planner.js';
import { MessageProgress } from '../../../src/networks/irc/message-progress.js';
import {
  MessageItem,
  ProbeItem,
  ProtocolItem,
  type ItemEnvironment,
} from '../../../src/networks/irc/outgoing-items.js';
import { OutgoingPacer, type Outgoing } from '../../../src/networks/irc/outgoing-pacer.js';
import { TokenBucket } from '../../../src/networks/irc/token-bucket.js';
import { ircCaseFold } from '../../../src/core/casemapping.js';
import { memoryLogger } from './helpers.js';

interface SetupOptions {
  burst?: number;
  rate?: number;
  limit?: number;
  budget?: number;
  /** The confirming PINGs go through the pacer, as on a server without echo-message (else out of band). */
  pacedProbes?: boolean;
}

function setup(options: SetupOptions = {}) {
  const clock = new SimulatedClock();
  const bucket = new TokenBucket(options.burst ?? 2, options.rate ?? 10, () => clock.now());
  const written: { at: number; line: string }[] = [];
  const outcomes: { text: string; lane: Lane; outcome: DeliveryOutcome }[] = [];
  const notReady = new Set<string>();
  const log = memoryLogger();
  const link = { up: true, failWrites: false };
  const limit = options.limit ?? 100;
  const joins = new JoinPlanner(
    () => ircCaseFold('rfc1459'),
    () => undefined,
  );
  // Without echo-message; the server answers the confirming PINGs at once, out of band, unless they are
  // paced (the lines are what these tests pace).
  const confirmations: LineConfirmations = new LineConfirmations(
    clock,
    30_000,
    () => false,
    () => 'irc.test',
    () => answers.want(),
    () => clock.now(),
  );
  const answers = new ServerAnswers(
    clock,
    confirmations,
    (name) => name.toLowerCase(),
    (probe, promoted) => {
      if (options.pacedProbes) pacer.enqueue(new ProbeItem(probe, promoted ? 'normal' : 'bulk'));
      else
        queueMicrotask(() => {
          const line = probe.line();
          if (line === undefined) return probe.discarded();
          probe.sent();
          pong(line);
        });
    },
  );
  const pong = (ping: string): void =>
    void answers.handlers().PONG?.(
      {
        command: 'PONG',
        params: ['irc.test', ping.replace(/^PING :/, '')],
        tags: {},
      } as unknown as IrcMessage,
      { fromSelf: false } as LineContext,
    );
  const pacer: OutgoingPacer = new OutgoingPacer(
    clock,
    bucket,
    new LaneQueue<Outgoing>(limit),
    {
      canSend: () => link.up,
      write: (line) => {
        if (link.failWrites) return false;
        written.push({ at: clock.now(), line: line.line });
        // The socket takes it at once.
        queueMicrotask(() => line.written?.());
        return true;
      },
      nextJoin: (waitingLane) => joins.next(waitingLane),
    },
    log,
    limit,
  );
  const env: ItemEnvironment = {
    isReady: (target) => !notReady.has(target),
    budget: () => options.budget ?? 400,
    tagsAllowed: () => false,
    confirmations,
    history: () => undefined,
    pump: () => pacer.pump(),
  };
  const advance = (ms: number, step = 1): void => {
    for (let done = 0; done < ms; done += step) clock.increment(step);
  };
  let counter = 0;
  const enqueue = (text: string, lane: Lane = 'normal', target = '#ops', lines = [text]): void => {
    const progress = new MessageProgress(`d${counter++}`, clock, (outcome) =>
      outcomes.push({ text, lane, outcome }),
    );
    pacer.enqueue(
      new MessageItem(
        {
          lane,
          target,
          targetKey: target.toLowerCase(),
          ...(target.startsWith('#') ? { channelKey: target.toLowerCase() } : {}),
          command: 'PRIVMSG',
          action: false,
          createdAt: clock.now(),
        },
        lines,
        progress,
        env,
        false,
      ),
    );
  };
  return {
    clock,
    bucket,
    pong,
    pacer,
    joins,
    written,
    outcomes,
    notReady,
    log,
    link,
    advance,
    enqueue,
    texts: () => written.map((w) => w.line),
  };
}

/** Lets the microtasks of the write callbacks run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

test('urgent lines leave in a burst, then at the configured rate', () => {
  const { written, advance, enqueue } = setup({ burst: 2, rate: 10 });
  for (let index = 0; index < 6; index += 1) enqueue(`line ${index}`, 'urgent');
  advance(1000);
  assert.deepEqual(
    written.map((entry) => entry.at),
    [0, 0, 100, 200, 300, 400],
  );
  assert.equal(written[0]?.line, 'PRIVMSG #ops :line 0');
});

test('every lane but urgent keeps one token in reserve: an urgent line goes at once, mid fan-out', () => {
  // The sample config's default pacing: burst 4, 0.5 lines/s.
  const { written, advance, enqueue, texts } = setup({ burst: 4, rate: 0.5 });
  for (let index = 0; index < 200; index += 1) enqueue(`bulk ${index}`, 'bulk');
  assert.equal(written.length, 3, 'the burst less the reserve');
  advance(61_000, 100);
  const before = written.length;
  enqueue('reply', 'urgent');
  assert.equal(written.length, before + 1, 'the reply went at once');
  assert.equal(texts()[before], 'PRIVMSG #ops :reply');
  advance(400_000, 100);
  const bulk = written.filter((entry) => entry.line.includes(':bulk '));
  assert.equal(bulk.length, 200);
  // The minimum for 201 lines at burst 4 and 0.5/s is (201 - 4) * 2 s; the reserve costs one slot.
  const last = bulk[bulk.length - 1]?.at ?? 0;
  assert.ok(last <= (201 - 4 + 1) * 2000, `the fan-out ended at ${last} ms`);
  assert.ok(last / ((201 - 4) * 2000) <= 1.1);
});

test('an urgent line waits at most one pacing slot, even after lines the library wrote', () => {
  const { bucket, written, advance, enqueue } = setup({ burst: 4, rate: 0.5 });
  for (let index = 0; index < 50; index += 1) enqueue(`bulk ${index}`, 'bulk');
  advance(10_000, 100);
  bucket.charge(1); // a PONG
  const asked = 10_000;
  enqueue('reply', 'urgent');
  advance(3000, 10);
  const reply = written.find((entry) => entry.line.endsWith(':reply'));
  assert.ok(reply && reply.at - asked <= 2000, `the reply waited ${reply ? reply.at - asked : '?'} ms`);
});

test('an urgent message jumps every queued bulk line', () => {
  const { texts, advance, enqueue } = setup({ burst: 1, rate: 10 });
  for (let index = 0; index < 5; index += 1) enqueue(`bulk ${index}`, 'bulk');
  advance(150);
  enqueue('reply', 'urgent');
  advance(1000);
  assert.deepEqual(texts(), [
    'PRIVMSG #ops :bulk 0',
    'PRIVMSG #ops :bulk 1',
    'PRIVMSG #ops :reply',
    'PRIVMSG #ops :bulk 2',
    'PRIVMSG #ops :bulk 3',
    'PRIVMSG #ops :bulk 4',
  ]);
});

test('a long message goes line by line, cut to the budget, and is reported delivered once, at the end', async () => {
  const { texts, outcomes, advance, enqueue } = setup({ burst: 1, rate: 10, budget: 10 });
  enqueue('long', 'bulk', '#ops', ['first line', 'second line is long']);
  advance(150);
  enqueue('page', 'urgent', '#ops');
  advance(1000);
  await settled();
  assert.deepEqual(texts(), [
    'PRIVMSG #ops :first line',
    'PRIVMSG #ops :second',
    'PRIVMSG #ops :page',
    'PRIVMSG #ops :line is',
    'PRIVMSG #ops :long',
  ]);
  assert.deepEqual(
    outcomes.map(({ lane, outcome }) => [lane, outcome.status]),
    [
      ['urgent', 'delivered'],
      ['bulk', 'delivered'],
    ],
  );
});

test('lines for a channel not joined yet wait; others pass them', () => {
  const { texts, notReady, pacer, advance, enqueue } = setup({ burst: 5 });
  notReady.add('#later');
  enqueue('for later', 'urgent', '#later');
  enqueue('for now', 'bulk', '#now');
  advance(10);
  assert.deepEqual(texts(), ['PRIVMSG #now :for now']);
  notReady.delete('#later');
  pacer.pump();
  assert.deepEqual(texts(), ['PRIVMSG #now :for now', 'PRIVMSG #later :for later']);
});

test('setup lines of the session go first and cost what the server charges', () => {
  const { texts, pacer, advance, enqueue, written, link } = setup({ burst: 2, rate: 10 });
  link.up = false;
  enqueue('message');
  pacer.setupLine('PRIVMSG NickServ :IDENTIFY fb secret', 2);
  link.up = true;
  pacer.pump();
  advance(300);
  assert.deepEqual(texts(), ['PRIVMSG NickServ :IDENTIFY fb secret', 'PRIVMSG #ops :message']);
  assert.equal(written[1]?.at, 200, 'the message waited for two tokens: its own and the reserve');
});

test('JOINs: one line for many channels, keyed first; a channel an urgent line waits for goes first, in its lane', () => {
  const { texts, joins, notReady, pacer, advance, enqueue, link } = setup({ burst: 4, rate: 0.5 });
  link.up = false;
  joins.want('#keyed', 'sesame');
  for (let index = 0; index < 60; index += 1) joins.want(`#channel-${index}`, undefined);
  notReady.add('#channel-59');
  for (let index = 0; index < 10; index += 1) enqueue(`bulk ${index}`, 'bulk', '#elsewhere');
  enqueue('PAGE', 'urgent', '#channel-59');
  link.up = true;
  pacer.pump();
  const [first] = texts();
  assert.match(first ?? '', /^JOIN #keyed,#channel-59,#channel-0,#channel-1,.* sesame$/);
  assert.ok(Buffer.byteLength(first ?? '') <= 510);
  notReady.delete('#channel-59');
  pacer.pump();
  assert.equal(texts()[1], 'PRIVMSG #channel-59 :PAGE', 'the page right after its JOIN (urgent lane)');
  advance(60_000, 100);
  const joined = texts()
    .filter((line) => line.startsWith('JOIN '))
    .flatMap((line) => (line.split(' ')[1] ?? '').split(','));
  assert.equal(joined.length, 61, 'every channel once');
  assert.equal(new Set(joined).size, 61);
  assert.ok(texts().filter((line) => line.startsWith('JOIN ')).length <= 3, 'a handful of JOIN lines');
});

test('across a reconnect: deliveries wait and then go, lines of the old connection are dropped', () => {
  const { texts, pacer, advance, enqueue, link, outcomes } = setup({ burst: 1, rate: 10 });
  link.up = false;
  let dropped = 0;
  enqueue('page', 'urgent');
  pacer.setupLine('MODE fbbot +B');
  pacer.enqueue(new ProtocolItem('urgent', 'WHO alice %tna,100', 2, undefined, () => (dropped += 1)));
  advance(500);
  assert.deepEqual(texts(), []);
  pacer.connectionEnded();
  assert.equal(dropped, 1);
  link.up = true;
  pacer.pump();
  advance(500);
  assert.deepEqual(texts(), ['PRIVMSG #ops :page']);
  return settled().then(() => assert.equal(outcomes.length, 1));
});

test('a write that fails keeps the message for the next connection', async () => {
  const { texts, pacer, advance, enqueue, link, outcomes } = setup({ burst: 3 });
  link.failWrites = true;
  enqueue('page', 'urgent');
  advance(10);
  await settled();
  assert.deepEqual(outcomes, []);
  link.failWrites = false;
  advance(200);
  pacer.pump();
  await settled();
  assert.deepEqual(texts(), ['PRIVMSG #ops :page']);
  assert.equal(outcomes.length, 1);
});

test('a full queue drops relayed chatter with a logged count, never a page', () => {
  const { pacer, enqueue, log, link, outcomes } = setup({ limit: 3 });
  link.up = false;
  enqueue('relay 1', 'relay');
  enqueue('relay 2', 'relay');
  enqueue('relay 3', 'relay');
  enqueue('relay 4', 'relay');
  enqueue('page', 'urgent');
  assert.equal(pacer.droppedRelayed, 2);
  assert.equal(pacer.queued, 3);
  const warnings = log.matching('outgoing queue full', 'warn');
  assert.equal(warnings.length, 2);
  assert.equal(warnings[1]?.fields.droppedTotal, 2);
  assert.deepEqual(
    outcomes.map(({ text, outcome }) => [text, outcome.status]),
    [
      ['relay 4', 'dropped'],
      ['relay 1', 'dropped'],
    ],
  );
});

test('stop clears the pacing timer and abandons what is queued', () => {
  const { clock, pacer, texts, enqueue, outcomes } = setup({ burst: 1, rate: 1 });
  enqueue('a');
  enqueue('b');
  pacer.stop();
  clock.increment(10_000);
  assert.deepEqual(texts(), ['PRIVMSG #ops :a']);
  assert.deepEqual(
    outcomes.map(({ text, outcome }) => [text, outcome.status]),
    [['b', 'abandoned']],
  );
});

test('a confirming PING waits in the bulk lane, leaves the urgent reserve, and covers every line before it', async () => {
  // The sample config's default pacing: burst 4, 0.5 lines/s.
  const { written, outcomes, advance, enqueue, pong } = setup({
    burst: 4,
    rate: 0.5,
    pacedProbes: true,
  });
  for (let index = 0; index < 3; index += 1) enqueue(`page ${index}`);
  await settled();
  advance(1000);
  enqueue('reply', 'urgent');
  await settled();
  assert.deepEqual(
    written.map(({ at, line }) => [at, line]),
    [
      [0, 'PRIVMSG #ops :page 0'],
      [0, 'PRIVMSG #ops :page 1'],
      [0, 'PRIVMSG #ops :page 2'],
      [1000, 'PRIVMSG #ops :reply'],
    ],
    'the PING did not take the token the reply needed',
  );
  assert.equal(outcomes.length, 0, 'written is not confirmed');
  advance(3000);
  await settled();
  assert.deepEqual(written[4], { at: 4000, line: 'PING :firebell-confirm-1' }, 'one PING for all four');
  pong('PING :firebell-confirm-1');
  assert.deepEqual(
    outcomes.map(({ text, outcome }) => [text, outcome.status]),
    [
      ['page 0', 'delivered'],
      ['page 1', 'delivered'],
      ['page 2', 'delivered'],
      ['reply', 'delivered'],
    ],
  );
  advance(10_000);
  await settled();
  assert.equal(written.length, 5, 'no PING when nothing waits for one');
});
