/**
 * No command runs twice, and no old command runs at all: after a restart with the stored sync token,
 * after losing the token, on a first start with an empty store, and in a room the bot has just joined.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../../src/core/clock.js';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';
import { MemoryKeyValueStore } from '../../support/memory-kv.js';
import { clockPast, startBot, text, until, stopStrayBots } from './harness.js';

let hs: TestHomeserver;
let botUser: TestUser;
let alice: TestUser;
let room: string;
const kv = new MemoryKeyValueStore();

before(async () => {
  hs = await TestHomeserver.start();
  botUser = hs.createUser('firebell');
  alice = hs.createUser('alice');
  room = hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: 'infra' });
  hs.invite(alice.userId, room, botUser.userId);
});
after(async () => {
  await stopStrayBots();
  await hs.stop();
});

const replies = (): number => hs.messagesFrom(room, botUser.userId).length;

test('restart with the stored token: a command sent while the bot was down is not acted on', async () => {
  const first = await startBot(hs, botUser, { rooms: [room], kv });
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the join');
  hs.post(alice.userId, room, text('!status'));
  await until(() => replies() === 1, 'the first reply');
  await until(() => kv.get('matrix:matrix', 'syncToken') !== undefined, 'a stored token');
  await first.stop();

  const whileDown = hs.post(alice.userId, room, text('!status'));
  await clockPast(hs.timeline(room).at(-1)?.origin_server_ts ?? 0);

  const second = await startBot(hs, botUser, { rooms: [room], kv });
  await until(
    () => second.states.some((entry) => entry.state === 'connected'),
    'the first sync after restart',
  );
  const fresh = hs.post(alice.userId, room, text('!status'));
  await until(() => replies() === 2, 'the reply to the fresh command');
  assert.deepEqual(
    second.messages.map((message) => message.messageId),
    [fresh],
    'only the command sent after the restart reached the core',
  );
  assert.ok(!second.messages.some((message) => message.messageId === whileDown));
  assert.deepEqual(
    kv.keys('matrix:matrix').sort(),
    ['filter', 'syncToken'],
    'the SDK state lives in the store',
  );
  await second.stop();
});

test('a command whose handling was never committed is handed over again after a restart, with its durable id', async () => {
  const crashing = await startBot(hs, botUser, {
    rooms: [room],
    kv,
    neverCommitted: (message) => message.text === '!status caught by a crash',
  });
  await until(() => crashing.states.some((entry) => entry.state === 'connected'), 'the first sync');
  const caught = hs.post(alice.userId, room, text('!status caught by a crash'));
  await until(() => crashing.messages.some((message) => message.messageId === caught), 'the command');
  const tokenThen = kv.get('matrix:matrix', 'syncToken');
  await crashing.stop();
  assert.equal(kv.get('matrix:matrix', 'syncToken'), tokenThen, 'the token did not move past it');
  const whileDown = hs.post(alice.userId, room, text('!status said while down'));
  await clockPast(hs.timeline(room).at(-1)?.origin_server_ts ?? 0);

  const restarted = await startBot(hs, botUser, { rooms: [room], kv });
  await until(
    () => restarted.messages.some((message) => message.messageId === caught),
    'the caught command, again',
  );
  const again = restarted.messages.find((message) => message.messageId === caught);
  assert.equal(
    again?.durableId,
    `matrix:matrix:${caught}`,
    'the core skips it if it was committed after all',
  );
  assert.ok(
    !restarted.messages.some((message) => message.messageId === whileDown),
    'said while down: history',
  );
  await restarted.stop();
});

test('plain chat is handled without storing its id first, and a crash before its commit leaves it history, not relayed twice', async () => {
  const storedWhenHandled = new Map<string, string | undefined>();
  const crashing = await startBot(hs, botUser, {
    rooms: [room],
    kv,
    neverCommitted: (message) => {
      storedWhenHandled.set(message.text, kv.get('matrix:matrix:sync', 'received'));
      return message.text === 'just chat, caught by a crash';
    },
  });
  await until(() => crashing.states.some((entry) => entry.state === 'connected'), 'the first sync');
  const chat = hs.post(alice.userId, room, text('just chat, caught by a crash'));
  await until(() => crashing.messages.some((message) => message.messageId === chat), 'the chat line');
  assert.equal(storedWhenHandled.get('just chat, caught by a crash'), undefined, 'no id stored for chat');
  await crashing.stop();
  await clockPast(hs.timeline(room).at(-1)?.origin_server_ts ?? 0);

  const restarted = await startBot(hs, botUser, {
    rooms: [room],
    kv,
    neverCommitted: (message) => {
      storedWhenHandled.set(message.text, kv.get('matrix:matrix:sync', 'received'));
      return false;
    },
  });
  await until(() => restarted.states.some((entry) => entry.state === 'connected'), 'the sync after restart');
  const repliesBefore = replies();
  const command = hs.post(alice.userId, room, text('!status'));
  // Its reply too: one still on its way would be counted by the next test.
  await until(() => replies() === repliesBefore + 1, 'the reply to a fresh command');
  assert.ok(
    !restarted.messages.some((message) => message.messageId === chat),
    'the chat line caught by the crash is history: relayed at most once',
  );
  assert.deepEqual(
    JSON.parse(storedWhenHandled.get('!status') ?? '[]'),
    [command],
    "a command's id is stored before it is handled",
  );
  await restarted.stop();
});

test('restart after losing the token: the replayed snapshot runs nothing', async () => {
  kv.delete('matrix:matrix', 'syncToken');
  // The last test's command (and its reply) was said just before: history to this bot, by a margin.
  await clockPast(hs.timeline(room).at(-1)?.origin_server_ts ?? 0);
  const before = replies();
  const third = await startBot(hs, botUser, { rooms: [room], kv });
  await until(() => third.states.some((entry) => entry.state === 'connected'), 'the snapshot sync');
  const fresh = hs.post(alice.userId, room, text('!status'));
  await until(() => replies() === before + 1, 'the reply to the fresh command');
  assert.deepEqual(
    third.messages.map((message) => message.messageId),
    [fresh],
  );
  assert.ok(
    third.logger.entries.some((entry) => /no stored sync token/.test(entry.message)),
    'the fresh snapshot is logged',
  );
  await third.stop();
});

test('first start with an empty store: history (including a day-old command) is not replayed', async () => {
  hs.post(alice.userId, room, text('!status'), { ts: systemClock.now() - 86_400_000 });
  await clockPast(systemClock.now());
  const before = replies();
  const empty = new MemoryKeyValueStore();
  const fourth = await startBot(hs, botUser, { rooms: [room], kv: empty });
  await until(() => fourth.states.some((entry) => entry.state === 'connected'), 'the snapshot sync');
  const fresh = hs.post(alice.userId, room, text('!status'));
  await until(() => replies() === before + 1, 'the reply to the fresh command');
  assert.deepEqual(
    fourth.messages.map((message) => message.messageId),
    [fresh],
  );
  assert.ok(fourth.logger.entries.some((entry) => /before the bot started or joined/.test(entry.message)));
  await fourth.stop();
});

test('a room joined after start: what was said there before the join is history', async () => {
  const bot = await startBot(hs, botUser, { rooms: [room], mayInvite: (userId) => userId === alice.userId });
  await until(() => bot.states.some((entry) => entry.state === 'connected'), 'the first sync');
  const other = hs.createRoom(alice.userId, { preset: 'private_chat', name: 'ops' });
  const beforeJoin = hs.post(alice.userId, other, text('!status'));
  hs.invite(alice.userId, other, botUser.userId);
  await until(() => hs.membership(other, botUser.userId) === 'join', 'the bot to accept the invite');
  const afterJoin = hs.post(alice.userId, other, text('!status'));
  await until(() => hs.messagesFrom(other, botUser.userId).length === 1, 'the reply in the new room');
  assert.ok(!bot.messages.some((message) => message.messageId === beforeJoin));
  assert.ok(bot.messages.some((message) => message.messageId === afterJoin));
  await bot.stop();
});
