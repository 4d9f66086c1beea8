/**
 * firebell's core on the Matrix adapter, against the test homeserver through matrix-bot-sdk's HTTP client:
 * commands in a room and in a DM answered by the real router, an incident announced and escalated, pages
 * carrying exactly the paged user in `m.mentions`, everything else `{}`, and a spoofed display name
 * refused a privileged command.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.js';
import { Firebell } from '../../src/core/firebell.js';
import { MatrixNetwork } from '../../src/networks/matrix/matrix-network.js';
import { TestHomeserver, type TestUser } from '../matrix-homeserver/homeserver.js';
import type { DurableState } from '../../src/core/durable-state.js';
import { MemoryLogger } from '../support/memory-logger.js';
import { openDurable, TestStore } from '../support/test-store.js';
import { hours } from '../support/builders.js';
import { contacts, testConfig, testPolicy } from '../support/config-fixture.js';
import { FAST, botConfig, until } from '../networks/matrix/harness.js';

let hs: TestHomeserver;
let botUser: TestUser;
let ana: TestUser;
let mallory: TestUser;
let room: string;
let firebell: Firebell;
const published: Array<string | null> = [];
// What survives a restart of firebell: its store (SQLite in a file in production).
const store = new TestStore();
let durable: DurableState;

/** firebell's core on the Matrix adapter, with the store above (so a second one is a restart). */
async function startCore(): Promise<Firebell> {
  durable = await openDurable(store, systemClock);
  const matrix = new MatrixNetwork(
    botConfig(hs, botUser),
    {
      clock: systemClock,
      logger: new MemoryLogger(),
      kv: durable.keyValues,
      rooms: ['#infra:test.local'],
      mayInvite: (userId) => userId === ana.userId,
    },
    FAST,
  );
  const awake = hours({ daily: '00:00-24:00' });
  return new Firebell({
    config: testConfig({
      groups: [
        {
          id: 'infra',
          name: 'infra',
          members: [{ network: 'matrix', conversation: '#infra:test.local', topic: true, status: true }],
          relay: false,
          relayJoinsAndParts: false,
        },
      ],
      // Ana is tier 1 on this homeserver, awake around the clock; tier 1 is paged 0.6 s after announcing.
      contacts: [{ ...contacts[0]!, matrix: ana.userId, hours: awake, reach: 'highlight' }],
      whitelist: [{ name: 'Ana', contactId: 'ana', matrix: ana.userId }],
      policies: { default: { ...testPolicy, tiers: [{ tier: 1, afterMinutes: 0.01 }] } },
    }),
    durable,
    networks: [matrix],
    clock: systemClock,
    logger: new MemoryLogger(),
    status: { alert: { publish: async (alert) => void published.push(alert) } },
  });
}

before(async () => {
  hs = await TestHomeserver.start();
  botUser = hs.createUser('firebell');
  ana = hs.createUser('ana', { displayname: 'Ana' });
  mallory = hs.createUser('mallory', { displayname: 'Ana' });
  room = hs.createRoom(ana.userId, {
    preset: 'public_chat',
    room_alias_name: 'infra',
    topic: 'Infra team room',
  });
  hs.join(mallory.userId, room);

  firebell = await startCore();
  await firebell.start();
  assert.deepEqual(published.splice(0), [null], 'alert.json starts from the stored state: no alert');
  await until(
    () => hs.membership(room, botUser.userId) === 'join' && firebell.networkStates().matrix === 'connected',
    'the bot in the room',
  );
});

after(async () => {
  await firebell.stop();
  await hs.stop();
});

const botMessages = (roomId: string) => hs.messagesFrom(roomId, botUser.userId);
const text = (body: string) => ({ msgtype: 'm.text', body });

test('an incident declared in the room is announced, paged with m.mentions of exactly the paged user, and acked', async () => {
  const before = botMessages(room).length;
  hs.post(ana.userId, room, text('!incident the gate is failing'));
  await until(
    () => botMessages(room).some((content) => String(content.body).startsWith('Incident #1 declared')),
    'the announcement',
  );
  const announcement = botMessages(room).find((content) =>
    String(content.body).startsWith('Incident #1 declared'),
  );
  assert.equal(announcement?.msgtype, 'm.notice');
  assert.deepEqual(announcement?.['m.mentions'], {});
  assert.match(String(announcement?.formatted_body), /<strong>#1<\/strong>/);

  await until(
    () => botMessages(room).some((content) => String(content.body).includes('paging you (tier 1)')),
    'the page',
    5000,
  );
  const page = botMessages(room).find((content) => String(content.body).includes('paging you (tier 1)'));
  assert.deepEqual(page?.['m.mentions'], { user_ids: [ana.userId] });
  assert.match(
    String(page?.formatted_body),
    new RegExp(`href="https://matrix.to/#/${ana.userId.replace(/[.]/g, '\\.')}"`),
  );

  const ack = hs.post(ana.userId, room, text('!ack'));
  await until(
    () => botMessages(room).some((content) => String(content.body).includes('acknowledged by Ana')),
    'the ack',
  );
  assert.equal(firebell.service.get(1)?.phase, 'assigned');
  assert.ok(botMessages(room).length > before);
  void ack;
});

test('a command in a DM is answered in the DM', async () => {
  const dm = hs.createRoom(ana.userId, {
    preset: 'trusted_private_chat',
    is_direct: true,
    invite: [botUser.userId],
  });
  await until(() => hs.membership(dm, botUser.userId) === 'join', 'the bot in the DM');
  const command = hs.post(ana.userId, dm, text('!status 1'));
  await until(() => botMessages(dm).length === 1, 'the DM reply');
  const reply = botMessages(dm)[0];
  assert.match(String(reply?.body), /^#1 the gate is failing — acknowledged by Ana/);
  assert.deepEqual(reply?.['m.relates_to'], { 'm.in_reply_to': { event_id: command } });
  assert.deepEqual(reply?.['m.mentions'], {});
});

test('a display name is not an identity: "Ana" from another account may not post a status', async () => {
  hs.post(mallory.userId, room, text('#status alert everything is fine, go home'));
  await until(
    () =>
      botMessages(room).some((content) =>
        String(content.body).includes('only the people listed in whitelist.yaml'),
      ),
    'the refusal',
  );
  assert.deepEqual(published, []);
  hs.post(ana.userId, room, text('#status alert the gate is failing, stand by'));
  await until(() => published.length === 1, 'the alert');
  assert.deepEqual(published, ['the gate is failing, stand by']);
  // The bot joined as an ordinary member: the room's power levels forbid it to change the topic, and the
  // statusbot says so instead of failing silently.
  await until(
    () => botMessages(room).some((content) => String(content.body).includes('Finished sending alert')),
    'the report',
  );
  const report = botMessages(room).find((content) => String(content.body).includes('Finished sending alert'));
  assert.match(
    String(report?.body),
    /topics changed in 0, not in 1 \(#infra:test\.local: .*power level 50.*\)/,
  );
});

test('every #status kind on Matrix, and the topic from before the alert restored after a restart', async () => {
  // Ana gives firebell the power level topics need.
  hs.setState(ana.userId, room, 'm.room.power_levels', '', {
    users: { [ana.userId]: 100, [botUser.userId]: 50 },
    users_default: 0,
    events_default: 0,
    state_default: 50,
  });
  const lastTopic = () => hs.timeline(room, { type: 'm.room.topic' }).at(-1)?.content.topic;
  // The alert of the previous test could not change the topic; this one can.
  hs.post(ana.userId, room, text('#status alert the gate is failing, still'));
  await until(() => lastTopic() === 'the gate is failing, still', 'the alert topic');
  hs.post(ana.userId, room, text('#status notice the mirror is resyncing'));
  await until(
    () => botMessages(room).some((content) => content.body === 'NOTICE: the mirror is resyncing'),
    'the notice',
  );
  hs.post(ana.userId, room, text('#status log restarted the mirror job'));
  await until(() => botMessages(room).some((content) => content.body === 'Ana: Logged.'), 'the log');
  assert.deepEqual(
    (await durable.status.history(2)).map((entry) => [entry.kind, entry.text]),
    [
      ['log', 'restarted the mirror job'],
      ['notice', 'the mirror is resyncing'],
    ],
  );

  await firebell.stop();
  firebell = await startCore();
  await firebell.start();
  await until(() => firebell.service.get(1) !== undefined, 'the restored incident');
  hs.post(ana.userId, room, text('#status ok the gate works again'));
  await until(() => lastTopic() === 'Infra team room', 'the topic from before the alert');
  await until(
    () => botMessages(room).some((content) => content.body === 'NOTICE: the gate works again'),
    'the ok notice',
  );
  assert.equal(durable.status.currentAlert(), undefined);
  assert.equal(published.at(-1), null);
});

test('an incident thread: follow-ups rooted at the announcement with the reply fallback, a command in the thread acts on its incident, and the announcement is edited in place', async () => {
  const events = () => hs.timeline(room, { type: 'm.room.message', sender: botUser.userId });
  hs.post(ana.userId, room, text('!incident the mirror is stale'));
  await until(
    () =>
      events().some((event) => /^Incident #\d+ declared by Ana: the mirror/.test(String(event.content.body))),
    'the announcement',
  );
  const announcement = events().find((event) =>
    /declared by Ana: the mirror/.test(String(event.content.body)),
  );
  const id = Number(/^Incident #(\d+)/.exec(String(announcement?.content.body))?.[1]);
  const root = announcement?.event_id ?? '';
  assert.equal(announcement?.content['m.relates_to'], undefined, 'the announcement is the thread root');
  assert.ok(firebell.service.open().length >= 2, 'another incident is open: a bare !ack would be ambiguous');

  await until(
    () =>
      events().some((event) =>
        /paging you \(tier 1\) for incident #\d+: the mirror/.test(String(event.content.body)),
      ),
    'the page',
    5000,
  );
  const page = events().find((event) =>
    /paging you \(tier 1\) for incident #\d+: the mirror/.test(String(event.content.body)),
  );
  assert.deepEqual(page?.content['m.relates_to'], {
    rel_type: 'm.thread',
    event_id: root,
    is_falling_back: true,
    'm.in_reply_to': { event_id: root },
  });
  assert.deepEqual(page?.content['m.mentions'], { user_ids: [ana.userId] }, 'a page in a thread still pings');

  // Ana answers in the thread, as a client with threads does: no incident number.
  const command = hs.post(ana.userId, room, {
    msgtype: 'm.text',
    body: '!ack',
    'm.relates_to': {
      rel_type: 'm.thread',
      event_id: root,
      is_falling_back: true,
      'm.in_reply_to': { event_id: page?.event_id },
    },
  });
  await until(() => firebell.service.get(id)?.context.assignee?.name === 'Ana', 'the incident acknowledged');
  await until(
    () =>
      events().some((event) => String(event.content.body).startsWith(`Incident #${id} acknowledged by Ana`)),
    'the ack notice',
  );
  const ack = events().find((event) =>
    String(event.content.body).startsWith(`Incident #${id} acknowledged by Ana`),
  );
  assert.deepEqual(
    ack?.content['m.relates_to'],
    {
      rel_type: 'm.thread',
      event_id: root,
      is_falling_back: true,
      'm.in_reply_to': { event_id: page?.event_id },
    },
    'the fallback points at the latest event of the thread',
  );
  void command;

  // The edits of this announcement, as the spec's relations API lists them (most recent first).
  const editsOfRoot = async (): Promise<Array<{ content: Record<string, unknown>; sender: string }>> => {
    const response = await fetch(
      `${hs.url}/_matrix/client/v1/rooms/${encodeURIComponent(room)}/relations/${encodeURIComponent(root)}/m.replace`,
      { headers: { authorization: `Bearer ${ana.token}` } },
    );
    return ((await response.json()) as { chunk: Array<{ content: Record<string, unknown>; sender: string }> })
      .chunk;
  };
  const replacing = (event: { content: Record<string, unknown> }): boolean =>
    JSON.stringify(event.content['m.relates_to']) ===
    JSON.stringify({ rel_type: 'm.replace', event_id: root });
  await until(() => events().some(replacing), 'the edit');
  const edits = await editsOfRoot();
  assert.equal(edits.length, 1, 'one edit: the ack');
  assert.equal(edits[0]?.sender, botUser.userId);
  const edit = edits[0]?.content;
  assert.deepEqual(edit?.['m.relates_to'], { rel_type: 'm.replace', event_id: root });
  const fresh = edit?.['m.new_content'] as Record<string, unknown>;
  assert.match(
    String(fresh.body),
    new RegExp(`^Incident #${id} declared by Ana: the mirror is stale — acknowledged by Ana`),
  );
  assert.equal(fresh.msgtype, 'm.notice');
  assert.deepEqual(fresh['m.mentions'], {});
  assert.equal(
    edit?.body,
    `* ${String(fresh.body)}`,
    'the fallback body for clients that do not apply edits',
  );
  assert.deepEqual(edit?.['m.mentions'], {}, 'an edit pings nobody again');

  // A status asked for in the thread is about that incident, and answered in the thread as a reply.
  const ask = hs.post(ana.userId, room, {
    msgtype: 'm.text',
    body: '!status',
    'm.relates_to': {
      rel_type: 'm.thread',
      event_id: root,
      is_falling_back: true,
      'm.in_reply_to': { event_id: root },
    },
  });
  await until(
    () => events().some((event) => String(event.content.body).startsWith(`Ana: #${id} the mirror is stale`)),
    'the status in the thread',
  );
  const status = events().find((event) =>
    String(event.content.body).startsWith(`Ana: #${id} the mirror is stale`),
  );
  assert.deepEqual(status?.content['m.relates_to'], {
    rel_type: 'm.thread',
    event_id: root,
    is_falling_back: false,
    'm.in_reply_to': { event_id: ask },
  });
});
