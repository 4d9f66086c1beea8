/**
 * Where the test servers' programs are: on PATH, or in the sbin directories that a non-root PATH often
 * lacks (Debian installs inspircd, anope and ngircd under /usr/sbin). A missing one is a failed test with
 * one line that names the package to install: never a crash with a stack trace, never a silent skip.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The directories searched after PATH. */
export const SBIN_DIRS: readonly string[] = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** A test server that is not installed: its message is the whole report, so the stack is left out. */
export class MissingServerError extends Error {
  constructor(program: string, debianPackage: string, searched: readonly string[]) {
    super(
      `${program} is not installed (looked on PATH and in ${searched.join(', ')}): ` +
        `install the Debian package "${debianPackage}" (sudo apt-get install -y ${debianPackage})`,
    );
    this.name = 'MissingServerError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The full path of `program`, searching `pathVariable` then the sbin directories; throws when missing. */
export function findServer(
  program: string,
  debianPackage: string,
  pathVariable: string | undefined = process.env.PATH,
  extraDirs: readonly string[] = SBIN_DIRS,
): string {
  const dirs = [...(pathVariable ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, program);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new MissingServerError(program, debianPackage, extraDirs);
}
