/**
 * Rooms configured by alias follow the alias: when the bot has been removed from the room an alias
 * pointed to, the next message looks the alias up again and joins where it points now; and a periodic
 * re-resolution notices an alias that moved even without a failure.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rich } from '../../../src/core/rich-text.js';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';
import { startBot, text, until, type RunningBot } from './harness.js';

let hs: TestHomeserver;
let botUser: TestUser;
let alice: TestUser;
let first: string;
let watched: string;
let bot: RunningBot;

before(async () => {
  hs = await TestHomeserver.start();
  botUser = hs.createUser('firebell');
  alice = hs.createUser('alice');
  first = hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: 'moving' });
  watched = hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: 'watched' });
  bot = await startBot(hs, botUser, { rooms: ['#watched:test.local'], tuning: { reconcileRoomsMs: 50 } });
  await until(() => hs.membership(watched, botUser.userId) === 'join', 'the join');
});
after(async () => {
  await bot.stop();
  await hs.stop();
});

test('removed from the room behind an alias: the next message re-resolves the alias, joins, and arrives', async () => {
  // Its own bot, with the periodic re-resolution far off, so only the failed send can find the new room.
  const mover = hs.createUser('mover');
  const moving = await startBot(hs, mover, { rooms: ['#moving:test.local'] });
  await until(() => hs.membership(first, mover.userId) === 'join', 'the join');
  const second = hs.createRoom(alice.userId, { preset: 'public_chat' });
  hs.moveAlias('#moving:test.local', second);
  hs.kick(alice.userId, first, mover.userId, 'room replaced');
  moving.network.send({
    to: { network: 'matrix', conversation: '#moving:test.local' },
    body: rich('still here'),
    style: 'notice',
    priority: 'urgent',
    purpose: 'announce',
  });
  await until(() => hs.messagesFrom(second, mover.userId).length === 1, 'the message in the new room');
  assert.equal(hs.membership(second, mover.userId), 'join');
  assert.equal(hs.messagesFrom(first, mover.userId).length, 0);
  assert.ok(moving.logger.find('info', /looking it up and joining again/));
  await moving.stop();
});

test('an alias moved elsewhere is noticed by the periodic re-resolution; the new room speaks as the alias', async () => {
  const next = hs.createRoom(alice.userId, { preset: 'public_chat' });
  hs.moveAlias('#watched:test.local', next);
  await until(() => hs.membership(next, botUser.userId) === 'join', 'the bot to follow the alias');
  const command = hs.post(alice.userId, next, text('!status'));
  await until(() => hs.messagesFrom(next, botUser.userId).length === 1, 'the reply in the new room');
  const inbound = bot.messages.find((message) => message.messageId === command);
  assert.deepEqual(inbound?.conversation, { network: 'matrix', id: '#watched:test.local', direct: false });
  assert.ok(bot.logger.find('info', /alias points to a new room/));
});
