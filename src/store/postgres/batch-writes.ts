/**
 * A batch's statements on PostgreSQL for the sections `firebell_commit` does not write (commit-function.ts):
 * quarantines, the small state, status, ack links, long messages and pruning, in the port's section order
 * (store.ts). The store sends them, when a batch has any, as one query string with BEGIN, the function's
 * call and COMMIT (postgres-store.ts), so a batch costs one round trip however many rows it writes.
 */
import type { StoreBatch } from '../../core/store.js';
import type { SqlValue, Statement } from './sql-literals.js';

export interface BatchStatement extends Statement {
  /** When set, the statement must change a row: if it changes none, the batch is refused with this. */
  readonly refusedWithoutRow?: string;
}

/**
 * Runs after the function's writes: a quarantine copies the snapshot this batch may have just written, and
 * drops the effects this batch may have just stored (so it comes after them, as in the port's order; the
 * function's outbox rows and handled marks do not touch what it reads or writes).
 */
export function batchStatements(batch: StoreBatch): BatchStatement[] {
  const statements: BatchStatement[] = [];
  const q = (sql: string, params: SqlValue[], refusedWithoutRow?: string): void => {
    statements.push(refusedWithoutRow === undefined ? { sql, params } : { sql, params, refusedWithoutRow });
  };
  for (const { incidentId, reason } of batch.quarantines) {
    q(
      `INSERT INTO quarantine (incident_id, reason, snapshot, at)
       SELECT id, $2, firebell_whole_snapshot(snapshot, id), $3 FROM incidents WHERE id = $1
       ON CONFLICT (incident_id) DO UPDATE SET
         reason = excluded.reason, snapshot = excluded.snapshot, at = excluded.at`,
      [incidentId, reason, batch.at],
      `there is no incident #${incidentId} to quarantine`,
    );
    // Its effects belong to a state nobody can restore: they must never run.
    q('DELETE FROM effects WHERE incident_id = $1', [incidentId]);
  }
  stateStatements(q, batch);
  if (batch.prune) {
    const { incidentDeliveriesBefore, otherDeliveriesBefore, handledBefore } = batch.prune;
    q(
      `DELETE FROM deliveries WHERE state <> 'pending' AND
         ((incident_id IS NOT NULL AND outcome_at < $1) OR (incident_id IS NULL AND outcome_at < $2))`,
      [incidentDeliveriesBefore, otherDeliveriesBefore],
    );
    q('DELETE FROM handled WHERE at < $1', [handledBefore]);
    q('DELETE FROM used_ack_links WHERE at < $1', [handledBefore]);
  }
  return statements;
}

type Add = (sql: string, params: SqlValue[]) => void;

function stateStatements(q: Add, batch: StoreBatch): void {
  for (const { namespace, key, value } of batch.keyValues) {
    if (value === null) q('DELETE FROM kv WHERE namespace = $1 AND key = $2', [namespace, key]);
    else
      q(
        `INSERT INTO kv (namespace, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
        [namespace, key, value],
      );
  }
  if (batch.alert === null) q('DELETE FROM status_alert', []);
  else if (batch.alert !== undefined)
    q(
      `INSERT INTO status_alert (slot, entry) VALUES (1, $1)
       ON CONFLICT (slot) DO UPDATE SET entry = excluded.entry`,
      [JSON.stringify(batch.alert)],
    );
  for (const { network, conversation, topic, at } of batch.savedTopics) {
    if (topic === null)
      q('DELETE FROM saved_topics WHERE network = $1 AND conversation = $2', [network, conversation]);
    // The first saved topic stands: a second alert must not save the first alert's text as "the topic".
    else
      q(
        `INSERT INTO saved_topics (network, conversation, topic, saved_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [network, conversation, topic, at],
      );
  }
  // A second run of the same commit finds its entries there (PG migration 10).
  for (const entry of batch.statusHistory)
    q('INSERT INTO status_history (kind, text, actor, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      entry.kind,
      entry.text,
      JSON.stringify(entry.by),
      entry.at,
    ]);
  if (batch.usedAckLinks.length > 0)
    q(
      `INSERT INTO used_ack_links (link_id, incident_id, contact_id, at)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) ON CONFLICT DO NOTHING`,
      [
        batch.usedAckLinks.map((link) => link.linkId),
        batch.usedAckLinks.map((link) => link.incidentId),
        batch.usedAckLinks.map((link) => link.contactId),
        batch.usedAckLinks.map((link) => link.at),
      ],
    );
  for (const { slot, id, message } of batch.longMessages)
    q(
      `INSERT INTO long_messages (slot, id, message) VALUES ($1, $2, $3)
       ON CONFLICT (slot) DO UPDATE SET id = excluded.id, message = excluded.message`,
      [slot, id, message],
    );
}
