/**
 * `KeyValueStore` on SQLite: small durable state for adapters (a Matrix sync token, the ids of events
 * already handled). Each call is its own transaction, durable when it returns.
 */
import type { Database } from 'better-sqlite3';
import type { KeyValueStore } from '../core/store.js';

export class SqliteKeyValueStore implements KeyValueStore {
  private readonly statements;

  /** Does not own `db`: whoever opened it closes it (the incident store's `close()` does). */
  constructor(db: Database) {
    this.statements = {
      get: db.prepare('SELECT value FROM kv WHERE namespace = ? AND key = ?').pluck(),
      set: db.prepare(
        `INSERT INTO kv (namespace, key, value) VALUES (?, ?, ?)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
      ),
      delete: db.prepare('DELETE FROM kv WHERE namespace = ? AND key = ?'),
      // The first sighting stands: a redelivery does not extend how long a key is remembered.
      markSeen: db.prepare(
        'INSERT INTO seen (namespace, key, at) VALUES (?, ?, ?) ON CONFLICT (namespace, key) DO NOTHING',
      ),
      pruneSeen: db.prepare('DELETE FROM seen WHERE namespace = ? AND at < ?'),
    };
  }

  get(namespace: string, key: string): string | undefined {
    return this.statements.get.get(namespace, key) as string | undefined;
  }

  set(namespace: string, key: string, value: string): void {
    this.statements.set.run(namespace, key, value);
  }

  delete(namespace: string, key: string): void {
    this.statements.delete.run(namespace, key);
  }

  markSeen(namespace: string, key: string, at: number): boolean {
    return this.statements.markSeen.run(namespace, key, at).changes === 1;
  }

  pruneSeen(namespace: string, before: number): void {
    this.statements.pruneSeen.run(namespace, before);
  }
}
