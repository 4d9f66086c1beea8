/**
 * Both SQLite drivers behave as the store expects: node:sqlite (Node 22 and 24) and better-sqlite3 (Node
 * 20). Each test runs on every driver that loads in this runtime; the runtime's default is checked too.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  availableDrivers,
  chosenDriver,
  openSqlite,
  SqliteDriverError,
  type SqliteDatabase,
} from '../../src/store/sqlite-driver.js';
import { openDatabase } from '../../src/store/database.js';
import { tempDir } from './temp-dir.js';

const major = Number(process.versions.node.split('.')[0]);
const drivers = availableDrivers();

test('the runtime has the driver it should: node:sqlite from Node 22, better-sqlite3 on Node 20', () => {
  if (major >= 22) {
    assert.ok(drivers.includes('node:sqlite'), `Node ${process.versions.node} offers node:sqlite`);
    assert.equal(chosenDriver({}), 'node:sqlite');
  } else {
    assert.deepEqual(drivers, ['better-sqlite3']);
    assert.equal(chosenDriver({}), 'better-sqlite3');
  }
  assert.equal(chosenDriver({ FIREBELL_SQLITE_DRIVER: 'better-sqlite3' }), 'better-sqlite3');
  assert.throws(
    () => chosenDriver({ FIREBELL_SQLITE_DRIVER: 'sqlite4' }),
    (error: unknown) =>
      error instanceof SqliteDriverError &&
      error.message === 'FIREBELL_SQLITE_DRIVER is "sqlite4"; expected one of node:sqlite, better-sqlite3',
  );
});

test('opening the store prints nothing: no experimental-feature warning from node:sqlite', (t) => {
  const database = join(tempDir(t), 'quiet.sqlite');
  const script = `import(${JSON.stringify(
    new URL('../../src/store/database.js', import.meta.url).href,
  )}).then((m) => m.openDatabase(${JSON.stringify(database)}).close())`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: fileURLToPath(new URL('.', import.meta.url)),
  });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stderr, '', 'nothing on stderr');
});

for (const driver of drivers) {
  const open = (t: TestContext, name = 'contract.sqlite'): SqliteDatabase => {
    const db = openSqlite(join(tempDir(t), name), driver);
    t.after(() => db.close());
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (name <> ''), n INTEGER)");
    return db;
  };

  test(`${driver}: named and positional parameters, plain rows, pluck`, (t) => {
    const db = open(t);
    assert.equal(db.driver, driver);
    const insert = db.prepare('INSERT INTO t (name, n) VALUES (@name, @n)');
    const result = insert.run({ name: 'mara', n: 1 });
    assert.equal(Number(result.changes), 1);
    assert.equal(Number(result.lastInsertRowid), 1);
    db.prepare('INSERT INTO t (name, n) VALUES (?, ?)').run('kofi', 2);
    const row = db.prepare('SELECT name, n FROM t WHERE id = ?').get(1);
    assert.deepEqual(row, { name: 'mara', n: 1 });
    assert.equal(Object.getPrototypeOf(row), Object.prototype, 'a plain object, as callers expect');
    assert.deepEqual(db.prepare('SELECT name FROM t ORDER BY id').pluck().all(), ['mara', 'kofi']);
    assert.equal(db.prepare('SELECT n FROM t WHERE name = ?').pluck().get('kofi'), 2);
    assert.equal(db.prepare('SELECT n FROM t WHERE name = ?').pluck().get('nobody'), undefined);
    assert.equal(db.prepare('SELECT n FROM t WHERE name = ?').get('nobody'), undefined);
  });

  test(`${driver}: pragmas, simple and whole`, (t) => {
    const db = open(t);
    assert.equal(db.pragma('journal_mode = WAL', { simple: true }), 'wal');
    db.pragma('synchronous = FULL');
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    assert.deepEqual(db.pragma('synchronous'), [{ synchronous: 2 }]);
  });

  test(`${driver}: a transaction commits whole or rolls back whole, nested ones by savepoints`, (t) => {
    const db = open(t);
    const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
    const names = (): unknown[] => db.prepare('SELECT name FROM t ORDER BY id').pluck().all();
    const both = db.transaction((first: string, second: string) => {
      insert.run(first);
      insert.run(second);
      return 'done';
    });
    assert.equal(both.immediate('a', 'b'), 'done');
    assert.throws(
      () => both('c', ''),
      (error: unknown) => (error as { code?: string }).code === 'SQLITE_CONSTRAINT_CHECK',
    );
    assert.deepEqual(names(), ['a', 'b'], 'the failed transaction left nothing');
    const outer = db.transaction(() => {
      insert.run('d');
      try {
        both('e', '');
      } catch {
        // the inner transaction is undone alone; the outer one goes on
      }
      insert.run('f');
    });
    outer();
    assert.deepEqual(names(), ['a', 'b', 'd', 'f']);
  });

  test(`${driver}: a transaction SQLite rolled back itself throws its own error, and the next one works`, (t) => {
    const db = open(t);
    const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
    // What a full disk or an I/O error does: SQLite ends the transaction, then the statement throws.
    const failing = db.transaction(() => {
      insert.run('lost');
      db.exec('ROLLBACK');
      throw new Error('disk I/O error');
    });
    assert.throws(() => failing.immediate(), /^Error: disk I\/O error$/);
    db.transaction(() => insert.run('kept')).immediate();
    assert.deepEqual(db.prepare('SELECT name FROM t').pluck().all(), ['kept']);
  });

  test(`${driver}: errors carry SQLite's names`, (t) => {
    const db = open(t);
    assert.throws(
      () => db.prepare('INSERT INTO t (name) VALUES (NULL)').run(),
      (error: unknown) =>
        error instanceof Error &&
        (error as { code?: string }).code === 'SQLITE_CONSTRAINT_NOTNULL' &&
        error.message === 'NOT NULL constraint failed: t.name',
    );
    db.prepare('INSERT INTO t (id, name) VALUES (1, ?)').run('x');
    assert.throws(
      () => db.prepare('INSERT INTO t (id, name) VALUES (1, ?)').run('y'),
      (error: unknown) => (error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    );
  });

  test(`${driver}: the store opens on it with its durability`, (t) => {
    const db = openDatabase(join(tempDir(t), 'store.sqlite'), { driver, busyTimeoutMs: 1234 });
    t.after(() => db.close());
    assert.equal(db.driver, driver);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 1234);
    db.close();
    assert.equal(db.open, false);
    db.close();
  });
}
