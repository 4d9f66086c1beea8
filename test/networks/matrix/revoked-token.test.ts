/**
 * The access token revoked while firebell runs (an admin signs out every session after a leak): the
 * homeserver answers every request M_UNKNOWN_TOKEN. That is not the homeserver refusing the page for
 * good: the page stays pending (abandoned), so the next start, with a new token or a fresh password
 * login, sends it; recorded as refused it would never go.
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
  room = hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: 'infra' });
  bot = await startBot(hs, botUser, { rooms: ['#infra:test.local'] });
});
after(async () => {
  await bot.stop();
  await hs.stop();
});

test('a page meeting a revoked access token stays pending for the next start instead of being refused', async () => {
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the join');
  const logout = await fetch(`${hs.url}/_matrix/client/v3/logout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${botUser.token}` },
    body: '{}',
  });
  assert.equal(logout.status, 200);
  let outcome: DeliveryOutcome | undefined;
  bot.network.send(
    {
      to: { network: 'matrix', conversation: '#infra:test.local' },
      body: rich('tier 1 paged'),
      style: 'notice',
      priority: 'urgent',
      purpose: 'page',
    },
    { deliveryId: 'revoked-1', settle: (settled) => (outcome = settled) },
  );
  await until(() => outcome !== undefined, 'an outcome');
  assert.equal(outcome?.status, 'abandoned', JSON.stringify(outcome));
});
