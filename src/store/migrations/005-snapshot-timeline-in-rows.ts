/**
 * No table changes: from here on an incident's snapshot is stored without its timeline, which its
 * timeline rows hold (sqlite-incident-rows.ts puts it back on read). A firebell from before could not read
 * such a snapshot and would quarantine every open incident; recording this migration makes it refuse the
 * whole store instead, with a message that says to run the newer firebell (migrations.ts).
 */
import type { Migration } from '../migrations.js';

export const snapshotTimelineInRows: Migration = {
  id: 5,
  name: 'snapshot-timeline-in-rows',
  up() {
    // The format changes with the code; the record of this migration is what an older firebell checks.
  },
};
