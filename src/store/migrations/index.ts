/**
 * Every migration firebell knows. Add a new file as `NNN-name.ts` with the next free id and list it here;
 * the runner applies by id, so the order of this list does not matter.
 */
import type { Migration } from '../migrations.js';
import { incidents } from './001-incidents.js';
import { status } from './002-status.js';
import { outbox } from './003-outbox.js';
import { ackLinks } from './004-ack-links.js';
import { snapshotTimelineInRows } from './005-snapshot-timeline-in-rows.js';

export const migrations: readonly Migration[] = [incidents, status, outbox, ackLinks, snapshotTimelineInRows];
