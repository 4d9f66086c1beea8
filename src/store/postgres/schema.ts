/**
 * firebell's tables on PostgreSQL: the same rows as the SQLite migrations 001–004 (see src/store/migrations/
 * for why each table is shaped as it is), written fresh rather than replayed, plus the lease row that
 * elects the one active instance (lease.ts). Times are milliseconds since the epoch (bigint), as on SQLite;
 * JSON is kept as text, so both back ends store the same bytes.
 *
 * Migrations are applied by id, each recorded in `firebell_migrations`; PostgreSQL's DDL is transactional,
 * so the pending ones run in one transaction under a transaction-scoped advisory lock: two instances
 * starting at once apply them once, the second waits and finds them done.
 */
import type { PoolClient } from 'pg';
import type { Logger } from '../../core/logger.js';
import { TIMELINE_IN_ROWS } from '../snapshot-timeline.js';
import { COMMIT_FUNCTION_SQL, FENCE_LOCK_CLASS } from './commit-function.js';

export interface PostgresMigration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

/** The advisory lock key migrations take: an arbitrary constant, "firebell" in ASCII. */
export const MIGRATION_LOCK_KEY = 0x6669726562656c6cn;

/**
 * The stored snapshot text made whole, as `withTimeline` does (snapshot-timeline.ts): one marked as
 * stored without its timeline gets the rows' timeline back and loses the mark; any other (stored whole,
 * or damaged so it does not parse, or a damaged actor in its rows) comes back as it is stored. The text
 * is jsonb's (keys reordered, spaces added): the same value, for people to read.
 */
const WHOLE_SNAPSHOT_FUNCTION_SQL = `
  CREATE FUNCTION firebell_whole_snapshot(stored text, incident bigint) RETURNS text
  LANGUAGE plpgsql STABLE AS $whole$
  DECLARE
    whole jsonb;
  BEGIN
    whole := stored::jsonb;
    IF jsonb_typeof(whole) <> 'object' OR whole -> '${TIMELINE_IN_ROWS}' IS DISTINCT FROM 'true'::jsonb THEN
      RETURN stored;
    END IF;
    whole := whole - '${TIMELINE_IN_ROWS}';
    IF jsonb_typeof(whole -> 'context') = 'object' THEN
      whole := jsonb_set(whole, '{context,timeline}', (
        SELECT coalesce(jsonb_agg(
          jsonb_build_object('at', at, 'kind', kind)
            || CASE WHEN actor IS NULL THEN '{}' ELSE jsonb_build_object('by', actor::jsonb) END
            || CASE WHEN detail IS NULL THEN '{}' ELSE jsonb_build_object('detail', detail) END
          ORDER BY seq), '[]')
        FROM timeline WHERE incident_id = incident));
    END IF;
    RETURN whole::text;
  EXCEPTION WHEN invalid_text_representation THEN
    RETURN stored;
  END
  $whole$;
`;

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    id: 1,
    name: 'initial',
    sql: `
      CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);
      INSERT INTO counters (name, value) VALUES ('incident', 0);
      CREATE TABLE incidents (
        id bigint PRIMARY KEY,
        group_id text NOT NULL,
        summary text NOT NULL,
        phase text NOT NULL CHECK (phase IN ('detected', 'announced', 'assigned', 'resolved')),
        open boolean NOT NULL,
        snapshot text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
      );
      CREATE INDEX incidents_open ON incidents (id) WHERE open;
      CREATE TABLE timeline (
        incident_id bigint NOT NULL REFERENCES incidents (id),
        seq integer NOT NULL CHECK (seq >= 0),
        at bigint NOT NULL,
        kind text NOT NULL,
        actor text,
        detail text,
        PRIMARY KEY (incident_id, seq)
      );
      CREATE TABLE effects (
        id bigint PRIMARY KEY,
        incident_id bigint NOT NULL REFERENCES incidents (id),
        effect text NOT NULL,
        created_at bigint NOT NULL
      );
      CREATE TABLE quarantine (
        incident_id bigint PRIMARY KEY REFERENCES incidents (id),
        reason text NOT NULL,
        snapshot text NOT NULL,
        at bigint NOT NULL
      );
      CREATE TABLE kv (
        namespace text NOT NULL,
        key text NOT NULL,
        value text NOT NULL,
        PRIMARY KEY (namespace, key)
      );
      CREATE TABLE status_alert (slot integer PRIMARY KEY CHECK (slot = 1), entry text NOT NULL);
      CREATE TABLE saved_topics (
        network text NOT NULL,
        conversation text NOT NULL,
        topic text NOT NULL,
        saved_at bigint NOT NULL,
        PRIMARY KEY (network, conversation)
      );
      CREATE TABLE status_history (
        id bigserial PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('alert', 'notice', 'log', 'ok', 'success')),
        text text NOT NULL,
        actor text NOT NULL,
        at bigint NOT NULL
      );
      CREATE TABLE deliveries (
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        channel text NOT NULL,
        lane text NOT NULL CHECK (lane IN ('urgent', 'normal', 'relay', 'bulk')),
        content text NOT NULL,
        incident_id bigint REFERENCES incidents (id),
        created_at bigint NOT NULL,
        attempts integer NOT NULL CHECK (attempts >= 0),
        state text NOT NULL CHECK (state IN ('pending', 'delivered', 'refused', 'timed-out')),
        outcome_at bigint,
        receipt text,
        reason text
      );
      CREATE INDEX deliveries_pending ON deliveries (seq) WHERE state = 'pending';
      CREATE INDEX deliveries_incident ON deliveries (incident_id);
      CREATE TABLE handled (durable_id text PRIMARY KEY, at bigint NOT NULL);
      CREATE INDEX handled_at ON handled (at);
      CREATE TABLE long_messages (slot integer PRIMARY KEY, id text NOT NULL, message text NOT NULL);
    `,
  },
  {
    id: 2,
    name: 'lease',
    // One row: who is active, its fencing token (one more at every takeover, never reused), since when,
    // until when (the database's clock, so the instances' clocks need not agree), and why it took over.
    sql: `
      CREATE TABLE lease (
        name text PRIMARY KEY,
        holder text,
        token bigint NOT NULL,
        since timestamptz,
        expires_at timestamptz NOT NULL,
        reason text
      );
      INSERT INTO lease (name, token, expires_at) VALUES ('active', 0, '-infinity');
    `,
  },
  {
    id: 3,
    name: 'fence-function',
    // The fencing check as one statement that fails on its own: a commit is sent as one query string
    // (postgres-store.ts), so the check cannot wait for the client to read its row count. It takes the
    // lease row FOR SHARE (a takeover waits for the commit) or raises, and the transaction is aborted.
    // Migration 7 moved this check into firebell_commit and dropped the function.
    sql: `
      CREATE FUNCTION firebell_fence(expected bigint) RETURNS void LANGUAGE plpgsql AS $fence$
      BEGIN
        PERFORM 1 FROM lease WHERE name = 'active' AND token = expected AND expires_at > now() FOR SHARE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'fencing token % is not the current lease', expected USING ERRCODE = 'FB001';
        END IF;
      END
      $fence$;
    `,
  },
  {
    // Numbered as SQLite's 004-ack-links, which it mirrors (3 is PostgreSQL's own fencing function).
    id: 4,
    name: 'ack-links',
    sql: `
      CREATE TABLE used_ack_links (
        link_id text PRIMARY KEY,
        incident_id bigint NOT NULL,
        contact_id text NOT NULL,
        at bigint NOT NULL
      );
      CREATE INDEX used_ack_links_at ON used_ack_links (at);
    `,
  },
  {
    id: 5,
    name: 'commit-function',
    // The transition's writes as one planned function (commit-function.ts says why). And no index on the
    // outbox rows' state, as on SQLite (migration 003): it made every outcome a new row version with an
    // entry in each of the table's indexes, in the commit a page waits for, where without it the outcome
    // is rewritten in place (a HOT update: no index touched); the pending rows it found are read once per
    // start, by a scan the retention bounds.
    sql: `
      ${COMMIT_FUNCTION_SQL}
      DROP INDEX deliveries_pending;
    `,
  },
  {
    // Numbered as SQLite's 005, which it mirrors: from here on a snapshot is stored without its timeline
    // (snapshot-timeline.ts). A firebell from before could not read such a snapshot and would quarantine
    // every open incident; the record of this migration makes it refuse the database instead
    // (migratePostgres: an id it does not know). The function puts the timeline back into the quarantine's
    // copy, which is for people to read, in the statement that copies it (batch-writes.ts).
    id: 6,
    name: 'snapshot-timeline-in-rows',
    sql: WHOLE_SNAPSHOT_FUNCTION_SQL,
  },
  {
    // The fencing check moves into firebell_commit itself: the same statement (the lease row FOR SHARE
    // where the token is current and the lease not expired, or FB001), without calling a second plpgsql
    // function in every commit, which cost about 20-60 µs of a commit's 1.1 ms (issue 16).
    id: 7,
    name: 'commit-fence-inline',
    sql: `
      ${COMMIT_FUNCTION_SQL}
      DROP FUNCTION firebell_fence(bigint);
    `,
  },
  {
    // Two costs of every commit go (issue 16). The fence: commits take an advisory lock shared and read the
    // lease row without locking it, and any change of the token takes that lock exclusive first, here in
    // a trigger so that no takeover can skip it (commit-function.ts says why the order holds). And the
    // value checks of the rows a transition writes move from the tables into domains: PostgreSQL
    // rebuilds a table's CHECK constraints from their stored text in every statement that writes the
    // table (all of them, whichever columns change), while a domain's are kept built for the connection
    // and run only for the columns written. Same rules, same SQLSTATE (23514). Each column becomes its
    // domain while the domain has no check yet (no rewrite of the table), then the domain's check is
    // added, which reads the rows once to prove they hold.
    id: 8,
    name: 'fence-lock-and-domains',
    sql: `
      CREATE FUNCTION firebell_lease_takeover() RETURNS trigger LANGUAGE plpgsql AS $takeover$
      BEGIN
        PERFORM pg_advisory_xact_lock(${FENCE_LOCK_CLASS}, TG_RELID::integer);
        RETURN NEW;
      END
      $takeover$;
      CREATE TRIGGER lease_takeover BEFORE UPDATE ON lease FOR EACH ROW
        WHEN (NEW.token IS DISTINCT FROM OLD.token) EXECUTE FUNCTION firebell_lease_takeover();
      ${COMMIT_FUNCTION_SQL}
      CREATE DOMAIN firebell_phase AS text;
      CREATE DOMAIN firebell_lane AS text;
      CREATE DOMAIN firebell_delivery_state AS text;
      CREATE DOMAIN firebell_count AS integer;
      ALTER TABLE incidents DROP CONSTRAINT incidents_phase_check, ALTER phase TYPE firebell_phase;
      ALTER TABLE timeline DROP CONSTRAINT timeline_seq_check, ALTER seq TYPE firebell_count;
      ALTER TABLE deliveries DROP CONSTRAINT deliveries_lane_check, DROP CONSTRAINT deliveries_state_check,
        DROP CONSTRAINT deliveries_attempts_check, ALTER lane TYPE firebell_lane,
        ALTER state TYPE firebell_delivery_state, ALTER attempts TYPE firebell_count;
      ALTER DOMAIN firebell_phase ADD CHECK (VALUE IN ('detected', 'announced', 'assigned', 'resolved'));
      ALTER DOMAIN firebell_lane ADD CHECK (VALUE IN ('urgent', 'normal', 'relay', 'bulk'));
      ALTER DOMAIN firebell_delivery_state
        ADD CHECK (VALUE IN ('pending', 'delivered', 'refused', 'timed-out'));
      ALTER DOMAIN firebell_count ADD CHECK (VALUE >= 0);
    `,
  },
  {
    // A commit run twice (its answer lost with the connection) must leave what the first run left, not
    // fail on the rows it inserted (commit-function.ts).
    id: 9,
    name: 'commit-twice',
    sql: COMMIT_FUNCTION_SQL,
  },
  {
    // The same for the status history, which batch-writes.ts writes: a commit run twice posted a `#status`
    // twice on the status site. An entry is one person's words of one kind at one millisecond, so a second
    // row equal in all four is the repeat (the copies a repeated run left are dropped here, the first
    // kept). The text and actor are hashed in the index: a long status text would exceed a B-tree entry.
    id: 10,
    name: 'status-history-once',
    sql: `
      DELETE FROM status_history later USING status_history first
        WHERE later.id > first.id AND later.at = first.at AND later.kind = first.kind
          AND later.text = first.text AND later.actor = first.actor;
      CREATE UNIQUE INDEX status_history_entry ON status_history (at, kind, md5(text), md5(actor));
    `,
  },
];

/** The SQLSTATE `firebell_commit` raises: a commit under a token that is not the current lease. */
export const FENCED_SQLSTATE = 'FB001';

export class PostgresMigrationError extends Error {
  override readonly name = 'PostgresMigrationError';
}

/** Applies the pending migrations in one transaction under the advisory lock; returns their names. */
export async function migratePostgres(
  client: PoolClient,
  logger: Logger,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<string[]> {
  const label = (m: { id: number; name: string }): string => `${String(m.id).padStart(3, '0')}-${m.name}`;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS firebell_migrations (
      id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ id: number; name: string }>(
      'SELECT id, name FROM firebell_migrations ORDER BY id',
    );
    const known = new Map(migrations.map((m) => [m.id, m]));
    const unknown = rows.filter((row) => !known.has(row.id));
    if (unknown.length > 0)
      throw new PostgresMigrationError(
        `the database was migrated by a newer firebell (${unknown.map(label).join(', ')}); run the newer firebell`,
      );
    const done = new Set(rows.map((row) => row.id));
    const applied: string[] = [];
    for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
      if (done.has(migration.id)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO firebell_migrations (id, name) VALUES ($1, $2)', [
        migration.id,
        migration.name,
      ]);
      applied.push(label(migration));
    }
    await client.query('COMMIT');
    for (const name of applied) logger.info({ migration: name }, 'applied migration');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
