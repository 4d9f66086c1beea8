/**
 * The store core tests run on: the real SQLite store on `:memory:` (so the tests exercise what production
 * runs, without a file), with a way to make commits fail, a count of them, and SQL for a test to reach
 * into (damage a snapshot, play a crash window). One store outlives several Firebells: that is a restart.
 */
import type { Clock } from '../../src/core/clock.js';
import { DurableState } from '../../src/core/durable-state.js';
import type { JournalOptions } from '../../src/core/journal.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import type { StoreBatch } from '../../src/core/store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { openDatabase } from '../../src/store/database.js';

export class TestStore extends SqliteStore {
  /** Batches committed. */
  commits = 0;
  /** Commits to fail from now on (with `failure`), before they reach SQLite. */
  failCommits = 0;
  failure = new Error('disk full (simulated)');

  constructor() {
    super(openDatabase(':memory:'));
  }

  override commit(batch: StoreBatch): Promise<void> {
    if (this.failCommits > 0) {
      this.failCommits -= 1;
      return Promise.reject(this.failure);
    }
    this.commits += 1;
    return super.commit(batch);
  }

  /** The core tests' restarts reuse the store: it is closed only when the test is done with it. */
  override close(): Promise<void> {
    return Promise.resolve();
  }

  /** Rows of a table, for assertions. */
  rows(sql: string, ...params: unknown[]): unknown[] {
    return this.db.prepare(sql).all(...params);
  }

  run(sql: string, ...params: unknown[]): void {
    this.db.prepare(sql).run(...params);
  }
}

/** Opens the durable state over `store` as the composition root does. */
export function openDurable(
  store: TestStore,
  clock: Clock,
  options: { logger?: Logger; journal?: JournalOptions } = {},
): Promise<DurableState> {
  return DurableState.open(store, {
    clock,
    logger: options.logger ?? silentLogger,
    ...(options.journal ? { journal: options.journal } : {}),
  });
}
