/**
 * The alert group's key is the primary key of its row in the store. A group key of non-ASCII labels within
 * the old 2,048-character cap can be 6 KB of UTF-8, and PostgreSQL refuses an index row past 2,704 bytes:
 * the whole commit fails, and with it every commit queued behind it. Checked on the real server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyBatch } from '../../src/core/store.js';
import { fromAlertmanager, fromGrafana } from '../../src/http/intake/payloads.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { freshSchema, TEST_DATABASE_URL } from '../support/postgres.js';

/** 1,900 CJK characters, as labels in Japanese or Chinese give (3 bytes each in UTF-8). */
const labelValue = Array.from({ length: 1_900 }, (_, index) =>
  String.fromCodePoint(0x4e00 + ((index * 7919) % 20_000)),
).join('');

const payload = {
  groupKey: `{}:{alertname="ディスク", detail="${labelValue}"}`,
  status: 'firing' as const,
  receiver: 'firebell',
  alerts: [{ status: 'firing' as const }],
};

test('a group key of 6 KB of UTF-8 gives a key PostgreSQL can commit; two such groups stay two', async (t) => {
  assert.ok(payload.groupKey.length <= 2048, 'within the old cap in characters');
  assert.ok(Buffer.byteLength(payload.groupKey) > 2704, "past PostgreSQL's index row limit in bytes");
  const keys = [
    fromAlertmanager(payload).key,
    fromAlertmanager({ ...payload, groupKey: `${payload.groupKey}!` }).key,
    fromGrafana({ ...payload, orgId: 1 }).key,
  ];
  assert.equal(new Set(keys).size, 3);
  const schema = await freshSchema(t);
  const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
  t.after(() => store.close());
  await store.commit({
    ...emptyBatch(Date.UTC(2026, 11, 7)),
    keyValues: keys.map((key) => ({ namespace: 'intake', key, value: '{}' })),
  });
  assert.equal(fromAlertmanager(payload).key, keys[0], 'the same group, the same key');
});
