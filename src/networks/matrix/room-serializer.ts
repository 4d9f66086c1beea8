/**
 * One chain of work per room: events of a room are handled in order, one at a time, while rooms proceed
 * independently. matrix-bot-sdk emits events without awaiting async listeners, so without this two
 * commands in one room could interleave. `settled()` lets the sync loop save its token only after the
 * batch was handled.
 */
import type { Logger } from '../../core/logger.js';

export class RoomSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(roomId: string, task: () => Promise<void> | void): void {
    const previous = this.tails.get(roomId) ?? Promise.resolve();
    const next = previous.then(task).catch((error: unknown) => {
      this.logger.error({ err: error, roomId }, 'handling a Matrix event failed');
    });
    this.tails.set(roomId, next);
    void next.then(() => {
      if (this.tails.get(roomId) === next) this.tails.delete(roomId);
    });
  }

  /** Resolves when everything queued so far (in every room) is done. */
  async settled(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
