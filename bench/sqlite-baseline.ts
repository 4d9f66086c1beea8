/**
 * The raw SQLite figure that store benchmarks are judged against: single-row transactions (one small
 * INSERT each) through the same SQLite driver as the store, on a file opened with the store's own durability settings
 * (WAL, synchronous=FULL), so the only difference left is what the store does per transaction.
 *
 * With synchronous=FULL every commit waits for an fsync of the WAL, so this rate is mostly the disk's
 * flush rate, and on a shared machine that swings several-fold from one second to the next. Figures are
 * therefore best taken paired (`measurePaired`): the raw transaction and the one compared with it take
 * turns, each timed alone, so both meet the same disk weather.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/store/database.js';

export const RAW_SQLITE_BASELINE = 'raw sqlite single-row tx';

export interface Rate {
  readonly perSecond: number;
  readonly operations: number;
  /** Time spent inside the operation itself. */
  readonly elapsedMs: number;
}

/** Calls `operation` back to back for about `durationMs` and reports how many per second. */
export function measureRate(durationMs: number, operation: (index: number) => void): Rate {
  return measurePaired(durationMs, { operation }).operation as Rate;
}

/**
 * Runs one of each operation in turn, for about `durationMs` in all, timing each call alone; the rate of
 * each is its calls divided by the time spent in them.
 */
export function measurePaired<K extends string>(
  durationMs: number,
  operations: Readonly<Record<K, (index: number) => void>>,
): Record<K, Rate> {
  const entries = Object.entries(operations) as [K, (index: number) => void][];
  const spent = entries.map(() => 0);
  const start = performance.now();
  let index = 0;
  do {
    entries.forEach(([, operation], slot) => {
      const before = performance.now();
      operation(index);
      spent[slot] = (spent[slot] ?? 0) + performance.now() - before;
    });
    index += 1;
  } while (performance.now() - start < durationMs);
  const rates = {} as Record<K, Rate>;
  entries.forEach(([name], slot) => {
    const elapsedMs = spent[slot] ?? 0;
    rates[name] = { perSecond: (index * 1000) / elapsedMs, operations: index, elapsedMs };
  });
  return rates;
}

export interface RawSqliteBaseline {
  /** One single-row transaction. */
  transact(index: number): void;
  /** Closes the file and removes it. */
  close(): void;
}

let files = 0;

/** A baseline file of its own in `dir`, opened like the store's. */
export function openRawSqliteBaseline(dir: string): RawSqliteBaseline {
  files += 1;
  const path = join(dir, `raw-baseline-${process.pid}-${files}.sqlite`);
  const db = openDatabase(path, { migrations: [] });
  db.exec('CREATE TABLE raw (id INTEGER PRIMARY KEY, value TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO raw (value) VALUES (?)');
  const insertOne = db.transaction((value: string) => insert.run(value));
  return {
    transact: (index) => void insertOne(`row ${index}`),
    close: () => {
      db.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    },
  };
}

/** The raw rate on its own, for benchmarks that cannot interleave (the actor-level one, say). */
export function measureRawSqliteTransactionRate(dir: string, durationMs: number): Rate {
  const baseline = openRawSqliteBaseline(dir);
  try {
    return measureRate(durationMs, (index) => baseline.transact(index));
  } finally {
    baseline.close();
  }
}
