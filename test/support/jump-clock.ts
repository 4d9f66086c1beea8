/**
 * Real time that a test can move forward at once: `now()` is the wall clock plus an offset, timers run on
 * real timers, and `jump(ms)` adds to the offset and fires (or re-arms) every pending timer by its due
 * time. For tests of the whole firebell against real servers where something must fall due at a chosen
 * moment (a page due during a rejoin) without waiting the policy's minutes.
 */
import type { Clock } from '../../src/core/clock.js';

interface Pending {
  readonly due: number;
  readonly fn: () => void;
  timer: NodeJS.Timeout;
}

export class JumpClock implements Clock {
  private offset = 0;
  private readonly pending = new Set<Pending>();

  now(): number {
    return Date.now() + this.offset;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const entry: Pending = { due: this.now() + Math.max(0, ms), fn, timer: undefined as never };
    this.arm(entry);
    this.pending.add(entry);
    return entry;
  }

  clearTimeout(handle: unknown): void {
    const entry = handle as Pending;
    if (!this.pending.delete(entry)) return;
    clearTimeout(entry.timer);
  }

  /** Moves time forward by `ms`: what fell due meanwhile fires now, the rest keeps its due time. */
  jump(ms: number): void {
    this.offset += ms;
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      this.arm(entry);
    }
  }

  private arm(entry: Pending): void {
    entry.timer = setTimeout(
      () => {
        this.pending.delete(entry);
        entry.fn();
      },
      Math.min(Math.max(0, entry.due - this.now()), 2_147_483_647),
    );
  }
}
