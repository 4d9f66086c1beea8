/**
 * The store holds secrets (the Matrix access token a password login obtained, incident timelines), so it
 * is private to the user firebell runs as, whatever the umask: a data directory firebell creates is 0700,
 * and the database file is created 0600 before SQLite opens it. SQLite gives the files it adds beside
 * the database (`-wal`, `-shm`, a rollback `-journal`) the database file's own mode, so they are 0600 too,
 * every time they are recreated, migrations included.
 *
 * A store that already exists is never changed behind the operator's back: if it is open to other users,
 * firebell says so at start, with the command that fixes it.
 */
import { chmodSync, closeSync, constants, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../core/logger.js';

const PRIVATE_DIRECTORY = 0o700;
const PRIVATE_FILE = 0o600;
/** Any permission for the group or for others. */
const SHARED_BITS = 0o077;
const COMPANION_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/** Makes the directory and the database file for `path` (absolute) private if it creates them. */
export function preparePrivateStore(path: string, logger: Logger): void {
  createPrivateDirectory(dirname(path));
  if (!createPrivateFile(path)) warnIfShared(path, logger);
}

function createPrivateDirectory(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIRECTORY });
  if (first === undefined) return;
  // mkdir's mode passes through the umask; chmod does not. Every directory created, from `first` down.
  for (let created = dir; ; created = dirname(created)) {
    chmodSync(created, PRIVATE_DIRECTORY);
    if (created === first || dirname(created) === created) break;
  }
}

/** Creates the file with mode 0600 unless it exists; says whether it created it. */
function createPrivateFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, PRIVATE_FILE);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fchmodSync(fd, PRIVATE_FILE);
  } finally {
    closeSync(fd);
  }
  return true;
}

function warnIfShared(path: string, logger: Logger): void {
  for (const suffix of COMPANION_SUFFIXES) {
    const file = path + suffix;
    let mode: number;
    try {
      mode = statSync(file).mode & 0o777;
    } catch {
      continue;
    }
    if ((mode & SHARED_BITS) === 0) continue;
    logger.warn(
      { path: file, mode: mode.toString(8).padStart(4, '0') },
      `the store file ${file} is open to other users (mode ${mode.toString(8).padStart(4, '0')}) and holds ` +
        `secrets such as the Matrix access token; make it private: chmod 600 ${path}*`,
    );
  }
}
