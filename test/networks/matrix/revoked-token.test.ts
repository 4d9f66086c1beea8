/**
 * The access token revoked while firebell runs (an admin signs out every session after a leak): the
 * homeserver answers every request M_UNKNOWN_TOKEN. With a password configured, firebell logs in again on
 * the same device (transaction ids are scoped to the device, CS API "Transaction identifiers", so a send
 * retried across the new login is still not a duplicate) and goes on, sync position and queue kept. With
 * only a token, it says so once, loudly (an error, and the network 'stopped' with the reason, which
 * /readyz shows), and a page stays pending (abandoned) for the next start with a new token: recorded as
 * refused it would never go.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeliveryOutcome } from '../../../src/core/delivery.js';
import type { OutboundMessage } from '../../../src/core/messages.js';
import { rich } from '../../../src/core/rich-text.js';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';
import { startBot, text, until, type RunningBot } from './harness.js';

let hs: TestHomeserver;
let alice: TestUser;
let room: string;
const bots: RunningBot[] = [];

before(async () => {
  hs = await TestHomeserver.start();
  alice = hs.createUser('alice');
  room = hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: 'infra' });
});
after(async () => {
  await Promise.all(bots.map((bot) => bot.stop()));
  await hs.stop();
});

const page = (body: string): OutboundMessage => ({
  to: { network: 'matrix', conversation: '#infra:test.local' },
  body: rich(body),
  style: 'notice',
  priority: 'urgent',
  purpose: 'page',
});

async function deviceOf(token: string): Promise<string | undefined> {
  const whoami = await fetch(`${hs.url}/_matrix/client/v3/account/whoami`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await whoami.json()) as { device_id?: string }).device_id;
}

async function logOut(token: string): Promise<void> {
  const logout = await fetch(`${hs.url}/_matrix/client/v3/logout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: '{}',
  });
  assert.equal(logout.status, 200);
}

test('with only a token: a page stays pending, and the network says once, loudly, that the token is gone', async () => {
  const botUser = hs.createUser('firebell');
  const bot = await startBot(hs, botUser, { rooms: ['#infra:test.local'] });
  bots.push(bot);
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the join');
  await until(() => bot.network.connectionState() === 'connected', 'the first sync');
  await logOut(botUser.token);
  let outcome: DeliveryOutcome | undefined;
  bot.network.send(page('tier 1 paged'), {
    deliveryId: 'revoked-1',
    settle: (settled) => (outcome = settled),
  });
  await until(() => outcome !== undefined, 'an outcome');
  assert.equal(outcome?.status, 'abandoned', JSON.stringify(outcome));
  await until(() => bot.network.connectionState() === 'stopped', 'the network stopped');
  const stopped = bot.states.at(-1);
  assert.match(
    stopped?.detail ?? '',
    /rejected the access token \(M_UNKNOWN_TOKEN\).*configure its password/,
  );
  // Several syncs' worth of time: still one error, not one per retry.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const errors = bot.logger.entries.filter((entry) => entry.level === 'error');
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(hs.requestsTo('login').length, 0);
});

test('with a password: logged in again on the same device, a send retried across it is not duplicated', async () => {
  const pager = hs.createUser('pager', { password: 'correct horse' });
  const bot = await startBot(hs, pager, {
    rooms: ['#infra:test.local'],
    config: { accessToken: undefined, password: 'correct horse' },
  });
  bots.push(bot);
  await until(() => hs.membership(room, pager.userId) === 'join', 'the join');
  await until(() => bot.network.connectionState() === 'connected', 'the first sync');
  const token = bot.kv.get('matrix:matrix', 'accessToken') as string;
  const device = await deviceOf(token);
  // The send takes effect but its answer is lost; the retry is held, the token revoked meanwhile.
  hs.faults.add({ route: 'send', userId: pager.userId, kind: 'drop-after', times: 1 });
  hs.faults.add({ route: 'send', userId: pager.userId, kind: 'hold', times: 1 });
  let outcome: DeliveryOutcome | undefined;
  bot.network.send(page('tier 2 paged'), {
    deliveryId: 'relogin-1',
    settle: (settled) => (outcome = settled),
  });
  await until(() => hs.held.length === 1, 'the retry held');
  await logOut(token);
  hs.releaseHeld();
  await until(() => outcome !== undefined, 'an outcome');
  assert.equal(outcome?.status, 'delivered', JSON.stringify(outcome));
  const sent = hs.messagesFrom(room, pager.userId).filter((content) => content.body === 'tier 2 paged');
  assert.equal(sent.length, 1, 'one event, not a duplicate');
  assert.equal(hs.requestsTo('login').length, 2);
  const renewed = bot.kv.get('matrix:matrix', 'accessToken') as string;
  assert.notEqual(renewed, token, 'the new token is stored for the next start');
  assert.equal(await deviceOf(renewed), device, 'the new token is on the old device');
  // And it goes on: the sync loop reads what comes next with the new token.
  const command = hs.post(alice.userId, room, text('!status'));
  await until(() => bot.messages.some((message) => message.messageId === command), 'a command after');
  assert.equal(bot.network.connectionState(), 'connected');
});
