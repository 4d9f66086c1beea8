import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import type { OutboundMessage, Priority } from '../../../src/core/messages.js';
import { rich } from '../../../src/core/rich-text.js';
import { LaneQueue } from '../../../src/networks/shared/lane-queue.js';
import { OutgoingPacer, type QueuedMessage } from '../../../src/networks/irc/outgoing-pacer.js';
import { TokenBucket } from '../../../src/networks/irc/token-bucket.js';
import { memoryLogger } from './helpers.js';

function setup(options: { burst?: number; rate?: number; limit?: number; budget?: number } = {}) {
  const clock = new SimulatedClock();
  const bucket = new TokenBucket(options.burst ?? 2, options.rate ?? 10, () => clock.now());
  const written: { at: number; line: string }[] = [];
  const delivered: OutboundMessage[] = [];
  const notReady = new Set<string>();
  const log = memoryLogger();
  const link = { up: true, failWrites: false };
  const limit = options.limit ?? 100;
  const pacer = new OutgoingPacer(
    clock,
    bucket,
    new LaneQueue<QueuedMessage>(limit),
    {
      canSend: () => link.up,
      isReady: (target) => !notReady.has(target),
      budgetFor: () => options.budget ?? 400,
      write: (line) => {
        if (link.failWrites) return false;
        written.push({ at: clock.now(), line });
        return true;
      },
      delivered: (message) => delivered.push(message),
    },
    log,
    limit,
  );
  const advance = (ms: number): void => {
    for (let step = 0; step < ms; step += 1) clock.increment(1);
  };
  const enqueue = (
    text: string,
    priority: Priority = 'normal',
    target = '#ops',
    lines = [text],
  ): OutboundMessage => {
    const message: OutboundMessage = {
      to: { network: 'net', conversation: target },
      body: rich(text),
      style: 'message',
      priority,
    };
    pacer.enqueue({ message, priority, target, command: 'PRIVMSG', action: false, lines });
    return message;
  };
  return {
    clock,
    pacer,
    written,
    delivered,
    notReady,
    log,
    link,
    advance,
    enqueue,
    texts: () => written.map((w) => w.line),
  };
}

test('lines leave in a burst, then at the configured rate', () => {
  const { written, advance, enqueue } = setup({ burst: 2, rate: 10 });
  for (let index = 0; index < 6; index += 1) enqueue(`line ${index}`);
  advance(1000);
  assert.deepEqual(
    written.map((entry) => entry.at),
    [0, 0, 100, 200, 300, 400],
  );
  assert.equal(written[0]?.line, 'PRIVMSG #ops :line 0');
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

test('a long message goes line by line, cut to the budget, and is reported delivered once, at the end', () => {
  const { texts, delivered, advance, enqueue } = setup({ burst: 1, rate: 10, budget: 10 });
  const long = enqueue('', 'bulk', '#ops', ['first line', 'second line is long']);
  advance(150);
  enqueue('page', 'urgent', '#ops');
  advance(1000);
  assert.deepEqual(texts(), [
    'PRIVMSG #ops :first line',
    'PRIVMSG #ops :second',
    'PRIVMSG #ops :page',
    'PRIVMSG #ops :line is',
    'PRIVMSG #ops :long',
  ]);
  assert.deepEqual(
    delivered.map((message) => message.priority),
    ['urgent', 'bulk'],
  );
  assert.equal(delivered[1], long);
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

test('control lines go first and cost what the server charges', () => {
  const { texts, pacer, advance, enqueue, written } = setup({ burst: 2, rate: 10 });
  enqueue('message');
  pacer.control('JOIN #a', 2);
  advance(0);
  assert.deepEqual(texts(), ['PRIVMSG #ops :message']);
  advance(300);
  assert.deepEqual(texts(), ['PRIVMSG #ops :message', 'JOIN #a']);
  assert.equal(written[1]?.at, 100, 'one token was left; the JOIN waited for a second');
});

test('across a reconnect: messages wait and then go, control lines of the old connection are dropped', () => {
  const { texts, pacer, advance, enqueue, link, delivered } = setup({ burst: 1, rate: 10 });
  link.up = false;
  enqueue('page', 'urgent');
  pacer.control('JOIN #old');
  advance(500);
  assert.deepEqual(texts(), []);
  pacer.dropControlLines();
  link.up = true;
  pacer.pump();
  advance(500);
  assert.deepEqual(texts(), ['PRIVMSG #ops :page']);
  assert.equal(delivered.length, 1);
});

test('a write that fails keeps the message for the next connection', () => {
  const { texts, pacer, advance, enqueue, link, delivered } = setup({ burst: 3 });
  link.failWrites = true;
  enqueue('page', 'urgent');
  advance(10);
  assert.deepEqual(delivered, []);
  link.failWrites = false;
  advance(200);
  pacer.pump();
  assert.deepEqual(texts(), ['PRIVMSG #ops :page']);
  assert.equal(delivered.length, 1);
});

test('a full queue drops relayed chatter with a logged count, never a page', () => {
  const { pacer, enqueue, log, link } = setup({ limit: 3 });
  link.up = false;
  enqueue('relay 1', 'relay');
  enqueue('relay 2', 'relay');
  enqueue('relay 3', 'relay');
  enqueue('relay 4', 'relay');
  enqueue('page', 'urgent');
  assert.equal(pacer.droppedRelayed, 2);
  assert.equal(pacer.queuedMessages, 3);
  const warnings = log.matching('outgoing queue full', 'warn');
  assert.equal(warnings.length, 2);
  assert.equal(warnings[1]?.fields.droppedTotal, 2);
});

test('stop clears the pacing timer', () => {
  const { clock, pacer, texts, enqueue } = setup({ burst: 1, rate: 1 });
  enqueue('a');
  enqueue('b');
  pacer.stop();
  clock.increment(10_000);
  assert.deepEqual(texts(), ['PRIVMSG #ops :a']);
});
