/**
 * A sync after an outage of /sync brings at most the filter's `timeline.limit` events per room, marked
 * `limited`: what was said in the gap before them must still reach the core (CS API "Syncing": a client
 * fills the gap with /messages, from the timeline's `prev_batch` back to its previous sync token).
 */
import { after, before, test } from 'node:test';
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
