/**
 * Removed from a configured room while idle, the bot joins again within seconds, on its own, not at its
 * next message or the periodic check (10 minutes by default, as here), and says so in the log. A room that
 * keeps kicking it is rejoined after growing waits; a ban is reported and left alone.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the first join');
  await until(() => bot.network.connectionState() === 'connected', 'the first sync');
});
after(async () => {
  await bot.stop();
  await hs.stop();
});

const rejoins = (): number => bot.logger.matching('joined the configured room again', 'info').length;

test('kicked while idle: joined again within seconds, with a log line', async () => {
  const started = performance.now();
  hs.kick(alice.userId, room, botUser.userId, 'oops');
  await until(() => rejoins() === 1, 'the rejoin', 5_000);
  assert.equal(hs.membership(room, botUser.userId), 'join');
  const removed = bot.logger.find('warn', /removed from a configured room; joining it again/);
  assert.deepEqual(
    { room: removed?.fields.room, by: removed?.fields.by, reason: removed?.fields.reason },
    { room: '#infra:test.local', by: alice.userId, reason: 'oops' },
  );
  assert.ok(performance.now() - started < 5_000);
});

test('kicked again at once: the next rejoin waits a little longer', async () => {
  const started = performance.now();
  hs.kick(alice.userId, room, botUser.userId, 'again');
  await until(() => rejoins() === 2, 'the second rejoin', 10_000);
  const waited = bot.logger.matching('removed from a configured room; joining it again', 'warn').at(-1);
  assert.ok(Number(waited?.fields.waitMs) >= 1_000, `waited ${String(waited?.fields.waitMs)} ms`);
  assert.ok(performance.now() - started >= 1_000);
});

test('banned: reported, and not fought', async () => {
  const joinsBefore = hs.requestsTo('join').length;
  hs.ban(alice.userId, room, botUser.userId, 'go away');
  await until(() => bot.logger.find('error', /banned from a configured room/) !== undefined, 'the report');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(hs.membership(room, botUser.userId), 'ban');
  assert.equal(hs.requestsTo('join').length, joinsBefore, 'no join was tried');
});
