import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { StoredDelivery } from '../../src/core/store.js';
import { runIncident } from './incident-fixture.js';
import { commit, count, deliveryRow, NOW, openStore } from './store-fixture.js';
import { tempDir } from './temp-dir.js';

const DAY = 86_400_000;

const row = (id: string, overrides: Partial<StoredDelivery> = {}): StoredDelivery =>
  deliveryRow(id, `page ${id}`, overrides);

test('pending rows come back in creation order, with their content, until an outcome is recorded', async (t) => {
  const path = join(tempDir(t), 'outbox.sqlite');
  const first = openStore(t, path);
  const incident = runIncident(12).transitions[0];
  assert.ok(incident);
  commit(first.store, {
    transitions: [incident],
    deliveries: [row('c'), row('a', { incidentId: 12 }), row('b', { lane: 'bulk', channel: 'matrix' })],
  });
  commit(first.store, { deliveries: [row('d')] });
  commit(first.store, {
    deliveryUpdates: [
      { id: 'a', kind: 'outcome', state: 'delivered', at: NOW + 5, receipt: ['$event1'] },
      { id: 'b', kind: 'attempt', attempts: 1 },
      {
        id: 'd',
        kind: 'outcome',
        state: 'refused',
        at: NOW + 6,
        receipt: [],
        reason: 'cannot send to channel',
      },
    ],
  });
  await first.store.close();

  const { store } = openStore(t, path);
  const pending = (await store.load()).pendingDeliveries;
  assert.deepEqual(
    pending.map((delivery) => [delivery.id, delivery.attempts]),
    [
      ['c', 0],
      ['b', 1],
    ],
    'oldest first; the resend counted',
  );
  assert.deepEqual(pending[0], row('c'), 'the row as it was stored');
  assert.deepEqual(await store.deliveries(12), [
    { ...row('a', { incidentId: 12 }), state: 'delivered', outcomeAt: NOW + 5, receipt: ['$event1'] },
  ]);
  const refused = (await store.load()).pendingDeliveries.find((delivery) => delivery.id === 'd');
  assert.equal(refused, undefined, 'a refusal is final');
});

test('finished rows are pruned by their outcome time, an incident’s later than the rest; pending rows never', async (t) => {
  const { store, db } = openStore(t, join(tempDir(t), 'prune.sqlite'));
  const incident = runIncident(12).transitions[0];
  assert.ok(incident);
  commit(store, {
    transitions: [incident],
    deliveries: [row('old-reply'), row('old-page', { incidentId: 12 }), row('stuck'), row('new-reply')],
  });
  commit(store, {
    deliveryUpdates: [
      { id: 'old-reply', kind: 'outcome', state: 'delivered', at: NOW - 40 * DAY, receipt: [] },
      { id: 'old-page', kind: 'outcome', state: 'delivered', at: NOW - 40 * DAY, receipt: [] },
      { id: 'new-reply', kind: 'outcome', state: 'timed-out', at: NOW - DAY, receipt: [], reason: 'no echo' },
    ],
  });
  commit(store, {
    prune: {
      handledBefore: 0,
      incidentDeliveriesBefore: NOW - 365 * DAY,
      otherDeliveriesBefore: NOW - 30 * DAY,
    },
  });
  assert.deepEqual(db.prepare('SELECT id FROM deliveries ORDER BY seq').pluck().all(), [
    'old-page',
    'stuck',
    'new-reply',
  ]);
  assert.equal(count(db, 'deliveries'), 3);
});
