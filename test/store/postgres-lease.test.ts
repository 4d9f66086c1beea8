/**
 * One active instance on PostgreSQL: migrations applied once by instances starting together, the lease
 * taken by one, a stale token refused by the database inside the commit, and the lease lost the moment its
 * connection is cut. Real server (FIREBELL_TEST_DATABASE_URL), real timers (the lease is the database's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { emptyBatch, type StoreBatch } from '../../src/core/store.js';
import { silentLogger } from '../../src/core/logger.js';
import { COMMIT_CALL, commitParameters } from '../../src/store/postgres/commit-function.js';
import { Lease } from '../../src/store/postgres/lease.js';
import { FencedError, PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { adminQuery, freshSchema, TEST_DATABASE_URL } from '../support/postgres.js';
import { commitParts as commit } from './backends.js';
import { runIncident } from './incident-fixture.js';

const openStore = async (t: test.TestContext, schema: string, name: string): Promise<PostgresStore> => {
  const store = await PostgresStore.open(TEST_DATABASE_URL, { schema, applicationName: name });
  t.after(() => store.close());
  return store;
};

const lease = (t: test.TestContext, schema: string, holder: string, leaseSeconds = 2): Lease => {
  const made = new Lease({
    url: TEST_DATABASE_URL,
    holder,
    leaseSeconds,
    logger: silentLogger,
    schema,
    pollMs: 100,
  });
  t.after(() => made.release());
  return made;
};

test('instances starting together apply each migration once', async (t) => {
  const schema = await freshSchema(t);
  await Promise.all([1, 2, 3].map((n) => openStore(t, schema, `m${n}`)));
  const { rows } = await adminQuery(`SELECT id, name FROM ${schema}.firebell_migrations ORDER BY id`);
  assert.deepEqual(rows, [
    { id: 1, name: 'initial' },
    { id: 2, name: 'lease' },
    { id: 3, name: 'fence-function' },
    { id: 4, name: 'ack-links' },
    { id: 5, name: 'commit-function' },
    { id: 6, name: 'snapshot-timeline-in-rows' },
    { id: 7, name: 'commit-fence-inline' },
    { id: 8, name: 'fence-lock-and-domains' },
    { id: 9, name: 'commit-twice' },
    { id: 10, name: 'status-history-once' },
  ]);
});

test('a database migrated by a newer firebell is refused, not read in a format this version does not know', async (t) => {
  const schema = await freshSchema(t);
  await (await openStore(t, schema, 'current')).close();
  await adminQuery(`INSERT INTO ${schema}.firebell_migrations (id, name) VALUES (99, 'from-the-future')`);
  await assert.rejects(
    openStore(t, schema, 'older'),
    /the database was migrated by a newer firebell \(099-from-the-future\); run the newer firebell/,
  );
});

test('one instance holds the lease; the other takes over only once it lapses, with a new token and the reason', async (t) => {
  const schema = await freshSchema(t);
  await openStore(t, schema, 'setup');
  const a = lease(t, schema, 'host-a:1');
  const b = lease(t, schema, 'host-b:2');
  const first = await a.tryAcquire();
  assert.equal(first?.token, 1n);
  assert.equal(first?.reason, 'no instance was active before');
  assert.equal(await b.tryAcquire(), undefined, 'held: the standby waits');
  const started = Date.now();
  const second = await b.waitUntilActive();
  const waited = Date.now() - started;
  assert.equal(second.token, 2n);
  assert.match(second.reason, /^the lease of host-a:1 lapsed at /);
  assert.ok(waited > 1_500 && waited < 3_500, `took over after the 2 s lease, in ${waited} ms`);
  assert.equal(b.state().role, 'active');
});

test('a commit with a stale or lapsed token is refused by the database and writes nothing', async (t) => {
  const schema = await freshSchema(t);
  const storeA = await openStore(t, schema, 'a');
  const storeB = await openStore(t, schema, 'b');
  const [created, announced] = runIncident(12).transitions;
  assert.ok(created && announced);
  const a = lease(t, schema, 'a');
  const tokenA = (await a.tryAcquire())?.token;
  assert.ok(tokenA !== undefined);
  storeA.fence(tokenA);
  await commit(storeA, { transitions: [created] });

  // A's host pauses: its lease lapses, nobody has taken over yet; A's commit is refused all the same.
  await sleep(2_200);
  await assert.rejects(commit(storeA, { transitions: [announced] }), FencedError);

  const b = lease(t, schema, 'b');
  const tokenB = (await b.tryAcquire())?.token;
  assert.equal(tokenB, tokenA + 1n);
  storeB.fence(tokenB ?? 0n);
  await assert.rejects(commit(storeA, { transitions: [announced] }), FencedError, 'A is fenced');
  assert.equal(
    (await storeB.load()).openIncidents[0]?.phase,
    created.phase,
    "nothing of A's refused commits",
  );
  await commit(storeB, { transitions: [announced] });
  assert.equal((await storeB.load()).openIncidents[0]?.phase, announced.phase);
});

test('a takeover waits for a commit in flight; a commit after it is refused, even in a transaction begun before it', async (t) => {
  const schema = await freshSchema(t);
  const storeB = await openStore(t, schema, 'b');
  const [created, announced] = runIncident(12).transitions;
  assert.ok(created && announced);
  const a = lease(t, schema, 'a', 1);
  const tokenA = (await a.tryAcquire())?.token;
  assert.ok(tokenA !== undefined);
  // A's transactions, held open where the store would have committed at once. Ended in this test, not
  // after it: an open one would hold its locks against the schema's DROP.
  const clients = [1, 2].map(
    () => new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` }),
  );
  const [inFlight, begunBefore] = clients as [pg.Client, pg.Client];
  const call = (parts: Partial<StoreBatch>) =>
    [COMMIT_CALL, commitParameters({ ...emptyBatch(1), ...parts }, tokenA)] as const;
  try {
    for (const client of clients) await client.connect();
    await inFlight.query('BEGIN');
    await inFlight.query(...call({ transitions: [created] }));
    await begunBefore.query('BEGIN');
    await begunBefore.query('SELECT 1');

    await sleep(1_200); // A's lease lapses while its commit is in flight
    const b = lease(t, schema, 'b');
    let tookOver = false;
    const taking = b.tryAcquire().finally(() => (tookOver = true));
    await sleep(500);
    assert.equal(tookOver, false, 'the takeover waits for the commit in flight');
    await inFlight.query('COMMIT');
    const tokenB = (await taking)?.token;
    assert.equal(tokenB, tokenA + 1n);
    storeB.fence(tokenB ?? 0n);
    assert.equal((await storeB.load()).openIncidents[0]?.phase, created.phase, 'B reads what A committed');
    await assert.rejects(begunBefore.query(...call({ transitions: [announced] })), { code: 'FB001' });
    await begunBefore.query('ROLLBACK');
    assert.equal(
      (await storeB.load()).openIncidents[0]?.phase,
      created.phase,
      'nothing of the refused commit',
    );
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
});

test('the holder renews while alive, and loses the lease at once when its connection is terminated', async (t) => {
  const schema = await freshSchema(t);
  await openStore(t, schema, 'setup');
  // Named per process: another suite on the same server (CI runs Node 22 and 24 side by side) has its own.
  const a = lease(t, schema, `cut-a-${process.pid}`);
  const b = lease(t, schema, `cut-b-${process.pid}`);
  await a.tryAcquire();
  const lost: string[] = [];
  let lostAt = 0;
  a.keep((reason) => {
    lost.push(reason);
    lostAt = Date.now();
  });
  await sleep(3_000);
  assert.deepEqual(lost, [], 'renewed past its 2 s lease');
  assert.equal(await b.tryAcquire(), undefined);

  const cutAt = Date.now();
  const { rows } = await adminQuery(
    'SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1',
    [`firebell-lease:cut-a-${process.pid}`],
  );
  assert.equal(rows.length, 1);
  await sleep(300);
  assert.equal(lost.length, 1, 'lost, once');
  assert.match(lost[0] ?? '', /connection/);
  assert.ok(lostAt - cutAt < 1_000, `noticed ${lostAt - cutAt} ms after the cut`);
  assert.equal(a.state().role, 'lost');
  const takeover = await b.waitUntilActive();
  assert.equal(takeover.token, 2n);
});

test('a clean release lets the standby take over at its next poll', async (t) => {
  const schema = await freshSchema(t);
  await openStore(t, schema, 'setup');
  const a = lease(t, schema, 'rel-a', 30);
  const b = lease(t, schema, 'rel-b', 30);
  await a.tryAcquire();
  await a.release();
  const started = Date.now();
  await b.waitUntilActive();
  assert.ok(Date.now() - started < 1_000, 'no need to wait for a 30 s lease');
});

test('a standby polling for long keeps one abort listener, not one per poll, and stops when aborted', async (t) => {
  const schema = await freshSchema(t);
  await openStore(t, schema, 'setup');
  const a = lease(t, schema, 'poll-a', 30);
  const b = lease(t, schema, 'poll-b', 30);
  await a.tryAcquire();
  const stop = new AbortController();
  const waiting = b.waitUntilActive(stop.signal);
  await sleep(1_000); // about ten polls of 100 ms
  assert.ok(getEventListeners(stop.signal, 'abort').length <= 1, 'no listener left by an earlier poll');
  stop.abort(new Error('stopping'));
  await assert.rejects(waiting, /stopping/);
  assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
});

test('a holder whose process was paused past its lease holds nothing at its first look, before any timer runs', async (t) => {
  const schema = await freshSchema(t);
  await openStore(t, schema, 'setup');
  const a = lease(t, schema, 'host-a:1', 1);
  assert.ok(await a.tryAcquire());
  const lost: string[] = [];
  a.keep((reason) => lost.push(reason));
  assert.equal(a.stillHeld(), true);
  // The event loop held for longer than the lease, as SIGSTOP would: no renewal could run meanwhile.
  const until = performance.now() + 1_200;
  while (performance.now() < until);
  assert.equal(a.stillHeld(), false, 'asked before its first line after the resume');
  assert.equal(a.state().role, 'lost');
  assert.deepEqual(lost, ['no renewal succeeded for a whole lease (paused or cut off)']);
  assert.equal(a.stillHeld(), false);
  const standby = lease(t, schema, 'host-b:2', 1);
  assert.equal(standby.stillHeld(), false, 'a standby may not speak');
});
