/**
 * The writes every transition commits (the incident row, its timeline, its effects, outbox rows and their
 * outcomes, inbound messages marked handled) go to PostgreSQL as one call of `firebell_commit` (PG
 * migration 5), each table's rows as parallel arrays. Why a function rather than statements: the server
 * plans its statements once per connection instead of parsing and planning four or more statements in
 * every commit, the call is a prepared statement whose values travel as bind parameters (a 2 KB snapshot
 * is not escaped into a literal), and a batch holding only these sections (nearly every commit) is one
 * statement, so one transaction in one round trip without BEGIN and COMMIT. The function checks the
 * fencing token first when it is given one.
 *
 * Rows become arrays, so a key given twice in one batch (an incident that moved twice in one tick) must be
 * merged here: an `INSERT ... ON CONFLICT DO UPDATE` refuses to touch a row twice, and an `UPDATE ... FROM`
 * applies one of two matching rows, not both in order. What is merged gives what the statements one by one
 * gave: the last values win, an incident keeps the creation time of its first transition, and an attempt
 * count recorded after the outcome of the same row changes nothing (the row is no longer pending).
 */
import type { DeliveryUpdate, StoreBatch } from '../../core/store.js';
import { toJsonColumn } from '../json-column.js';
import { withoutTimeline } from '../snapshot-timeline.js';
import type { SqlValue } from './sql-literals.js';

/** The function's parameters, in order, with the SQL type each array has. */
const PARAMETERS = [
  ['fence', 'bigint'],
  ['i_id', 'bigint[]'],
  ['i_group', 'text[]'],
  ['i_summary', 'text[]'],
  ['i_phase', 'text[]'],
  ['i_open', 'boolean[]'],
  ['i_snapshot', 'text[]'],
  ['i_created', 'bigint[]'],
  ['i_updated', 'bigint[]'],
  ['t_incident', 'bigint[]'],
  ['t_seq', 'integer[]'],
  ['t_at', 'bigint[]'],
  ['t_kind', 'text[]'],
  ['t_actor', 'text[]'],
  ['t_detail', 'text[]'],
  ['e_id', 'bigint[]'],
  ['e_incident', 'bigint[]'],
  ['e_effect', 'text[]'],
  ['e_created', 'bigint[]'],
  ['done', 'bigint[]'],
  ['d_id', 'text[]'],
  ['d_channel', 'text[]'],
  ['d_lane', 'text[]'],
  ['d_content', 'text[]'],
  ['d_incident', 'bigint[]'],
  ['d_created', 'bigint[]'],
  ['d_attempts', 'integer[]'],
  ['a_id', 'text[]'],
  ['a_attempts', 'integer[]'],
  ['o_id', 'text[]'],
  ['o_state', 'text[]'],
  ['o_at', 'bigint[]'],
  ['o_receipt', 'text[]'],
  ['o_reason', 'text[]'],
  ['h_id', 'text[]'],
  ['h_at', 'bigint[]'],
] as const;

/** The call, as a prepared statement's text: each parameter cast, so the literal form reads the same. */
export const COMMIT_CALL = `SELECT firebell_commit(${PARAMETERS.map(([, type], index) => `$${index + 1}::${type}`).join(', ')})`;

/**
 * The prepared statement's name on each connection (node-postgres prepares it once per connection and
 * keeps it). A migration that changes the function's parameters must change the name too, or connections
 * opened before it would call the old signature.
 */
export const COMMIT_STATEMENT_NAME = 'firebell_commit';

/**
 * The advisory lock that orders commits and takeovers (PG migration 8): this class and the lease table's
 * oid, so schemas sharing one database (tests, benchmarks) do not wait for each other.
 */
export const FENCE_LOCK_CLASS = 0x66697265; // "fire"

/**
 * The function as migration 9 left it (migration 5 created it; 7, 8 and 9 replace it, so all install this
 * text). A call may run twice with the same rows: when the connection drops after the server committed
 * and before its answer arrived, the journal cannot tell and commits the batch again. Every write is
 * therefore one that a second run leaves as the first left it (since migration 9 the effects and outbox
 * rows are inserted `ON CONFLICT DO NOTHING`: before, the second run hit their unique keys, and the
 * journal, which retries a failed commit until it succeeds, held every later write behind it: a firebell
 * that never spoke again). The fencing check is its first statement: it takes the fence lock shared, then reads the lease
 * row where the token is current and the lease not expired, or raises and nothing after it runs. A
 * takeover (any change of the token) takes that lock exclusive first (the lease row's trigger, migration
 * 8), so it waits for the commits in flight, and a commit that comes later waits for the takeover and then
 * reads the new token (each statement of a function reads the rows as committed when it starts). A row
 * lock on the lease (`FOR SHARE`, until migration 8) gave the same order, but wrote the lock into the
 * row: a WAL record and a dirtied page in every commit.
 *
 * Each section runs only when it has rows. The function keeps one plan per statement
 * (`force_generic_plan`): left to choose, PostgreSQL plans again in every call, as the arrays' lengths
 * make each custom plan look cheaper than the kept one. A kept plan is made without those
 * lengths, so the rows that are updated are updated one by one, each found by its key (a join with the
 * arrays may be planned as a scan of the whole table); the rows that are inserted go in from the arrays
 * at once. An incident row is updated, and inserted only when it was not there: an `ON CONFLICT DO
 * UPDATE` would lock the row and log the lock before updating it, in every commit, for the one
 * transition in an incident's life that creates it.
 */
export const COMMIT_FUNCTION_SQL = `
  CREATE OR REPLACE FUNCTION firebell_commit(${PARAMETERS.map(([name, type]) => `${name} ${type}`).join(', ')})
  RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $commit$
  BEGIN
    IF fence IS NOT NULL THEN
      PERFORM pg_advisory_xact_lock_shared(${FENCE_LOCK_CLASS}, 'lease'::regclass::oid::integer);
      PERFORM 1 FROM lease WHERE name = 'active' AND token = fence AND expires_at > now();
      IF NOT FOUND THEN
        RAISE EXCEPTION 'fencing token % is not the current lease', fence USING ERRCODE = 'FB001';
      END IF;
    END IF;
    FOR k IN 1 .. coalesce(cardinality(i_id), 0) LOOP
      UPDATE incidents SET group_id = i_group[k], summary = i_summary[k], phase = i_phase[k],
        open = i_open[k], snapshot = i_snapshot[k], updated_at = i_updated[k]
      WHERE id = i_id[k];
      IF NOT FOUND THEN
        INSERT INTO incidents (id, group_id, summary, phase, open, snapshot, created_at, updated_at)
        VALUES (i_id[k], i_group[k], i_summary[k], i_phase[k], i_open[k], i_snapshot[k], i_created[k],
          i_updated[k]);
      END IF;
    END LOOP;
    IF cardinality(t_incident) > 0 THEN
      INSERT INTO timeline (incident_id, seq, at, kind, actor, detail)
      SELECT * FROM unnest(t_incident, t_seq, t_at, t_kind, t_actor, t_detail)
      ON CONFLICT (incident_id, seq) DO UPDATE SET
        at = excluded.at, kind = excluded.kind, actor = excluded.actor, detail = excluded.detail;
    END IF;
    IF cardinality(e_id) > 0 THEN
      INSERT INTO effects (id, incident_id, effect, created_at)
      SELECT * FROM unnest(e_id, e_incident, e_effect, e_created) ON CONFLICT (id) DO NOTHING;
    END IF;
    IF cardinality(done) > 0 THEN
      DELETE FROM effects WHERE id = ANY (done);
    END IF;
    IF cardinality(d_id) > 0 THEN
      INSERT INTO deliveries (id, channel, lane, content, incident_id, created_at, attempts, state)
      SELECT *, 'pending' FROM unnest(d_id, d_channel, d_lane, d_content, d_incident, d_created, d_attempts)
      ON CONFLICT (id) DO NOTHING;
    END IF;
    FOR k IN 1 .. coalesce(cardinality(a_id), 0) LOOP
      UPDATE deliveries SET attempts = a_attempts[k] WHERE id = a_id[k] AND state = 'pending';
    END LOOP;
    FOR k IN 1 .. coalesce(cardinality(o_id), 0) LOOP
      UPDATE deliveries SET state = o_state[k], outcome_at = o_at[k], receipt = o_receipt[k],
        reason = o_reason[k]
      WHERE id = o_id[k];
    END LOOP;
    IF cardinality(h_id) > 0 THEN
      -- The first handling stands: a replay does not extend how long a message is remembered.
      INSERT INTO handled (durable_id, at) SELECT * FROM unnest(h_id, h_at) ON CONFLICT DO NOTHING;
    END IF;
  END
  $commit$;
`;

/** The sections of a batch the function writes: a batch with nothing else is the call alone. */
export function onlyCommitFunctionSections(batch: StoreBatch): boolean {
  return (
    batch.quarantines.length === 0 &&
    batch.keyValues.length === 0 &&
    batch.alert === undefined &&
    batch.savedTopics.length === 0 &&
    batch.statusHistory.length === 0 &&
    batch.usedAckLinks.length === 0 &&
    batch.longMessages.length === 0 &&
    batch.prune === undefined
  );
}

/**
 * The call's values for `batch`, fenced with `token` when there is one. Built column by column in one pass
 * over the batch: a row's place in its columns is found by its key, so a key given twice is merged into
 * the place it took first (see the file's comment).
 */
export function commitParameters(batch: StoreBatch, token: bigint | undefined): SqlValue[] {
  const done = new Set(batch.effectsDone);
  const incidents = {
    id: [] as number[],
    group: [] as string[],
    summary: [] as string[],
    phase: [] as string[],
    open: [] as boolean[],
    snapshot: [] as string[],
    created: [] as number[],
    updated: [] as number[],
  };
  const incidentPlace = new Map<number, number>();
  const timeline = {
    incident: [] as number[],
    seq: [] as number[],
    at: [] as number[],
    kind: [] as string[],
    actor: [] as (string | null)[],
    detail: [] as (string | null)[],
  };
  const entryPlace = new Map<string, number>();
  const effects = {
    id: [] as number[],
    incident: [] as number[],
    effect: [] as string[],
    created: [] as number[],
  };
  const asked = new Set<number>();
  for (const t of batch.transitions) {
    const { from } = t.timeline;
    if (!Number.isSafeInteger(from) || from < 0)
      throw new RangeError(`incident #${t.incidentId}: timeline position ${from} is not an index`);
    // Without its timeline: the timeline rows below hold it (snapshot-timeline.ts).
    const snapshot = toJsonColumn(withoutTimeline(t.snapshot), `incident #${t.incidentId}'s snapshot`);
    let row = incidentPlace.get(t.incidentId);
    if (row === undefined) {
      row = incidents.id.push(t.incidentId) - 1;
      incidentPlace.set(t.incidentId, row);
      // Created when its first transition in the batch happened; later ones only update.
      incidents.created[row] = t.at;
    }
    incidents.group[row] = t.group;
    incidents.summary[row] = t.summary;
    incidents.phase[row] = t.phase;
    incidents.open[row] = t.open;
    incidents.snapshot[row] = snapshot;
    incidents.updated[row] = t.at;
    t.timeline.entries.forEach((entry, index) => {
      const seq = from + index;
      const key = `${t.incidentId}:${seq}`;
      let place = entryPlace.get(key);
      if (place === undefined) {
        place = timeline.incident.push(t.incidentId) - 1;
        entryPlace.set(key, place);
        timeline.seq[place] = seq;
      }
      timeline.at[place] = entry.at;
      timeline.kind[place] = entry.kind;
      timeline.actor[place] = entry.by === undefined ? null : toJsonColumn(entry.by, 'a timeline actor');
      timeline.detail[place] = entry.detail ?? null;
    });
    for (const { id, effect } of t.effects) {
      asked.add(id);
      // An effect done in the batch that asked for it is never written (nor serialised).
      if (done.has(id)) continue;
      effects.id.push(id);
      effects.incident.push(t.incidentId);
      effects.effect.push(toJsonColumn(effect, `incident #${t.incidentId}'s effect ${effect.type}`));
      effects.created.push(t.at);
    }
  }
  const older = batch.effectsDone.filter((id) => !asked.has(id));
  const deliveries = {
    id: [] as string[],
    channel: [] as string[],
    lane: [] as string[],
    content: [] as string[],
    incident: [] as (number | null)[],
    created: [] as number[],
    attempts: [] as number[],
  };
  for (const row of batch.deliveries) {
    deliveries.id.push(row.id);
    deliveries.channel.push(row.channel);
    deliveries.lane.push(row.lane);
    deliveries.content.push(toJsonColumn(row.content, `delivery ${row.id}'s content`));
    deliveries.incident.push(row.incidentId ?? null);
    deliveries.created.push(row.createdAt);
    deliveries.attempts.push(row.attempts);
  }
  const { attempts, outcomes } = mergedDeliveryUpdates(batch.deliveryUpdates);
  const outcome = {
    id: [] as string[],
    state: [] as string[],
    at: [] as number[],
    receipt: [] as (string | null)[],
    reason: [] as (string | null)[],
  };
  for (const update of outcomes) {
    outcome.id.push(update.id);
    outcome.state.push(update.state);
    outcome.at.push(update.at);
    outcome.receipt.push(update.receipt.length > 0 ? JSON.stringify(update.receipt) : null);
    outcome.reason.push(update.reason ?? null);
  }
  return [
    token === undefined ? null : token.toString(),
    incidents.id,
    incidents.group,
    incidents.summary,
    incidents.phase,
    incidents.open,
    incidents.snapshot,
    incidents.created,
    incidents.updated,
    timeline.incident,
    timeline.seq,
    timeline.at,
    timeline.kind,
    timeline.actor,
    timeline.detail,
    effects.id,
    effects.incident,
    effects.effect,
    effects.created,
    older,
    deliveries.id,
    deliveries.channel,
    deliveries.lane,
    deliveries.content,
    deliveries.incident,
    deliveries.created,
    deliveries.attempts,
    [...attempts.keys()],
    [...attempts.values()],
    outcome.id,
    outcome.state,
    outcome.at,
    outcome.receipt,
    outcome.reason,
    batch.handled.map((mark) => mark.durableId),
    batch.handled.map((mark) => mark.at),
  ];
}

type Outcome = Extract<DeliveryUpdate, { kind: 'outcome' }>;

/** Each row's last attempt count before its outcome, and its last outcome (see the file's comment). */
function mergedDeliveryUpdates(updates: readonly DeliveryUpdate[]): {
  attempts: Map<string, number>;
  outcomes: Outcome[];
} {
  const attempts = new Map<string, number>();
  const outcomes = new Map<string, Outcome>();
  for (const update of updates) {
    if (update.kind === 'outcome') outcomes.set(update.id, update);
    else if (!outcomes.has(update.id)) attempts.set(update.id, update.attempts);
  }
  return { attempts, outcomes: [...outcomes.values()] };
}
