/**
 * The composition root's one call: open the file (migrated), and the stores over one connection.
 * `close()` closes that connection for all of them.
 */
import type { Logger } from '../core/logger.js';
import { openDatabase, type Database } from './database.js';
import { SqliteIncidentStore } from './sqlite-incident-store.js';
import { SqliteKeyValueStore } from './sqlite-key-value-store.js';
import { SqliteStatusStore } from './sqlite-status-store.js';

export interface SqliteStores {
  readonly database: Database;
  readonly incidents: SqliteIncidentStore;
  readonly keyValues: SqliteKeyValueStore;
  readonly status: SqliteStatusStore;
  close(): void;
}

export function openSqliteStores(path: string, options: { readonly logger?: Logger } = {}): SqliteStores {
  const database = openDatabase(path, options);
  const incidents = new SqliteIncidentStore(database, options);
  return {
    database,
    incidents,
    keyValues: new SqliteKeyValueStore(database),
    status: new SqliteStatusStore(database),
    close: () => incidents.close(),
  };
}
