/**
 * The incident store and the adapters' key-value state.
 *
 * - `counters` hands out incident numbers; a number once allocated is never handed out again, even if
 *   the incident was never saved.
 * - `timeline` is keyed by (incident, position), so re-saving an overlapping range rewrites the same rows.
 * - `effects` is the outbox: written in the transition's transaction, marked done once performed, and
 *   swept at the next completion, except the newest row: SQLite numbers a new row max(id) + 1, so keeping
 *   the newest means an id is never handed out twice and a late `completeEffects` cannot hit a newer
 *   effect. (AUTOINCREMENT guarantees the same by writing one more page on every insert.)
 * - `quarantine` keeps a snapshot that could not be restored, with the reason, out of the open set.
 */
import type { Migration } from '../migrations.js';

export const incidents: Migration = {
  id: 1,
  name: 'incidents',
  up(db) {
    db.exec(`
      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      INSERT INTO counters (name, value) VALUES ('incident', 0);

      CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        group_id TEXT NOT NULL,
        summary TEXT NOT NULL,
        phase TEXT NOT NULL CHECK (phase IN ('detected', 'announced', 'assigned', 'resolved')),
        open INTEGER NOT NULL CHECK (open IN (0, 1)),
        snapshot TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX incidents_open ON incidents (id) WHERE open = 1;

      CREATE TABLE timeline (
        incident_id INTEGER NOT NULL REFERENCES incidents (id),
        seq INTEGER NOT NULL CHECK (seq >= 0),
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT,
        detail TEXT,
        PRIMARY KEY (incident_id, seq)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE effects (
        id INTEGER PRIMARY KEY,
        incident_id INTEGER NOT NULL REFERENCES incidents (id),
        effect TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        done_at INTEGER
      ) STRICT;

      CREATE TABLE quarantine (
        incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
        reason TEXT NOT NULL,
        snapshot TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE kv (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE seen (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (namespace, key)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX seen_at ON seen (namespace, at);
    `);
  },
};
