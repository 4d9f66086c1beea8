import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A fresh directory under the system temp dir, removed when the test ends (pass or fail). */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'firebell-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
