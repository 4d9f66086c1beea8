/**
 * The soak's full disk: firebell's files may not grow past their current size for a while, then may again.
 *
 * SQLite's `max_page_count` is a setting of the connection, which only firebell's own process could
 * change, and firebell runs as whoever runs the soak (root bypasses a read-only directory). So the soak
 * uses the kernel's file size limit (RLIMIT_FSIZE), set on the running process with `prlimit`: a write
 * at or past the limit fails (EFBIG; node ignores the SIGXFSZ that comes with it), exactly where a full
 * disk would refuse new blocks, and SQLite reports `disk I/O error`. The limit is the size of the WAL
 * file, where every commit appends (or of the database when there is no WAL), so the next commit fails.
 * Lifting it is the disk freed.
 *
 * When the store actually refused and took writes again is read from firebell's own log: the journal
 * logs its first failed commit and its first commit after (src/core/journal.ts).
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

const sizeOf = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/**
 * A WAL's header: a limit here fails every frame written, even into a WAL that was just checkpointed and
 * is being rewritten from its start (which a full disk would allow: its blocks are allocated).
 */
export const WAL_HEADER_BYTES = 32;

/**
 * Limits the process's file size to the store's current size, or to `bytes`; returns the limit in bytes.
 */
export async function fillDisk(pid: number, storePath: string, bytes?: number): Promise<number> {
  const wal = sizeOf(`${storePath}-wal`);
  const limit = bytes ?? (wal > 0 ? wal : Math.max(1, sizeOf(storePath)));
  await run('prlimit', ['--pid', String(pid), `--fsize=${limit}:`]);
  return limit;
}

export async function freeDisk(pid: number): Promise<void> {
  await run('prlimit', ['--pid', String(pid), '--fsize=unlimited:']);
}

/** What the journal's log says about the store, from one of firebell's JSON log lines. */
export function storeLogEvent(line: string): { kind: 'failing' | 'works'; at: number } | undefined {
  if (!line.includes('the store')) return undefined;
  let entry: { time?: unknown; msg?: unknown };
  try {
    entry = JSON.parse(line) as { time?: unknown; msg?: unknown };
  } catch {
    return undefined;
  }
  if (typeof entry.time !== 'number' || typeof entry.msg !== 'string') return undefined;
  if (entry.msg.startsWith('the store is failing')) return { kind: 'failing', at: entry.time };
  if (entry.msg.startsWith('the store works again')) return { kind: 'works', at: entry.time };
  return undefined;
}
