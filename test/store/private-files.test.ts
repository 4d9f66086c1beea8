/**
 * The store holds the Matrix access token: its directory and files are private to firebell's user whatever
 * the umask, stay so as SQLite recreates its -wal and -shm files and as migrations run, and a store that
 * others can read is reported at start.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/database.js';
import type { Migration } from '../../src/store/migrations.js';
import { migrations } from '../../src/store/migrations/index.js';
import { MemoryLogger } from '../support/memory-logger.js';
import { tempDir } from './temp-dir.js';

const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

/** Runs the test under `mask` (0: everything firebell creates would be world-readable and writable). */
function withUmask(t: TestContext, mask: number): void {
  const before = process.umask(mask);
  t.after(() => process.umask(before));
}

function storeFiles(path: string): Record<string, string> {
  return Object.fromEntries(
    ['', '-wal', '-shm']
      .filter((suffix) => existsSync(path + suffix))
      .map((suffix) => [suffix || 'db', modeOf(path + suffix)]),
  );
}

for (const mask of [0o000, 0o002, 0o022]) {
  test(`under umask ${mask.toString(8).padStart(4, '0')} the data directory is 0700 and the store files 0600`, (t) => {
    withUmask(t, mask);
    const root = tempDir(t);
    const path = join(root, 'var', 'data', 'firebell.sqlite');
    const db = openDatabase(path);
    t.after(() => db.close());
    db.exec("CREATE TABLE secrets (value TEXT) STRICT; INSERT INTO secrets VALUES ('syt_secret')");
    assert.equal(modeOf(join(root, 'var', 'data')), '0700');
    assert.equal(modeOf(join(root, 'var')), '0700', 'every directory firebell created');
    assert.deepEqual(storeFiles(path), { db: '0600', '-wal': '0600', '-shm': '0600' });
  });
}

test('the files stay 0600 when SQLite recreates -wal and -shm, and across migrations', (t) => {
  withUmask(t, 0);
  const path = join(tempDir(t), 'data', 'firebell.sqlite');
  openDatabase(path).close();
  // Closing checkpoints and removes -wal and -shm; opening creates them again.
  assert.deepEqual(storeFiles(path), { db: '0600' });
  const rewrite: Migration = {
    id: 900,
    name: 'rewrite-everything',
    up(db) {
      db.exec('CREATE TABLE big (x TEXT) STRICT');
      db.prepare('INSERT INTO big (x) SELECT hex(randomblob(512)) FROM (SELECT 1 UNION SELECT 2)').run();
      db.exec('CREATE TABLE big2 AS SELECT * FROM big; DROP TABLE big');
    },
  };
  const db = openDatabase(path, { migrations: [...migrations, rewrite] });
  t.after(() => db.close());
  assert.deepEqual(storeFiles(path), { db: '0600', '-wal': '0600', '-shm': '0600' });
  db.pragma('wal_checkpoint(TRUNCATE)');
  assert.deepEqual(storeFiles(path), { db: '0600', '-wal': '0600', '-shm': '0600' });
});

test('a store others can read is reported at start, with the fix, and left as it is', (t) => {
  withUmask(t, 0o022);
  const dir = join(tempDir(t), 'data');
  const path = join(dir, 'firebell.sqlite');
  openDatabase(path).close();
  chmodSync(path, 0o644);
  const logger = new MemoryLogger();
  const db = openDatabase(path, { logger });
  t.after(() => db.close());
  const warnings = logger.matching('open to other users', 'warn');
  // SQLite gives -wal and -shm the database's mode, so they are reported too.
  assert.deepEqual(
    warnings.map((entry) => [entry.fields.path, entry.fields.mode]),
    [[path, '0644']],
    'the database file, as found at start',
  );
  assert.match(warnings[0]?.message ?? '', new RegExp(`chmod 600 ${path}\\*`));
  assert.match(warnings[0]?.message ?? '', /access token/);
  assert.equal(modeOf(path), '0644', 'an existing store is not changed behind the operator’s back');
});

test('a private store raises no warning, and an existing data directory keeps its mode', (t) => {
  withUmask(t, 0o022);
  const dir = join(tempDir(t), 'shared');
  mkdirSync(dir, { mode: 0o755 });
  const path = join(dir, 'firebell.sqlite');
  openDatabase(path).close();
  const logger = new MemoryLogger();
  const db = openDatabase(path, { logger });
  t.after(() => db.close());
  assert.deepEqual(logger.matching('open to other users'), []);
  assert.equal(modeOf(dir), '0755');
  assert.equal(modeOf(path), '0600');
});

test('a leftover -wal readable by others is reported too', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'firebell.sqlite');
  openDatabase(path).close();
  writeFileSync(`${path}-wal`, '');
  chmodSync(`${path}-wal`, 0o640);
  const logger = new MemoryLogger();
  const db = openDatabase(path, { logger });
  t.after(() => db.close());
  assert.deepEqual(
    logger.matching('open to other users', 'warn').map((entry) => entry.fields.path),
    [`${path}-wal`],
  );
});
