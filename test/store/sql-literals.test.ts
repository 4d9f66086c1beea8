/**
 * The literals a PostgreSQL commit is sent with when it is one query string (no bind parameters): each
 * kind of value as a table, hostile text read back unchanged by the real server, and a whole batch of
 * hostile text through the store and back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { inlineStatement, sqlLiteral, type SqlValue } from '../../src/store/postgres/sql-literals.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { freshSchema, TEST_DATABASE_URL, testDatabase } from '../support/postgres.js';
import { commitParts } from './backends.js';
import { deliveryRow, NOW } from './store-fixture.js';

const HOSTILE = [
  "it's",
  "'); DROP TABLE deliveries; --",
  'back\\slash',
  "\\'; SELECT 1; --",
  "E'\\\\'",
  '$1 $2 $$ $fence$',
  'line\r\nbreak\ttab',
  '"double" {braces} ,comma, NULL',
  'ünïcødé 🔥 \u202e',
  '',
] as const;

test('each kind of value becomes its literal; what cannot be written is refused', () => {
  const cases: Array<[SqlValue, string]> = [
    [null, 'NULL'],
    [undefined, 'NULL'],
    [true, 'TRUE'],
    [false, 'FALSE'],
    [0, '0'],
    [1_796_578_709_031, '1796578709031'],
    [-5, '(-5)'],
    [12n, '12'],
    [-12n, '(-12)'],
    ["it's", "'it''s'"],
    ['a\\b', " E'a\\\\b'"],
    [[1, 2, null], '\'{"1","2",NULL}\''],
    [['a"b', 'c\\d'], ` E'{"a\\\\"b","c\\\\\\\\d"}'`],
    [[], "'{}'"],
  ];
  for (const [value, literal] of cases) assert.equal(sqlLiteral(value), literal, String(value));
  assert.throws(() => sqlLiteral(Number.NaN), RangeError);
  assert.throws(() => sqlLiteral(Number.POSITIVE_INFINITY), RangeError);
  assert.throws(() => sqlLiteral([Number.NaN]), RangeError);
  assert.throws(() => sqlLiteral({} as unknown as SqlValue), TypeError);
});

test('placeholders are replaced once, from the statement only; a missing parameter is refused', () => {
  assert.equal(
    inlineStatement({ sql: 'SELECT $1, $2, $10', params: ['$2', 2, 3, 4, 5, 6, 7, 8, 9, 'ten'] }),
    "SELECT '$2', 2, 'ten'",
  );
  assert.throws(() => inlineStatement({ sql: 'SELECT $2', params: [1] }), RangeError);
  assert.throws(() => inlineStatement({ sql: 'SELECT $0', params: [1] }), RangeError);
});

test('the server reads every hostile string and array back unchanged', async () => {
  await testDatabase();
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    for (const text of HOSTILE) {
      const { rows } = await client.query<{ v: string }>(`SELECT ${sqlLiteral(text)}::text AS v`);
      assert.equal(rows[0]?.v, text);
    }
    const { rows } = await client.query<{ v: string[] }>(
      `SELECT ${sqlLiteral([...HOSTILE, null])}::text[] AS v`,
    );
    assert.deepEqual(rows[0]?.v, [...HOSTILE, null]);
  } finally {
    await client.end();
  }
});

// Outbox rows alone go as the commit function's bind parameters; with key-values, the same call is
// written out as literals in one query string (postgres-store.ts): both ways must keep every byte.
for (const withLiterals of [true, false])
  test(`a batch of hostile text goes through the store and comes back unchanged, the tables intact (${withLiterals ? 'as literals' : 'as parameters'})`, async (t) => {
    const schema = await freshSchema(t);
    const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
    t.after(() => store.close());
    await commitParts(store, {
      deliveries: HOSTILE.map((text, index) => deliveryRow(`d-${index}-${text}`, text, { createdAt: NOW })),
      keyValues: withLiterals
        ? HOSTILE.map((text, index) => ({ namespace: 'hostile', key: `${index}${text}`, value: text }))
        : [],
    });
    const loaded = await store.load();
    assert.deepEqual(
      loaded.pendingDeliveries.map((row) => row.id),
      HOSTILE.map((text, index) => `d-${index}-${text}`),
    );
    assert.deepEqual(
      loaded.pendingDeliveries.map((row) => row.content),
      HOSTILE.map((text, index) => deliveryRow(`d-${index}-${text}`, text).content),
    );
    assert.deepEqual(
      loaded.keyValues.map((row) => row.value).sort(),
      withLiterals ? [...HOSTILE].sort() : [],
    );
  });
