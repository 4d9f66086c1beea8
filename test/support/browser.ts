/**
 * Debian's chromium, headless, driven by playwright-core: the real browser the play book is checked in.
 * A missing chromium fails the test in one line naming the package, as a missing IRC server does.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { MissingServerError } from '../servers/find-server.js';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new MissingServerError('chromium', 'chromium', ['/usr/bin']);
  return chromium.launch({ executablePath: CHROMIUM });
}
