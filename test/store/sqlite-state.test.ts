import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.js';
import { commit, openStore } from './store-fixture.js';
import { tempDir } from './temp-dir.js';

const PRUNE_NOTHING = { incidentDeliveriesBefore: 0, otherDeliveriesBefore: 0 };

test('values are set, replaced, deleted, kept apart by namespace, and survive a reopen', async (t) => {
  const path = join(tempDir(t), 'kv.sqlite');
  const first = openStore(t, path);
  const put = (namespace: string, key: string, value: string | null) => ({ namespace, key, value });
  commit(first.store, {
    keyValues: [
      put('matrix', 'sync-token', 's72594_4483_1934'),
      put('matrix', 'sync-token', 's72595_4483_1935'),
      put('irc', 'sync-token', 'not the matrix one'),
      put('matrix', 'empty', ''),
      put('matrix', 'doomed', 'x'),
    ],
  });
  commit(first.store, { keyValues: [put('matrix', 'doomed', null), put('matrix', 'never-set', null)] });
  await first.store.close();

  const { store } = openStore(t, path);
  const values = new Map(
    (await store.load()).keyValues.map(({ namespace, key, value }) => [`${namespace} ${key}`, value]),
  );
  assert.equal(values.get('matrix sync-token'), 's72595_4483_1935');
  assert.equal(values.get('irc sync-token'), 'not the matrix one');
  assert.equal(values.get('matrix empty'), '', 'an empty value is a value');
  assert.equal(values.get('matrix doomed'), undefined);
  assert.equal(values.size, 3);
});

test('a handled message is remembered once, across a reopen, until it is pruned', async (t) => {
  const path = join(tempDir(t), 'handled.sqlite');
  const first = openStore(t, path);
  commit(first.store, {
    handled: [
      { durableId: 'matrix:m:$a', at: 1_000 },
      { durableId: 'matrix:m:$a', at: 5_000 },
      { durableId: 'matrix:other:$a', at: 1_000 },
      { durableId: 'matrix:m:$b', at: 2_000 },
      { durableId: 'matrix:m:$c', at: 3_000 },
    ],
  });
  assert.equal(await first.store.handled('matrix:m:$a'), true);
  assert.equal(await first.store.handled('matrix:m:$z'), false);
  await first.store.close();

  const { store, db } = openStore(t, path);
  assert.equal(await store.handled('matrix:m:$b'), true, 'remembered across a reopen');
  commit(store, { prune: { handledBefore: 2_000, ...PRUNE_NOTHING } });
  assert.deepEqual(
    db.prepare('SELECT durable_id, at FROM handled ORDER BY durable_id').all(),
    [
      { durable_id: 'matrix:m:$b', at: 2_000 },
      { durable_id: 'matrix:m:$c', at: 3_000 },
    ],
    'only those first handled before the cutoff are forgotten; a replay did not extend the first',
  );
  assert.equal(await store.handled('matrix:m:$a'), false, 'a pruned one is new again');
});

test('pruning handled marks uses the index on their time rather than scanning the table', (t) => {
  const db = openDatabase(join(tempDir(t), 'plan.sqlite'));
  t.after(() => db.close());
  const plan = db.prepare('EXPLAIN QUERY PLAN DELETE FROM handled WHERE at < ?').all(1) as {
    detail: string;
  }[];
  assert.equal(plan.length, 1);
  assert.match(plan[0]?.detail ?? '', /^SEARCH handled USING (COVERING )?INDEX handled_at \(at<\?\)$/);
});

test('the alert, saved topics and history survive a reopen', async (t) => {
  const path = join(tempDir(t), 'status.sqlite');
  const ana = { name: 'Ana', network: 'libera', contactId: 'ana', account: 'ana' };

  const first = openStore(t, path);
  commit(first.store, {
    alert: { kind: 'alert', text: 'gate down', by: ana, at: 1000 },
    savedTopics: [
      { network: 'libera', conversation: '#infra', topic: 'Infra | meetings Tue', at: 1000 },
      { network: 'libera', conversation: '#infra', topic: 'gate down', at: 2000 },
    ],
    statusHistory: [
      { kind: 'alert', text: 'gate down', by: ana, at: 1000 },
      { kind: 'success', text: 'mirror held', by: ana, at: 3000 },
    ],
  });
  await first.store.close();

  const second = openStore(t, path);
  const loaded = await second.store.load();
  assert.deepEqual(loaded.alert, { kind: 'alert', text: 'gate down', by: ana, at: 1000 });
  assert.deepEqual(
    loaded.savedTopics,
    [{ network: 'libera', conversation: '#infra', topic: 'Infra | meetings Tue' }],
    'the first saved topic stands',
  );
  assert.deepEqual(
    (await second.store.statusHistory(10)).map((entry) => [entry.kind, entry.text]),
    [
      ['success', 'mirror held'],
      ['alert', 'gate down'],
    ],
  );
  commit(second.store, {
    alert: null,
    savedTopics: [{ network: 'libera', conversation: '#infra', topic: null, at: 0 }],
  });
  const cleared = await second.store.load();
  assert.deepEqual(cleared.savedTopics, []);
  assert.equal(cleared.alert, undefined);
  commit(second.store, {});
  assert.equal((await second.store.load()).alert, undefined, 'a batch without an alert leaves it alone');
});

test('long messages are kept by slot, replaced when the slot is reused, and read one at a time', async (t) => {
  const { store } = openStore(t, join(tempDir(t), 'long.sqlite'));
  commit(store, { longMessages: [{ slot: 0, id: '0-aaaaaaaa', message: '{"text":"one"}' }] });
  assert.deepEqual(await store.longMessage(0), { slot: 0, id: '0-aaaaaaaa', message: '{"text":"one"}' });
  commit(store, { longMessages: [{ slot: 0, id: '0-bbbbbbbb', message: '{"text":"two"}' }] });
  assert.deepEqual(await store.longMessage(0), { slot: 0, id: '0-bbbbbbbb', message: '{"text":"two"}' });
  assert.equal(await store.longMessage(1), undefined);
});
