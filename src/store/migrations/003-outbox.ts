/**
 * The durable outbox, inbound messages marked handled, and long relayed messages out of the key-value
 * table.
 *
 * - `deliveries`: one row per durable delivery, written before it is attempted; `seq` keeps creation order
 *   (pending rows go out again in that order after a restart), `id` is the UUID the channels derive their
 *   deduplication ids from. Finished rows stay for the incident timeline and the status site until pruned
 *   (firebell.ts says how long); pending ones are never pruned. No index: each would cost a page write in
 *   every commit a page waits for, while the pending rows are read once per start, an incident's rows once
 *   per page view, and a row is updated by its seq (sqlite-delivery-rows.ts); a scan of the table, bounded
 *   by the retention, serves the rest.
 * - `handled`: the `durableId` of every inbound message handled (a Matrix event: `matrix:<network>:<event
 *   id>`), written in the commit of what it caused. The adapter-level `seen` table it replaces is carried
 *   over, so events seen before the upgrade are still not handled twice.
 * - `long_messages`: the ring of long relayed messages (bridge/long-messages.ts), read when a page is
 *   asked for instead of held in memory with the small key-value state; the ring's position stays in `kv`.
 */
import type { Migration } from '../migrations.js';

export const outbox: Migration = {
  id: 3,
  name: 'outbox',
  up(db) {
    db.exec(`
      CREATE TABLE deliveries (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        channel TEXT NOT NULL,
        lane TEXT NOT NULL CHECK (lane IN ('urgent', 'normal', 'relay', 'bulk')),
        content TEXT NOT NULL,
        incident_id INTEGER REFERENCES incidents (id),
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL CHECK (attempts >= 0),
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'refused', 'timed-out')),
        outcome_at INTEGER,
        receipt TEXT,
        reason TEXT
      ) STRICT;

      CREATE TABLE handled (
        durable_id TEXT PRIMARY KEY,
        at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX handled_at ON handled (at);
      INSERT INTO handled (durable_id, at)
        SELECT 'matrix:' || substr(namespace, 8, length(namespace) - 14) || ':' || key, at
        FROM seen WHERE namespace LIKE 'matrix:%:events'
        ON CONFLICT DO NOTHING;
      DROP TABLE seen;

      CREATE TABLE long_messages (
        slot INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        message TEXT NOT NULL
      ) STRICT;
      INSERT INTO long_messages (slot, id, message)
        SELECT CAST(key AS INTEGER), json_extract(value, '$.id'), json_remove(value, '$.id')
        FROM kv
        WHERE namespace = 'bridge.long-messages' AND key GLOB '[0-9]*' AND json_valid(value)
          AND json_type(value, '$.id') = 'text';
      DELETE FROM kv WHERE namespace = 'bridge.long-messages' AND key GLOB '[0-9]*';
    `);
  },
};
