/**
 * Opens firebell's SQLite file with the durability the incident store promises, and brings its schema up
 * to date. WAL lets readers run beside the writer; synchronous=FULL makes every committed transition
 * survive a power cut (in WAL mode, NORMAL may lose the last transactions), which is what "stored before
 * any effect goes out" needs.
 */
import { resolve } from 'node:path';
import { openSqlite, type SqliteDatabase, type SqliteDriverName } from './sqlite-driver.js';
import { systemClock } from '../core/clock.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { migrate, type Migration } from './migrations.js';
import { migrations as allMigrations } from './migrations/index.js';
import { preparePrivateStore } from './private-files.js';
import { errorMessage } from '../core/error-message.js';

export type Database = SqliteDatabase;

export interface OpenDatabaseOptions {
  readonly logger?: Logger;
  /** How long a write waits for another connection's lock before failing. */
  readonly busyTimeoutMs?: number;
  /** The migrations to apply; all of firebell's by default (tests pass their own). */
  readonly migrations?: readonly Migration[];
  /** Stamps `schema_migrations.applied_at`. */
  readonly now?: () => number;
  /** The SQLite driver; by default node:sqlite where the runtime has it, else better-sqlite3 (sqlite-driver.ts). */
  readonly driver?: SqliteDriverName;
}

export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
}

const IN_MEMORY = ':memory:';
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** `path` may be `:memory:` (tests). Throws a `StoreOpenError` naming the path when anything fails. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  const logger = options.logger ?? silentLogger;
  const where = path === IN_MEMORY ? IN_MEMORY : resolve(path);
  let db: Database | undefined;
  try {
    // Private before SQLite creates anything: the store holds secrets (private-files.ts).
    if (where !== IN_MEMORY) preparePrivateStore(where, logger);
    db = openSqlite(where, options.driver);
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
    // The first statement is where a file that is not a database (or is locked, or unreadable) fails.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (where !== IN_MEMORY && mode !== 'wal')
      logger.warn(
        { path: where, journalMode: mode },
        'the store could not switch to WAL; using its journal mode',
      );
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db?.close();
    throw new StoreOpenError(`cannot open the store at ${where}: ${errorMessage(error)}`, { cause: error });
  }
  try {
    migrate(db, options.migrations ?? allMigrations, { logger, now: options.now ?? systemClock.now });
  } catch (error) {
    db.close();
    throw new StoreOpenError(`cannot open the store at ${where}: ${errorMessage(error)}`, { cause: error });
  }
  logger.debug({ path: where }, 'store opened');
  return db;
}
