/**
 * A commit whose answer was lost with its connection (the server committed, firebell cannot know) is
 * committed again by the journal: on PostgreSQL the second run must leave what the first left, or the
 * journal, which retries until a commit succeeds, would hold every later write behind it for good. Real
 * server (FIREBELL_TEST_DATABASE_URL).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyBatch, type StoreBatch } from '../../src/core/store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
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
