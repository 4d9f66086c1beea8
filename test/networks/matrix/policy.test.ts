/**
 * What the bot refuses: invites from people it does not know (declined with a reason), and end-to-end
 * encrypted rooms (it says so once, in the room and the log, and acts on nothing there), whether a room
 * is encrypted from the start or becomes so later.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rich } from '../../../src/core/rich-text.js';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';
import { startBot, text, until, type RunningBot } from './harness.js';

const REFUSAL = 'end-to-end encryption is not supported by this bot; use an unencrypted room';
const ENCRYPTION = { type: 'm.room.encryption', content: { algorithm: 'm.megolm.v1.aes-sha2' } };

let hs: TestHomeserver;
let botUser: TestUser;
let alice: TestUser;
let mallory: TestUser;
let configured: string;
let bot: RunningBot;

before(async () => {
  hs = await TestHomeserver.start();
  botUser = hs.createUser('firebell');
  alice = hs.createUser('alice');
  mallory = hs.createUser('mallory');
  configured = hs.createRoom(mallory.userId, { preset: 'private_chat', room_alias_name: 'ops' });
  bot = await startBot(hs, botUser, {
    rooms: ['#ops:test.local'],
    mayInvite: (userId) => userId === alice.userId,
  });
  await until(() => bot.states.some((entry) => entry.state === 'connected'), 'the first sync');
});
after(async () => {
  await bot.stop();
  await hs.stop();
});

test('invites: a permitted inviter gets the bot; anyone else is declined with a reason; a configured room is joined whoever invites', async () => {
  const friendly = hs.createRoom(alice.userId, { preset: 'private_chat' });
  const hostile = hs.createRoom(mallory.userId, { preset: 'private_chat' });
  hs.invite(alice.userId, friendly, botUser.userId);
  hs.invite(mallory.userId, hostile, botUser.userId);
  await until(() => hs.membership(friendly, botUser.userId) === 'join', 'joining the permitted invite');
  await until(() => hs.membership(hostile, botUser.userId) === 'leave', 'declining the other');
  const decline = hs.model.room(hostile)?.stateEvent('m.room.member', botUser.userId);
  assert.deepEqual(decline?.content, {
    membership: 'leave',
    reason: 'firebell only joins the rooms its operators configured, or rooms its contacts invite it to',
  });
  assert.equal(decline?.sender, botUser.userId);
  await until(() => bot.logger.find('info', /declined an invite/) !== undefined, 'the log line');
  const logged = bot.logger.find('info', /declined an invite/);
  assert.equal(logged?.fields.inviter, mallory.userId);

  // #ops is configured but private: the bot could not join at start; an invite, from anyone, lets it in.
  assert.notEqual(hs.membership(configured, botUser.userId), 'join');
  hs.invite(mallory.userId, configured, botUser.userId);
  await until(() => hs.membership(configured, botUser.userId) === 'join', 'joining the configured room');
});

test('an encrypted room: the bot says so there once, and a command in it (plain or encrypted) is not processed', async () => {
  const secret = hs.createRoom(alice.userId, { preset: 'private_chat', initial_state: [ENCRYPTION] });
  hs.invite(alice.userId, secret, botUser.userId);
  await until(() => hs.membership(secret, botUser.userId) === 'join', 'the join');
  await until(() => hs.messagesFrom(secret, botUser.userId).length === 1, 'the refusal notice');
  assert.deepEqual(hs.messagesFrom(secret, botUser.userId)[0], {
    msgtype: 'm.notice',
    body: REFUSAL,
    'm.mentions': {},
  });
  assert.ok(bot.logger.find('warn', /end-to-end encrypted/));

  const plain = hs.post(alice.userId, secret, text('!status'));
  const sealed = hs.post(
    alice.userId,
    secret,
    {
      algorithm: 'm.megolm.v1.aes-sha2',
      ciphertext: 'AwgAEn...',
      session_id: 's',
      device_id: 'D',
      sender_key: 'k',
    },
    { type: 'm.room.encrypted' },
  );
  // A marker in an unencrypted room shows the bot has handled everything sent before it.
  const open = hs.createRoom(alice.userId, { preset: 'private_chat' });
  hs.invite(alice.userId, open, botUser.userId);
  await until(() => hs.membership(open, botUser.userId) === 'join', 'the marker room');
  const marker = hs.post(alice.userId, open, text('marker'));
  await until(() => bot.messages.some((message) => message.messageId === marker), 'the marker');
  assert.ok(!bot.messages.some((message) => message.messageId === plain || message.messageId === sealed));
  assert.equal(hs.messagesFrom(secret, botUser.userId).length, 1, 'no reply, and the notice only once');

  bot.network.send({
    to: { network: 'matrix', conversation: secret },
    body: rich('page'),
    style: 'notice',
    priority: 'urgent',
    purpose: 'page',
  });
  await until(
    () => bot.logger.find('error', /room is end-to-end encrypted/) !== undefined,
    'the refused send',
  );
  assert.equal(hs.messagesFrom(secret, botUser.userId).length, 1, 'nothing else is posted into it');
});

test('a room that turns encryption on later is refused from then on', async () => {
  const room = hs.createRoom(alice.userId, { preset: 'private_chat' });
  hs.invite(alice.userId, room, botUser.userId);
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the join');
  hs.post(alice.userId, room, text('!status'));
  await until(() => hs.messagesFrom(room, botUser.userId).length === 1, 'a normal reply first');
  hs.setState(alice.userId, room, ENCRYPTION.type, '', ENCRYPTION.content);
  const after = hs.post(alice.userId, room, text('!status'));
  await until(() => hs.messagesFrom(room, botUser.userId).length === 2, 'the refusal notice');
  assert.equal(hs.messagesFrom(room, botUser.userId)[1]?.body, REFUSAL);
  assert.ok(!bot.messages.some((message) => message.messageId === after));
});

test('an m.room.encrypted event in an unencrypted room does not silence it: the room has no m.room.encryption state', async () => {
  // Anyone who may post can send an event of type m.room.encrypted; only the state event encrypts a room.
  const room = hs.createRoom(alice.userId, { preset: 'public_chat' });
  hs.invite(alice.userId, room, botUser.userId);
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the join');
  hs.join(mallory.userId, room);
  hs.post(
    mallory.userId,
    room,
    {
      algorithm: 'm.megolm.v1.aes-sha2',
      ciphertext: 'bogus',
      session_id: 's',
      device_id: 'D',
      sender_key: 'k',
    },
    { type: 'm.room.encrypted' },
  );
  const command = hs.post(alice.userId, room, text('!status'));
  await until(() => hs.messagesFrom(room, botUser.userId).length === 1, 'the reply to the command');
  assert.ok(bot.messages.some((message) => message.messageId === command));
  assert.notEqual(hs.messagesFrom(room, botUser.userId)[0]?.body, REFUSAL);

  bot.network.send({
    to: { network: 'matrix', conversation: room },
    body: rich('page after the fake'),
    style: 'notice',
    priority: 'urgent',
    purpose: 'page',
  });
  await until(() => bot.hasDelivered('page after the fake'), 'the page');
});

test('the refusal is remembered across restarts: no second notice', async () => {
  const secret = [...hs.model.rooms.values()].find(
    (room) => room.stateEvent('m.room.encryption') && room.membership(botUser.userId) === 'join',
  );
  assert.ok(secret);
  await bot.stop();
  bot = await startBot(hs, botUser, { rooms: [secret.roomId], kv: bot.kv, mayInvite: () => false });
  await until(() => bot.states.some((entry) => entry.state === 'connected'), 'the first sync');
  assert.ok(bot.logger.find('warn', /end-to-end encrypted/), 'logged again');
  assert.equal(hs.messagesFrom(secret.roomId, botUser.userId).length, 1);
});
