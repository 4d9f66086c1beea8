/**
 * The back ends the shared store suite (store-contract.test.ts) runs against: one row each. A back end
 * opens a store on fresh storage for the test, and reopens a second store on the same storage (a restart).
 */
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { emptyBatch, type Store, type StoreBatch } from '../../src/core/store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { adminQuery, freshSchema, TEST_DATABASE_URL } from '../support/postgres.js';
import { NOW } from './store-fixture.js';
import { tempDir } from './temp-dir.js';

export interface StoreBackend {
  readonly name: string;
  /** Fresh storage for this test; `open()` may be called again for a reopen. Stores close at the test's end. */
  storage(t: TestContext): Promise<Storage>;
}

export interface Storage {
  open(): Promise<Store>;
  /** The snapshot text a row holds, below the port (what is stored, not what reads give back). */
  snapshotText(table: 'incidents' | 'quarantine', incidentId: number): Promise<string | undefined>;
  /** Replaces an incident row's snapshot text (as an earlier version stored it, or damaged). */
  writeSnapshotText(incidentId: number, text: string): Promise<void>;
}

export const BACKENDS: readonly StoreBackend[] = [
  {
    name: 'sqlite',
    storage(t) {
      const path = join(tempDir(t), 'store.sqlite');
      // The rows are read and written through the last store opened: SQLite's connection is in-process.
      let latest: SqliteStore | undefined;
      const db = (): SqliteStore['db'] => {
        if (!latest) throw new Error('open the store first');
        return latest.db;
      };
      return Promise.resolve({
        open() {
          const store = openSqliteStore(path);
          latest = store;
          t.after(() => store.close());
          return Promise.resolve(store);
        },
        snapshotText(table, incidentId) {
          const column = table === 'incidents' ? 'id' : 'incident_id';
          const text = db()
            .prepare(`SELECT snapshot FROM ${table} WHERE ${column} = ?`)
            .pluck()
            .get(incidentId);
          return Promise.resolve(text as string | undefined);
        },
        writeSnapshotText(incidentId, text) {
          db().prepare('UPDATE incidents SET snapshot = ? WHERE id = ?').run(text, incidentId);
          return Promise.resolve();
        },
      });
    },
  },
  {
    name: 'postgres',
    async storage(t) {
      const schema = await freshSchema(t);
      return {
        async open() {
          const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
          t.after(() => store.close());
          return store;
        },
        async snapshotText(table, incidentId) {
          const column = table === 'incidents' ? 'id' : 'incident_id';
          const { rows } = await adminQuery(`SELECT snapshot FROM ${schema}.${table} WHERE ${column} = $1`, [
            incidentId,
          ]);
          return (rows[0] as { snapshot: string } | undefined)?.snapshot;
        },
        async writeSnapshotText(incidentId, text) {
          await adminQuery(`UPDATE ${schema}.incidents SET snapshot = $1 WHERE id = $2`, [text, incidentId]);
        },
      };
    },
  },
];

/** One batch (one transaction) of the given parts, stamped NOW, through the port. */
export function commitParts(store: Store, parts: Partial<StoreBatch>): Promise<void> {
  return store.commit({ ...emptyBatch(NOW), ...parts });
}
