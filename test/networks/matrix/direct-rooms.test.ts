/**
 * A person's direct room across a restart. An incremental /sync carries only the account data that changed
 * since its token, so after a restart with a stored token `m.direct` never arrives by itself: the bot must
 * still page each person in the room `m.direct` gives them, and add a new room to `m.direct` without
 * erasing everyone else's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rich } from '../../../src/core/rich-text.js';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';
import { MemoryKeyValueStore } from '../../support/memory-kv.js';
import { startBot, stopStrayBots, until, type RunningBot } from './harness.js';

let hs: TestHomeserver;
let botUser: TestUser;
let erin: TestUser;
let frank: TestUser;
let gina: TestUser;

before(async () => {
  hs = await TestHomeserver.start();
  botUser = hs.createUser('firebell');
  erin = hs.createUser('erin');
  frank = hs.createUser('frank');
  gina = hs.createUser('gina');
});
after(async () => {
  await stopStrayBots();
  await hs.stop();
});

function page(bot: RunningBot, user: TestUser, body: string): void {
  bot.network.send({
    to: { network: 'matrix', person: { name: user.userId, matrix: { userId: user.userId } } },
    body: rich(body),
    style: 'notice',
    priority: 'urgent',
    purpose: 'page',
  });
}

const roomsWith = (body: string): string[] =>
  [...hs.model.rooms.values()]
    .filter((room) => hs.messagesFrom(room.roomId, botUser.userId).some((content) => content.body === body))
    .map((room) => room.roomId);

test('after a restart, a person is paged in the room m.direct gives them, and m.direct keeps every entry', async () => {
  const kv = new MemoryKeyValueStore();
  const first = await startBot(hs, botUser, { kv });
  await until(() => first.states.some((entry) => entry.state === 'connected'), 'the first sync');
  page(first, erin, 'page one');
  await until(() => first.hasDelivered('page one'), 'the first page');
  const [direct] = roomsWith('page one');
  assert.ok(direct);
  assert.deepEqual(hs.model.getAccountData(botUser.userId, 'm.direct'), { [erin.userId]: [direct] });
  // Erin takes the page and brings a colleague into the room: it is still her direct room.
  hs.join(erin.userId, direct);
  hs.invite(erin.userId, direct, frank.userId);
  hs.join(frank.userId, direct);
  await until(() => kv.get('matrix:matrix', 'syncToken') !== undefined, 'a stored token');
  await first.stop();

  const second = await startBot(hs, botUser, { kv });
  await until(() => second.states.some((entry) => entry.state === 'connected'), 'the first sync again');
  page(second, erin, 'page two');
  await until(() => second.hasDelivered('page two'), 'the second page');
  assert.deepEqual(roomsWith('page two'), [direct], 'in her direct room, not a new one');

  page(second, gina, 'page for gina');
  await until(() => second.hasDelivered('page for gina'), 'the page for Gina');
  const map = hs.model.getAccountData(botUser.userId, 'm.direct');
  assert.deepEqual(map?.[erin.userId], [direct], "Erin's entry is kept");
  assert.deepEqual(map?.[gina.userId], roomsWith('page for gina'));
  await second.stop();
});

test('a configured room is never a direct room, even when the invite that brought the bot said is_direct', async () => {
  // The team's incident room; Hank invites the bot with his client's "direct chat" flag set.
  const hank = hs.createUser('hank');
  const shared = hs.createRoom(hank.userId, { preset: 'private_chat' });
  const bot = await startBot(hs, botUser, { rooms: [shared], mayInvite: (userId) => userId === hank.userId });
  await until(() => bot.states.some((entry) => entry.state === 'connected'), 'the first sync');
  hs.invite(hank.userId, shared, botUser.userId, { isDirect: true });
  await until(() => bot.logger.find('info', /joined a room on invite/) !== undefined, 'the invite handled');
  page(bot, hank, 'private page for hank');
  await until(() => bot.hasDelivered('private page for hank'), 'the page');
  assert.equal(
    hs.messagesFrom(shared, botUser.userId).filter((content) => content.body === 'private page for hank')
      .length,
    0,
    'not in the incident room',
  );
  await bot.stop();
});
