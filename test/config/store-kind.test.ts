/** The store section: SQLite by path (the default), PostgreSQL by url; each mistake named by file, line and key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LEASE_SECONDS } from '../../src/config/schema.js';
import { checkConfig } from '../../src/config/check.js';
import { CONTACTS, FIREBELL, WHITELIST, load, memoryReader, problems } from './fixture.js';

const POSTGRES = 'store:\n  kind: postgres\n  url: ${DATABASE_URL}\n';
const withStore = (section: string): string =>
  FIREBELL.replace('store:\n  path: ../data/firebell.sqlite\n', section);

test('kind postgres takes its url from the environment, with the default lease; the password stays out of storePath', () => {
  const result = load(
    { firebell: withStore(POSTGRES) },
    { DATABASE_URL: 'postgres://firebell:s3cret@db.example.org:5432/firebell' },
  );
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  assert.deepEqual(result.config.store, {
    kind: 'postgres',
    url: 'postgres://firebell:s3cret@db.example.org:5432/firebell',
    leaseSeconds: DEFAULT_LEASE_SECONDS,
  });
  assert.equal(result.config.storePath, 'postgres://firebell@db.example.org:5432/firebell');
});

test('the SQLite default is unchanged: a path, kind sqlite', () => {
  const result = load();
  assert.ok(result.ok);
  assert.equal(result.config.store.kind, 'sqlite');
});

test('each store mistake names its file, line and key', () => {
  assert.deepEqual(problems({ firebell: withStore('store:\n  kind: postgres\n') }), [
    'cfg/firebell.yaml:4:1: store.url: kind: postgres needs a url, e.g. url: ${DATABASE_URL}',
  ]);
  assert.deepEqual(
    problems({ firebell: withStore('store:\n  kind: postgres\n  url: mysql://db/x\n  leaseSeconds: 1\n') }),
    [
      'cfg/firebell.yaml:6:3: store.url: expected a postgres:// or postgresql:// URL, got "mysql://db/x"',
      'cfg/firebell.yaml:7:3: store.leaseSeconds: expected at least 2 seconds, got 1',
    ],
  );
  assert.deepEqual(problems({ firebell: withStore('store:\n  path: x.sqlite\n  url: postgres://db/x\n') }), [
    'cfg/firebell.yaml:6:3: store.url: url is for kind: postgres; the SQLite store takes a path',
  ]);
});

test("a mistyped database URL is quoted without its password (the config repository's CI log is read by many)", () => {
  assert.deepEqual(
    problems(
      { firebell: withStore(POSTGRES) },
      { DATABASE_URL: 'postgresql//firebell:s3cretpw@db.example.org/firebell?password=s3cretpw2' },
    ),
    [
      'cfg/firebell.yaml:6:3: store.url: expected a postgres:// or postgresql:// URL, got "postgresql//firebell:<secret>@db.example.org/firebell?password=<secret>"',
    ],
  );
});

test('firebell check without production secrets: an unset DATABASE_URL is a warning, as for any secret, and run still refuses it', () => {
  const readFile = memoryReader({
    'cfg/firebell.yaml': withStore(POSTGRES),
    'cfg/contacts.yaml': CONTACTS,
    'whitelist.yaml': WHITELIST,
  });
  const checked = checkConfig({ dir: 'cfg', env: {}, readFile });
  assert.equal(checked.ok, true, checked.lines.join('\n'));
  assert.ok(
    checked.lines.includes(
      'cfg/firebell.yaml:6:3: warning: store.url: environment variable DATABASE_URL is not set: fine for this tool, but firebell run and doctor need it',
    ),
    checked.lines.join('\n'),
  );
  assert.deepEqual(problems({ firebell: withStore(POSTGRES) }), [
    'cfg/firebell.yaml:6:3: store.url: environment variable DATABASE_URL is not set',
  ]);
});
