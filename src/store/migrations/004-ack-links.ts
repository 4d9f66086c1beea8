/**
 * One-tap acknowledgement links that were used (core/offchat/link-acks.ts): written in the commit of the
 * acknowledgement a link made, so a link acknowledges once, even when two taps race or firebell restarts
 * between them. Pruned with the handled marks (`at`): a link expires before its mark is forgotten.
 */
import type { Migration } from '../migrations.js';

export const ackLinks: Migration = {
  id: 4,
  name: 'ack-links',
  up(db) {
    db.exec(`
      CREATE TABLE used_ack_links (
        link_id TEXT PRIMARY KEY,
        incident_id INTEGER NOT NULL,
        contact_id TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX used_ack_links_at ON used_ack_links (at);
    `);
  },
};
