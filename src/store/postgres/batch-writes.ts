/**
 * One batch's statements on PostgreSQL, in the port's section order (store.ts), inside the caller's
 * transaction. Each statement is a round trip; the journal gathers a tick's writes into one batch, so a
 * page waits for one transaction, not one per row.
 */
import type { PoolClient } from 'pg';
import type { IncidentTransition, StoreBatch } from '../../core/store.js';
import { toJsonColumn } from '../json-column.js';

export async function writeBatch(client: PoolClient, batch: StoreBatch): Promise<void> {
  const q = (sql: string, params: unknown[]): Promise<unknown> => client.query(sql, params);
  const done = new Set(batch.effectsDone);
  for (const transition of batch.transitions) await writeTransition(client, transition, done);
  // Effects done in the batch that asked for them were never written: only older ones need deleting.
  const written = new Set(batch.transitions.flatMap((t) => t.effects.map((effect) => effect.id)));
  const older = batch.effectsDone.filter((id) => !written.has(id));
  if (older.length > 0) await q('DELETE FROM effects WHERE id = ANY($1::bigint[])', [older]);
  for (const { incidentId, reason } of batch.quarantines) {
    const inserted = await client.query(
      `INSERT INTO quarantine (incident_id, reason, snapshot, at)
       SELECT id, $2, snapshot, $3 FROM incidents WHERE id = $1
       ON CONFLICT (incident_id) DO UPDATE SET
         reason = excluded.reason, snapshot = excluded.snapshot, at = excluded.at`,
      [incidentId, reason, batch.at],
    );
    if (inserted.rowCount === 0) throw new RangeError(`there is no incident #${incidentId} to quarantine`);
    // Its effects belong to a state nobody can restore: they must never run.
    await q('DELETE FROM effects WHERE incident_id = $1', [incidentId]);
  }
  for (const row of batch.deliveries)
    await q(
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
      await q("UPDATE deliveries SET attempts = $2 WHERE id = $1 AND state = 'pending'", [
        update.id,
        update.attempts,
      ]);
    else
      await q('UPDATE deliveries SET state = $2, outcome_at = $3, receipt = $4, reason = $5 WHERE id = $1', [
        update.id,
        update.state,
        update.at,
        update.receipt.length > 0 ? JSON.stringify(update.receipt) : null,
        update.reason ?? null,
      ]);
  }
  await writeState(client, batch);
  if (batch.prune) {
    const { incidentDeliveriesBefore, otherDeliveriesBefore, handledBefore } = batch.prune;
    await q(
      `DELETE FROM deliveries WHERE state <> 'pending' AND
         ((incident_id IS NOT NULL AND outcome_at < $1) OR (incident_id IS NULL AND outcome_at < $2))`,
      [incidentDeliveriesBefore, otherDeliveriesBefore],
    );
    await q('DELETE FROM handled WHERE at < $1', [handledBefore]);
    await q('DELETE FROM used_ack_links WHERE at < $1', [handledBefore]);
  }
}

async function writeTransition(
  client: PoolClient,
  t: IncidentTransition,
  done: ReadonlySet<number>,
): Promise<void> {
  const { from } = t.timeline;
  if (!Number.isSafeInteger(from) || from < 0)
    throw new RangeError(`incident #${t.incidentId}: timeline position ${from} is not an index`);
  await client.query(
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
    await client.query(
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
      await client.query(
        'INSERT INTO effects (id, incident_id, effect, created_at) VALUES ($1, $2, $3, $4)',
        [id, t.incidentId, json, t.at],
      );
  }
}

async function writeState(client: PoolClient, batch: StoreBatch): Promise<void> {
  const q = (sql: string, params: unknown[]): Promise<unknown> => client.query(sql, params);
  // The first handling stands: a replay does not extend how long a message is remembered.
  for (const { durableId, at } of batch.handled)
    await q('INSERT INTO handled (durable_id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [durableId, at]);
  for (const { namespace, key, value } of batch.keyValues) {
    if (value === null) await q('DELETE FROM kv WHERE namespace = $1 AND key = $2', [namespace, key]);
    else
      await q(
        `INSERT INTO kv (namespace, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
        [namespace, key, value],
      );
  }
  if (batch.alert === null) await q('DELETE FROM status_alert', []);
  else if (batch.alert !== undefined)
    await q(
      `INSERT INTO status_alert (slot, entry) VALUES (1, $1)
       ON CONFLICT (slot) DO UPDATE SET entry = excluded.entry`,
      [JSON.stringify(batch.alert)],
    );
  for (const { network, conversation, topic, at } of batch.savedTopics) {
    if (topic === null)
      await q('DELETE FROM saved_topics WHERE network = $1 AND conversation = $2', [network, conversation]);
    // The first saved topic stands: a second alert must not save the first alert's text as "the topic".
    else
      await q(
        `INSERT INTO saved_topics (network, conversation, topic, saved_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [network, conversation, topic, at],
      );
  }
  for (const entry of batch.statusHistory)
    await q('INSERT INTO status_history (kind, text, actor, at) VALUES ($1, $2, $3, $4)', [
      entry.kind,
      entry.text,
      JSON.stringify(entry.by),
      entry.at,
    ]);
  if (batch.usedAckLinks.length > 0)
    await q(
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
    await q(
      `INSERT INTO long_messages (slot, id, message) VALUES ($1, $2, $3)
       ON CONFLICT (slot) DO UPDATE SET id = excluded.id, message = excluded.message`,
      [slot, id, message],
    );
}
