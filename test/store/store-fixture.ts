/** Opening the SQLite store on a file for a test, and committing parts of a batch in one call. */
import type { TestContext } from 'node:test';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { rich } from '../../src/core/rich-text.js';
import { emptyBatch, type StoreBatch, type StoredDelivery } from '../../src/core/store.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { START } from './incident-fixture.js';

export const NOW = START + 3_600_000;

export interface Opened {
  readonly store: SqliteStore;
  readonly db: Database;
}

export function openStore(t: TestContext, path: string, logger: Logger = silentLogger): Opened {
  const db = openDatabase(path);
  const store = new SqliteStore(db, { logger });
  t.after(() => store.close());
  return { store, db };
}

/** One batch (one transaction) of the given parts, stamped NOW. */
export function commit(store: SqliteStore, parts: Partial<StoreBatch>): void {
  store.commitSync({ ...emptyBatch(NOW), ...parts });
}

export const count = (db: Database, table: string): number =>
  db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

/** A pending outbox row: an urgent notice to #infra on `libera` saying `text`. */
export function deliveryRow(
  id: string,
  text: string,
  overrides: Partial<StoredDelivery> = {},
): StoredDelivery {
  return {
    id,
    channel: 'libera',
    lane: 'urgent',
    content: {
      kind: 'message',
      message: {
        to: { network: 'libera', conversation: '#infra' },
        body: rich(text),
        style: 'notice',
        priority: 'urgent',
        purpose: 'page',
      },
    },
    createdAt: NOW,
    attempts: 0,
    state: 'pending',
    receipt: [],
    ...overrides,
  };
}
