/**
 * The value checks of the rows a transition writes hold on PostgreSQL: since migration 8 they are the
 * columns' domains rather than the tables' CHECK constraints, with the same rules and the same SQLSTATE.
 * Real server (FIREBELL_TEST_DATABASE_URL).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredDelivery } from '../../src/core/store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { adminQuery, freshSchema, TEST_DATABASE_URL } from '../support/postgres.js';
import { commitParts as commit } from './backends.js';
import { runIncident } from './incident-fixture.js';
import { deliveryRow } from './store-fixture.js';

const CHECK_VIOLATION = { code: '23514' };

test('a phase, lane, delivery state, timeline position or attempt count out of bounds is refused', async (t) => {
  const schema = await freshSchema(t);
  const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
  t.after(() => store.close());
  const [created] = runIncident(3).transitions;
  assert.ok(created);
  const bad = <T>(value: unknown): T => value as T;
  await assert.rejects(commit(store, { transitions: [{ ...created, phase: bad('lost') }] }), CHECK_VIOLATION);
  await commit(store, { transitions: [created] });
  await assert.rejects(
    adminQuery(`INSERT INTO ${schema}.timeline (incident_id, seq, at, kind) VALUES ($1, -1, 0, 'x')`, [
      created.incidentId,
    ]),
    CHECK_VIOLATION,
  );
  const row = (overrides: Partial<StoredDelivery>): StoredDelivery => deliveryRow('d1', 'page', overrides);
  await assert.rejects(commit(store, { deliveries: [row({ lane: bad('fast') })] }), CHECK_VIOLATION);
  await assert.rejects(commit(store, { deliveries: [row({ attempts: -1 })] }), CHECK_VIOLATION);
  await commit(store, { deliveries: [row({})] });
  await assert.rejects(
    commit(store, {
      deliveryUpdates: [{ id: 'd1', kind: 'outcome', state: bad('lost'), at: 1, receipt: [] }],
    }),
    CHECK_VIOLATION,
  );
  await assert.rejects(
    commit(store, { deliveryUpdates: [{ id: 'd1', kind: 'attempt', attempts: -2 }] }),
    CHECK_VIOLATION,
  );
  await commit(store, {
    deliveryUpdates: [{ id: 'd1', kind: 'outcome', state: 'delivered', at: 1, receipt: [] }],
  });
});
