/**
 * Stopping cleanly, as shipped (the CLI, SQLite on a file, the IRC adapter at the default pacing of 4
 * lines at once then one every 2 s, on ngIRCd): SIGTERM with 20 announcements queued exits within the
 * grace, says in the log what it left, and the next start delivers the rest; nothing is lost or repeated.
 * And a store that fails: nothing is said until a retry stores it.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { IrcTestClient, type ReceivedLine } from '../servers/irc-test-client.js';
import { Ngircd } from '../servers/ngircd.js';
import { FirebellProcess, writeConfig } from '../support/firebell-process.js';

const GRACE_SECONDS = 2;
const WORDS = [
  'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett',
  'kilo', 'lima', 'mike', 'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango',
]; // prettier-ignore

let server: Ngircd;
const processes: FirebellProcess[] = [];
const clients: IrcTestClient[] = [];
const roots: string[] = [];

before(async () => {
  server = await Ngircd.start();
});

after(async () => {
  for (const firebell of processes) firebell.kill('SIGKILL');
  for (const client of clients) client.close();
  await server?.stop();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A config whose bot is `fb<channel>` in `channel`. */
function setUp(channel: string): { config: string; database: string } {
  const root = mkdtempSync(join(tmpdir(), 'firebell-stop-'));
  roots.push(root);
  const config = writeConfig(root, {
    firebell: `
bot:
  admin: ops@firebell.test
  playbookUrl: https://example.org/playbook
  shutdownGraceSeconds: ${GRACE_SECONDS}
store:
  path: ../data/firebell.sqlite
networks:
  shell:
    enabled: false
  irc:
    - id: ngircd
      host: 127.0.0.1
      port: ${server.port}
      tls: false
      nick: ${botNick(channel)}
groups:
  - id: infra
    members:
      - network: ngircd
        channel: '${channel}'
escalation:
  defaultPolicy: slow
  policies:
    slow:
      tiers:
        - tier: 1
          afterMinutes: 60
      statusReminder: null
`,
    contacts: `
contacts:
  - id: ana
    name: Ana
    irc: { account: ana, nick: ana }
    timezone: UTC
    hours: { daily: '00:00-24:00' }
    tier: 1
`,
    whitelist: `
whitelist:
  - contact: ana
`,
  });
  return { config, database: join(root, 'data', 'firebell.sqlite') };
}

function start(config: string, t: TestContext): FirebellProcess {
  const firebell = new FirebellProcess(['run', '--config', config]);
  processes.push(firebell);
  t.after(() => firebell.kill('SIGKILL'));
  return firebell;
}

async function reporter(channel: string): Promise<IrcTestClient> {
  const client = await IrcTestClient.connect({ port: server.port, nick: `rep${channel.slice(1)}` });
  clients.push(client);
  await client.join(channel);
  return client;
}

const botNick = (channel: string): string => `fb${channel.slice(1)}`;

const botJoined = (channel: string) => (line: ReceivedLine) =>
  line.message.command === 'JOIN' &&
  line.message.nick === botNick(channel) &&
  line.message.params[0] === channel;

/** The text without IRC formatting codes (firebell makes incident numbers bold). */
const plain = (text: string): string =>
  text.replace(/\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g, '');

/** The incident words announced in the channel, in the order they arrived. */
function announced(client: IrcTestClient, channel: string): string[] {
  return client
    .messagesFrom(botNick(channel), channel)
    .map((line) => /declared by [^:]+: ([a-z]+)/.exec(plain(line.message.params[1] ?? ''))?.[1])
    .filter((word): word is string => word !== undefined);
}

/** The JSON log lines of a process matching `message`. */
const logged = (firebell: FirebellProcess, message: RegExp): Array<Record<string, unknown>> =>
  firebell.stderr
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => message.test(String(entry.msg)));

// Each test has its own channel, bot and store: they run side by side (the first waits on IRC pacing).
describe('stopping and failing', { concurrency: true }, () => {
  test('SIGTERM with 20 announcements queued: out within the grace, the rest delivered after a restart', async (t) => {
    const channel = '#stop';
    const { config, database } = setUp(channel);
    const people = await reporter(channel);
    const first = start(config, t);
    await people.waitFor(botJoined(channel), { timeoutMs: 20_000, what: 'firebell joining' });
    for (const word of WORDS) people.say(channel, `!incident ${word}`);
    await people.waitFor(() => announced(people, channel).length >= 5, {
      timeoutMs: 15_000,
      what: 'five out',
    });

    const signalled = Date.now();
    first.kill('SIGTERM');
    const exit = await first.exited;
    const tookMs = Date.now() - signalled;
    t.diagnostic(`SIGTERM to exit: ${tookMs} ms`);
    assert.equal(exit.code, 0);
    assert.ok(tookMs < GRACE_SECONDS * 1000 + 1_500, `exited ${tookMs} ms after SIGTERM`);
    const before = announced(people, channel);
    assert.ok(before.length < WORDS.length, 'some were still queued at the stop');

    const [report] = logged(first, /stopped with undelivered messages/);
    const left = (report?.left ?? []) as Array<{ channel: string; lane: string; count: number }>;
    assert.deepEqual(
      left.map((entry) => [entry.channel, entry.lane]),
      [['ngircd', 'normal']],
      'the log says what was left, per channel and lane',
    );
    const pendingThen = (await withStore(database, (store) => store.load())).pendingDeliveries;
    assert.equal(pendingThen.length, left[0]?.count, 'what the log says is what the store keeps');
    assert.equal(before.length + pendingThen.length, WORDS.length, 'delivered or kept: nothing in between');

    const second = start(config, t);
    await people.waitFor(() => announced(people, channel).length >= WORDS.length, {
      timeoutMs: 60_000,
      what: 'every announcement',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const all = announced(people, channel);
    assert.deepEqual([...all].sort(), [...WORDS].sort(), 'each announced exactly once, none lost');
    assert.deepEqual(
      all.slice(before.length),
      WORDS.filter((word) => !before.includes(word)),
      'in order',
    );
    second.kill('SIGTERM');
    assert.equal((await second.exited).code, 0);
    const rows = await withStore(database, async (store) => (await store.load()).pendingDeliveries);
    assert.deepEqual(rows, []);
  });

  test('SIGTERM with nothing queued exits within 2 s', async (t) => {
    const channel = '#idle';
    const { config } = setUp(channel);
    const people = await reporter(channel);
    const firebell = start(config, t);
    await people.waitFor(botJoined(channel), { timeoutMs: 20_000, what: 'firebell joining' });
    const signalled = Date.now();
    firebell.kill('SIGTERM');
    const exit = await firebell.exited;
    const tookMs = Date.now() - signalled;
    assert.equal(exit.code, 0);
    assert.ok(tookMs < 2_000, `exited ${tookMs} ms after SIGTERM`);
    assert.equal(logged(firebell, /stopped with nothing left to deliver/).length, 1);
  });

  test('a failing store: nothing is said until a retry stores it; the log says so meanwhile', async (t) => {
    const channel = '#disk';
    const { config, database } = setUp(channel);
    const people = await reporter(channel);
    const firebell = start(config, t);
    await people.waitFor(botJoined(channel), { timeoutMs: 20_000, what: 'firebell joining' });
    // Every write fails for a while and then works again: another process holds the database's write
    // lock (a backup, an operator's sqlite3 left in a transaction). A failure that comes and goes, as a
    // full disk's; a trigger that refuses the rows would be the rows' fault, which the journal drops.
    const db = openDatabase(database);
    db.exec('BEGIN EXCLUSIVE');
    people.say(channel, '!incident uniform');
    await waitFor(() => logged(firebell, /the store is failing/).length > 0, 'the failure logged');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.deepEqual(announced(people, channel), [], 'nothing said while the commit fails');
    const [failure] = logged(firebell, /the store is failing/);
    assert.match(String(failure?.msg), /database is locked/);
    db.exec('COMMIT');
    db.close();
    await people.waitFor(() => announced(people, channel).length === 1, {
      timeoutMs: 10_000,
      what: 'the announcement',
    });
    const [recovered] = logged(firebell, /the store works again/);
    assert.ok(recovered, 'the recovery is logged');
    // Each attempt waits out the lock's busy timeout (5 s) before it fails: one failed, a later one stored.
    assert.ok((recovered?.attempts as number) >= 1, 'after a retry');
    assert.equal(logged(firebell, /the store is failing/).length, 1, 'the failure was logged once');
    firebell.kill('SIGTERM');
    assert.equal((await firebell.exited).code, 0);
  });
});

async function withStore<T>(
  path: string,
  use: (store: ReturnType<typeof openSqliteStore>) => Promise<T>,
): Promise<T> {
  const store = openSqliteStore(path);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
