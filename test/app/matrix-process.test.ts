/**
 * The whole firebell (the CLI, its config, SQLite on a file, the Matrix adapter) against the test
 * homeserver, killed at the worst moments:
 *
 *  - SIGKILL while a page is in flight (the homeserver took it, its answer is held): after the restart the
 *    page is sent again with the same transaction id, and the room has it once;
 *  - SIGKILL between a command and its commit (the store refuses the commit): after the restart the
 *    command runs, once;
 *  - SIGKILL while the edit of an announcement is in flight (its outcome not committed): after the
 *    restart the edit is sent again with the same transaction id, and the announcement has one edit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { TestHomeserver, type TestUser } from '../matrix-homeserver/homeserver.js';
import { FirebellProcess, writeConfig } from '../support/firebell-process.js';
import { until } from '../networks/matrix/harness.js';

let hs: TestHomeserver;
let bot: TestUser;
let ana: TestUser;
const processes: FirebellProcess[] = [];
const roots: string[] = [];

before(async () => {
  hs = await TestHomeserver.start();
  bot = hs.createUser('firebell');
  ana = hs.createUser('ana', { displayname: 'Ana' });
});

after(async () => {
  for (const firebell of processes) firebell.kill('SIGKILL');
  await Promise.all(processes.map((firebell) => firebell.exited));
  await hs.stop();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/**
 * A fresh room, config and data directory; tier 1 (Ana) is paged 3 s after the announcement. `said`
 * lists what the bot said in the room that matches.
 */
function setUp(alias: string): {
  config: string;
  database: string;
  room: string;
  said(pattern: RegExp): string[];
} {
  const room = hs.createRoom(ana.userId, { preset: 'public_chat', room_alias_name: alias });
  const root = mkdtempSync(join(tmpdir(), 'firebell-matrix-process-'));
  roots.push(root);
  const config = writeConfig(root, {
    firebell: `
bot:
  admin: test
  playbookUrl: https://example.org/playbook
  shutdownGraceSeconds: 1
store:
  path: ../data/firebell.sqlite
networks:
  shell:
    enabled: false
  matrix:
    - id: matrix
      homeserver: ${hs.url}
      userId: '${bot.userId}'
      accessToken: \${FIREBELL_TEST_MATRIX_TOKEN}
groups:
  - id: infra
    members:
      - network: matrix
        room: '#${alias}:test.local'
escalation:
  defaultPolicy: fast
  policies:
    fast:
      tiers:
        - tier: 1
          afterMinutes: 0.05
      whenExhausted:
        action: stop
        afterMinutes: 10
      statusReminder: null
`,
    contacts: `
contacts:
  - id: ana
    name: Ana
    matrix: '${ana.userId}'
    timezone: UTC
    hours: { daily: '00:00-24:00' }
    tier: 1
    reach: highlight
`,
    whitelist: `
whitelist:
  - contact: ana
`,
  });
  const said = (pattern: RegExp): string[] =>
    hs
      .messagesFrom(room, bot.userId)
      .map((content) => String(content.body))
      .filter((body) => pattern.test(body));
  return { config, database: join(root, 'data', 'firebell.sqlite'), room, said };
}

async function startFirebell(config: string): Promise<FirebellProcess> {
  const firebell = new FirebellProcess(['run', '--config', config], {
    FIREBELL_TEST_MATRIX_TOKEN: bot.token,
  });
  processes.push(firebell);
  await until(
    () => firebell.stderr.some((line) => line.includes('Matrix adapter running')),
    'firebell syncing',
    30_000,
  );
  return firebell;
}

test('SIGKILL while a page is in flight: after the restart it arrives once, by the same transaction id', async () => {
  const { config, database, room, said: fromBot } = setUp('paged');
  const first = await startFirebell(config);
  hs.post(ana.userId, room, { msgtype: 'm.text', body: '!incident the gate is failing' });
  await until(() => fromBot(/^Incident #\d+ declared by Ana/).length === 1, 'the announcement', 10_000);
  // The next send is the page: the homeserver takes it, and holds the answer.
  hs.faults.add({ route: 'send', userId: bot.userId, kind: 'hold', after: true, times: 1 });
  await until(() => hs.held.length === 1, 'the page in flight', 10_000);
  const txnId = hs.held[0]?.record.params.txnId ?? '';
  assert.match(txnId, /^fb\.[0-9a-f-]{36}$/, 'the transaction id is derived from the outbox row');
  assert.equal(fromBot(/paging you \(tier 1\)/).length, 1, 'the homeserver has it; firebell does not know');
  first.kill('SIGKILL');
  await first.exited;
  hs.releaseHeld();

  const second = await startFirebell(config);
  await until(
    () => hs.transactionIds().filter((id) => id === txnId).length === 2,
    'the page sent again',
    30_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(fromBot(/paging you \(tier 1\)/).length, 1, 'exactly once in the room');
  assert.equal(fromBot(/^Incident #\d+ declared/).length, 1, 'the announcement was not repeated');

  second.kill('SIGTERM');
  assert.equal((await second.exited).code, 0);
  const store = openSqliteStore(database);
  try {
    const rows = await store.deliveries(1);
    const page = rows.find((row) => `fb.${row.id}` === txnId);
    assert.equal(page?.state, 'delivered');
    assert.equal(page?.attempts, 1, 'one resend');
    assert.equal(page?.receipt.length, 1, 'with the event id the homeserver answered');
    assert.deepEqual((await store.load()).pendingDeliveries, []);
  } finally {
    await store.close();
  }
});

test('SIGKILL between a command and its commit: after the restart the command runs, once', async () => {
  const { config, database, room, said: fromBot } = setUp('crashed');
  const first = await startFirebell(config);
  // The store refuses every commit that marks a message handled. Retried, or dropped as the rows' fault
  // after a second refusal, nothing of the command is stored or said before the kill.
  const db = openDatabase(database);
  db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON handled BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`);
  const command = hs.post(ana.userId, room, { msgtype: 'm.text', body: '!incident the mirror is stale' });
  await until(
    () => first.stderr.some((line) => /the store is failing \(disk I\/O error\)/.test(line)),
    'the failing commit',
    10_000,
  );
  assert.deepEqual(fromBot(/./), [], 'nothing said before the commit');
  first.kill('SIGKILL');
  await first.exited;
  db.exec('DROP TRIGGER refuse');
  db.close();

  const second = await startFirebell(config);
  await until(
    () => fromBot(/^Incident #1 declared by Ana: the mirror is stale/).length === 1,
    'the command',
    30_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(
    fromBot(/declared by Ana/).length,
    1,
    `it ran once; the bot said:\n${fromBot(/./).join('\n')}\nthe first run logged:\n${first.stderr.join('\n')}\nthe second:\n${second.stderr.join('\n')}`,
  );
  second.kill('SIGTERM');
  assert.equal((await second.exited).code, 0);
  const store = openSqliteStore(database);
  try {
    assert.equal(await store.handled(`matrix:matrix:${command}`), true);
    assert.equal((await store.recentIncidents(10)).length, 1);
  } finally {
    await store.close();
  }
});

test('SIGKILL while an announcement edit is in flight: after the restart exactly one edit, by the same transaction id', async () => {
  const { config, database, room, said: fromBot } = setUp('edited');
  const first = await startFirebell(config);
  hs.post(ana.userId, room, { msgtype: 'm.text', body: '!incident the disk is full' });
  await until(() => fromBot(/^Incident #1 declared by Ana/).length === 1, 'the announcement', 10_000);
  const root =
    hs
      .timeline(room, { sender: bot.userId })
      .find((event) => /^Incident #1 declared/.test(String(event.content.body)))?.event_id ?? '';
  hs.post(ana.userId, room, { msgtype: 'm.text', body: '!ack 1' });
  await until(() => fromBot(/^Incident #1 acknowledged by Ana/).length === 1, 'the ack', 10_000);
  const edits = (): Array<Record<string, unknown>> =>
    hs
      .timeline(room, { sender: bot.userId })
      .map((event) => event.content)
      .filter(
        (content) =>
          JSON.stringify(content['m.relates_to']) ===
          JSON.stringify({ rel_type: 'm.replace', event_id: root }),
      );
  await until(() => edits().length === 1, 'the ack edit', 10_000);

  // Resolving edits the announcement first (both in the normal lane, the edit queued first): the
  // homeserver takes that edit and holds its answer, so firebell never commits its outcome.
  hs.faults.add({ route: 'send', userId: bot.userId, kind: 'hold', after: true, times: 1 });
  hs.post(ana.userId, room, { msgtype: 'm.text', body: '!resolved 1 freed space' });
  await until(() => hs.held.length === 1, 'the edit in flight', 10_000);
  const txnId = hs.held[0]?.record.params.txnId ?? '';
  const held = hs.timeline(room, { sender: bot.userId }).find((event) => event.txn?.txnId === txnId);
  assert.match(
    String((held?.content['m.new_content'] as { body?: unknown } | undefined)?.body),
    /— resolved by Ana/,
  );
  first.kill('SIGKILL');
  await first.exited;
  hs.releaseHeld();

  const second = await startFirebell(config);
  await until(
    () => hs.transactionIds().filter((id) => id === txnId).length === 2,
    'the edit sent again',
    30_000,
  );
  await until(
    () => fromBot(/^Incident #1 \(the disk is full\) resolved by Ana/).length === 1,
    'the resolution',
    10_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const resolvedEdits = edits().filter((content) =>
    /— resolved by Ana/.test(String((content['m.new_content'] as { body?: unknown }).body)),
  );
  assert.equal(resolvedEdits.length, 1, 'the resolution edit is in the room once');
  assert.equal(edits().length, 2, 'the ack edit and the resolution edit, nothing more');

  second.kill('SIGTERM');
  assert.equal((await second.exited).code, 0);
  const store = openSqliteStore(database);
  try {
    const row = (await store.deliveries(1)).find((delivery) => `fb.${delivery.id}` === txnId);
    assert.equal(row?.content.kind, 'edit');
    assert.equal(row?.state, 'delivered');
    assert.equal(row?.attempts, 1, 'one resend');
    assert.deepEqual((await store.load()).pendingDeliveries, []);
  } finally {
    await store.close();
  }
});
