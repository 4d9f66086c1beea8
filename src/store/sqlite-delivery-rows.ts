/**
 * The outbox's rows on SQLite (migration 003): inserted pending before the delivery is attempted, updated
 * with each resend's attempt count and with the outcome. The caller holds the transaction.
 *
 * Rows are found by their `seq` (the rowid), which this class remembers for the rows without an outcome:
 * an index on the UUID would cost a random page write in every commit a page waits for. The update also
 * checks the id, so a remembered seq that a rolled-back insert left behind cannot touch another row, and a
 * row not remembered is found by a scan (it never happens in the normal course).
 */
import type { SqliteDatabase as Database } from './sqlite-driver.js';
import type { Logger } from '../core/logger.js';
import type { AnnouncementReceipt } from '../core/incident-threads.js';
import type { DeliveryUpdate, StoredDelivery } from '../core/store.js';
import { toJsonColumn } from './json-column.js';
import { toAnnouncements, toDeliveries, type AnnouncementRow, type DeliveryRow } from './row-readers.js';

/**
 * Delivered rows of the incidents whose announcements still matter: open ones, and those with rows still
 * pending (an edit of a resolved incident's announcement sent again after a restart). Which of them are
 * announcements is read from their content (row-readers.ts), so a damaged row cannot fail the load.
 */
const ANNOUNCEMENT_ROWS = `state = 'delivered' AND incident_id IS NOT NULL
  AND (incident_id IN (SELECT id FROM incidents WHERE open = 1)
    OR incident_id IN (SELECT incident_id FROM deliveries WHERE state = 'pending' AND incident_id IS NOT NULL))`;

const COLUMNS =
  'id, channel, lane, content, incident_id, created_at, attempts, state, outcome_at, receipt, reason';

export class SqliteDeliveryRows {
  private readonly s;
  /** seq of each row inserted or loaded without an outcome, by id. */
  private readonly unsettled = new Map<string, number>();

  constructor(
    db: Database,
    private readonly logger: Logger,
  ) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO deliveries (${COLUMNS})
         VALUES (@id, @channel, @lane, @content, @incidentId, @createdAt, @attempts, 'pending', NULL, NULL, NULL)`,
      ),
      attempt: db.prepare(
        "UPDATE deliveries SET attempts = @attempts WHERE seq = @seq AND id = @id AND state = 'pending'",
      ),
      outcome: db.prepare(
        `UPDATE deliveries SET state = @state, outcome_at = @at, receipt = @receipt, reason = @reason
         WHERE seq = @seq AND id = @id`,
      ),
      seqOf: db.prepare('SELECT seq FROM deliveries WHERE id = ?').pluck(),
      pending: db.prepare(`SELECT seq, ${COLUMNS} FROM deliveries WHERE state = 'pending' ORDER BY seq`),
      ofIncident: db.prepare(`SELECT ${COLUMNS} FROM deliveries WHERE incident_id = ? ORDER BY seq`),
      announcements: db.prepare(
        `SELECT incident_id, channel, content, receipt FROM deliveries WHERE ${ANNOUNCEMENT_ROWS} ORDER BY seq`,
      ),
      pruneIncident: db.prepare(
        "DELETE FROM deliveries WHERE state <> 'pending' AND incident_id IS NOT NULL AND outcome_at < ?",
      ),
      pruneOther: db.prepare(
        "DELETE FROM deliveries WHERE state <> 'pending' AND incident_id IS NULL AND outcome_at < ?",
      ),
    };
  }

  insert(row: StoredDelivery): void {
    const { lastInsertRowid } = this.s.insert.run({
      id: row.id,
      channel: row.channel,
      lane: row.lane,
      content: toJsonColumn(row.content, `delivery ${row.id}'s content`),
      incidentId: row.incidentId ?? null,
      createdAt: row.createdAt,
      attempts: row.attempts,
    });
    this.unsettled.set(row.id, Number(lastInsertRowid));
  }

  update(update: DeliveryUpdate): void {
    const remembered = this.unsettled.get(update.id);
    const run = (seq: number | undefined): boolean => {
      if (seq === undefined) return false;
      const { changes } =
        update.kind === 'attempt'
          ? this.s.attempt.run({ seq, id: update.id, attempts: update.attempts })
          : this.s.outcome.run({
              seq,
              id: update.id,
              state: update.state,
              at: update.at,
              receipt: update.receipt.length > 0 ? JSON.stringify(update.receipt) : null,
              reason: update.reason ?? null,
            });
      return changes > 0;
    };
    if (!run(remembered)) run(this.s.seqOf.get(update.id) as number | undefined);
    if (update.kind === 'outcome') this.unsettled.delete(update.id);
  }

  prune(incidentBefore: number, otherBefore: number): void {
    this.s.pruneIncident.run(incidentBefore);
    this.s.pruneOther.run(otherBefore);
  }

  /** Rows without an outcome, oldest first; a damaged one is logged and left for people to look at. */
  pending(): StoredDelivery[] {
    const rows = this.s.pending.all() as Array<DeliveryRow & { seq: number }>;
    for (const row of rows) this.unsettled.set(row.id, row.seq);
    return this.read(rows);
  }

  /** Where the announcements that still matter landed (see ANNOUNCEMENT_ROWS). */
  announcements(): AnnouncementReceipt[] {
    return toAnnouncements(this.s.announcements.all() as AnnouncementRow[]);
  }

  ofIncident(incidentId: number): StoredDelivery[] {
    return this.read(this.s.ofIncident.all(incidentId) as DeliveryRow[]);
  }

  private read(rows: readonly DeliveryRow[]): StoredDelivery[] {
    return toDeliveries(rows, this.logger);
  }
}
