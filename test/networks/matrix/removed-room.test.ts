/**
 * Removed from a room that is not configured (someone's ad-hoc room the bot was invited to), the bot
 * stays out: an answer to a command said there before the kick is refused with the reason, not delivered
 * by joining the room again, which would undo the kick of whoever runs the room.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeliveryOutcome } from '../../../src/core/delivery.js';
import { rich } from '../../../src/core/rich-text.js';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';
import { startBot, until, type RunningBot } from './harness.js';

let hs: TestHomeserver;
let botUser: TestUser;
let alice: TestUser;
let room: string;
let bot: RunningBot;

before(async () => {
  hs = await TestHomeserver.start();
  botUser = hs.createUser('firebell');
  alice = hs.createUser('alice');
  room = hs.createRoom(alice.userId, { preset: 'public_chat' });
  bot = await startBot(hs, botUser, { mayInvite: (userId) => userId === alice.userId });
});
after(async () => {
  await bot.stop();
  await hs.stop();
});

test('kicked from a room it is not configured for: an answer there is refused, the room not joined again', async () => {
  hs.invite(alice.userId, room, botUser.userId);
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the invite accepted');
  await until(() => bot.network.connectionState() === 'connected', 'a sync');
  const syncs = hs.requestsTo('sync').length;
  hs.kick(alice.userId, room, botUser.userId, 'not here');
  // A sync begun after the one that brought the kick: the bot has handled it.
  await until(() => hs.requestsTo('sync').length >= syncs + 2, 'the kick seen');
  let outcome: DeliveryOutcome | undefined;
  bot.network.send(
    {
      to: { network: 'matrix', conversation: room },
      body: rich('all quiet: no open incidents'),
      style: 'notice',
      priority: 'urgent',
      purpose: 'reply',
    },
    { settle: (settled) => (outcome = settled) },
  );
  await until(() => outcome !== undefined, 'an outcome');
  assert.equal(outcome?.status, 'refused', JSON.stringify(outcome));
  assert.match(outcome.reason, /removed by @alice:test\.local \(not here\)/);
  assert.equal(hs.membership(room, botUser.userId), 'leave', 'not joined again');
  // Invited back: in again, and answers go there.
  hs.invite(alice.userId, room, botUser.userId);
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the new invite accepted');
  const after = hs.requestsTo('sync').length;
  await until(() => hs.requestsTo('sync').length >= after + 2, 'the join seen');
  let again: DeliveryOutcome | undefined;
  bot.network.send(
    {
      to: { network: 'matrix', conversation: room },
      body: rich('back'),
      style: 'notice',
      priority: 'urgent',
      purpose: 'reply',
    },
    { settle: (settled) => (again = settled) },
  );
  await until(() => again !== undefined, 'an outcome');
  assert.equal(again?.status, 'delivered', JSON.stringify(again));
});
