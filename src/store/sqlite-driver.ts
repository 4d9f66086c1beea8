/**
 * The SQLite that firebell's store runs on: Node's own `node:sqlite` where the runtime has it (Node 22 and
 * 24), better-sqlite3 where it does not (Node 20). Modern Node then needs no compiled addon and no
 * compiler; better-sqlite3 is an optional dependency, loaded only when it is the one chosen.
 *
 * The store is written against the small `SqliteDatabase` below (better-sqlite3's shape, which the store
 * grew up with). Both drivers keep the same durability: the pragmas are set by database.ts, not here.
 * `FIREBELL_SQLITE_DRIVER=node:sqlite|better-sqlite3` forces one (the tests run the store on each that loads).
 */
import { createRequire } from 'node:module';
import { errorMessage } from '../core/error-message.js';
import { named } from './sqlite-error-names.js';

export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';
export const SQLITE_DRIVERS: readonly SqliteDriverName[] = ['node:sqlite', 'better-sqlite3'];

export interface RunResult {
  readonly changes: number | bigint;
  readonly lastInsertRowid: number | bigint;
}

export interface SqliteStatement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** The same statement, answering the first column's value instead of the row. */
  pluck(): SqliteStatement;
}

/** Runs `fn` in a transaction (a savepoint when one is already open); `immediate` takes the write lock first. */
export interface SqliteTransaction<A extends unknown[], R> {
  (...args: A): R;
  immediate(...args: A): R;
}

export interface SqliteDatabase {
  readonly driver: SqliteDriverName;
  readonly open: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  /** `PRAGMA <source>`: every row, or with `simple` the first column of the first row. */
  pragma(source: string, options?: { readonly simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R>;
  close(): void;
}

export class SqliteDriverError extends Error {
  override readonly name = 'SqliteDriverError';
}

const require = createRequire(import.meta.url);

/** The driver this process uses: forced by the environment, else node:sqlite where it exists. */
export function chosenDriver(env: NodeJS.ProcessEnv = process.env): SqliteDriverName {
  const forced = env.FIREBELL_SQLITE_DRIVER;
  if (forced !== undefined && forced !== '') {
    if (!(SQLITE_DRIVERS as readonly string[]).includes(forced))
      throw new SqliteDriverError(
        `FIREBELL_SQLITE_DRIVER is "${forced}"; expected one of ${SQLITE_DRIVERS.join(', ')}`,
      );
    return forced as SqliteDriverName;
  }
  return loadNodeSqlite() ? 'node:sqlite' : 'better-sqlite3';
}

/** The drivers that load in this runtime (tests run the store on each). */
export function availableDrivers(): SqliteDriverName[] {
  return SQLITE_DRIVERS.filter((driver) => {
    try {
      if (driver === 'node:sqlite') return loadNodeSqlite() !== undefined;
      // The addon binds at the first open: one built for another Node fails there, not at require.
      new (loadBetterSqlite3())(':memory:').close();
      return true;
    } catch {
      return false;
    }
  });
}

export function openSqlite(path: string, driver: SqliteDriverName = chosenDriver()): SqliteDatabase {
  if (driver === 'node:sqlite') {
    const sqlite = loadNodeSqlite();
    if (!sqlite) throw new SqliteDriverError(`node:sqlite is not available in Node ${process.versions.node}`);
    return new NodeSqliteDatabase(named(() => new sqlite.DatabaseSync(path)));
  }
  const BetterSqlite3 = loadBetterSqlite3();
  let db: BetterSqlite3Database;
  try {
    db = new BetterSqlite3(path);
  } catch (error) {
    const message = errorMessage(error);
    // NODE_MODULE_VERSION: the addon was built for another Node (node_modules installed under another version).
    if (!/NODE_MODULE_VERSION|ERR_DLOPEN_FAILED|invalid ELF/i.test(message)) throw error;
    throw new SqliteDriverError(
      `better-sqlite3 was built for another Node than ${process.versions.node}; ` +
        'run firebell on Node 22 or later (node:sqlite needs no addon), or run `npm ci` again on this Node',
      { cause: error },
    );
  }
  return new BetterSqliteDatabase(db);
}

// --- node:sqlite ---------------------------------------------------------------------------------------

/** The part of node:sqlite used here (Node 20's type definitions do not have the module). */
interface NodeSqliteModule {
  DatabaseSync: new (path: string) => NodeDatabaseSync;
}
interface NodeDatabaseSync {
  prepare(sql: string): NodeStatementSync;
  exec(sql: string): void;
  close(): void;
  /** Node 22.16 and later; older ones leave it undefined. */
  readonly isTransaction?: boolean;
}
interface NodeStatementSync {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

let nodeSqlite: NodeSqliteModule | null | undefined;

function loadNodeSqlite(): NodeSqliteModule | undefined {
  if (nodeSqlite === undefined) nodeSqlite = withoutSqliteWarning(getBuiltin) ?? null;
  return nodeSqlite ?? undefined;
}

function getBuiltin(): NodeSqliteModule | undefined {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (get) return get('node:sqlite') as NodeSqliteModule | undefined;
  try {
    return require('node:sqlite') as NodeSqliteModule;
  } catch {
    return undefined;
  }
}

/**
 * Node 22 and 24 print "SQLite is an experimental feature" when the module loads. It is the runtime's
 * own module, chosen on purpose; that one warning says nothing to an operator, so it alone is dropped.
 */
function withoutSqliteWarning<T>(load: () => T): T {
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const kind = typeof warning === 'string' ? type : warning.name;
    if (kind === 'ExperimentalWarning' && /SQLite/i.test(text)) return;
    (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = original;
  }
}

/** node:sqlite's rows have no prototype; the store and its callers expect plain objects, as better-sqlite3 gives. */
const plainRow = (row: unknown): unknown =>
  row === undefined || row === null ? undefined : { ...(row as Record<string, unknown>) };

const firstColumn = (row: unknown): unknown =>
  row === undefined || row === null ? undefined : Object.values(row as Record<string, unknown>)[0];

class NodeSqliteStatement implements SqliteStatement {
  constructor(
    private readonly statement: NodeStatementSync,
    private readonly plucked = false,
  ) {}

  run(...params: unknown[]): RunResult {
    return named(() => this.statement.run(...params));
  }

  get(...params: unknown[]): unknown {
    const row = named(() => this.statement.get(...params));
    return this.plucked ? firstColumn(row) : plainRow(row);
  }

  all(...params: unknown[]): unknown[] {
    const rows = named(() => this.statement.all(...params));
    return rows.map(this.plucked ? firstColumn : plainRow);
  }

  pluck(): SqliteStatement {
    return new NodeSqliteStatement(this.statement, true);
  }
}

/** better-sqlite3's transaction semantics (nesting by savepoints, rollback on throw) on node:sqlite. */
class NodeSqliteDatabase implements SqliteDatabase {
  readonly driver = 'node:sqlite' as const;
  private depth = 0;
  private isOpen = true;

  constructor(private readonly db: NodeDatabaseSync) {}

  get open(): boolean {
    return this.isOpen;
  }

  prepare(sql: string): SqliteStatement {
    return new NodeSqliteStatement(named(() => this.db.prepare(sql)));
  }

  exec(sql: string): void {
    named(() => this.db.exec(sql));
  }

  pragma(source: string, options: { readonly simple?: boolean } = {}): unknown {
    const rows = this.prepare(`PRAGMA ${source}`).all();
    return options.simple ? firstColumn(rows[0]) : rows;
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R> {
    const run = (begin: string, args: A): R => {
      const savepoint = `fb_${this.depth}`;
      const nested = this.depth > 0;
      // A transaction left open by a rollback that failed would refuse every BEGIN after it.
      if (!nested && this.db.isTransaction === true) this.rollBack('ROLLBACK');
      this.db.exec(nested ? `SAVEPOINT ${savepoint}` : begin);
      this.depth += 1;
      try {
        const result = fn(...args);
        this.db.exec(nested ? `RELEASE ${savepoint}` : 'COMMIT');
        return result;
      } catch (error) {
        this.rollBack(nested ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
        throw error;
      } finally {
        this.depth -= 1;
      }
    };
    const transaction = ((...args: A) => run('BEGIN', args)) as SqliteTransaction<A, R>;
    transaction.immediate = (...args: A) => run('BEGIN IMMEDIATE', args);
    return transaction;
  }

  /**
   * Undoes a failed transaction. SQLite rolls some back by itself (a full disk, an I/O error): then there
   * is nothing to undo, and the caller must get the error that did it, not "no transaction is active".
   */
  private rollBack(sql: string): void {
    if (this.db.isTransaction === false) return;
    try {
      this.db.exec(sql);
    } catch {
      // Already rolled back (a Node without isTransaction cannot tell beforehand).
    }
  }

  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.db.close();
  }
}

// --- better-sqlite3 ------------------------------------------------------------------------------------

interface BetterSqlite3Statement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  pluck(toggle?: boolean): BetterSqlite3Statement;
}
interface BetterSqlite3Database {
  readonly open: boolean;
  prepare(sql: string): BetterSqlite3Statement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F & { immediate: F };
  close(): unknown;
}
type BetterSqlite3Constructor = new (path: string) => BetterSqlite3Database;

let betterSqlite3: BetterSqlite3Constructor | undefined;

function loadBetterSqlite3(): BetterSqlite3Constructor {
  if (betterSqlite3) return betterSqlite3;
  try {
    betterSqlite3 = require('better-sqlite3') as BetterSqlite3Constructor;
  } catch (error) {
    throw new SqliteDriverError(
      `Node ${process.versions.node} has no node:sqlite and better-sqlite3 does not load ` +
        `(${error instanceof Error ? error.message.split('\n')[0] : String(error)}); ` +
        'run firebell on Node 22 or later, or reinstall with `npm ci` on this Node',
      { cause: error },
    );
  }
  return betterSqlite3;
}

class BetterSqliteStatement implements SqliteStatement {
  constructor(private readonly statement: BetterSqlite3Statement) {}

  run(...params: unknown[]): RunResult {
    return this.statement.run(...params);
  }

  get(...params: unknown[]): unknown {
    return this.statement.get(...params);
  }

  all(...params: unknown[]): unknown[] {
    return this.statement.all(...params);
  }

  pluck(): SqliteStatement {
    return new BetterSqliteStatement(this.statement.pluck(true));
  }
}

class BetterSqliteDatabase implements SqliteDatabase {
  readonly driver = 'better-sqlite3' as const;

  constructor(private readonly db: BetterSqlite3Database) {}

  get open(): boolean {
    return this.db.open;
  }

  prepare(sql: string): SqliteStatement {
    return new BetterSqliteStatement(this.db.prepare(sql));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  pragma(source: string, options: { readonly simple?: boolean } = {}): unknown {
    return this.db.pragma(source, { simple: options.simple ?? false });
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R> {
    return this.db.transaction(fn as (...args: never[]) => unknown) as unknown as SqliteTransaction<A, R>;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
