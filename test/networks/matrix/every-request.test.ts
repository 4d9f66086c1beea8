/**
 * Every kind of request the bot makes survives a 429 (without a wait, with `retry_after_ms`, with only a
 * Retry-After header), a 500 and a dropped connection. A scenario that makes every kind (log in, start,
 * join the configured room by alias, send, set and read a topic, page someone without a direct room,
 * accept and decline invites, rejoin after a kick, sync) runs once cleanly to list the kinds, then once
 * per fault with the first request of each kind faulted: the outcome must be the same, and each kind must
 * show a faulted request followed by a successful one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rich } from '../../../src/core/rich-text.js';
import type { FaultKind } from '../../matrix-homeserver/faults.js';
import { TestHomeserver, type RequestRecord } from '../../matrix-homeserver/homeserver.js';
import { startBot, until } from './harness.js';

interface Outcome {
  readonly routes: ReadonlySet<string>;
  readonly requests: readonly RequestRecord[];
  readonly summary: readonly string[];
}

const PASSWORD = 'correct horse battery staple';

async function scenario(
  fault?: FaultKind,
  only?: readonly string[],
  kinds?: ReadonlySet<string>,
): Promise<Outcome> {
  const hs = await TestHomeserver.start();
  const botUser = hs.createUser('firebell', { password: PASSWORD });
  const alice = hs.createUser('alice');
  const bob = hs.createUser('bob');
  const mallory = hs.createUser('mallory');
  const room = hs.createRoom(alice.userId, {
    preset: 'public_chat',
    room_alias_name: 'infra',
    power_level_content_override: { users: { [alice.userId]: 100, [botUser.userId]: 50 } },
  });
  if (fault)
    for (const route of only ?? kinds ?? [])
      hs.faults.add({ ...fault, route, userId: botUser.userId, times: 1 });
  // The login routes run before the bot's token exists; their faults match any user.
  if (fault)
    for (const route of ['versions', 'login'].filter((name) => (only ?? [...(kinds ?? [])]).includes(name)))
      hs.faults.add({ ...fault, route, times: 1 });
  const bot = await startBot(hs, botUser, {
    rooms: ['#infra:test.local'],
    mayInvite: (userId) => userId === alice.userId,
    config: { accessToken: undefined, password: PASSWORD } as never,
  });
  try {
    const summary: string[] = [];
    await until(() => hs.membership(room, botUser.userId) === 'join', 'the join', 20_000);
    await until(() => bot.network.connectionState() === 'connected', 'the first sync', 20_000);
    const say = (to: Parameters<typeof bot.network.send>[0]['to'], text: string) =>
      bot.network.send({ to, body: rich(text), style: 'notice', priority: 'urgent', purpose: 'reply' });
    say({ network: 'matrix', conversation: '#infra:test.local' }, 'hello');
    await until(() => bot.hasDelivered('hello'), 'the message', 20_000);
    summary.push(
      `topic set: ${JSON.stringify(await bot.network.setTopic('#infra:test.local', 'all quiet'))}`,
    );
    summary.push(`topic read: ${String(await bot.network.getTopic('#infra:test.local'))}`);
    const friendly = hs.createRoom(alice.userId, { preset: 'private_chat' });
    hs.invite(alice.userId, friendly, botUser.userId);
    const hostile = hs.createRoom(mallory.userId, { preset: 'private_chat' });
    hs.invite(mallory.userId, hostile, botUser.userId);
    await until(() => hs.membership(friendly, botUser.userId) === 'join', 'accepting the invite', 20_000);
    await until(() => hs.membership(hostile, botUser.userId) === 'leave', 'declining the invite', 20_000);
    say({ network: 'matrix', person: { name: 'Bob', matrix: { userId: bob.userId } } }, 'you are paged');
    await until(() => bot.hasDelivered('you are paged'), 'the page', 20_000);
    const dms = [...hs.model.rooms.values()].filter((r) => r.membership(bob.userId) === 'invite');
    summary.push(`direct rooms with bob: ${dms.length}`);
    hs.kick(alice.userId, room, botUser.userId, 'testing');
    await until(
      () => bot.logger.find('info', /joined the configured room again/) !== undefined,
      'the rejoin',
      20_000,
    );
    summary.push(`in #infra: ${String(hs.membership(room, botUser.userId))}`);
    const requests = hs.requests.filter(
      (request) => request.userId === botUser.userId || request.userId === undefined,
    );
    return { routes: new Set(requests.map((request) => request.route)), requests, summary };
  } finally {
    await bot.stop();
    await hs.stop();
  }
}

/** Each faulted kind: a faulted request, then a successful one of the same kind. */
function assertRetried(outcome: Outcome, kinds: Iterable<string>, fault: string): void {
  for (const kind of kinds) {
    const ofKind = outcome.requests.filter((request) => request.route === kind);
    const faulted = ofKind.findIndex((request) => request.fault !== undefined);
    assert.ok(faulted >= 0, `${kind} was faulted (${fault})`);
    assert.ok(
      ofKind.slice(faulted + 1).some((request) => request.status !== undefined && request.status < 300),
      `${kind} succeeded after the ${fault}: ${ofKind.map((request) => request.fault ?? request.status).join(', ')}`,
    );
  }
}

test('every request kind the bot makes is retried after 429s, 500s and dropped connections', async () => {
  const clean = await scenario();
  const kinds = new Set(clean.routes);
  for (const expected of [
    'versions',
    'login',
    'whoami',
    'joined_rooms',
    'filter.create',
    'directory.get',
    'join',
    'state.get',
    'sync',
    'send',
    'state.put',
    'joined_members',
    'createRoom',
    'account_data.put',
    'leave',
  ])
    assert.ok(
      kinds.has(expected),
      `the scenario makes ${expected} requests (made: ${[...kinds].join(', ')})`,
    );
  assert.deepEqual(clean.summary, [
    'topic set: {"ok":true}',
    'topic read: all quiet',
    'direct rooms with bob: 1',
    'in #infra: join',
  ]);

  const faults: Array<[string, FaultKind, readonly string[] | undefined]> = [
    ['429 without a wait', { kind: 'rate-limit' }, undefined],
    ['429 with retry_after_ms', { kind: 'rate-limit', retryAfterMs: 30 }, undefined],
    // Retry-After counts whole seconds: three kinds keep the test short.
    [
      '429 with only Retry-After',
      { kind: 'rate-limit', retryAfterMs: 1, header: true, body: false },
      ['send', 'state.put', 'join'],
    ],
    ['500', { kind: 'error', status: 500 }, undefined],
    ['dropped connection', { kind: 'drop' }, undefined],
  ];
  for (const [name, fault, only] of faults) {
    const outcome = await scenario(fault, only, kinds);
    assert.deepEqual(outcome.summary, clean.summary, `the same outcome despite a ${name}`);
    assertRetried(outcome, only ?? kinds, name);
  }
});
