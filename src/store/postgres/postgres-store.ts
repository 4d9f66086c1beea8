/**
 * The `Store` port on PostgreSQL (node-postgres): each batch one transaction on a pooled connection.
 *
 * Fencing: when an instance runs under the lease (lease.ts), `fence(token)` makes every commit first check
 * that the token is current and the lease not expired (`firebell_commit`, in the same round trip as the
 * writes); when it is not, the database raises, and the transaction rolls back with a `FencedError`, so an
 * instance that lost its lease (its connection dropped, its host paused past the lease) cannot write, and
 * since the core sends nothing before its commit, cannot send. The check holds the fence lock shared, and a
 * takeover takes it exclusive (commit-function.ts), so a takeover waits for a commit in flight and the new
 * active instance loads everything the old one committed.
 */
import pg from 'pg';
import type { TimelineEntry } from '../../../machines/incident-types.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import {
  RefusedBatchError,
  type IncidentRecord,
  type LoadedState,
  type LongMessageRow,
  type StatusEntry,
  type Store,
  type StoreBatch,
  type StoredDelivery,
} from '../../core/store.js';
import type { Actor } from '../../../machines/incident-types.js';
import { batchStatements } from './batch-writes.js';
import {
  COMMIT_CALL,
  COMMIT_STATEMENT_NAME,
  commitParameters,
  onlyCommitFunctionSections,
} from './commit-function.js';
import {
  DELIVERY_COLUMNS,
  INCIDENT_COLUMNS,
  displayRecord,
  openRecord,
  toAnnouncements,
  toDeliveries,
  toEffects,
  timelinesByIncident,
  toTimelineEntry,
  type AnnouncementRow,
  type DeliveryRow,
  type IncidentRow,
  type TimelineRow,
} from '../row-readers.js';
import { lacksTimeline, withTimeline } from '../snapshot-timeline.js';
import { describeUrl } from './describe-url.js';
import { FENCED_SQLSTATE, migratePostgres } from './schema.js';
import { inlineStatement } from './sql-literals.js';
import { errorMessage } from '../../core/error-message.js';

/** A commit refused because this instance's fencing token is no longer the active one. */
export class FencedError extends Error {
  override readonly name = 'FencedError';
}

/**
 * The batch's statements, built before a connection is taken. A value they cannot hold (a number past
 * bigint, a snapshot JSON cannot write) fails here, the same way each time: a refusal of the batch.
 */
function built(batch: StoreBatch, token: bigint | undefined) {
  try {
    const call = { sql: COMMIT_CALL, params: commitParameters(batch, token) };
    // Nearly every commit is the call alone: one statement, so one transaction in one round trip, as a
    // prepared statement with bind parameters (commit-function.ts).
    const alone = onlyCommitFunctionSections(batch);
    const statements = alone ? [] : batchStatements(batch);
    // A statement that must find its row (a quarantine) is checked before the COMMIT, a second trip.
    const checked = statements.some((statement) => statement.refusedWithoutRow !== undefined);
    // Otherwise one simple-protocol string: PostgreSQL runs its statements in order and skips the rest
    // after the first error, leaving the transaction aborted for the ROLLBACK below.
    const text = alone
      ? ''
      : [
          'BEGIN',
          inlineStatement(call),
          ...statements.map(inlineStatement),
          ...(checked ? [] : ['COMMIT']),
        ].join(';\n');
    return { call, alone, statements, checked, text };
  } catch (error) {
    if (error instanceof RangeError || error instanceof TypeError)
      throw new RefusedBatchError(errorMessage(error), { cause: error });
    throw error;
  }
}

export class PostgresStoreOpenError extends Error {
  override readonly name = 'PostgresStoreOpenError';
}

// bigint columns hold milliseconds and ids, all far below 2^53: read them as numbers.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as never,
};

export interface PostgresStoreOptions {
  readonly logger?: Logger;
  /** A schema to work in (tests give each their own); default: the connection's search_path. */
  readonly schema?: string;
  /** Connections in the pool: commits run one at a time, reads beside them. */
  readonly maxConnections?: number;
  /** Names the connections in pg_stat_activity (operators, and the tests that cut them). */
  readonly applicationName?: string;
  /**
   * How long the server lets one of our transactions sit idle before it aborts it. A holder paused
   * mid-commit (SIGSTOP, a frozen VM) would otherwise keep its lock on the lease row, and no standby could
   * take over until it woke. Default 5 s; the lease sets it to its own length.
   */
  readonly idleTransactionTimeoutMs?: number;
}

export class PostgresStore implements Store {
  private token: bigint | undefined;

  private constructor(
    readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  /** Connects and applies pending migrations (once, under the advisory lock); throws naming the server. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const logger = options.logger ?? silentLogger;
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 4,
      idle_in_transaction_session_timeout: options.idleTransactionTimeoutMs ?? 5_000,
      ...(options.applicationName ? { application_name: options.applicationName.slice(0, 63) } : {}),
      types,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // A dropped idle connection must not crash the process: the next query reconnects.
    pool.on('error', (error) => logger.warn({ error: error.message }, 'a PostgreSQL connection dropped'));
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, logger);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new PostgresStoreOpenError(
        `cannot open the store at ${describeUrl(url)}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    return new PostgresStore(pool, logger);
  }

  /** From now on every commit carries `token` and is refused unless it holds the current lease. */
  fence(token: bigint): void {
    this.token = token;
  }

  async load(): Promise<LoadedState> {
    const one = async <T>(sql: string): Promise<T> => (await this.pool.query(sql)).rows[0] as T;
    const all = async <T>(sql: string): Promise<T[]> => (await this.pool.query(sql)).rows as T[];
    const alert = await one<{ entry: string } | undefined>('SELECT entry FROM status_alert WHERE slot = 1');
    return {
      lastIncidentId: (
        await one<{ n: number }>(
          `SELECT greatest((SELECT coalesce(max(id), 0) FROM incidents),
                  (SELECT coalesce(max(value), 0) FROM counters WHERE name = 'incident'))::bigint AS n`,
        )
      ).n,
      lastEffectId: (await one<{ n: number }>('SELECT coalesce(max(id), 0)::bigint AS n FROM effects')).n,
      openIncidents: await this.withTimelines(
        (
          await all<IncidentRow>(
            `SELECT ${INCIDENT_COLUMNS} FROM incidents i WHERE open
             AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.incident_id = i.id) ORDER BY id`,
          )
        ).map((row) => openRecord(row, this.logger)),
        'open',
      ),
      pendingEffects: toEffects(
        await all('SELECT id, incident_id, effect FROM effects ORDER BY id'),
        this.logger,
      ),
      pendingDeliveries: toDeliveries(
        await all<DeliveryRow>(
          `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE state = 'pending' ORDER BY seq`,
        ),
        this.logger,
      ),
      // As SQLite's (sqlite-delivery-rows.ts): delivered rows of the incidents whose announcements matter.
      announcements: toAnnouncements(
        await all<AnnouncementRow>(
          `SELECT incident_id, channel, content, receipt FROM deliveries
           WHERE state = 'delivered' AND incident_id IS NOT NULL
             AND (incident_id IN (SELECT id FROM incidents WHERE open)
               OR incident_id IN (SELECT incident_id FROM deliveries WHERE state = 'pending'))
           ORDER BY seq`,
        ),
      ),
      keyValues: await all('SELECT namespace, key, value FROM kv'),
      alert: alert === undefined ? undefined : (JSON.parse(alert.entry) as StatusEntry),
      savedTopics: await all('SELECT network, conversation, topic FROM saved_topics'),
    };
  }

  async commit(batch: StoreBatch): Promise<void> {
    // Built before a connection is taken: a value that cannot be written fails here, with nothing sent.
    // The call checks the fencing token first, under the fence lock, or raises (commit-function.ts), and
    // nothing after it runs.
    const { call, alone, statements, checked, text } = built(batch, this.token);
    const client = await this.pool.connect();
    // A connection the server ends while it is checked out (pg_terminate_backend, the idle-transaction
    // timeout after a pause) reports it as an 'error' event: unheard, that would crash the process
    // instead of failing this commit, which the journal retries and the lease judges.
    const dropped = (error: Error): void =>
      this.logger.warn({ error: error.message }, 'a PostgreSQL connection dropped during a commit');
    client.on('error', dropped);
    let broken = false;
    try {
      if (alone) {
        await client.query({ name: COMMIT_STATEMENT_NAME, text: COMMIT_CALL, values: call.params });
        return;
      }
      const results = (await client.query(text)) as unknown as pg.QueryResult[];
      if (checked) {
        statements.forEach((statement, index) => {
          if (statement.refusedWithoutRow !== undefined && results[2 + index]?.rowCount === 0)
            throw new RefusedBatchError(statement.refusedWithoutRow);
        });
        await client.query('COMMIT');
      }
    } catch (error) {
      // After the call alone there is no transaction left open (the statement was its own): no trip.
      if (!alone)
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
      const code = (error as { code?: unknown } | null)?.code;
      if (code === FENCED_SQLSTATE)
        throw new FencedError(`fencing token ${this.token} is not the current lease: the commit is refused`, {
          cause: error,
        });
      // Classes 22 (data exception) and 23 (integrity constraint violation): the rows, not the server.
      if (typeof code === 'string' && /^2[23]/.test(code))
        throw new RefusedBatchError(errorMessage(error), { cause: error });
      throw error;
    } finally {
      client.off('error', dropped);
      // A connection that could not even roll back is not given to the next commit.
      client.release(broken);
    }
  }

  async handled(durableId: string): Promise<boolean> {
    return (await this.pool.query('SELECT 1 FROM handled WHERE durable_id = $1', [durableId])).rowCount !== 0;
  }

  async ackLinkUsed(linkId: string): Promise<boolean> {
    return (
      (await this.pool.query('SELECT 1 FROM used_ack_links WHERE link_id = $1', [linkId])).rowCount !== 0
    );
  }

  async incident(id: number): Promise<IncidentRecord | undefined> {
    const { rows } = await this.pool.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = $1`,
      [id],
    );
    return rows[0] && (await this.withTimelines([displayRecord(rows[0], this.logger)]))[0];
  }

  async timeline(id: number): Promise<TimelineEntry[]> {
    const { rows } = await this.pool.query<TimelineRow>(
      'SELECT at, kind, actor, detail FROM timeline WHERE incident_id = $1 ORDER BY seq',
      [id],
    );
    return rows.map((row) => toTimelineEntry(row));
  }

  async recentIncidents(limit: number): Promise<IncidentRecord[]> {
    const { rows } = await this.pool.query<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return this.withTimelines(rows.map((row) => displayRecord(row, this.logger)));
  }

  /**
   * The records' snapshots made whole: those stored without their timeline (commit-function.ts) get it
   * back from the timeline rows, read in one query rather than one per incident, and only when one lacks
   * it. At load the rows read are every open incident's (`'open'`): the records are all of those.
   */
  private async withTimelines(
    records: IncidentRecord[],
    rowsOf: 'open' | 'these' = 'these',
  ): Promise<IncidentRecord[]> {
    const lacking = records.filter((record) => lacksTimeline(record.snapshot));
    if (lacking.length === 0) return records;
    const { rows } = await this.pool.query<TimelineRow & { incident_id: number }>(
      rowsOf === 'open'
        ? `SELECT t.incident_id, t.at, t.kind, t.actor, t.detail FROM incidents i
           JOIN timeline t ON t.incident_id = i.id WHERE i.open ORDER BY t.incident_id, t.seq`
        : `SELECT incident_id, at, kind, actor, detail FROM timeline
           WHERE incident_id = ANY ($1::bigint[]) ORDER BY incident_id, seq`,
      rowsOf === 'open' ? [] : [lacking.map((record) => record.id)],
    );
    const timelines = timelinesByIncident(rows);
    for (const record of lacking) withTimeline(record.snapshot, () => timelines.get(record.id) ?? []);
    return records;
  }

  async statusHistory(limit: number): Promise<StatusEntry[]> {
    const { rows } = await this.pool.query<{
      kind: StatusEntry['kind'];
      text: string;
      actor: string;
      at: number;
    }>('SELECT kind, text, actor, at FROM status_history ORDER BY id DESC LIMIT $1', [limit]);
    return rows.map((row) => ({
      kind: row.kind,
      text: row.text,
      by: JSON.parse(row.actor) as Actor,
      at: row.at,
    }));
  }

  async deliveries(incidentId: number): Promise<StoredDelivery[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE incident_id = $1 ORDER BY seq`,
      [incidentId],
    );
    return toDeliveries(rows, this.logger);
  }

  async longMessage(slot: number): Promise<LongMessageRow | undefined> {
    const { rows } = await this.pool.query<LongMessageRow>(
      'SELECT slot, id, message FROM long_messages WHERE slot = $1',
      [slot],
    );
    return rows[0];
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
