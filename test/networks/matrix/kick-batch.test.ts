/**
 * A command said just before the bot was removed from a room must not be lost because the removal came
 * in the same /sync batch: the room is then in the batch's `leave` section (CS API "Syncing": its
 * timeline runs up to the bot's leave), or, rejoined at once, in `join` with the kick and the new join in
 * its timeline. What was said before the kick was said with the bot in the room: it is not history.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';
import { startBot, text, until, type RunningBot } from './harness.js';

let hs: TestHomeserver;
let botUser: TestUser;
let alice: TestUser;
let room: string;
let bot: RunningBot;

before(async () => {
  hs = await TestHomeserver.start();
  botUser = hs.createUser('firebell');
  alice = hs.createUser('alice');
  room = hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: 'infra' });
  bot = await startBot(hs, botUser, { rooms: ['#infra:test.local'] });
});
after(async () => {
  await bot.stop();
  await hs.stop();
});

beforeEach(async () => {
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the bot in the room');
  await until(() => bot.network.connectionState() === 'connected', 'a sync');
});

/** Runs `during` while the bot's next /sync is held, so that all it does arrives in one batch. */
async function inOneBatch(during: () => void): Promise<void> {
  hs.faults.add({ route: 'sync', userId: botUser.userId, kind: 'hold', times: 1 });
  // Ends a pending long-poll, so that the next /sync meets the hold.
  hs.post(alice.userId, room, text('wake up'));
  await until(() => hs.held.length === 1, 'a sync held');
  during();
  hs.releaseHeld();
}

test('a command said just before a kick in the same batch reaches the core and is answered', async () => {
  let command = '';
  await inOneBatch(() => {
    command = hs.post(alice.userId, room, text('!status'));
    hs.kick(alice.userId, room, botUser.userId, 'cleanup');
  });
  await until(() => bot.messages.some((message) => message.messageId === command), 'the command');
  const handled = bot.messages.find((message) => message.messageId === command);
  assert.equal(handled?.conversation.id, '#infra:test.local');
  // The room is configured: the bot joins it again and the answer gets there.
  await until(() => bot.hasDelivered('all quiet: no open incidents'), 'the answer');
});

test('a command said before a kick and a rejoin in the same batch is not taken for history', async () => {
  let command = '';
  let after = '';
  await inOneBatch(() => {
    command = hs.post(alice.userId, room, text('!status'));
    hs.kick(alice.userId, room, botUser.userId, 'oops');
    hs.join(botUser.userId, room);
    after = hs.post(alice.userId, room, text('welcome back'));
  });
  await until(() => bot.messages.some((message) => message.messageId === after), 'the line after the rejoin');
  await until(() => bot.messages.some((message) => message.messageId === command), 'the command', 2_000);
});

test('kicked after more than a timeline of chat: what the leave section left out is read too', async () => {
  let command = '';
  const chatter: string[] = [];
  await inOneBatch(() => {
    command = hs.post(alice.userId, room, text('!status'));
    // More than the timeline limit (50): the leave section's timeline is `limited`.
    for (let line = 0; line < 60; line += 1) chatter.push(hs.post(alice.userId, room, text(`line ${line}`)));
    hs.kick(alice.userId, room, botUser.userId, 'cleanup');
  });
  await until(() => bot.messages.some((message) => message.messageId === chatter.at(-1)), 'the last line');
  await until(() => bot.messages.some((message) => message.messageId === command), 'the command', 2_000);
});
