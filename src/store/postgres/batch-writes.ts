/**
 * One batch's statements on PostgreSQL, in the port's section order (store.ts), for the caller's
 * transaction. They are built here and sent by the store as one query string with the transaction's
 * BEGIN, fencing check and COMMIT (postgres-store.ts), so a batch costs one round trip however many rows
 * it writes; the journal gathers a tick's writes into one batch, so a page waits for one transaction.
 */
import type { IncidentTransition, StoreBatch } from '../../core/store.js';
import { toJsonColumn } from '../json-column.js';
import type { SqlValue, Statement } from './sql-literals.js';

export interface BatchStatement extends Statement {
  /** When set, the statement must change a row: if it changes none, the batch is refused with this. */
  readonly refusedWithoutRow?: string;
}

export function batchStatements(batch: StoreBatch): BatchStatement[] {
  const statements: BatchStatement[] = [];
  const q = (sql: string, params: SqlValue[], refusedWithoutRow?: string): void => {
    statements.push(refusedWithoutRow === undefined ? { sql, params } : { sql, params, refusedWithoutRow });
  };
  const done = new Set(batch.effectsDone);
  for (const transition of batch.transitions) transitionStatements(q, transition, done);
  // Effects done in the batch that asked for them were never written: only older ones need deleting.
  const written = new Set(batch.transitions.flatMap((t) => t.effects.map((effect) => effect.id)));
  const older = batch.effectsDone.filter((id) => !written.has(id));
  if (older.length > 0) q('DELETE FROM effects WHERE id = ANY($1::bigint[])', [older]);
  for (const { incidentId, reason } of batch.quarantines) {
    q(
      `INSERT INTO quarantine (incident_id, reason, snapshot, at)
       SELECT id, $2, snapshot, $3 FROM incidents WHERE id = $1
       ON CONFLICT (incident_id) DO UPDATE SET
         reason = excluded.reason, snapshot = excluded.snapshot, at = excluded.at`,
      [incidentId, reason, batch.at],
      `there is no incident #${incidentId} to quarantine`,
    );
    // Its effects belong to a state nobody can restore: they must never run.
    q('DELETE FROM effects WHERE incident_id = $1', [incidentId]);
  }
  for (const row of batch.deliveries)
    q(
      `INSERT INTO deliveries (id, channel, lane, content, incident_id, created_at, attempts, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending')`,
      [
        row.id,
        row.channel,
        row.lane,
        toJsonColumn(row.content, `delivery ${row.id}'s content`),
        row.incidentId ?? null,
        row.createdAt,
        row.attempts,
      ],
    );
  for (const update of batch.deliveryUpdates) {
    if (update.kind === 'attempt')
      q("UPDATE deliveries SET attempts = $2 WHERE id = $1 AND state = 'pending'", [
        update.id,
        update.attempts,
      ]);
    else
      q('UPDATE deliveries SET state = $2, outcome_at = $3, receipt = $4, reason = $5 WHERE id = $1', [
        update.id,
        update.state,
        update.at,
        update.receipt.length > 0 ? JSON.stringify(update.receipt) : null,
        update.reason ?? null,
      ]);
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

function transitionStatements(q: Add, t: IncidentTransition, done: ReadonlySet<number>): void {
  const { from } = t.timeline;
  if (!Number.isSafeInteger(from) || from < 0)
    throw new RangeError(`incident #${t.incidentId}: timeline position ${from} is not an index`);
  q(
    `INSERT INTO incidents (id, group_id, summary, phase, open, snapshot, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
     ON CONFLICT (id) DO UPDATE SET group_id = excluded.group_id, summary = excluded.summary,
       phase = excluded.phase, open = excluded.open, snapshot = excluded.snapshot,
       updated_at = excluded.updated_at`,
    [
      t.incidentId,
      t.group,
      t.summary,
      t.phase,
      t.open,
      toJsonColumn(t.snapshot, `incident #${t.incidentId}'s snapshot`),
      t.at,
    ],
  );
  if (t.timeline.entries.length > 0) {
    const entries = t.timeline.entries;
    // One statement for the whole range: arrays unnested side by side.
    q(
      `INSERT INTO timeline (incident_id, seq, at, kind, actor, detail)
       SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (incident_id, seq) DO UPDATE SET
         at = excluded.at, kind = excluded.kind, actor = excluded.actor, detail = excluded.detail`,
      [
        t.incidentId,
        entries.map((_, index) => from + index),
        entries.map((entry) => entry.at),
        entries.map((entry) => entry.kind),
        entries.map((entry) => (entry.by === undefined ? null : toJsonColumn(entry.by, 'a timeline actor'))),
        entries.map((entry) => entry.detail ?? null),
      ],
    );
  }
  for (const { id, effect } of t.effects) {
    const json = toJsonColumn(effect, `incident #${t.incidentId}'s effect ${effect.type}`);
    if (!done.has(id))
      q('INSERT INTO effects (id, incident_id, effect, created_at) VALUES ($1, $2, $3, $4)', [
        id,
        t.incidentId,
        json,
        t.at,
      ]);
  }
}

function stateStatements(q: Add, batch: StoreBatch): void {
  // The first handling stands: a replay does not extend how long a message is remembered.
  for (const { durableId, at } of batch.handled)
    q('INSERT INTO handled (durable_id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [durableId, at]);
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
  for (const entry of batch.statusHistory)
    q('INSERT INTO status_history (kind, text, actor, at) VALUES ($1, $2, $3, $4)', [
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
