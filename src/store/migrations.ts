/**
 * Schema migrations, tracked by id in `schema_migrations`. Every migration this firebell knows and the
 * database has not recorded runs at open, in ascending id order, each in its own transaction. Applying by
 * id (instead of "up to version N") lets migrations written on different branches land in any order.
 *
 * A database that records a migration id this firebell does not know was written by a newer firebell:
 * running against it could silently misread its tables, so it is refused.
 */
import type { SqliteDatabase as Database } from './sqlite-driver.js';
import type { Logger } from '../core/logger.js';
import { errorMessage } from '../core/error-message.js';

export interface Migration {
  /** Unique and never reused; the file name starts with it (`002-status.ts`). */
  readonly id: number;
  /** Short name, recorded beside the id so a collision between two branches is caught. */
  readonly name: string;
  up(db: Database): void;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface MigrateOptions {
  readonly logger: Logger;
  /** Stamped into `applied_at`. */
  readonly now: () => number;
}

const label = (migration: { id: number; name: string }): string =>
  `${String(migration.id).padStart(3, '0')}-${migration.name}`;

function checkList(migrations: readonly Migration[]): void {
  const seen = new Map<number, Migration>();
  for (const migration of migrations) {
    if (!Number.isSafeInteger(migration.id) || migration.id < 1)
      throw new MigrationError(
        `migration ${migration.name} has id ${migration.id}: ids are positive integers`,
      );
    const other = seen.get(migration.id);
    if (other)
      throw new MigrationError(
        `migrations ${label(other)} and ${label(migration)} share id ${migration.id}: give one a new id`,
      );
    seen.set(migration.id, migration);
  }
}

/** Applies the pending migrations; returns the ones it applied. */
export function migrate(
  db: Database,
  migrations: readonly Migration[],
  options: MigrateOptions,
): Migration[] {
  checkList(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);

  const recorded = db.prepare('SELECT id, name FROM schema_migrations ORDER BY id').all() as {
    id: number;
    name: string;
  }[];
  const known = new Map(migrations.map((migration) => [migration.id, migration]));
  const unknown = recorded.filter((row) => !known.has(row.id));
  if (unknown.length > 0)
    throw new MigrationError(
      `the database was migrated by a newer firebell: it has migration${unknown.length > 1 ? 's' : ''} ` +
        `${unknown.map(label).join(', ')} that this version does not know. ` +
        'Run the newer firebell, or restore a backup taken before the upgrade.',
    );
  for (const row of recorded) {
    const migration = known.get(row.id);
    if (migration && migration.name !== row.name)
      throw new MigrationError(
        `migration ${row.id} is recorded as ${label(row)} but this firebell's migration ${row.id} is ` +
          `${label(migration)}: two migrations were given the same id`,
      );
  }

  const done = new Set(recorded.map((row) => row.id));
  const pending = migrations.filter((migration) => !done.has(migration.id)).sort((a, b) => a.id - b.id);
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
  const applied: Migration[] = [];
  for (const migration of pending) {
    // IMMEDIATE takes the write lock first, and the check inside it means a second process opening the
    // same file at the same moment skips what the first one already applied.
    const apply = db.transaction(() => {
      if (isApplied.get(migration.id) !== undefined) return false;
      migration.up(db);
      record.run(migration.id, migration.name, options.now());
      return true;
    });
    try {
      if (!apply.immediate()) continue;
    } catch (error) {
      throw new MigrationError(
        `migration ${label(migration)} failed and was rolled back: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    options.logger.info({ migration: label(migration) }, 'applied migration');
    applied.push(migration);
  }
  return applied;
}
