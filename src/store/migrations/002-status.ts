/**
 * The statusbot's durable state: the alert that is up (at most one row), each channel's topic from before
 * the alert (so `#status ok` restores it after a restart, which the old statusbot could not), and the
 * status history (`#status` and `#success` entries), newest found by id.
 */
import type { Migration } from '../migrations.js';

export const status: Migration = {
  id: 2,
  name: 'status',
  up(db) {
    db.exec(`
      CREATE TABLE status_alert (
        slot INTEGER PRIMARY KEY CHECK (slot = 1),
        entry TEXT NOT NULL
      ) STRICT;

      CREATE TABLE saved_topics (
        network TEXT NOT NULL,
        conversation TEXT NOT NULL,
        topic TEXT NOT NULL,
        saved_at INTEGER NOT NULL,
        PRIMARY KEY (network, conversation)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE status_history (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('alert', 'notice', 'log', 'ok', 'success')),
        text TEXT NOT NULL,
        actor TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
