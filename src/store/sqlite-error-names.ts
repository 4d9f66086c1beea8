/**
 * SQLite's result codes by name, for the node:sqlite driver (sqlite-driver.ts): node:sqlite reports a
 * failure by number only, and the store, its callers and the logs read the names better-sqlite3 gives.
 */
const PRIMARY_CODES = [
  'OK',
  'ERROR',
  'INTERNAL',
  'PERM',
  'ABORT',
  'BUSY',
  'LOCKED',
  'NOMEM',
  'READONLY',
  'INTERRUPT',
  'IOERR',
  'CORRUPT',
  'NOTFOUND',
  'FULL',
  'CANTOPEN',
  'PROTOCOL',
  'EMPTY',
  'SCHEMA',
  'TOOBIG',
  'CONSTRAINT',
  'MISMATCH',
  'MISUSE',
  'NOLFS',
  'AUTH',
  'FORMAT',
  'RANGE',
  'NOTADB',
  'NOTICE',
  'WARNING',
];
const EXTENDED_CODES: Readonly<Record<number, string>> = {
  261: 'BUSY_RECOVERY',
  517: 'BUSY_SNAPSHOT',
  264: 'READONLY_RECOVERY',
  520: 'READONLY_CANTLOCK',
  776: 'READONLY_ROLLBACK',
  1032: 'READONLY_DBMOVED',
  1544: 'READONLY_DIRECTORY',
  275: 'CONSTRAINT_CHECK',
  787: 'CONSTRAINT_FOREIGNKEY',
  1043: 'CONSTRAINT_FUNCTION',
  1299: 'CONSTRAINT_NOTNULL',
  1555: 'CONSTRAINT_PRIMARYKEY',
  1811: 'CONSTRAINT_TRIGGER',
  2067: 'CONSTRAINT_UNIQUE',
  2579: 'CONSTRAINT_ROWID',
};

/**
 * node:sqlite reports every SQLite failure as ERR_SQLITE_ERROR with the number in `errcode`; callers and
 * logs get better-sqlite3's names (SQLITE_FULL, SQLITE_CONSTRAINT_NOTNULL), whichever driver runs.
 */
export function named<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    const errcode = (error as { errcode?: unknown } | null)?.errcode;
    if (error instanceof Error && typeof errcode === 'number') {
      const name = EXTENDED_CODES[errcode] ?? PRIMARY_CODES[errcode & 0xff] ?? 'ERROR';
      Object.defineProperty(error, 'code', { value: `SQLITE_${name}`, configurable: true, writable: true });
    }
    throw error;
  }
}
