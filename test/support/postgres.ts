/**
 * The PostgreSQL server the tests use: `FIREBELL_TEST_DATABASE_URL`, by default
 * postgres://postgres@127.0.0.1:5432/test (created when missing). Each test works in a fresh schema,
 * dropped when it ends. A server that does not answer fails the test with one line naming the package.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';

export const TEST_DATABASE_URL =
  process.env.FIREBELL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let ready: Promise<void> | undefined;

async function connectOrCreate(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.end();
    return;
  } catch (error) {
    await client.end().catch(() => undefined);
    if ((error as { code?: string }).code !== '3D000') throw unreachable(error);
  }
  // 3D000: the database does not exist; create it through the server's maintenance database.
  const url = new URL(TEST_DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } catch (error) {
    if ((error as { code?: string }).code !== '42P04') throw error; // created meanwhile by another test
  } finally {
    await admin.end();
  }
}

function unreachable(error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(
    `no PostgreSQL answers at FIREBELL_TEST_DATABASE_URL (${TEST_DATABASE_URL}): ${reason}; ` +
      "install Debian's postgresql package (or run scripts/ci-postgres.sh)",
  );
}

/** Resolves once the test database answers; rejects with the one-line message when it does not. */
export function testDatabase(): Promise<void> {
  ready ??= connectOrCreate();
  return ready;
}

/** A fresh schema for this test, dropped at its end; returns its name. */
export async function freshSchema(t: TestContext): Promise<string> {
  await testDatabase();
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  t.after(() => adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  return schema;
}

/** A fresh database on the test server (`<prefix>_` and random hex), for processes that each connect. */
export async function freshDatabase(prefix: string): Promise<{ name: string; url: string }> {
  await testDatabase();
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/** One statement on its own short connection to the test database. */
export async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}
