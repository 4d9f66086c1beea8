/**
 * Sending under a misbehaving homeserver: a 429 storm, server errors, lost responses and slow answers.
 * Every message must arrive exactly once and in order, because every retry reuses its transaction id.
 * And a failing /sync is reported as a connection state, then recovered from.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rich } from '../../../src/core/rich-text.js';
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
  bot = await startBot(hs, botUser, { rooms: ['#infra:test.local'], tuning: { requestTimeoutMs: 300 } });
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the join');
});
after(async () => {
  await bot.stop();
  await hs.stop();
});

function say(body: string): void {
  bot.network.send({
    to: { network: 'matrix', conversation: '#infra:test.local' },
    body: rich(body),
    style: 'notice',
    priority: 'normal',
    purpose: 'relay',
  });
}

const botBodies = (): unknown[] => hs.messagesFrom(room, botUser.userId).map((content) => content.body);
const botSends = () =>
  hs.requests.filter((request) => request.route === 'send' && request.userId === botUser.userId);

test('a 429 storm: 50 messages, most sends refused, each arrives exactly once and in order', async () => {
  const start = botBodies().length;
  const sendsBefore = botSends().length;
  const storm = hs.faults.add({
    route: 'send',
    userId: botUser.userId,
    kind: 'rate-limit',
    retryAfterMs: 5,
    times: 100,
    passEvery: 3,
  });
  hs.faults.add({ route: 'send', userId: botUser.userId, kind: 'drop-after', times: 3 });
  const expected = Array.from({ length: 50 }, (_, index) => `storm ${index + 1}`);
  const deliveredBefore = bot.delivered.length;
  for (const body of expected) say(body);
  await until(() => bot.delivered.length >= deliveredBefore + 50, '50 deliveries', 20_000);
  assert.deepEqual(botBodies().slice(start), expected);
  assert.equal(storm.remaining, 0, 'the storm was fully served');

  const attempts = botSends().slice(sendsBefore);
  const rateLimited = attempts.filter((request) => request.fault === 'rate-limit').length;
  assert.equal(rateLimited, 100);
  assert.ok(attempts.length >= 153, `every refusal was retried (${attempts.length} attempts)`);
  const txnIds = new Set(attempts.map((request) => request.params.txnId));
  assert.equal(txnIds.size, 50, 'one transaction id per message, reused by every retry');
  const delivered = bot.delivered.slice(deliveredBefore);
  assert.equal(new Set(delivered.flatMap((entry) => entry.eventIds)).size, 50);
});

test('5xx answers, a proxy error page and dropped connections are retried with backoff; one copy arrives', async () => {
  const start = botBodies().length;
  hs.faults.add({ route: 'send', userId: botUser.userId, kind: 'error', status: 500, times: 2 });
  hs.faults.add({ route: 'send', userId: botUser.userId, kind: 'error', status: 502, html: true, times: 1 });
  hs.faults.add({ route: 'send', userId: botUser.userId, kind: 'drop', times: 1 });
  hs.faults.add({ route: 'send', userId: botUser.userId, kind: 'drop-after', times: 1 });
  const sendsBefore = botSends().length;
  say('after the outage');
  await until(() => botBodies().length === start + 1, 'the message');
  await until(() => bot.hasDelivered('after the outage'), 'delivery');
  assert.deepEqual(botBodies().slice(start), ['after the outage']);
  const attempts = botSends().slice(sendsBefore);
  assert.deepEqual(
    attempts.map((request) => request.fault ?? request.status),
    ['error', 'error', 'error', 'drop', 'drop-after', 200],
  );
  assert.equal(new Set(attempts.map((request) => request.params.txnId)).size, 1);
  assert.ok(bot.logger.find('warn', /sending failed; retrying/));
});

test('a slow answer past the request timeout is retried without a duplicate', async () => {
  const start = botBodies().length;
  hs.faults.add({ route: 'send', userId: botUser.userId, kind: 'delay', ms: 600, times: 1 });
  say('slow');
  await until(() => bot.hasDelivered('slow'), 'delivery');
  await until(
    () => !hs.requests.some((request) => request.fault === 'delay' && request.status === undefined),
    'the slow request to finish',
    2_000,
  );
  assert.deepEqual(botBodies().slice(start), ['slow']);
});

test('a failing /sync is reported as disconnected, then connected; nothing said meanwhile is lost', async () => {
  await until(() => bot.states.some((entry) => entry.state === 'connected'), 'the first sync');
  const statesBefore = bot.states.length;
  hs.faults.add({ route: 'sync', userId: botUser.userId, kind: 'error', status: 500, times: 2 });
  hs.faults.add({ route: 'sync', userId: botUser.userId, kind: 'drop', times: 1 });
  // Wake the pending long-poll so the next ones meet the faults.
  hs.post(alice.userId, room, text('wake up'));
  const during = hs.post(alice.userId, room, text('!status'));
  await until(() => bot.states.slice(statesBefore).some((entry) => entry.state === 'connected'), 'recovery');
  const changes = bot.states.slice(statesBefore);
  assert.equal(changes[0]?.state, 'disconnected');
  assert.match(changes[0]?.detail ?? '', /M_UNKNOWN|HTTP 500/);
  assert.equal(changes.at(-1)?.state, 'connected');
  assert.equal(bot.network.connectionState(), 'connected');
  await until(
    () => bot.messages.some((message) => message.messageId === during),
    'the command sent during the outage',
  );
});
