/**
 * alert.json, as the OpenStack statusbot published it for other status pages to show a banner:
 * {"alert": "<message>"} while an alert is up, {"alert": null} otherwise. Written atomically (a temporary
 * file in the same directory, then rename) so a reader never sees half a file.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AlertPublisher } from '../core/statusbot/statusbot.js';

export class AlertFile implements AlertPublisher {
  private sequence = 0;

  constructor(private readonly path: string) {}

  async publish(alert: string | null): Promise<void> {
    const directory = dirname(this.path);
    await mkdir(directory, { recursive: true });
    const temporary = join(directory, `.${basename(this.path)}.${process.pid}.${(this.sequence += 1)}.tmp`);
    await writeFile(temporary, `${JSON.stringify({ alert })}\n`, { mode: 0o644 });
    await rename(temporary, this.path);
  }
}

/** When no alert file is configured. */
export const noAlertFile: AlertPublisher = { publish: async () => undefined };
