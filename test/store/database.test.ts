import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, StoreOpenError } from '../../src/store/database.js';
import { tempDir } from './temp-dir.js';

test('a store file is opened in WAL mode with synchronous=FULL, foreign keys and a busy timeout', (t) => {
  const path = join(tempDir(t), 'nested', 'dirs', 'firebell.sqlite');
  const db = openDatabase(path, { busyTimeoutMs: 1234 });
  t.after(() => db.close());
  assert.equal(existsSync(path), true, 'the parent directories are created');
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL is 2');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.equal(db.pragma('busy_timeout', { simple: true }), 1234);
});

test('the durability settings hold for a second connection to an existing file', (t) => {
  const path = join(tempDir(t), 'firebell.sqlite');
  openDatabase(path).close();
  const db = openDatabase(path);
  t.after(() => db.close());
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 2);
  assert.equal(db.pragma('busy_timeout', { simple: true }), 5000, 'the default busy timeout');
});

test(':memory: opens a migrated database for tests', (t) => {
  const db = openDatabase(':memory:');
  t.after(() => db.close());
  assert.equal(db.prepare('SELECT count(*) FROM incidents').pluck().get(), 0);
});

test('a file that is not a database fails with a message naming its path', (t) => {
  const path = join(tempDir(t), 'notes.txt');
  writeFileSync(
    path,
    'this is not a SQLite database, just some notes that are long enough to have a header\n',
  );
  assert.throws(
    () => openDatabase(path),
    (error: unknown) =>
      error instanceof StoreOpenError &&
      error.message === `cannot open the store at ${path}: file is not a database`,
  );
});

test('a path whose parent is a file fails with a message naming the path', (t) => {
  const parent = join(tempDir(t), 'plain-file');
  writeFileSync(parent, 'x');
  const path = join(parent, 'firebell.sqlite');
  assert.throws(
    () => openDatabase(path),
    (error: unknown) =>
      error instanceof StoreOpenError && error.message.startsWith(`cannot open the store at ${path}: `),
  );
});
