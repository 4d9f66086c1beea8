/**
 * IRC people send several short lines in a row; Matrix homeservers rate-limit a bot to a few messages a
 * second (Synapse: 0.2/s after a burst of 10). Lines from one sender in one channel that follow each other
 * within 100 ms are joined into one Matrix message, held at most 1 s from the first line (heisenbridge's
 * EventQueue, research §1.2). Another sender, another style, or a full batch sends the pending one first,
 * so the order of what was said is kept. Timers run on the injected Clock and are cleared on stop.
 */
import type { Clock } from '../clock.js';
import type { MessageStyle } from '../messages.js';
import type { RichText } from '../rich-text.js';

export interface Line<T> {
  /** Where the line was said (network and channel). */
  readonly source: string;
  readonly senderId: string;
  readonly style: MessageStyle;
  readonly content: RichText;
  readonly length: number;
  readonly payload: T;
}

export interface Batch<T> {
  readonly lines: readonly Line<T>[];
}

export interface CoalescerOptions {
  readonly idleMs: number;
  readonly maxMs: number;
  /** Text length at which a batch is sent at once (Matrix events are limited to 64 KiB). */
  readonly maxLength: number;
}

interface Pending<T> {
  readonly lines: Line<T>[];
  length: number;
  idle: unknown;
  readonly deadline: unknown;
}

export class Coalescer<T> {
  private readonly pending = new Map<string, Pending<T>>();

  constructor(
    private readonly clock: Clock,
    private readonly send: (batch: Batch<T>) => void,
    private readonly options: CoalescerOptions,
  ) {}

  add(line: Line<T>): void {
    const current = this.pending.get(line.source);
    const first = current?.lines[0];
    if (
      current &&
      first &&
      (first.senderId !== line.senderId ||
        first.style !== line.style ||
        current.length + line.length > this.options.maxLength)
    ) {
      this.flush(line.source);
    }
    const batch = this.pending.get(line.source);
    if (batch) {
      batch.lines.push(line);
      batch.length += line.length;
      this.clock.clearTimeout(batch.idle);
      batch.idle = this.clock.setTimeout(() => this.flush(line.source), this.options.idleMs);
      return;
    }
    this.pending.set(line.source, {
      lines: [line],
      length: line.length,
      idle: this.clock.setTimeout(() => this.flush(line.source), this.options.idleMs),
      deadline: this.clock.setTimeout(() => this.flush(line.source), this.options.maxMs),
    });
  }

  /** Sends what is pending for one source now (before anything else from there goes out). */
  flush(source: string): void {
    const batch = this.pending.get(source);
    if (!batch) return;
    this.pending.delete(source);
    this.clock.clearTimeout(batch.idle);
    this.clock.clearTimeout(batch.deadline);
    this.send({ lines: batch.lines });
  }

  /** Sends everything pending and clears every timer. */
  stop(): void {
    for (const source of [...this.pending.keys()]) this.flush(source);
  }
}
