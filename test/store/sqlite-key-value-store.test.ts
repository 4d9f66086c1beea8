import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.js';
import { SqliteKeyValueStore } from '../../src/store/sqlite-key-value-store.js';
import { openSqliteStores } from '../../src/store/sqlite-store.js';
import { tempDir } from './temp-dir.js';

test('values are set, replaced, deleted, kept apart by namespace, and survive a reopen', (t) => {
  const path = join(tempDir(t), 'kv.sqlite');
  const first = openSqliteStores(path);
  const kv = first.keyValues;
  assert.equal(kv.get('matrix', 'sync-token'), undefined);
  kv.set('matrix', 'sync-token', 's72594_4483_1934');
  kv.set('matrix', 'sync-token', 's72595_4483_1935');
  kv.set('irc', 'sync-token', 'not the matrix one');
  kv.set('matrix', 'empty', '');
  kv.set('matrix', 'doomed', 'x');
  kv.delete('matrix', 'doomed');
  kv.delete('matrix', 'never-set');
  first.close();

  const db = openDatabase(path);
  t.after(() => db.close());
  const reopened = new SqliteKeyValueStore(db);
  assert.equal(reopened.get('matrix', 'sync-token'), 's72595_4483_1935');
  assert.equal(reopened.get('irc', 'sync-token'), 'not the matrix one');
  assert.equal(reopened.get('matrix', 'empty'), '', 'an empty value is a value');
  assert.equal(reopened.get('matrix', 'doomed'), undefined);
});

test('markSeen reports a key once per namespace, across a reopen, until it is pruned', (t) => {
  const path = join(tempDir(t), 'seen.sqlite');
  const first = openSqliteStores(path);
  const seen = first.keyValues;
  assert.equal(seen.markSeen('matrix-events', '$a', 1_000), true);
  assert.equal(seen.markSeen('matrix-events', '$a', 5_000), false, 'a redelivery is a duplicate');
  assert.equal(seen.markSeen('irc-msgids', '$a', 1_000), true, 'namespaces are separate');
  assert.equal(seen.markSeen('matrix-events', '$b', 2_000), true);
  assert.equal(seen.markSeen('matrix-events', '$c', 3_000), true);
  first.close();

  const db = openDatabase(path);
  t.after(() => db.close());
  const kv = new SqliteKeyValueStore(db);
  assert.equal(kv.markSeen('matrix-events', '$b', 9_000), false, 'remembered across a reopen');

  kv.pruneSeen('matrix-events', 2_000);
  assert.deepEqual(
    db.prepare('SELECT namespace, key, at FROM seen ORDER BY namespace, key').all(),
    [
      { namespace: 'irc-msgids', key: '$a', at: 1_000 },
      { namespace: 'matrix-events', key: '$b', at: 2_000 },
      { namespace: 'matrix-events', key: '$c', at: 3_000 },
    ],
    'only keys first seen before the cutoff, only in that namespace, are forgotten',
  );
  assert.equal(kv.markSeen('matrix-events', '$a', 10_000), true, 'a pruned key is new again');
});

test('pruning uses the (namespace, at) index rather than scanning the table', (t) => {
  const db = openDatabase(join(tempDir(t), 'plan.sqlite'));
  t.after(() => db.close());
  const plan = db
    .prepare('EXPLAIN QUERY PLAN DELETE FROM seen WHERE namespace = ? AND at < ?')
    .all('matrix-events', 1) as { detail: string }[];
  assert.equal(plan.length, 1);
  assert.match(
    plan[0]?.detail ?? '',
    /^SEARCH seen USING (COVERING )?INDEX seen_at \(namespace=\? AND at<\?\)$/,
  );
});
