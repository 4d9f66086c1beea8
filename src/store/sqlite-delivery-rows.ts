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
import type { DeliveryContent, Lane } from '../core/delivery.js';
import type { Logger } from '../core/logger.js';
import type { DeliveryState, DeliveryUpdate, StoredDelivery } from '../core/store.js';
import { parseJsonColumn, toJsonColumn } from './json-column.js';

interface DeliveryRow {
  id: string;
  channel: string;
  lane: Lane;
  content: string;
  incident_id: number | null;
  created_at: number;
  attempts: number;
  state: DeliveryState;
  outcome_at: number | null;
  receipt: string | null;
  reason: string | null;
}

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

  ofIncident(incidentId: number): StoredDelivery[] {
    return this.read(this.s.ofIncident.all(incidentId) as DeliveryRow[]);
  }

  private read(rows: readonly DeliveryRow[]): StoredDelivery[] {
    return rows.flatMap((row) => {
      const content = parseJsonColumn(row.content);
      if (!content.ok) {
        this.logger.error({ delivery: row.id, error: content.error }, 'a stored delivery is damaged');
        return [];
      }
      const receipt = row.receipt === null ? undefined : parseJsonColumn(row.receipt);
      return [
        {
          id: row.id,
          channel: row.channel,
          lane: row.lane,
          content: content.value as DeliveryContent,
          ...(row.incident_id === null ? {} : { incidentId: row.incident_id }),
          createdAt: row.created_at,
          attempts: row.attempts,
          state: row.state,
          ...(row.outcome_at === null ? {} : { outcomeAt: row.outcome_at }),
          receipt: receipt?.ok && Array.isArray(receipt.value) ? (receipt.value as string[]) : [],
          ...(row.reason === null ? {} : { reason: row.reason }),
        },
      ];
    });
  }
}
