/**
 * Two firebell processes on one PostgreSQL database, on a real IRC server (ngIRCd) and the Matrix test
 * homeserver at once: one active, the other standing by. What people in the channel and the room see when
 * the active one is SIGKILLed mid-escalation, loses its database connections (pg_terminate_backend), or is
 * paused past its lease and resumed: the next page on time, once on each network; and on Matrix, a page
 * the dead instance sent but never heard confirmed is resent under the same transaction id and shown once.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { TestHomeserver, type TestUser } from '../matrix-homeserver/homeserver.js';
import { Ngircd } from '../servers/ngircd.js';
import type { FirebellProcess } from '../support/firebell-process.js';
import { isActive, isStandingBy, logged, startPair, until, type Pair } from '../support/failover-pair.js';
import { adminQuery } from '../support/postgres.js';
import { until as untilStored } from '../support/until.js';

const LEASE_SECONDS = 2;
// Tier 1 is paged 3 s after the announcement, tier 2 9 s after tier 1.
const TIER_MINUTES = [0.05, 0.15] as const;
const TIER_2_AFTER_TIER_1_MS = 9_000;

let irc: Ngircd;
let hs: TestHomeserver;
let bot: TestUser;
let ana: TestUser;
let bo: TestUser;

before(async () => {
  irc = await Ngircd.start();
  hs = await TestHomeserver.start();
  bot = hs.createUser('firebell');
  ana = hs.createUser('ana', { displayname: 'Ana' });
  bo = hs.createUser('bo', { displayname: 'Bo' });
});

after(async () => {
  await hs?.stop();
  await irc?.stop();
});

/** A pair whose first instance is active on both networks and whose second stands by. */
async function activeAndStandby(
  t: TestContext,
  name: string,
): Promise<[Pair, FirebellProcess, FirebellProcess]> {
  const pair = await startPair({
    ircPort: irc.port,
    hs,
    bot,
    ana,
    bo,
    name,
    leaseSeconds: LEASE_SECONDS,
    pacing: { burst: 10, linesPerSecond: 10 },
    tierMinutes: TIER_MINUTES,
  });
  t.after(() => pair.close());
  const active = pair.start();
  await pair.watcher.waitFor(joinOf(pair), { timeoutMs: 20_000, what: 'the active instance joining' });
  await until(() => hs.membership(pair.room, bot.userId) === 'join', 20_000, 'the bot in the room');
  await until(() => active.stderr.some((line) => line.includes('Matrix adapter running')), 20_000, 'sync');
  const standby = pair.start();
  await until(() => isStandingBy(standby), 15_000, 'the second instance standing by');
  assert.ok(isActive(active), 'the first instance is the active one');
  return [pair, active, standby];
}

const joinOf =
  (pair: Pair, from = 0) =>
  (line: { message: { command: string; nick: string; params: string[] } }, index?: number): boolean =>
    (index ?? from) >= from &&
    line.message.command === 'JOIN' &&
    line.message.nick.startsWith(pair.nick) &&
    line.message.params[0] === pair.channel;

/** Ana declares an incident from Matrix; resolves when the channel and the room both have the announcement. */
async function declare(pair: Pair): Promise<void> {
  hs.post(ana.userId, pair.room, { msgtype: 'm.text', body: '!incident the gate is failing' });
  await until(
    () =>
      pair.ircSaid(/Incident #1 declared/).length === 1 &&
      pair.matrixSaid(/Incident #1 declared/).length === 1,
    10_000,
    'the announcement on both networks',
  );
}

const page = (tier: number): RegExp => new RegExp(`paging you \\(tier ${tier}\\) for incident #1`);

/** Each tier's page, counted on both networks. */
/** The takeover did not announce the incident again, on either network. */
function announcedOnce(pair: Pair): void {
  assert.equal(pair.ircSaid(/Incident #1 declared/).length, 1, 'the announcement is not repeated');
  assert.equal(pair.matrixSaid(/Incident #1 declared/).length, 1, 'the announcement is not repeated');
}

/** Waits until tier `tier` was paged on IRC and on Matrix (its count is checked afterwards). */
function pagedOnBoth(pair: Pair, tier: number, timeoutMs: number): Promise<void> {
  return until(
    () => pages(pair, tier).irc >= 1 && pages(pair, tier).matrix >= 1,
    timeoutMs,
    `tier ${tier} paged`,
    pair.transcript,
  );
}

/** `count()` once it has not changed for `quietMs`. */
async function quietCount(count: () => number, quietMs: number): Promise<number> {
  let last = count();
  for (;;) {
    await sleep(quietMs);
    const now = count();
    if (now === last) return now;
    last = now;
  }
}

function pages(pair: Pair, tier: number): { irc: number; matrix: number } {
  return { irc: pair.ircSaid(page(tier)).length, matrix: pair.matrixSaid(page(tier)).length };
}

test('the active instance SIGKILLed mid-escalation: the standby pages tier 2 on time, once on each network', async (t) => {
  const [pair, active, standby] = await activeAndStandby(t, 'killed');
  await declare(pair);
  await until(
    () => pages(pair, 1).irc === 1 && pages(pair, 1).matrix === 1,
    10_000,
    'tier 1 paged',
    pair.transcript,
  );
  await sleep(1_000);
  const killedAt = Date.now();
  active.kill('SIGKILL');
  await active.exited;

  await until(() => isActive(standby), 10_000, 'the takeover');
  t.diagnostic(`standby took over ${Date.now() - killedAt} ms after the kill`);
  const [takeover] = logged(standby, /took over the lease/);
  assert.match(String(takeover?.reason), /the lease of .* lapsed at/, 'the log says why');
  await pagedOnBoth(pair, 2, 20_000);
  // Each network's own clock: the listening client's arrival times, the homeserver's timestamps.
  const lateness = (said: (pattern: RegExp) => Array<{ at: number }>): number =>
    (said(page(2))[0]?.at ?? Infinity) - (said(page(1))[0]?.at ?? 0) - TIER_2_AFTER_TIER_1_MS;
  const onIrc = lateness(pair.ircSaid);
  const onMatrix = lateness(pair.matrixSaid);
  t.diagnostic(`tier 2 paged ${onIrc} ms (IRC) and ${onMatrix} ms (Matrix) from its due time`);
  assert.ok(Math.abs(onIrc) <= 1_500, `tier 2 on IRC ${onIrc} ms from its due time`);
  assert.ok(Math.abs(onMatrix) <= 1_500, `tier 2 on Matrix ${onMatrix} ms from its due time`);
  await sleep(1_500);
  assert.deepEqual(pages(pair, 1), { irc: 1, matrix: 1 }, 'tier 1 once on each network');
  assert.deepEqual(pages(pair, 2), { irc: 1, matrix: 1 }, 'tier 2 once on each network');
  announcedOnce(pair);
});

/**
 * Until the active instance has stored the outcome of every line it sent. On ngIRCd (no echo-message) a
 * line counts once the server answered a later PING: cut before that outcome is stored, the announcement
 * is still pending, and the new active instance writes it again, as the IRC rule allows after a crash.
 */
async function outcomesStored(pair: Pair): Promise<void> {
  const client = new pg.Client({ connectionString: pair.env.DATABASE_URL });
  await client.connect();
  try {
    const pending = async (): Promise<number> =>
      Number((await client.query("SELECT count(*) AS n FROM deliveries WHERE state = 'pending'")).rows[0]?.n);
    await untilStored(async () => (await pending()) === 0, 'the outcomes to be stored', 10_000);
  } finally {
    await client.end();
  }
}

test("the active instance's database connections terminated: it stops within the lease and the standby pages", async (t) => {
  const [pair, active, standby] = await activeAndStandby(t, 'cut');
  await declare(pair);
  // What is tested is the cut's effect on what comes next, not the IRC rule's allowed repeat.
  await outcomesStored(pair);
  const cutAt = Date.now();
  const { rows } = await adminQuery(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
     WHERE datname = $1 AND application_name LIKE 'firebell%:' || $2`,
    [pair.database, String(active.pid)],
  );
  assert.ok(rows.length >= 2, 'its lease connection and its store connections were found by name');
  const exit = await Promise.race([active.exited, sleep(LEASE_SECONDS * 1000).then(() => undefined)]);
  assert.equal(exit?.code, 3, 'it stopped within the lease');
  t.diagnostic(`stopped ${Date.now() - cutAt} ms after the cut`);
  assert.match(String(logged(active, /lost the lease/)[0]?.reason), /connection/, 'its log says why');
  await until(() => isActive(standby), 10_000, 'the takeover');
  await pagedOnBoth(pair, 1, 15_000);
  await sleep(1_500);
  assert.deepEqual(pages(pair, 1), { irc: 1, matrix: 1 }, 'tier 1 once on each network');
  announcedOnce(pair);
});

test('the active instance paused past its lease, then resumed: fenced, it sends nothing stale; no page doubled', async (t) => {
  const [pair, active, standby] = await activeAndStandby(t, 'paused');
  await declare(pair);
  // Paused before tier 1 is due (3 s): its IRC connection stays open and keeps the nick.
  active.kill('SIGSTOP');
  await until(() => isActive(standby), 10_000, 'the takeover');
  await pagedOnBoth(pair, 1, 15_000);
  assert.notEqual(
    pair.ircSaid(page(1))[0]?.nick,
    pair.nick,
    'paged by the new active instance, on another nick',
  );
  const pausedSaid = (): number => pair.ircSaid(/./).filter((line) => line.nick === pair.nick).length;
  const pausedSaidBefore = pausedSaid();
  // On Matrix both instances are the same user: counted once the new active instance has said what tier 1
  // asked of it, so that what follows can only be the resumed one's.
  const matrixBefore = await quietCount(() => pair.matrixSaid(/./).length, 1_000);
  // Resumed with tier 1 long overdue on its own timers: the database refuses whatever it decides now.
  active.kill('SIGCONT');
  const exit = await Promise.race([active.exited, sleep(LEASE_SECONDS * 1000 + 3_000).then(() => undefined)]);
  assert.equal(exit?.code, 3, 'the resumed instance exits (lease lost) instead of going on');
  assert.equal(logged(active, /lost the lease/).length, 1, 'its log says why');
  assert.equal(pausedSaid(), pausedSaidBefore, 'it said nothing on IRC after it resumed');
  assert.equal(pair.matrixSaid(/./).length, matrixBefore, 'nor on Matrix');
  await pagedOnBoth(pair, 2, 20_000);
  await sleep(1_500);
  assert.deepEqual(pages(pair, 1), { irc: 1, matrix: 1 }, 'tier 1 once on each network');
  assert.deepEqual(pages(pair, 2), { irc: 1, matrix: 1 }, 'tier 2 once on each network');
});

test('Matrix: a page the dead instance sent but never heard confirmed is resent by the new one, same txn id, shown once', async (t) => {
  const [pair, active, standby] = await activeAndStandby(t, 'resent');
  await declare(pair);
  // The next send is the page: the homeserver takes it and holds the answer.
  hs.faults.add({ route: 'send', userId: bot.userId, kind: 'hold', after: true, times: 1 });
  await until(() => hs.held.length === 1, 10_000, 'the page in flight', pair.transcript);
  const txnId = hs.held[0]?.record.params.txnId ?? '';
  assert.match(txnId, /^fb\.[0-9a-f-]{36}$/, 'the transaction id is derived from the outbox row');
  const held = hs.timeline(pair.room).find((event) => event.txn?.txnId === txnId);
  assert.match(String(held?.content.body), page(1), 'the held send is the page, and the room has it');
  active.kill('SIGKILL');
  await active.exited;
  hs.releaseHeld();

  await until(() => isActive(standby), 10_000, 'the takeover');
  await until(
    () => hs.transactionIds().filter((id) => id === txnId).length === 2,
    15_000,
    'the page resent',
    pair.transcript,
  );
  await sleep(1_500);
  assert.equal(pages(pair, 1).matrix, 1, 'the homeserver shows the page once');
  // IRC has no deduplication: at most one repeat, when the old instance died before storing the outcome.
  const onIrc = pages(pair, 1).irc;
  t.diagnostic(`tier 1 on IRC: ${onIrc} time(s)`);
  assert.ok(onIrc >= 1 && onIrc <= 2, `tier 1 on IRC ${onIrc} times`);
  assert.equal(pair.matrixSaid(/Incident #1 declared/).length, 1, 'the announcement is not repeated');
});
