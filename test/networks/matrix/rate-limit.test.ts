/**
 * The outgoing scheduler under the homeserver's event rate limit (the test homeserver's rc_message, with
 * a short period so the tests take a second or two): the most urgent event goes first when the limit
 * lifts, whatever room it is for; relayed lines queued meanwhile merge into a few events, in order and
 * with their attribution; and the rate limit is shared by messages and topics.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeliveryOutcome } from '../../../src/core/delivery.js';
import type { OutboundMessage, Priority } from '../../../src/core/messages.js';
import { rich } from '../../../src/core/rich-text.js';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';
import { startBot, until, type RunningBot } from './harness.js';

let hs: TestHomeserver;
let botUser: TestUser;
let alice: TestUser;
const rooms: string[] = [];
let bot: RunningBot;

before(async () => {
  hs = await TestHomeserver.start();
  botUser = hs.createUser('firebell');
  alice = hs.createUser('alice');
  for (let index = 0; index < 6; index += 1)
    rooms.push(hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: `room${index}` }));
  bot = await startBot(hs, botUser, { rooms: rooms.map((_, index) => `#room${index}:test.local`) });
  await until(() => rooms.every((room) => hs.membership(room, botUser.userId) === 'join'), 'the joins');
});
after(async () => {
  await bot.stop();
  await hs.stop();
});

function deliver(room: number, text: string, priority: Priority, relayed = false): Promise<DeliveryOutcome> {
  const message: OutboundMessage = {
    to: { network: 'matrix', conversation: `#room${room}:test.local` },
    body: rich(text),
    style: relayed ? 'message' : 'notice',
    priority,
    purpose: relayed ? 'relay' : priority === 'urgent' ? 'page' : 'announce',
    ...(relayed ? { relayed: true } : {}),
  };
  return bot.network.deliver({
    id: `d-${text.replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2)}`,
    channel: 'matrix',
    lane: priority,
    content: { kind: 'message', message },
    durable: !relayed,
    attempts: 0,
    createdAt: Date.now(),
  });
}

/** The bot's events in all rooms, in the order the homeserver took them. */
function botEvents(): Array<{ room: number; body: string; eventId: string }> {
  return rooms
    .flatMap((room, index) =>
      hs.timeline(room, { type: 'm.room.message', sender: botUser.userId }).map((event) => ({
        room: index,
        body: String(event.content.body),
        eventId: event.event_id,
        pos: event.pos,
      })),
    )
    .sort((a, b) => a.pos - b.pos)
    .map(({ room, body, eventId }) => ({ room, body, eventId }));
}

test('under the rate limit, a page queued behind a fan-out to five rooms goes first when the limit lifts', async () => {
  hs.limitEvents({ perSecond: 4, burst: 3 });
  try {
    const before = botEvents().length;
    const limitedBefore = hs.requests.filter((request) => request.limited).length;
    const fanOut: Promise<DeliveryOutcome>[] = [];
    for (let round = 0; round < 3; round += 1)
      for (let room = 0; room < 5; room += 1) fanOut.push(deliver(room, `status ${round}.${room}`, 'normal'));
    await until(() => hs.requests.filter((request) => request.limited).length > limitedBefore, 'a 429');
    const sentBeforePage = botEvents().length - before;
    const page = deliver(5, 'PAGE', 'urgent');
    const outcomes = await Promise.all([page, ...fanOut]);
    assert.ok(outcomes.every((outcome) => outcome.status === 'delivered'));
    const events = botEvents().slice(before);
    assert.equal(events.length, 16);
    const pageIndex = events.findIndex((event) => event.body === 'PAGE');
    // The first event after the pause; at most one request was already in flight when it was queued.
    assert.ok(
      pageIndex >= sentBeforePage && pageIndex <= sentBeforePage + 1,
      `the page went out ${pageIndex}th, with ${sentBeforePage} events sent before it was queued`,
    );
    // Within each room the fan-out kept its order.
    for (let room = 0; room < 5; room += 1)
      assert.deepEqual(
        events.filter((event) => event.room === room).map((event) => event.body),
        [0, 1, 2].map((round) => `status ${round}.${room}`),
      );
    const paged = await page;
    assert.deepEqual(paged.status === 'delivered' ? paged.receipt : [], [events[pageIndex]?.eventId]);
  } finally {
    hs.limitEvents(undefined);
  }
});

test('relayed lines queued while rate-limited merge into few events, in order, each with its attribution', async () => {
  hs.limitEvents({ perSecond: 2, burst: 2 });
  try {
    const before = botEvents().length;
    const lines = Array.from(
      { length: 30 },
      (_, index) => `<${index % 2 === 0 ? 'bob' : 'carol'}> line ${index}`,
    );
    const outcomes = await Promise.all([
      ...lines.map((line) => deliver(0, line, 'relay', true)),
      ...lines.slice(0, 10).map((line) => deliver(1, line, 'relay', true)),
    ]);
    assert.ok(outcomes.every((outcome) => outcome.status === 'delivered'));
    const events = botEvents().slice(before);
    for (const [room, expected] of [
      [0, lines],
      [1, lines.slice(0, 10)],
    ] as const) {
      const bodies = events.filter((event) => event.room === room).map((event) => event.body);
      assert.deepEqual(bodies.join('\n').split('\n'), expected, `room ${room}: every line, in order`);
      assert.ok(bodies.length <= 4, `room ${room}: ${bodies.length} events for ${expected.length} lines`);
    }
    const merged = hs
      .timeline(rooms[0] as string, { sender: botUser.userId, type: 'm.room.message' })
      .at(-1)?.content;
    assert.equal(merged?.['org.firebell.relayed'], true, 'still marked as relayed');
    assert.equal(merged?.msgtype, 'm.text');
    // Each line's delivery names the event that carried it.
    const receipts = new Set(
      outcomes.flatMap((outcome) => (outcome.status === 'delivered' ? outcome.receipt : [])),
    );
    assert.ok(receipts.size <= 8);
    assert.ok([...receipts].every((id) => events.some((event) => event.eventId === id)));
  } finally {
    hs.limitEvents(undefined);
  }
});

test('a topic change shares the rate limit with messages and waits it out', async () => {
  hs.setState(alice.userId, rooms[2] as string, 'm.room.power_levels', '', {
    ...hs.model.room(rooms[2] as string)?.powerLevels(),
    users: { [alice.userId]: 100, [botUser.userId]: 50 },
  });
  hs.limitEvents({ perSecond: 5, burst: 1 });
  try {
    const first = deliver(2, 'first', 'normal');
    const topic = bot.network.setTopic('#room2:test.local', 'under the limit');
    assert.equal((await first).status, 'delivered');
    assert.deepEqual(await topic, { ok: true });
    assert.equal(
      hs.model.room(rooms[2] as string)?.stateEvent('m.room.topic')?.content.topic,
      'under the limit',
    );
    assert.ok(hs.requests.some((request) => request.route === 'state.put' && request.limited));
  } finally {
    hs.limitEvents(undefined);
  }
});
