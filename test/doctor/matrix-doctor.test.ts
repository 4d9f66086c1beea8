/** `firebell doctor` against the test homeserver, through the real client-server API (issue 13, item 12). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestHomeserver, type TestUser } from '../matrix-homeserver/homeserver.js';
import { runDoctor } from '../../src/doctor/doctor.js';
import { testConfig, contacts } from '../support/config-fixture.js';
import type { Config } from '../../src/config/config.js';
import type { MatrixNetworkConfig } from '../../src/config/schema.js';

let hs: TestHomeserver;
let bot: TestUser;
let alice: TestUser;

before(async () => {
  hs = await TestHomeserver.start();
  bot = hs.createUser('firebell');
  alice = hs.createUser('alice');
  // Joined, and allowed to change the topic.
  const ops = hs.createRoom(alice.userId, {
    preset: 'public_chat',
    room_alias_name: 'ops',
    power_level_content_override: { users: { [alice.userId]: 100, [bot.userId]: 50 } },
  });
  hs.join(bot.userId, ops);
  // Public: firebell may join, but its power level (0) cannot change the topic (50).
  hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: 'lobby' });
  // Invite-only, and firebell is not invited.
  hs.createRoom(alice.userId, { preset: 'private_chat', room_alias_name: 'private' });
  // End-to-end encrypted.
  hs.createRoom(alice.userId, {
    preset: 'public_chat',
    room_alias_name: 'secret',
    initial_state: [{ type: 'm.room.encryption', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
  });
});
after(() => hs.stop());

function configFor(network: Partial<MatrixNetworkConfig>): Config {
  const base = testConfig();
  const group = base.groups[0];
  assert.ok(group);
  const server = hs.serverName;
  return testConfig({
    networks: {
      irc: [],
      matrix: [
        {
          id: 'matrix',
          kind: 'matrix',
          homeserver: hs.url,
          userId: bot.userId,
          acceptInvitesFrom: [],
          queueLimit: 1000,
          ...network,
        } as MatrixNetworkConfig,
      ],
    },
    groups: [
      {
        ...group,
        members: ['ops', 'lobby', 'private', 'secret', 'nowhere'].map((alias) => ({
          network: 'matrix',
          conversation: `#${alias}:${server}`,
          topic: true,
          status: true,
        })),
      },
    ],
    contacts: [
      { ...contacts[0]!, matrix: alice.userId },
      { ...contacts[2]!, matrix: `@ghost:${server}` },
    ],
    whitelist: [{ name: 'Alice', matrix: alice.userId }],
  });
}

test('doctor reports the token, each room (join, encryption, topic rights) and each Matrix id', async () => {
  const lines: string[] = [];
  const report = await runDoctor(configFor({ accessToken: bot.token }), {
    timeoutMs: 10_000,
    onLine: (line) => lines.push(line),
  });
  const server = hs.serverName;
  assert.deepEqual(lines, [
    `Matrix matrix (${hs.url}):`,
    `  ok    access token: valid for ${bot.userId}`,
    `  ok    room #ops:${server}: joined`,
    `  ok    topic in #ops:${server}: firebell's power level 50 may change it (needs 50)`,
    `  ok    room #lobby:${server}: joined now (firebell was not in it yet)`,
    `  FAIL  topic in #lobby:${server}: changing it needs power level 50 and firebell has 0: #status alert cannot change the topic (raise its level, or set topic: false for this member)`,
    `  FAIL  room #private:${server}: firebell cannot join (403 M_FORBIDDEN: You are not invited to this room.): invite it, from a contact, the whitelist or acceptInvitesFrom`,
    `  ok    room #secret:${server}: joined now (firebell was not in it yet)`,
    `  FAIL  room #secret:${server}: the room is end-to-end encrypted: firebell cannot read it, and refuses such rooms`,
    `  FAIL  room #nowhere:${server}: the alias does not resolve (404 M_NOT_FOUND: Room alias #nowhere:${server} not found.)`,
    `  ok    contact ana (Ana): Matrix id ${alice.userId}: exists`,
    `  FAIL  contact cy (Cy): Matrix id @ghost:${server}: the homeserver knows no such user (404 M_NOT_FOUND: Profile was not found): pages cannot reach them`,
    'doctor: 5 problems will fail at 03:00, 0 warnings (11 checks); fix the FAIL lines.',
  ]);
  assert.equal(report.failures, 5);
  assert.equal(hs.requestsTo('send').length, 0, 'doctor sends no message');
});

test('a rejected token, and a password login that leaves no device behind', async () => {
  const lines: string[] = [];
  const bad = await runDoctor(configFor({ accessToken: 'not-a-token' }), {
    timeoutMs: 10_000,
    onLine: (line) => lines.push(line),
  });
  assert.equal(bad.failures, 1);
  assert.match(lines[1] ?? '', /^ {2}FAIL {2}access token: the homeserver rejected it \(401 M_UNKNOWN_TOKEN/);

  const logins = hs.requestsTo('login').length;
  const good = await runDoctor(configFor({ password: bot.password }), {
    timeoutMs: 10_000,
    onLine: () => undefined,
  });
  assert.equal(good.reports[0]?.findings[0]?.detail, `valid for ${bot.userId}`);
  assert.equal(hs.requestsTo('login').length, logins + 1);
  assert.equal(hs.requestsTo('logout').length, 1, 'the doctor’s own session is logged out');
});
