/**
 * Waits on the injected clock that `stop()` can cut short, so no timer outlives the adapter.
 */
import type { Clock } from '../../core/clock.js';

export class Sleeper {
  private readonly pending = new Map<unknown, () => void>();
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  /** Resolves true after `ms`, or false at once if the sleeper was (or gets) stopped. */
  sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const handle = this.clock.setTimeout(() => {
        this.pending.delete(handle);
        resolve(!this.stopped);
      }, ms);
      this.pending.set(handle, () => resolve(false));
    });
  }

  /** Calls `fn` every `ms` until stopped. */
  every(ms: number, fn: () => Promise<void>): void {
    void (async () => {
      while (await this.sleep(ms)) await fn();
    })();
  }

  stop(): void {
    this.stopped = true;
    for (const [handle, cancel] of this.pending) {
      this.clock.clearTimeout(handle);
      cancel();
    }
    this.pending.clear();
  }
}
