/**
 * The store benchmarks run firebell on: the SQLite store on a file in a fresh temp directory, with the
 * production durability (WAL, synchronous=FULL), opened as the composition root opens it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/core/clock.js';
import { DurableState } from '../src/core/durable-state.js';
import { silentLogger } from '../src/core/logger.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite-store.js';

export interface BenchDurable {
  readonly durable: DurableState;
  readonly store: SqliteStore;
  /** Closes the store and removes its directory. */
  close(): Promise<void>;
  /** Removes the directory when the process exits (for a store that lives as long as the process). */
  removeAtExit(): void;
}

/** Opens `path` (a new temp file when not given). */
export async function openBenchDurable(path?: string): Promise<BenchDurable> {
  // A path given is the caller's to remove.
  const file = path === undefined ? tempStoreFile() : { path, remove: () => undefined };
  const store = openSqliteStore(file.path);
  const durable = await DurableState.open(store, { clock: systemClock, logger: silentLogger });
  return {
    durable,
    store,
    close: async () => {
      await store.close();
      file.remove();
    },
    removeAtExit: () => void process.once('exit', () => file.remove()),
  };
}

/**
 * A path for a store that another part opens (a firebell in a child process, say), in a fresh temp
 * directory; `remove` deletes the directory.
 */
export function tempStoreFile(): { readonly path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'firebell-bench-'));
  return { path: join(dir, 'firebell.sqlite'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
