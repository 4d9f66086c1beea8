/**
 * A commit whose answer was lost with its connection (the server committed, firebell cannot know) is
 * committed again by the journal: on PostgreSQL the second run must leave what the first left, or the
 * journal, which retries until a commit succeeds, would hold every later write behind it for good. Real
 * server (FIREBELL_TEST_DATABASE_URL).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { silentLogger } from '../../src/core/logger.js';
import { emptyBatch, type StatusEntry, type StoreBatch } from '../../src/core/store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { migratePostgres, POSTGRES_MIGRATIONS } from '../../src/store/postgres/schema.js';
import { adminQuery, freshSchema, TEST_DATABASE_URL } from '../support/postgres.js';
import { runIncident } from './incident-fixture.js';
import { deliveryRow } from './store-fixture.js';

test('a transition committed twice, its effects and outbox rows with it, is stored once', async (t) => {
  const schema = await freshSchema(t);
  const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
  t.after(() => store.close());
  const [created] = runIncident(7).transitions;
  assert.ok(created && created.effects.length > 0, 'a transition with effects');
  const batch: StoreBatch = {
    ...emptyBatch(1_000),
    transitions: [created],
    deliveries: [deliveryRow('page-1', 'page', { incidentId: 7 })],
    handled: [{ durableId: 'matrix:m:$event', at: 1_000 }],
  };
  await store.commit(batch);
  await store.commit(batch);
  const count = async (table: string): Promise<number> =>
    Number((await adminQuery(`SELECT count(*) AS n FROM ${schema}.${table}`)).rows[0]?.n);
  assert.equal(await count('incidents'), 1);
  assert.equal(await count('effects'), created.effects.length);
  assert.equal(await count('deliveries'), 1);
  assert.equal(await count('handled'), 1);
  assert.equal((await store.load()).pendingDeliveries.length, 1);
});

const posted: StatusEntry = {
  kind: 'notice',
  text: 'the API is slow',
  by: { name: 'ana', network: 'irc' },
  at: 1_000,
};

test("a batch's other sections committed twice leave what one commit left: a #status is in the history once", async (t) => {
  const schema = await freshSchema(t);
  const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
  t.after(() => store.close());
  const batch: StoreBatch = {
    ...emptyBatch(1_000),
    quarantines: [],
    keyValues: [{ namespace: 'matrix', key: 'since', value: 's1' }],
    alert: posted,
    savedTopics: [{ network: 'irc', conversation: '#ops', topic: 'all good', at: 1_000 }],
    statusHistory: [posted, { ...posted, kind: 'log', text: 'looking', at: 1_001 }],
    longMessages: [{ slot: 0, id: 'long-1', message: '{}' }],
    usedAckLinks: [{ linkId: 'link-1', incidentId: 7, contactId: 'ana', at: 1_000 }],
    prune: { handledBefore: 0, incidentDeliveriesBefore: 0, otherDeliveriesBefore: 0 },
  };
  await store.commit(batch);
  await store.commit(batch);
  assert.deepEqual(
    (await store.statusHistory(10)).map((entry) => entry.text),
    ['looking', 'the API is slow'],
  );
  const loaded = await store.load();
  assert.deepEqual(loaded.keyValues, [{ namespace: 'matrix', key: 'since', value: 's1' }]);
  assert.deepEqual(loaded.savedTopics, [{ network: 'irc', conversation: '#ops', topic: 'all good' }]);
  assert.deepEqual(loaded.alert, posted);
  assert.equal(await store.ackLinkUsed('link-1'), true);
  assert.equal((await store.longMessage(0))?.id, 'long-1');
});

test('migration 10 keeps one of the status entries a commit run twice stored twice, and the others', async (t) => {
  const schema = await freshSchema(t);
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  t.after(() => client.end());
  await migratePostgres(
    client as unknown as pg.PoolClient,
    silentLogger,
    POSTGRES_MIGRATIONS.filter((m) => m.id < 10),
  );
  const insert = 'INSERT INTO status_history (kind, text, actor, at) VALUES ($1, $2, $3, $4)';
  const actor = JSON.stringify(posted.by);
  await client.query(insert, ['notice', 'the API is slow', actor, 1_000]);
  await client.query(insert, ['notice', 'the API is slow', actor, 1_000]);
  await client.query(insert, ['notice', 'the API is slow', actor, 1_001]);
  await client.query(insert, ['log', 'the API is slow', actor, 1_000]);
  await migratePostgres(client as unknown as pg.PoolClient, silentLogger);
  const { rows } = await client.query<{ id: string; kind: string; at: string }>(
    'SELECT id, kind, at FROM status_history ORDER BY id',
  );
  assert.deepEqual(
    rows.map((row) => [Number(row.id), row.kind, Number(row.at)]),
    [
      [1, 'notice', 1_000],
      [3, 'notice', 1_001],
      [4, 'log', 1_000],
    ],
  );
});
