/**
 * The journal over each real back end (backends.ts) when the store refuses one write for what it holds
 * (a CHECK constraint: SQLITE_CONSTRAINT_CHECK, SQLSTATE 23514): that write, and what builds on it, is
 * dropped, the others are stored in order, and the incident it concerns is quarantined. A failure that
 * comes and goes (SQLite busy, a PostgreSQL connection terminated mid-commit) is retried, never dropped.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import pg from 'pg';
import { SimulatedClock } from 'xstate';
import { Journal, type RefusedUnit } from '../../src/core/journal.js';
import { emptyBatch, type StatusEntry, type Store } from '../../src/core/store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { openDatabase } from '../../src/store/database.js';
import { MemoryLogger } from '../support/memory-logger.js';
import { adminQuery, freshSchema, TEST_DATABASE_URL } from '../support/postgres.js';
import { BACKENDS } from './backends.js';
import { runIncident } from './incident-fixture.js';
import { deliveryRow, NOW } from './store-fixture.js';
import { tempDir } from './temp-dir.js';

const entry = (text: string, kind = 'notice'): StatusEntry =>
  ({ kind, text, by: { name: 'ana', network: 'irc' }, at: NOW }) as StatusEntry;

function journalOver(store: Store) {
  const clock = new SimulatedClock();
  clock.set(NOW);
  const logger = new MemoryLogger();
  const journal = new Journal(store, clock, logger);
  const heard: RefusedUnit[] = [];
  journal.onRefused((refused) => heard.push(refused));
  /** Lets the journal commit and retry (30 s at a time) until `done`. */
  const until = async (done: () => Promise<boolean>): Promise<void> => {
    for (let round = 0; round < 20; round += 1) {
      await journal.quiet();
      if (await done()) return;
      clock.increment(30_000);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.fail('the journal never settled');
  };
  return { journal, logger, heard, until };
}

for (const backend of BACKENDS)
  describe(`the journal on ${backend.name}`, () => {
    test('a write the store refuses is dropped with what builds on it; the others are stored, in order', async (t) => {
      const store = await (await backend.storage(t)).open();
      const [created, announced] = runIncident(7).transitions;
      assert.ok(created && announced);
      const [other] = runIncident(8, 'the second one', 100).transitions;
      assert.ok(other);
      await store.commit({ ...emptyBatch(NOW), transitions: [created] });
      const { journal, heard, logger, until } = journalOver(store);
      const said: string[] = [];
      const refused: string[] = [];
      const reasons: string[] = [];
      const record = (name: string, writes: Parameters<Journal['record']>[0]): void =>
        journal.record(
          writes,
          () => said.push(name),
          (reason) => {
            refused.push(name);
            reasons.push(reason);
          },
        );
      record('first', { statusHistory: [entry('first')] });
      // A phase the schema does not know: refused, as a bug's value would be.
      record('bad transition', { transitions: [{ ...announced, phase: 'lost' as never }] });
      record('its page', { deliveries: [deliveryRow('page-7', 'incident #7', { incidentId: 7 })] });
      record('bad status', { statusHistory: [entry('bogus kind', 'gossip')] });
      record('other incident', { transitions: [other] });
      record('last', {
        statusHistory: [entry('last')],
        keyValues: [{ namespace: 'n', key: 'k', value: 'v' }],
      });
      await until(async () => journal.backlog() === 0);

      assert.deepEqual(said, ['first', 'other incident', 'last']);
      assert.deepEqual(refused, ['bad transition', 'its page', 'bad status']);
      for (const reason of reasons) assert.match(reason, /check constraint/i, "the store's own reason");
      assert.deepEqual(
        (await store.statusHistory(10)).map((stored) => stored.text),
        ['last', 'first'],
      );
      assert.equal((await store.incident(8))?.summary, 'the second one');
      assert.equal((await store.incident(7))?.phase, created.phase, 'incident #7 as last stored');
      assert.deepEqual(await store.deliveries(7), [], 'the page about the lost transition is never stored');
      assert.deepEqual(
        heard.map((refused) => refused.incidents),
        [[7], [], []],
        'incident #7 is told once, to be quarantined',
      );
      assert.equal(journal.health().ok, true);
      assert.equal(journal.health().refused?.count, 3);
      assert.equal(logger.matching(/refuses a write/, 'error').length, 3);

      // The store takes what comes later at once.
      journal.record({ keyValues: [{ namespace: 'n', key: 'later', value: 'v' }] });
      await journal.barrier();
      assert.ok((await store.load()).keyValues.some((kv) => kv.key === 'later'));
    });
  });

test('sqlite: a busy database is retried until it is free, and nothing is dropped', async (t) => {
  const path = join(tempDir(t), 'store.sqlite');
  const store = openSqliteStore(path, { busyTimeoutMs: 0 });
  t.after(() => store.close());
  const other = openDatabase(path, { busyTimeoutMs: 0 });
  t.after(() => other.close());
  const { journal, heard, until } = journalOver(store);
  other.exec('BEGIN IMMEDIATE');
  for (let attempt = 0; attempt < 3; attempt += 1)
    journal.record({ statusHistory: [entry(`busy ${attempt}`)] });
  await journal.quiet();
  await until(async () => (journal.health() as { attempts?: number }).attempts === 4);
  assert.match(String((journal.health() as { reason?: string }).reason), /locked|busy/i);
  other.exec('COMMIT');
  await until(async () => journal.health().ok);
  assert.deepEqual(heard, []);
  assert.equal((await store.statusHistory(10)).length, 3);
});

test('postgres: a connection terminated in the middle of a commit is retried, and nothing is dropped', async (t) => {
  const schema = await freshSchema(t);
  const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
  t.after(() => store.close());
  const { journal, heard, until } = journalOver(store);
  const marker = `terminated-${schema}`;
  // The commit waits for this lock; meanwhile its connection is ended, as a server restart would.
  const holder = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await holder.connect();
  t.after(() => holder.end());
  await holder.query('BEGIN');
  await holder.query(`LOCK TABLE ${schema}.status_history IN ACCESS EXCLUSIVE MODE`);
  journal.record({ statusHistory: [entry(marker)] });
  let waiting: number | undefined;
  for (let round = 0; round < 100 && waiting === undefined; round += 1) {
    const { rows } = await adminQuery(
      `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
      [`%${marker}%`],
    );
    waiting = (rows[0] as { pid: number } | undefined)?.pid;
    if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(waiting !== undefined, 'the commit waits for the lock');
  await adminQuery('SELECT pg_terminate_backend($1)', [waiting]);
  await holder.query('COMMIT');
  await until(async () => journal.backlog() === 0 && journal.health().ok);
  assert.deepEqual(heard, []);
  assert.deepEqual(
    (await store.statusHistory(10)).map((stored) => stored.text),
    [marker],
  );
});
