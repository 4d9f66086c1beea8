/**
 * The adapter end to end through matrix-bot-sdk's real HTTP client and the test homeserver: commands and
 * replies in a room and in a direct chat, message content (notice, HTML, m.mentions, reply relation),
 * edits, replies and reactions inbound, and topics.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mention, rich } from '../../../src/core/rich-text.js';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';
import { TestMatrixClient } from '../../matrix-homeserver/test-client.js';
import { startBot, text, until, type RunningBot } from './harness.js';

let hs: TestHomeserver;
let botUser: TestUser;
let alice: TestUser;
let bob: TestUser;
let room: string;
let bot: RunningBot;

before(async () => {
  hs = await TestHomeserver.start();
  botUser = hs.createUser('firebell', { displayname: 'firebell' });
  alice = hs.createUser('alice', { displayname: 'Alice Liddell' });
  bob = hs.createUser('bob');
  room = hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: 'infra' });
  hs.join(bob.userId, room);
  bot = await startBot(hs, botUser, {
    rooms: ['#infra:test.local'],
    mayInvite: (userId) => userId === alice.userId,
  });
});

after(async () => {
  await bot.stop();
  await hs.stop();
});

test('joins the configured room by alias; a command there gets a reply notice that mentions nobody', async () => {
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the bot to join #infra');
  await until(() => bot.states.some((entry) => entry.state === 'connected'), 'the first sync');
  const commandId = hs.post(alice.userId, room, text('!status'));
  await until(
    () => hs.messagesFrom(room, botUser.userId).length === 1 && bot.delivered.length === 1,
    'the reply',
  );

  const inbound = bot.messages.find((message) => message.messageId === commandId);
  assert.deepEqual(inbound?.conversation, { network: 'matrix', id: '#infra:test.local', direct: false });
  assert.deepEqual(inbound?.sender, {
    id: alice.userId,
    name: 'Alice Liddell',
    account: alice.userId,
    verification: 'homeserver',
  });
  assert.equal(inbound?.text, '!status');
  assert.equal(inbound?.style, 'message');

  const reply = hs.messagesFrom(room, botUser.userId)[0];
  assert.deepEqual(reply, {
    msgtype: 'm.notice',
    body: 'all quiet: no open incidents',
    format: 'org.matrix.custom.html',
    formatted_body: 'all quiet: no open incidents',
    'm.mentions': {},
    'm.relates_to': { 'm.in_reply_to': { event_id: commandId } },
  });
  const delivered = bot.delivered.at(-1);
  assert.equal(delivered?.message.purpose, 'reply');
  const replyEvent = hs.timeline(room, { sender: botUser.userId, type: 'm.room.message' })[0];
  assert.deepEqual(delivered?.eventIds, [replyEvent?.event_id]);
});

test('a round trip seen by another client over /sync', async () => {
  const client = new TestMatrixClient(hs.url, bob.token);
  await client.follow();
  try {
    await client.send(room, text('!status'));
    const reply = await client.waitFor((event) => event.event.sender === botUser.userId);
    assert.equal(reply.event.content.body, 'all quiet: no open incidents');
  } finally {
    await client.stop();
  }
});

test('a page carries m.mentions.user_ids exactly, with pills; other output carries {}', async () => {
  const before = hs.messagesFrom(room, botUser.userId).length;
  bot.network.send({
    to: { network: 'matrix', conversation: '#infra:test.local' },
    body: rich(
      'Incident #7 paging ',
      mention({ name: 'Alice', matrix: { userId: alice.userId } }),
      ', ',
      mention({ name: 'Carol', irc: { nick: 'carol' } }),
      ' and ',
      mention({ name: 'Alice again', matrix: { userId: alice.userId } }),
      ' <now>',
    ),
    style: 'notice',
    priority: 'urgent',
    purpose: 'page',
  });
  bot.network.send({
    to: { network: 'matrix', conversation: room },
    body: rich('Alice Liddell and @bob:test.local are named in text only'),
    style: 'emote',
    priority: 'normal',
    purpose: 'announce',
  });
  await until(() => hs.messagesFrom(room, botUser.userId).length === before + 2, 'both messages');
  const [page, announce] = hs.messagesFrom(room, botUser.userId).slice(before);
  assert.deepEqual(page?.['m.mentions'], { user_ids: [alice.userId] });
  assert.equal(page?.msgtype, 'm.notice');
  assert.equal(page?.body, 'Incident #7 paging Alice, Carol and Alice again <now>');
  assert.equal(
    page?.formatted_body,
    `Incident #7 paging <a href="https://matrix.to/#/${alice.userId}">Alice</a>, Carol and ` +
      `<a href="https://matrix.to/#/${alice.userId}">Alice again</a> &lt;now&gt;`,
  );
  assert.deepEqual(announce?.['m.mentions'], {});
  assert.equal(announce?.msgtype, 'm.emote');
});

test('edits, replies and reactions arrive with their relations', async () => {
  const original = hs.post(alice.userId, room, text('the gate is broken'));
  const edit = hs.post(alice.userId, room, {
    msgtype: 'm.text',
    body: '* the gate is broken again',
    'm.new_content': { msgtype: 'm.text', body: 'the gate is broken again' },
    'm.relates_to': { rel_type: 'm.replace', event_id: original },
  });
  const reply = hs.post(bob.userId, room, {
    msgtype: 'm.text',
    body: '> <@alice:test.local> the gate is broken\n\nlooking',
    'm.relates_to': { 'm.in_reply_to': { event_id: original } },
  });
  hs.post(
    bob.userId,
    room,
    { 'm.relates_to': { rel_type: 'm.annotation', event_id: original, key: '✅' } },
    { type: 'm.reaction' },
  );
  await until(() => bot.reactions.length === 1, 'the reaction');
  const byId = (id: string) => bot.messages.find((message) => message.messageId === id);
  assert.deepEqual(byId(edit)?.editOf, { messageId: original });
  assert.equal(byId(edit)?.text, 'the gate is broken again');
  assert.deepEqual(byId(reply)?.replyTo, { messageId: original });
  assert.equal(byId(reply)?.text, 'looking');
  assert.equal(byId(reply)?.sender.name, 'bob');
  assert.deepEqual(
    {
      messageId: bot.reactions[0]?.messageId,
      key: bot.reactions[0]?.key,
      sender: bot.reactions[0]?.sender.id,
    },
    { messageId: original, key: '✅', sender: bob.userId },
  );
});

test('an edited command is delivered as an edit (the responder, like the router, does not run it)', async () => {
  const original = hs.post(alice.userId, room, text('!stat'));
  hs.post(alice.userId, room, {
    msgtype: 'm.text',
    body: '* !status',
    'm.new_content': { msgtype: 'm.text', body: '!status' },
    'm.relates_to': { rel_type: 'm.replace', event_id: original },
  });
  await until(() => bot.messages.some((message) => message.editOf?.messageId === original), 'the edit');
  const replies = hs.messagesFrom(room, botUser.userId).filter((content) => {
    const relation = content['m.relates_to'] as { 'm.in_reply_to'?: { event_id?: string } } | undefined;
    return relation?.['m.in_reply_to']?.event_id !== undefined;
  });
  assert.equal(replies.length, 2, 'only the two earlier !status commands were answered');
});

test('direct chats: an inbound DM is direct and answered there; outbound to a person reuses or creates a DM', async () => {
  const dm = hs.createRoom(alice.userId, {
    preset: 'trusted_private_chat',
    is_direct: true,
    invite: [botUser.userId],
  });
  await until(() => hs.membership(dm, botUser.userId) === 'join', 'the bot to accept the DM');
  const command = hs.post(alice.userId, dm, text('!status'));
  await until(() => hs.messagesFrom(dm, botUser.userId).length === 1, 'the DM reply');
  const inbound = bot.messages.find((message) => message.messageId === command);
  assert.deepEqual(inbound?.conversation, { network: 'matrix', id: dm, direct: true });

  bot.network.send({
    to: { network: 'matrix', person: { name: 'Alice', matrix: { userId: alice.userId } } },
    body: rich('you are paged'),
    style: 'notice',
    priority: 'urgent',
    purpose: 'page',
  });
  await until(() => hs.messagesFrom(dm, botUser.userId).length === 2, 'the page in the existing DM');

  bot.network.send({
    to: { network: 'matrix', person: { name: 'Bob', matrix: { userId: bob.userId } } },
    body: rich('you are paged too'),
    style: 'notice',
    priority: 'urgent',
    purpose: 'page',
  });
  await until(() => bot.hasDelivered('you are paged too'), 'the new DM');
  const created = [...hs.model.rooms.values()].find(
    (candidate) =>
      candidate.membership(bob.userId) === 'invite' && candidate.membership(botUser.userId) === 'join',
  );
  assert.ok(created, 'a room with Bob invited was created');
  assert.equal(created.stateEvent('m.room.member', bob.userId)?.content.is_direct, true);
  assert.deepEqual(
    hs.messagesFrom(created.roomId, botUser.userId).map((content) => content.body),
    ['you are paged too'],
  );
  assert.deepEqual(hs.model.getAccountData(botUser.userId, 'm.direct')?.[bob.userId], [created.roomId]);

  bot.network.send({
    to: { network: 'matrix', person: { name: 'Nobody', irc: { nick: 'nobody' } } },
    body: rich('lost'),
    style: 'notice',
    priority: 'urgent',
    purpose: 'page',
  });
  assert.ok(bot.logger.find('warn', /no Matrix id/));
});

test('a person who left their direct room is paged where they are, not into the room they left', async () => {
  const carol = hs.createUser('carol');
  const page = (body: string): void =>
    bot.network.send({
      to: { network: 'matrix', person: { name: 'Carol', matrix: { userId: carol.userId } } },
      body: rich(body),
      style: 'notice',
      priority: 'urgent',
      purpose: 'page',
    });
  page('first page');
  await until(() => bot.hasDelivered('first page'), 'the first page');
  const first = [...hs.model.rooms.values()].find((room) => room.membership(carol.userId) === 'invite');
  assert.ok(first);
  hs.join(carol.userId, first.roomId);
  hs.leave(carol.userId, first.roomId);
  // The bot reads the leave from /sync: a marker in the room shows it got that far.
  const marker = hs.post(alice.userId, room, text('marker after the leave'));
  await until(() => bot.messages.some((message) => message.messageId === marker), 'the marker');

  page('second page');
  await until(() => bot.hasDelivered('second page'), 'the second page');
  const where = [...hs.model.rooms.values()].find((candidate) =>
    hs.messagesFrom(candidate.roomId, botUser.userId).some((content) => content.body === 'second page'),
  );
  assert.ok(where);
  assert.notEqual(where.roomId, first.roomId, 'not into the room Carol left');
  assert.ok(['join', 'invite'].includes(where.membership(carol.userId) ?? ''), 'Carol can read it');
});

test('a person whose direct room turned encryption on is paged in a new unencrypted room, not refused', async () => {
  const dave = hs.createUser('dave');
  const page = (body: string): void =>
    bot.network.send({
      to: { network: 'matrix', person: { name: 'Dave', matrix: { userId: dave.userId } } },
      body: rich(body),
      style: 'notice',
      priority: 'urgent',
      purpose: 'page',
    });
  page('first page for dave');
  await until(() => bot.hasDelivered('first page for dave'), 'the first page');
  const first = [...hs.model.rooms.values()].find((room) => room.membership(dave.userId) === 'invite');
  assert.ok(first);
  hs.join(dave.userId, first.roomId);
  hs.setState(dave.userId, first.roomId, 'm.room.encryption', '', { algorithm: 'm.megolm.v1.aes-sha2' });
  const marker = hs.post(alice.userId, room, text('marker after the encryption'));
  await until(() => bot.messages.some((message) => message.messageId === marker), 'the marker');

  page('second page for dave');
  await until(() => bot.hasDelivered('second page for dave'), 'the second page');
  const where = [...hs.model.rooms.values()].find((candidate) =>
    hs
      .messagesFrom(candidate.roomId, botUser.userId)
      .some((content) => content.body === 'second page for dave'),
  );
  assert.ok(where);
  assert.notEqual(where.roomId, first.roomId);
  assert.equal(where.stateEvent('m.room.encryption'), undefined);
});

test('topics: read and set; a power-level refusal says which levels', async () => {
  assert.equal(await bot.network.getTopic('#infra:test.local'), undefined);
  const refused = await bot.network.setTopic('#infra:test.local', 'Incident #7: gate broken');
  assert.deepEqual(refused, {
    ok: false,
    reason:
      'firebell may not change the topic of #infra:test.local: that needs power level 50, and firebell has 0; ' +
      'raise its level, or set the topic by hand',
  });
  hs.setState(alice.userId, room, 'm.room.power_levels', '', {
    ...hs.model.room(room)?.powerLevels(),
    users: { [alice.userId]: 100, [botUser.userId]: 50 },
  });
  assert.deepEqual(await bot.network.setTopic('#infra:test.local', 'Incident #7: gate broken'), { ok: true });
  assert.equal(await bot.network.getTopic(room), 'Incident #7: gate broken');
  assert.equal(hs.model.room(room)?.stateEvent('m.room.topic')?.sender, botUser.userId);
});

test('joins, leaves and kicks of others are reported, for the bridge to relay where asked', async () => {
  const dana = hs.createUser('dana', { displayname: 'Dana' });
  const from = bot.memberships.length;
  hs.join(dana.userId, room);
  hs.leave(dana.userId, room, 'lunch');
  hs.join(dana.userId, room);
  hs.kick(alice.userId, room, dana.userId, 'spam');
  await until(() => bot.memberships.length >= from + 4, 'four membership changes');
  assert.deepEqual(
    bot.memberships
      .slice(from)
      .map((change) => [change.change, change.conversation.id, change.sender.id, change.reason ?? '']),
    [
      ['join', '#infra:test.local', dana.userId, ''],
      ['part', '#infra:test.local', dana.userId, 'lunch'],
      ['join', '#infra:test.local', dana.userId, ''],
      ['kick', '#infra:test.local', dana.userId, 'spam'],
    ],
  );
});
