/**
 * A sync after an outage of /sync brings at most the filter's `timeline.limit` events per room, marked
 * `limited`: what was said in the gap before them must still reach the core (CS API "Syncing": a client
 * fills the gap with /messages, from the timeline's `prev_batch` back to its previous sync token).
 */
import { after, before, test } from 'node:test';
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
  bot = await startBot(hs, botUser, { rooms: ['#infra:test.local'], tuning: { timelineLimit: 5 } });
});
after(async () => {
  await bot.stop();
  await hs.stop();
});

test('a command said during a /sync outage is handled although more than a timeline of chat followed it', async () => {
  await until(() => hs.membership(room, botUser.userId) === 'join', 'the join');
  await until(() => bot.states.some((entry) => entry.state === 'connected'), 'the first sync');
  hs.faults.add({ route: 'sync', userId: botUser.userId, kind: 'error', status: 500, times: 2 });
  // Wake the pending long-poll so the next ones meet the faults; all that follows is in one gap.
  hs.post(alice.userId, room, text('wake up'));
  const command = hs.post(alice.userId, room, text('!status'));
  for (let line = 0; line < 12; line += 1) hs.post(alice.userId, room, text(`chatter ${line}`));
  const last = hs.post(alice.userId, room, text('the last line'));
  await until(() => bot.messages.some((message) => message.messageId === last), 'the last line');
  await until(
    () => bot.messages.some((message) => message.messageId === command),
    'the command said in the gap',
    2_000,
  );
  await until(
    () => bot.messages.filter((message) => message.text.startsWith('chatter')).length === 12,
    'all the chatter',
    2_000,
  );
});

test('a gap longer than a thousand events is read whole, back to where the previous sync ended', async () => {
  await until(() => bot.network.connectionState() === 'connected', 'a sync');
  hs.faults.add({ route: 'sync', userId: botUser.userId, kind: 'error', status: 500, times: 2 });
  hs.post(alice.userId, room, text('wake up'));
  const command = hs.post(alice.userId, room, text('!status'));
  for (let line = 0; line < 1_100; line += 1) hs.post(alice.userId, room, text(`busy ${line}`));
  const last = hs.post(alice.userId, room, text('the end of the rush'));
  await until(() => bot.messages.some((message) => message.messageId === last), 'the last line');
  await until(
    () => bot.messages.some((message) => message.messageId === command),
    'the command said before the rush',
    2_000,
  );
  assert.equal(bot.messages.filter((message) => message.text.startsWith('busy ')).length, 1_100);
  assert.equal(bot.logger.find('warn', /gap/), undefined, 'nothing was skipped');
});

test('a gap is read back only as far as gapMaxAgeMs, and one cut short there says so', async (t) => {
  const other = hs.createUser('firebell-two');
  const bounded = await startBot(hs, other, {
    rooms: ['#infra:test.local'],
    tuning: { timelineLimit: 5, gapMaxAgeMs: 3_600_000 },
  });
  t.after(() => bounded.stop());
  await until(() => hs.membership(room, other.userId) === 'join', 'the join');
  await until(() => bounded.network.connectionState() === 'connected', 'a sync');
  hs.faults.add({ route: 'sync', userId: other.userId, kind: 'error', status: 500, times: 2 });
  hs.post(alice.userId, room, text('wake up'));
  // Sent two hours ago (back-dated): older than the bound.
  hs.post(alice.userId, room, text('an old line'), { ts: Date.now() - 2 * 3_600_000 });
  for (let line = 0; line < 12; line += 1) hs.post(alice.userId, room, text(`recent ${line}`));
  await until(
    () => bounded.messages.filter((message) => message.text.startsWith('recent ')).length === 12,
    'the recent lines',
  );
  const warning = bounded.logger.find('warn', /a sync gap reaches back further than firebell reads/);
  assert.equal(warning?.fields.roomId, room);
  assert.ok(!bounded.messages.some((message) => message.text === 'an old line'));
});
