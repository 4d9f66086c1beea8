/**
 * The `Store` port on SQLite (better-sqlite3, synchronous inside): one connection, every statement
 * prepared once, each batch one IMMEDIATE transaction, all or nothing. With synchronous=FULL (database.ts)
 * each commit waits for an fsync of the WAL, which is why the core batches its writes through one journal.
 */
import type { SqliteDatabase as Database } from './sqlite-driver.js';
import type { TimelineEntry } from '../../machines/incident-types.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { errorMessage } from '../core/error-message.js';
import {
  RefusedBatchError,
  type IncidentRecord,
  type LoadedState,
  type LongMessageRow,
  type StatusEntry,
  type Store,
  type StoreBatch,
  type StoredDelivery,
} from '../core/store.js';
import { openDatabase, type OpenDatabaseOptions } from './database.js';
import { SqliteDeliveryRows } from './sqlite-delivery-rows.js';
import { SqliteIncidentRows } from './sqlite-incident-rows.js';
import { SqliteStateRows } from './sqlite-state-rows.js';

export class SqliteStore implements Store {
  private readonly incidents: SqliteIncidentRows;
  private readonly deliveryRows: SqliteDeliveryRows;
  private readonly state: SqliteStateRows;
  private readonly commitInTransaction: (batch: StoreBatch) => void;

  /** The store closes `db` on `close()`. */
  constructor(
    readonly db: Database,
    options: { readonly logger?: Logger } = {},
  ) {
    const logger = options.logger ?? silentLogger;
    this.incidents = new SqliteIncidentRows(db, logger);
    this.deliveryRows = new SqliteDeliveryRows(db, logger);
    this.state = new SqliteStateRows(db);
    const transaction = db.transaction((batch: StoreBatch) => this.write(batch));
    this.commitInTransaction = (batch) => transaction.immediate(batch);
  }

  load(): Promise<LoadedState> {
    return attempt(() => ({
      lastIncidentId: this.incidents.lastIncidentId(),
      lastEffectId: this.incidents.lastEffectId(),
      openIncidents: this.incidents.loadOpen(),
      pendingEffects: this.incidents.pendingEffects(),
      pendingDeliveries: this.deliveryRows.pending(),
      announcements: this.deliveryRows.announcements(),
      keyValues: this.state.keyValues(),
      alert: this.state.alert(),
      savedTopics: this.state.savedTopics(),
    }));
  }

  commit(batch: StoreBatch): Promise<void> {
    try {
      this.commitInTransaction(batch);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(this.refusalOr(error));
    }
  }

  /**
   * A failure the batch's content causes, as the port's RefusedBatchError: a constraint, a type or size the
   * database refuses, or a value the driver cannot bind or serialize (RangeError, TypeError). Both drivers
   * report a closed database as a TypeError too, which is no refusal of the rows: only an open one judges.
   */
  private refusalOr(error: unknown): Error {
    const code = String((error as { code?: unknown } | null)?.code ?? '');
    const refused =
      REFUSING_CODE.test(code) ||
      (this.db.open && (error instanceof RangeError || error instanceof TypeError));
    if (refused) return new RefusedBatchError(errorMessage(error), { cause: error });
    return error instanceof Error ? error : new Error(String(error));
  }

  /** The same as `commit`, for callers that are synchronous themselves (benchmarks, tests). */
  commitSync(batch: StoreBatch): void {
    this.commitInTransaction(batch);
  }

  handled(durableId: string): Promise<boolean> {
    return attempt(() => this.state.handled(durableId));
  }

  ackLinkUsed(linkId: string): Promise<boolean> {
    return attempt(() => this.state.ackLinkUsed(linkId));
  }

  incident(id: number): Promise<IncidentRecord | undefined> {
    return attempt(() => this.incidents.get(id));
  }

  timeline(id: number): Promise<TimelineEntry[]> {
    return attempt(() => this.incidents.timeline(id));
  }

  recentIncidents(limit: number): Promise<IncidentRecord[]> {
    return attempt(() => this.incidents.recent(limit));
  }

  statusHistory(limit: number): Promise<StatusEntry[]> {
    return attempt(() => this.state.history(limit));
  }

  deliveries(incidentId: number): Promise<StoredDelivery[]> {
    return attempt(() => this.deliveryRows.ofIncident(incidentId));
  }

  longMessage(slot: number): Promise<LongMessageRow | undefined> {
    return attempt(() => this.state.longMessage(slot));
  }

  close(): Promise<void> {
    return attempt(() => {
      if (this.db.open) this.db.close();
    });
  }

  /** The batch, section by section in the port's order; the transaction is the caller's. */
  private write(batch: StoreBatch): void {
    const done = new Set(batch.effectsDone);
    for (const transition of batch.transitions) this.incidents.write(transition, done);
    if (batch.effectsDone.length > 0) this.incidents.completeEffects(storedBefore(batch));
    for (const { incidentId, reason } of batch.quarantines)
      this.incidents.quarantine(incidentId, reason, batch.at);
    for (const delivery of batch.deliveries) this.deliveryRows.insert(delivery);
    for (const update of batch.deliveryUpdates) this.deliveryRows.update(update);
    this.state.write(batch);
    if (batch.prune)
      this.deliveryRows.prune(batch.prune.incidentDeliveriesBefore, batch.prune.otherDeliveriesBefore);
  }
}

/** Opens (and migrates) the file at `path`, `:memory:` for tests; throws a `StoreOpenError` naming it. */
export function openSqliteStore(path: string, options: OpenDatabaseOptions = {}): SqliteStore {
  return new SqliteStore(openDatabase(path, options), options);
}

/**
 * The effects done in `batch` that an earlier commit stored: one asked for by a transition of this batch
 * was never written (the transition's write skips it), so there is no row to delete.
 */
function storedBefore(batch: StoreBatch): readonly number[] {
  if (batch.transitions.length === 0) return batch.effectsDone;
  const asked = new Set<number>();
  for (const transition of batch.transitions) for (const { id } of transition.effects) asked.add(id);
  return batch.effectsDone.filter((id) => !asked.has(id));
}

/** Runs synchronous SQLite work as the port's promise: a throw becomes a rejection. */
/** SQLite's result codes (sqlite-error-names.ts gives both drivers' names) that the rows cause. */
const REFUSING_CODE = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

function attempt<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
