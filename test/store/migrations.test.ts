import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openSqlite, type SqliteDatabase } from '../../src/store/sqlite-driver.js';
import { silentLogger } from '../../src/core/logger.js';
import { openDatabase, StoreOpenError } from '../../src/store/database.js';
import { migrate, MigrationError, type Migration } from '../../src/store/migrations.js';
import { migrations } from '../../src/store/migrations/index.js';
import { tempDir } from './temp-dir.js';

const NOW = 1_700_000_000_000;
const options = { logger: silentLogger, now: () => NOW };

/** A migration that creates `table` and counts its runs in `runs`. */
function creating(id: number, name: string, runs: number[]): Migration {
  return {
    id,
    name,
    up(db) {
      runs.push(id);
      db.exec(`CREATE TABLE ${name.replace(/-/g, '_')} (x INTEGER) STRICT`);
    },
  };
}

const tablesOf = (db: SqliteDatabase): string[] =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];

const recorded = (db: SqliteDatabase): unknown[] =>
  db.prepare('SELECT id, name, applied_at FROM schema_migrations ORDER BY id').all();

test('a fresh database gets every migration, recorded with its id, name and time', (t) => {
  const db = openDatabase(join(tempDir(t), 'fresh.sqlite'), { now: () => NOW });
  t.after(() => db.close());
  assert.deepEqual(recorded(db), [
    { id: 1, name: 'incidents', applied_at: NOW },
    { id: 2, name: 'status', applied_at: NOW },
    { id: 3, name: 'outbox', applied_at: NOW },
    { id: 4, name: 'ack-links', applied_at: NOW },
    { id: 5, name: 'snapshot-timeline-in-rows', applied_at: NOW },
  ]);
  assert.equal(migrations.length, 5);
  assert.deepEqual(tablesOf(db), [
    'counters',
    'deliveries',
    'effects',
    'handled',
    'incidents',
    'kv',
    'long_messages',
    'quarantine',
    'saved_topics',
    'schema_migrations',
    'status_alert',
    'status_history',
    'timeline',
    'used_ack_links',
  ]);
});

test("migration 003 carries over the Matrix adapter's seen events and the long messages in kv", (t) => {
  const path = join(tempDir(t), 'upgrade.sqlite');
  const before = openDatabase(path, { migrations: migrations.filter((migration) => migration.id < 3) });
  const put = before.prepare('INSERT INTO kv (namespace, key, value) VALUES (?, ?, ?)');
  put.run('bridge.long-messages', 'next', '2');
  put.run('bridge.long-messages', '0', JSON.stringify({ id: '0-abcdefgh', sender: 'Ana', text: 'long' }));
  put.run('bridge.long-messages', '1', 'damaged');
  put.run('matrix:matrix', 'syncToken', 's1');
  const seen = before.prepare('INSERT INTO seen (namespace, key, at) VALUES (?, ?, ?)');
  seen.run('matrix:matrix:events', '$e1', 1000);
  seen.run('matrix:other:events', '$e2', 2000);
  seen.run('irc-msgids', 'x', 3000);
  before.close();

  const db = openDatabase(path);
  t.after(() => db.close());
  assert.deepEqual(db.prepare('SELECT durable_id, at FROM handled ORDER BY durable_id').all(), [
    { durable_id: 'matrix:matrix:$e1', at: 1000 },
    { durable_id: 'matrix:other:$e2', at: 2000 },
  ]);
  assert.deepEqual(db.prepare('SELECT slot, id, message FROM long_messages').all(), [
    { slot: 0, id: '0-abcdefgh', message: JSON.stringify({ sender: 'Ana', text: 'long' }) },
  ]);
  assert.deepEqual(db.prepare('SELECT namespace, key, value FROM kv ORDER BY namespace, key').all(), [
    { namespace: 'bridge.long-messages', key: 'next', value: '2' },
    { namespace: 'matrix:matrix', key: 'syncToken', value: 's1' },
  ]);
});

test('reopening runs nothing that already ran; pending ones run in ascending id order', (t) => {
  const path = join(tempDir(t), 'reopen.sqlite');
  const runs: number[] = [];
  const first = [creating(3, 'bridge-links', runs), creating(1, 'base', runs)];
  openDatabase(path, { migrations: first, now: () => NOW }).close();
  assert.deepEqual(runs, [1, 3]);

  openDatabase(path, { migrations: first }).close();
  assert.deepEqual(runs, [1, 3], 'nothing re-runs');

  // Migration 2 lands after 3 was applied (another branch merged later): it still runs, once.
  const later = [...first, creating(2, 'status-posts', runs)];
  const db = openDatabase(path, { migrations: later, now: () => NOW + 1 });
  t.after(() => db.close());
  assert.deepEqual(runs, [1, 3, 2]);
  assert.deepEqual(recorded(db), [
    { id: 1, name: 'base', applied_at: NOW },
    { id: 2, name: 'status-posts', applied_at: NOW + 1 },
    { id: 3, name: 'bridge-links', applied_at: NOW },
  ]);
});

test('a database with a migration this firebell does not know is refused', (t) => {
  const path = join(tempDir(t), 'newer.sqlite');
  const runs: number[] = [];
  openDatabase(path, {
    migrations: [creating(1, 'base', runs), creating(4, 'pager-duty', runs), creating(5, 'sms', runs)],
  }).close();
  assert.throws(
    () => openDatabase(path, { migrations: [creating(1, 'base', runs)] }),
    (error: unknown) =>
      error instanceof StoreOpenError &&
      error.cause instanceof MigrationError &&
      error.message ===
        `cannot open the store at ${path}: the database was migrated by a newer firebell: it has ` +
          'migrations 004-pager-duty, 005-sms that this version does not know. ' +
          'Run the newer firebell, or restore a backup taken before the upgrade.',
  );
  const raw = openSqlite(path);
  t.after(() => raw.close());
  assert.deepEqual(tablesOf(raw), ['base', 'pager_duty', 'schema_migrations', 'sms'], 'nothing was changed');
});

test('a failing migration is rolled back whole, named in the error, and retried at the next open', (t) => {
  const path = join(tempDir(t), 'failing.sqlite');
  const runs: number[] = [];
  const broken: Migration = {
    id: 2,
    name: 'broken',
    up(db) {
      db.exec('CREATE TABLE half_done (x INTEGER) STRICT; INSERT INTO half_done VALUES (1)');
      db.exec('INSERT INTO no_such_table VALUES (1)');
    },
  };
  assert.throws(
    () => openDatabase(path, { migrations: [creating(1, 'base', runs), broken, creating(3, 'after', runs)] }),
    (error: unknown) =>
      error instanceof StoreOpenError &&
      error.message ===
        `cannot open the store at ${path}: migration 002-broken failed and was rolled back: ` +
          'no such table: no_such_table',
  );
  const raw = openSqlite(path);
  t.after(() => raw.close());
  assert.deepEqual(tablesOf(raw), ['base', 'schema_migrations'], 'no trace of 002, and 003 never ran');
  assert.deepEqual(
    raw.prepare('SELECT id FROM schema_migrations').pluck().all(),
    [1],
    'the migration before it stays applied',
  );

  const fixed = creating(2, 'broken', runs);
  const db = openDatabase(path, {
    migrations: [creating(1, 'base', runs), fixed, creating(3, 'after', runs)],
  });
  t.after(() => db.close());
  assert.deepEqual(runs, [1, 2, 3]);
});

test('two different migrations recorded under one id are refused', (t) => {
  const db = openSqlite(join(tempDir(t), 'collision.sqlite'));
  t.after(() => db.close());
  migrate(db, [creating(2, 'status', [])], options);
  assert.throws(
    () => migrate(db, [creating(2, 'bridge', [])], options),
    new MigrationError(
      "migration 2 is recorded as 002-status but this firebell's migration 2 is 002-bridge: " +
        'two migrations were given the same id',
    ),
  );
});

test('a list with a duplicate or invalid id is refused before anything runs', (t) => {
  const db = openSqlite(join(tempDir(t), 'list.sqlite'));
  t.after(() => db.close());
  const runs: number[] = [];
  assert.throws(
    () => migrate(db, [creating(1, 'a', runs), creating(1, 'b', runs)], options),
    new MigrationError('migrations 001-a and 001-b share id 1: give one a new id'),
  );
  assert.throws(
    () => migrate(db, [creating(0, 'zero', runs)], options),
    new MigrationError('migration zero has id 0: ids are positive integers'),
  );
  assert.deepEqual(runs, []);
});
