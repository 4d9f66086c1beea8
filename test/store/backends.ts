/**
 * The back ends the shared store suite (store-contract.test.ts) runs against: one row each. A back end
 * opens a store on fresh storage for the test, and reopens a second store on the same storage (a restart).
 */
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { emptyBatch, type Store, type StoreBatch } from '../../src/core/store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { freshSchema, TEST_DATABASE_URL } from '../support/postgres.js';
import { NOW } from './store-fixture.js';
import { tempDir } from './temp-dir.js';

export interface StoreBackend {
  readonly name: string;
  /** Fresh storage for this test; `open()` may be called again for a reopen. Stores close at the test's end. */
  storage(t: TestContext): Promise<{ open(): Promise<Store> }>;
}

export const BACKENDS: readonly StoreBackend[] = [
  {
    name: 'sqlite',
    storage(t) {
      const path = join(tempDir(t), 'store.sqlite');
      return Promise.resolve({
        open() {
          const store = openSqliteStore(path);
          t.after(() => store.close());
          return Promise.resolve(store);
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
      };
    },
  },
];

/** One batch (one transaction) of the given parts, stamped NOW, through the port. */
export function commitParts(store: Store, parts: Partial<StoreBatch>): Promise<void> {
  return store.commit({ ...emptyBatch(NOW), ...parts });
}
